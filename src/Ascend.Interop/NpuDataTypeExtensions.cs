namespace Ascend.Interop;

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
        if (typeof(T) == typeof(NpuBFloat16)) return NpuDataType.BFloat16;
        throw new NotSupportedException($"{typeof(T).Name} has no NpuDataType; use float, Half, NpuBFloat16, double, int, long, sbyte, byte or bool.");
    }
}
