using System.Globalization;
using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// A host scalar with its data type: what the generated typed operators (<see cref="AclnnOperators"/>) pass as an
/// <c>aclScalar*</c>. The CLR type it is made from picks the scalar's type (<c>1.0</c> is Float64, <c>1.0f</c> Float32,
/// <c>1L</c> Int64, <c>1</c> Int32); <see cref="Create(double, NpuDataType)"/> makes one in a given type.
/// <c>default</c> is no scalar: the operator receives a null <c>aclScalar*</c> (CANN's optional scalars).
/// </summary>
public readonly struct NpuScalar : IEquatable<NpuScalar>
{
    private readonly long _bits;      // the value's bytes, little-endian, as aclCreateScalar reads them
    private readonly int _type;       // NpuDataType + 1; 0 = no scalar

    private NpuScalar(long bits, NpuDataType type)
    {
        _bits = bits;
        _type = (int)type + 1;
    }

    /// <summary>False for <c>default</c>: no scalar (a null <c>aclScalar*</c>).</summary>
    public bool HasValue => _type != 0;

    /// <summary>The scalar's data type.</summary>
    /// <exception cref="InvalidOperationException">The scalar is <c>default</c> (no value).</exception>
    public NpuDataType DataType => _type != 0 ? (NpuDataType)(_type - 1) : throw new InvalidOperationException("This NpuScalar holds no value (default).");

    /// <summary>A Float64 scalar.</summary>
    public static implicit operator NpuScalar(double value) => new(BitConverter.DoubleToInt64Bits(value), NpuDataType.Float64);

    /// <summary>A Float32 scalar.</summary>
    public static implicit operator NpuScalar(float value) => new(BitConverter.SingleToInt32Bits(value), NpuDataType.Float32);

    /// <summary>A Float16 scalar.</summary>
    public static implicit operator NpuScalar(Half value) => new(BitConverter.HalfToInt16Bits(value), NpuDataType.Float16);

    /// <summary>A bfloat16 scalar.</summary>
    public static implicit operator NpuScalar(NpuBFloat16 value) => new(Unsafe.As<NpuBFloat16, short>(ref value), NpuDataType.BFloat16);

    /// <summary>An Int64 scalar.</summary>
    public static implicit operator NpuScalar(long value) => new(value, NpuDataType.Int64);

    /// <summary>An Int32 scalar.</summary>
    public static implicit operator NpuScalar(int value) => new(value, NpuDataType.Int32);

    /// <summary>A Bool scalar.</summary>
    public static implicit operator NpuScalar(bool value) => new(value ? 1 : 0, NpuDataType.Bool);

    /// <summary>
    /// <paramref name="value"/> as a scalar of <paramref name="type"/>: floating types round it (to nearest), integer
    /// types and Bool need an integral value their range holds (Bool: 0 or 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not an <see cref="NpuDataType"/>, or the value does not fit it.</exception>
    public static NpuScalar Create(double value, NpuDataType type)
    {
        switch (type)
        {
            case NpuDataType.Float64: return value;
            case NpuDataType.Float32: return (float)value;
            case NpuDataType.Float16: return (Half)value;
            case NpuDataType.BFloat16: return (NpuBFloat16)(float)value;
        }
        var (min, max) = type switch
        {
            NpuDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            NpuDataType.UInt8 => (byte.MinValue, byte.MaxValue),
            NpuDataType.Int32 => (int.MinValue, int.MaxValue),
            NpuDataType.Int64 => (long.MinValue, 9.2233720368547748E18),   // the largest double below 2^63
            NpuDataType.Bool => (0, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "NpuScalar.Create: not an NpuDataType the SDK supports."),
        };
        if (!(value >= min && value <= max) || value != Math.Floor(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"NpuScalar.Create: {value.ToString(CultureInfo.InvariantCulture)} is not a {type} value.");
        return new((long)value, type);
    }

    /// <summary>The value as a double (Int64 values beyond 2^53 round).</summary>
    /// <exception cref="InvalidOperationException">The scalar is <c>default</c> (no value).</exception>
    public double ToDouble() => DataType switch
    {
        NpuDataType.Float64 => BitConverter.Int64BitsToDouble(_bits),
        NpuDataType.Float32 => BitConverter.Int32BitsToSingle((int)_bits),
        NpuDataType.Float16 => (double)BitConverter.Int16BitsToHalf((short)_bits),
        NpuDataType.BFloat16 => (float)Unsafe.BitCast<short, NpuBFloat16>((short)_bits),
        _ => _bits,
    };

    /// <summary>The value's bytes as <c>aclCreateScalar</c> reads them (the low <see cref="NpuDataTypeExtensions.ElementSize"/> bytes).</summary>
    internal long Bits => _bits;

    /// <inheritdoc/>
    public bool Equals(NpuScalar other) => _bits == other._bits && _type == other._type;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NpuScalar other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_bits, _type);

    /// <summary>True when both hold the same value bits in the same type (or both no value).</summary>
    public static bool operator ==(NpuScalar left, NpuScalar right) => left.Equals(right);

    /// <summary>True unless both hold the same value bits in the same type.</summary>
    public static bool operator !=(NpuScalar left, NpuScalar right) => !left.Equals(right);

    /// <summary>"1.5 (Float32)", or "(none)".</summary>
    public override string ToString() =>
        HasValue ? $"{ToDouble().ToString(CultureInfo.InvariantCulture)} ({DataType})" : "(none)";
}
