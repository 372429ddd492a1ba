namespace Ascend.Interop;

/// <summary>
/// One call of a declared operator, as its rules see it: the managed arguments and, once described, their native
/// handles (which <see cref="AclnnOperator.FillArguments"/> places in the C order of phase 1). Lives on the stack of <see cref="AclnnOperator"/>'s launcher.
/// </summary>
internal readonly ref struct OperatorCall
{
    private readonly ReadOnlySpan<long> _ints0, _ints1;
    private readonly ReadOnlySpan<NpuTensor> _list0, _list1;

    internal OperatorCall(AclnnOperator op, NpuStream stream, ReadOnlySpan<NpuTensor?> tensors, ReadOnlySpan<OperatorValue> attributes,
        ReadOnlySpan<long> ints0, ReadOnlySpan<long> ints1, ReadOnlySpan<NpuTensor> list0, ReadOnlySpan<NpuTensor> list1,
        Span<nint> natives, Span<byte> strings)
    {
        Operator = op;
        Stream = stream;
        Tensors = tensors;
        Attributes = attributes;
        _ints0 = ints0;
        _ints1 = ints1;
        _list0 = list0;
        _list1 = list1;
        Natives = natives;
        Strings = strings;
    }

    /// <summary>The declaration being run.</summary>
    public AclnnOperator Operator { get; }

    /// <summary>"Ops.Add": the operator's name in messages.</summary>
    public string Name => Operator.Name;

    public NpuStream Stream { get; }

    /// <summary>Inputs then outputs (an output is null while it is being inferred).</summary>
    public ReadOnlySpan<NpuTensor?> Tensors { get; }

    /// <summary>Attribute values as passed (missing trailing optional ones read as default).</summary>
    public ReadOnlySpan<OperatorValue> Attributes { get; }

    /// <summary>Native handles: tensor slots, then attributes, then two int arrays and two tensor lists.</summary>
    internal Span<nint> Natives { get; }

    /// <summary>Stack storage of the UTF-8, NUL-terminated string attributes.</summary>
    internal Span<byte> Strings { get; }

    // ---- managed view (rules) -------------------------------------------------------------

    /// <summary>Input <paramref name="index"/> (null only for an absent optional input).</summary>
    public NpuTensor? Input(int index) => Tensors[index];

    /// <summary>Output <paramref name="index"/> (null while outputs are inferred).</summary>
    public NpuTensor? Output(int index) => Tensors[Operator.InputCount + index];

    /// <summary>Attribute value <paramref name="index"/>, default when a trailing optional one was not passed.</summary>
    public OperatorValue Value(int index) => index < Attributes.Length ? Attributes[index] : default;

    /// <summary>Int array <paramref name="index"/> (0 or 1).</summary>
    public ReadOnlySpan<long> Ints(int index) => index == 0 ? _ints0 : _ints1;

    /// <summary>Tensor list <paramref name="index"/> (0 or 1).</summary>
    public ReadOnlySpan<NpuTensor> List(int index) => index == 0 ? _list0 : _list1;

    public double Double(int index) => Value(index).AsDouble;
    public long Long(int index) => Value(index).AsLong;

}
