namespace Ascend.Interop;

/// <summary>What kind of native argument an attribute becomes.</summary>
internal enum AttributeKind
{
    /// <summary>Passed by value (double, float, int64, int32, int8, bool, enum, data type) as its C parameter's kind says (see <see cref="ArgumentBinding"/>).</summary>
    Value,
    /// <summary>An <c>aclScalar</c> in the arithmetic of the first input (integer tensors need an integral value).</summary>
    Scalar,
    /// <summary>An <c>aclScalar</c> holding a float (ACL_FLOAT, or ACL_DOUBLE for float64 tensors).</summary>
    FloatScalar,
    /// <summary>A NUL-terminated UTF-8 string (<c>char*</c>), null when the value is null.</summary>
    String,
    /// <summary>
    /// An <c>aclScalar</c> a comparison reads: in tensor slot 0's type when that is floating (so the comparison rounds
    /// like the tensor), else ACL_INT64 for an integral value and ACL_DOUBLE for any other.
    /// </summary>
    ComparedScalar,
    /// <summary>
    /// The requested output type (an <see cref="NpuDataType"/>), read by the output rule (<see cref="OperatorOutput.TypeFrom"/>);
    /// passed to no C parameter: the C function's <c>dtype</c> takes the output's type (see <see cref="ArgumentBinding"/>).
    /// </summary>
    OutputType,
}
