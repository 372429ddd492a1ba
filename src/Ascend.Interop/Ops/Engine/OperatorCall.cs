using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// One call of a declared operator, as its rules and its phase-1 lambda see it: the managed arguments
/// and, once described, their native handles. Lives on the stack of <see cref="AclnnOperator"/>'s launcher.
/// </summary>
internal readonly unsafe ref struct OperatorCall
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

    // ---- native view (the phase-1 lambda) -------------------------------------------------

    /// <summary>The <c>aclTensor*</c> of tensor slot <paramref name="slot"/> (inputs, then outputs); null for an absent optional input.</summary>
    public aclTensor* Tensor(int slot) => (aclTensor*)Natives[slot];

    /// <summary>The <c>aclTensor*</c> of output <paramref name="index"/>.</summary>
    public aclTensor* OutputTensor(int index) => (aclTensor*)Natives[Operator.InputCount + index];

    /// <summary>The <c>aclScalar*</c> made for scalar attribute <paramref name="index"/>.</summary>
    public aclScalar* Scalar(int index) => (aclScalar*)Natives[Tensors.Length + index];

    /// <summary>The NUL-terminated UTF-8 text of string attribute <paramref name="index"/> (null when absent).</summary>
    public byte* String(int index) => (byte*)Natives[Tensors.Length + index];

    /// <summary>The <c>aclIntArray*</c> of int array <paramref name="index"/> (null when optional and empty).</summary>
    public aclIntArray* IntArray(int index) => (aclIntArray*)Natives[Tensors.Length + Operator.Attributes.Length + index];

    /// <summary>The <c>aclTensorList*</c> of tensor list <paramref name="index"/> (null when optional and empty).</summary>
    public aclTensorList* TensorList(int index) => (aclTensorList*)Natives[Tensors.Length + Operator.Attributes.Length + 2 + index];

    public double Double(int index) => Value(index).AsDouble;
    public float Float(int index) => (float)Value(index).AsDouble;
    public long Long(int index) => Value(index).AsLong;
    public int Int(int index) => checked((int)Value(index).AsLong);
    public sbyte SByte(int index) => checked((sbyte)Value(index).AsLong);

    /// <summary>C <c>bool</c> as the bindings take it (one byte).</summary>
    public byte Bool(int index) => Value(index).AsLong != 0 ? (byte)1 : (byte)0;

    /// <summary>An attribute holding an <see cref="NpuDataType"/>, as <c>aclDataType</c>.</summary>
    public aclDataType DataType(int index) => (aclDataType)(int)Value(index).AsLong;
}
