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

    // Operator-specific sets (Engine/Operators.*): here, not in the partial class, so that every part sees them initialised.
    public static readonly DataTypeSet Float16Plus = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16);
    public static readonly DataTypeSet IntegerOrBool = DataTypeSet.Of(NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64, NpuDataType.Bool);
    public static readonly DataTypeSet SignedNumbers = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Float64,
        NpuDataType.Int8, NpuDataType.Int32, NpuDataType.Int64);
    public static readonly DataTypeSet FillTypes = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16,
        NpuDataType.Int8, NpuDataType.Int32, NpuDataType.Int64);
    public static readonly DataTypeSet ConditionTypes = DataTypeSet.Of(NpuDataType.Bool, NpuDataType.UInt8);
    public static readonly DataTypeSet FloatingOrInt64Bool = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16,
        NpuDataType.Float64, NpuDataType.Int64, NpuDataType.Bool);
    public static readonly DataTypeSet FloatingOrIntegerOrBool = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16,
        NpuDataType.Float64, NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64, NpuDataType.Bool);
    public static readonly DataTypeSet Float16PlusOrIntegerOrBool = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16,
        NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64, NpuDataType.Bool);
    public static readonly DataTypeSet AttentionTypes = DataTypeSet.Of(NpuDataType.Float16, NpuDataType.BFloat16);
    public static readonly DataTypeSet MaskTypes = DataTypeSet.Of(NpuDataType.Bool, NpuDataType.Int8, NpuDataType.UInt8);
}
