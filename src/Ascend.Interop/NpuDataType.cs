namespace Ascend.Interop;

/// <summary>Element types of NPU tensors; the values are CANN's <c>aclDataType</c>.</summary>
public enum NpuDataType
{
    /// <summary>32-bit IEEE float (<c>ACL_FLOAT</c>).</summary>
    Float32 = 0,
    /// <summary>16-bit IEEE half (<c>ACL_FLOAT16</c>).</summary>
    Float16 = 1,
    /// <summary>Signed 8-bit integer (<c>ACL_INT8</c>).</summary>
    Int8 = 2,
    /// <summary>Signed 32-bit integer (<c>ACL_INT32</c>).</summary>
    Int32 = 3,
    /// <summary>Unsigned 8-bit integer (<c>ACL_UINT8</c>).</summary>
    UInt8 = 4,
    /// <summary>Signed 64-bit integer (<c>ACL_INT64</c>).</summary>
    Int64 = 9,
    /// <summary>64-bit IEEE float (<c>ACL_DOUBLE</c>).</summary>
    Float64 = 11,
    /// <summary>Boolean stored in one byte (<c>ACL_BOOL</c>).</summary>
    Bool = 12,
    /// <summary>bfloat16 (<c>ACL_BF16</c>).</summary>
    BFloat16 = 27,
}
