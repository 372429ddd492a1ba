namespace Ascend.Interop;

/// <summary>A set of element types an operator accepts, with the words messages use for it.</summary>
internal sealed class DataTypeSet
{
    private readonly ulong _mask;

    private DataTypeSet(string description, params ReadOnlySpan<NpuDataType> types)
    {
        Description = description;
        foreach (var type in types) _mask |= 1UL << (int)type;
    }

    /// <summary>"a floating-point type".</summary>
    public string Description { get; }

    public bool Contains(NpuDataType type) => (uint)type < 64 && (_mask & (1UL << (int)type)) != 0;

    public static readonly DataTypeSet Any = new("any type",
        NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Float64,
        NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64, NpuDataType.Bool);

    public static readonly DataTypeSet FloatingPoint = new("a floating-point type",
        NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Float64);

    /// <summary>Numbers: everything but bool.</summary>
    public static readonly DataTypeSet Arithmetic = new("an arithmetic type (not bool)",
        NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Float64,
        NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64);

    public static readonly DataTypeSet Integral = new("an integer type",
        NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64);

    /// <summary>Index tensors: int32 or int64.</summary>
    public static readonly DataTypeSet Index = new("int32 or int64", NpuDataType.Int32, NpuDataType.Int64);

    /// <summary>A set of the listed types ("one of Float32, Float16").</summary>
    public static DataTypeSet Of(params NpuDataType[] types) => new("one of " + string.Join(", ", types), types);
}
