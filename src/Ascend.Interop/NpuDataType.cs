namespace Ascend.Interop;

/// <summary>Element types of NPU tensors; the values are CANN's <c>aclDataType</c>.</summary>
public enum NpuDataType
{
    /// <summary>32-bit IEEE float (<c>ACL_FLOAT</c>).</summary>
    Float32 = 0,
    /// <summary>16-bit IEEE half (<c>ACL_FLOAT16</c>).</summary>
    Float16 = 1,
    /// <summary>Signed 8-bit integer (<c>ACL_INT8</c>).</summary>
    Int8 = 2,
    /// <summary>Signed 32-bit integer (<c>ACL_INT32</c>).</summary>
    Int32 = 3,
    /// <summary>Unsigned 8-bit integer (<c>ACL_UINT8</c>).</summary>
    UInt8 = 4,
    /// <summary>Signed 64-bit integer (<c>ACL_INT64</c>).</summary>
    Int64 = 9,
    /// <summary>64-bit IEEE float (<c>ACL_DOUBLE</c>).</summary>
    Float64 = 11,
    /// <summary>Boolean stored in one byte (<c>ACL_BOOL</c>).</summary>
    Bool = 12,
    /// <summary>bfloat16 (<c>ACL_BF16</c>).</summary>
    BFloat16 = 27,
}

/// <summary>Facts about <see cref="NpuDataType"/> values.</summary>
public static class NpuDataTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this NpuDataType type) => type switch
    {
        NpuDataType.Float32 or NpuDataType.Int32 => 4,
        NpuDataType.Float16 or NpuDataType.BFloat16 => 2,
        NpuDataType.Int8 or NpuDataType.UInt8 or NpuDataType.Bool => 1,
        NpuDataType.Int64 or NpuDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an NpuDataType the SDK supports."),
    };

    /// <summary>True for Float32, Float16, BFloat16 and Float64.</summary>
    public static bool IsFloatingPoint(this NpuDataType type) =>
        type is NpuDataType.Float32 or NpuDataType.Float16 or NpuDataType.BFloat16 or NpuDataType.Float64;

    /// <summary>The <see cref="NpuDataType"/> of an unmanaged CLR element type.</summary>
    public static NpuDataType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return NpuDataType.Float32;
        if (typeof(T) == typeof(Half)) return NpuDataType.Float16;
        if (typeof(T) == typeof(int)) return NpuDataType.Int32;
        if (typeof(T) == typeof(long)) return NpuDataType.Int64;
        if (typeof(T) == typeof(sbyte)) return NpuDataType.Int8;
        if (typeof(T) == typeof(byte)) return NpuDataType.UInt8;
        if (typeof(T) == typeof(double)) return NpuDataType.Float64;
        if (typeof(T) == typeof(bool)) return NpuDataType.Bool;
        if (typeof(T) == typeof(BFloat16)) return NpuDataType.BFloat16;
        throw new NotSupportedException($"{typeof(T).Name} has no NpuDataType; use float, Half, BFloat16, double, int, long, sbyte, byte or bool.");
    }
}
