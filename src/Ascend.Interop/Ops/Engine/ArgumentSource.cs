namespace Ascend.Interop;

/// <summary>Where one C argument of a declared operator comes from (see <see cref="ArgumentBinding"/>).</summary>
internal enum ArgumentSourceKind : byte
{
    /// <summary>A null pointer: an optional C parameter the declaration does not use.</summary>
    Null,
    /// <summary>Tensor slot <c>Index</c> (inputs, then outputs).</summary>
    Tensor,
    /// <summary>Attribute <c>Index</c>'s native handle (an <c>aclScalar*</c>, a string).</summary>
    Attribute,
    /// <summary>Attribute <c>Index</c>'s plain value in the parameter's C kind (a double's bits, a bool's 0/1, an integer).</summary>
    AttributeValue,
    /// <summary>Int array <c>Index</c>.</summary>
    IntArray,
    /// <summary>Tensor list <c>Index</c>.</summary>
    TensorList,
    /// <summary>The first output's data type (a <c>dtype</c> parameter the declaration leaves to its output rule).</summary>
    OutputType,
    /// <summary>The constant <c>Value</c> the declaration fixes.</summary>
    Fixed,
}

/// <summary>One C argument's source: what <see cref="ArgumentBinding"/> decided at declaration time, read per call.</summary>
internal readonly record struct ArgumentSource(ArgumentSourceKind Kind, int Index, AclnnParameterKind Parameter, long Value = 0)
{
    /// <summary>
    /// The call's native handle slot (<see cref="OperatorCall.Natives"/>: tensors, attributes, int arrays, tensor lists)
    /// a tensor, attribute handle, int array or tensor list is read from; -1 for a value computed per call.
    /// </summary>
    public int Slot { get; init; } = -1;
}
