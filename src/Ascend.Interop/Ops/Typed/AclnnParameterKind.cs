namespace Ascend.Interop;

/// <summary>
/// How one C parameter of an aclnn phase-1 function travels in its argument span (<see cref="AclnnFunction"/>): the
/// kind word of <see cref="AclnnFunction.Parameters"/> ("tensor self", "double eps", ...).
/// </summary>
internal enum AclnnParameterKind : byte
{
    /// <summary>"tensor": <c>aclTensor*</c>.</summary>
    Tensor,
    /// <summary>"tensorList": <c>aclTensorList*</c>.</summary>
    TensorList,
    /// <summary>"scalar": <c>aclScalar*</c>.</summary>
    Scalar,
    /// <summary>"intArray": <c>aclIntArray*</c>.</summary>
    IntArray,
    /// <summary>"floatArray": <c>aclFloatArray*</c>.</summary>
    FloatArray,
    /// <summary>"boolArray": <c>aclBoolArray*</c>.</summary>
    BoolArray,
    /// <summary>"string": <c>char*</c>.</summary>
    String,
    /// <summary>"dataType": <c>aclDataType</c>.</summary>
    DataType,
    /// <summary>"bool": C <c>bool</c>.</summary>
    Bool,
    /// <summary>"integer": an integer of any width, or an enum (the slot holds its value).</summary>
    Integer,
    /// <summary>"floating": <c>float</c> or <c>double</c> (the slot holds the double's bits).</summary>
    Floating,
}
