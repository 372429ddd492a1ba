using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// One attribute value passed to a declared operator: a number (double or long), a bool, an enum, a data
/// type or a string. Converts implicitly, so entry points pass <c>[alpha, dim]</c>.
/// </summary>
internal readonly struct OperatorValue
{
    private readonly double _double;
    private readonly long _long;

    private OperatorValue(double d, long l, bool isFloating, string? text)
    {
        _double = d;
        _long = l;
        IsFloating = isFloating;
        IsPresent = true;
        Text = text;
    }

    /// <summary>False for a trailing optional attribute that was not passed.</summary>
    public bool IsPresent { get; }

    /// <summary>Passed as a floating-point number.</summary>
    public bool IsFloating { get; }

    public string? Text { get; }

    public double AsDouble => IsFloating ? _double : _long;

    /// <summary>The integer (a floating value truncates: attribute checks reject non-integral ones first).</summary>
    public long AsLong => IsFloating ? (long)_double : _long;

    public static implicit operator OperatorValue(double value) => new(value, 0, true, null);
    public static implicit operator OperatorValue(long value) => new(0, value, false, null);
    public static implicit operator OperatorValue(bool value) => new(0, value ? 1 : 0, false, null);
    public static implicit operator OperatorValue(string? value) => new(0, 0, false, value);
    public static implicit operator OperatorValue(NpuDataType value) => new(0, (long)value, false, null);
    public static implicit operator OperatorValue(CubeMathType value) => new(0, (long)value, false, null);

    /// <summary>Any enum by its underlying value.</summary>
    public static OperatorValue Enum<T>(T value) where T : unmanaged, System.Enum => Unsafe.SizeOf<T>() switch
    {
        1 => new(0, Unsafe.As<T, sbyte>(ref value), false, null),
        2 => new(0, Unsafe.As<T, short>(ref value), false, null),
        4 => new(0, Unsafe.As<T, int>(ref value), false, null),
        _ => new(0, Unsafe.As<T, long>(ref value), false, null),
    };

    public override string ToString() => Text ?? (IsFloating ? _double.ToString(System.Globalization.CultureInfo.InvariantCulture) : _long.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
