using System.Globalization;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// One attribute of a declared operator: its name in messages, how it reaches the C call, and its check.
/// Made with the factories (<see cref="Scalar"/>, <see cref="Double"/>, <see cref="Dim"/>, ...).
/// </summary>
internal sealed unsafe class OperatorAttribute
{
    private readonly AttributeCheck? _check;

    private OperatorAttribute(string name, AttributeKind kind, bool optional, AttributeCheck? check)
    {
        Name = name;
        Kind = kind;
        IsOptional = optional;
        _check = check;
    }

    public string Name { get; }
    public AttributeKind Kind { get; }

    /// <summary>May be left out by an entry point (only trailing attributes).</summary>
    public bool IsOptional { get; }

    // ---- factories ------------------------------------------------------------------------

    /// <summary>An <c>aclScalar</c> in the first input's arithmetic (Add's alpha): integer tensors refuse a non-integral value.</summary>
    public static OperatorAttribute Scalar(string name) => new(name, AttributeKind.Scalar, false, static (in OperatorCall call, int index, string name) =>
    {
        var value = call.Value(index);
        var type = call.Input(0)!.DataType;
        if (!type.IsFloatingPoint() && value.IsFloating)
        {
            double d = value.AsDouble;
            if (!double.IsFinite(d) || d != Math.Floor(d) || d < long.MinValue || d > long.MaxValue)
                throw new ArgumentException($"{call.Name}: {name} {d.ToString(CultureInfo.InvariantCulture)} is not an integer, but the tensors hold {type} elements.", name);
        }
    });

    /// <summary>An <c>aclScalar</c> holding a floating-point value whatever the tensors hold.</summary>
    public static OperatorAttribute FloatScalar(string name) => new(name, AttributeKind.FloatScalar, false, null);

    /// <summary>The scalar a comparison reads (see <see cref="AttributeKind.ComparedScalar"/>): any value, NaN included.</summary>
    public static OperatorAttribute ComparedScalar(string name) => new(name, AttributeKind.ComparedScalar, false, null);

    /// <summary>A plain value with an optional extra check.</summary>
    public static OperatorAttribute Value(string name, AttributeCheck? check = null) => new(name, AttributeKind.Value, false, check);

    /// <summary>A finite, non-negative double (epsilon).</summary>
    public static OperatorAttribute NonNegative(string name) => new(name, AttributeKind.Value, false, static (in OperatorCall call, int index, string name) =>
    {
        double value = call.Double(index);
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{call.Name}: {name} must be a finite non-negative number.");
    });

    /// <summary>A dimension of input <paramref name="input"/>: -rank..rank-1 (a rank-0 input counts as rank 1).</summary>
    public static OperatorAttribute Dim(string name, int input = 0) => new(name, AttributeKind.Value, false, input switch
    {
        0 => static (in OperatorCall call, int index, string name) => CheckDim(in call, index, name, 0),
        1 => static (in OperatorCall call, int index, string name) => CheckDim(in call, index, name, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(input), "Dim attributes refer to input 0 or 1."),
    });

    /// <summary>A value of enum <typeparamref name="T"/> between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static OperatorAttribute Enum<T>(string name, long min, long max) where T : struct, System.Enum =>
        new(name, AttributeKind.Value, false, (in OperatorCall call, int index, string name) =>
        {
            long value = call.Long(index);
            if (value < min || value > max)
                throw new ArgumentOutOfRangeException(name, System.Enum.ToObject(typeof(T), value), $"{call.Name}: not a {typeof(T).Name}.");
        });

    /// <summary>
    /// The requested output type, an <see cref="NpuDataType"/> the output rule reads (optional: an output overload takes the
    /// type from its output); the C function's <c>dtype</c> parameter receives the output's type.
    /// </summary>
    public static OperatorAttribute OutputType(string name, bool optional = false) => new(name, AttributeKind.OutputType, optional, static (in OperatorCall call, int index, string name) =>
    {
        if (!call.Value(index).IsPresent) return;
        var type = (NpuDataType)call.Long(index);
        if (!System.Enum.IsDefined(type))
            throw new ArgumentOutOfRangeException(name, type, $"{call.Name}: {name} is not an NpuDataType the SDK supports.");
    });

    /// <summary>A string (<c>char*</c>); null passes a null pointer.</summary>
    public static OperatorAttribute String(string name) => new(name, AttributeKind.String, false, null);

    private static void CheckDim(in OperatorCall call, int index, string name, int input)
    {
        var tensor = call.Input(input)!;
        long dim = call.Long(index);
        int rank = Math.Max(tensor.Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(name, dim,
                $"{call.Name}: {name} {dim} is out of range for '{call.Operator.SlotName(input)}' of rank {tensor.Rank} (valid: {-rank}..{rank - 1}).");
    }

    // ---- launcher side --------------------------------------------------------------------

    internal void Check(in OperatorCall call, int index)
    {
        if (!call.Value(index).IsPresent)
        {
            if (!IsOptional) throw new InvalidOperationException($"{call.Name}: attribute '{Name}' was not passed.");
            return;
        }
        _check?.Invoke(in call, index, Name);
    }

    /// <summary>The native handle the attribute needs (0 for plain values); released by <see cref="DestroyNative"/>.</summary>
    internal nint CreateNative(in OperatorCall call, int index, ref int stringOffset)
    {
        var value = call.Value(index);
        switch (Kind)
        {
            case AttributeKind.Scalar:
                return (nint)CreateScalar(in call, value, call.Input(0)!.DataType.IsFloatingPoint(), call.Input(0)!.DataType == NpuDataType.Float64);
            case AttributeKind.FloatScalar:
                return (nint)CreateScalar(in call, value, floating: true, call.Input(0)?.DataType == NpuDataType.Float64);
            case AttributeKind.ComparedScalar:
                return (nint)CreateComparedScalar(in call, value, call.Tensors[0]!.DataType);
            case AttributeKind.String:
                if (value.Text is not { } text) return 0;
                var target = call.Strings[stringOffset..];
                int written = System.Text.Encoding.UTF8.GetBytes(text, target);
                target[written] = 0;
                stringOffset += written + 1;
                fixed (byte* p = target) return (nint)p; // stack memory: does not move
            default:
                return 0;
        }
    }

    private aclScalar* CreateScalar(in OperatorCall call, OperatorValue value, bool floating, bool float64)
    {
        if (floating && float64)
        {
            double d = value.AsDouble;
            return AclnnArguments.CreateScalar(call.Name, Name, &d, aclDataType.ACL_DOUBLE);
        }
        if (floating)
        {
            float f = (float)value.AsDouble;
            return AclnnArguments.CreateScalar(call.Name, Name, &f, aclDataType.ACL_FLOAT);
        }
        long l = value.AsLong;
        return AclnnArguments.CreateScalar(call.Name, Name, &l, aclDataType.ACL_INT64);
    }

    private aclScalar* CreateComparedScalar(in OperatorCall call, OperatorValue value, NpuDataType tensorType)
    {
        switch (tensorType)
        {
            case NpuDataType.Float32:
                return CreateScalar(in call, value, floating: true, float64: false);
            case NpuDataType.Float16:
                Half h = (Half)value.AsDouble;
                return AclnnArguments.CreateScalar(call.Name, Name, &h, aclDataType.ACL_FLOAT16);
            case NpuDataType.BFloat16:
                NpuBFloat16 b = (NpuBFloat16)(float)value.AsDouble;
                return AclnnArguments.CreateScalar(call.Name, Name, &b, aclDataType.ACL_BF16);
            default:
                double d = value.AsDouble;
                bool integral = !value.IsFloating || (d == Math.Floor(d) && d >= long.MinValue && d < 9.2233720368547758E18);
                return CreateScalar(in call, value, floating: tensorType == NpuDataType.Float64 || !integral, float64: true);
        }
    }

    internal void DestroyNative(nint native)
    {
        if (Kind is AttributeKind.Scalar or AttributeKind.FloatScalar or AttributeKind.ComparedScalar) AclNN.aclDestroyScalar((aclScalar*)native);
    }
}
