namespace Ascend.Interop;

/// <summary>
/// Symbolic names and short explanations of the AscendCL (<c>aclError</c>) and aclnn
/// (<c>aclnnStatus</c>) codes the SDK can meet.
/// </summary>
public static class AclErrorCodes
{
    /// <summary>The symbolic name of <paramref name="code"/>, or <c>"ACL_ERROR_UNKNOWN(code)"</c>.</summary>
    public static string NameOf(int code) => code switch
    {
        0 => "ACL_SUCCESS",
        100000 => "ACL_ERROR_INVALID_PARAM",
        100001 => "ACL_ERROR_UNINITIALIZE",
        100002 => "ACL_ERROR_REPEAT_INITIALIZE",
        100037 => "ACL_ERROR_REPEAT_FINALIZE",
        200000 => "ACL_ERROR_BAD_ALLOC",
        200001 => "ACL_ERROR_API_NOT_SUPPORT",
        200002 => "ACL_ERROR_INVALID_DEVICE",
        200003 => "ACL_ERROR_MEMORY_ADDRESS_UNALIGNED",
        200004 => "ACL_ERROR_RESOURCE_NOT_MATCH",
        200005 => "ACL_ERROR_INVALID_RESOURCE_HANDLE",
        200006 => "ACL_ERROR_FEATURE_UNSUPPORTED",
        500000 => "ACL_ERROR_INTERNAL_ERROR",
        500001 => "ACL_ERROR_FAILURE",
        107000 => "ACL_ERROR_RT_PARAM_INVALID",
        107001 => "ACL_ERROR_RT_INVALID_DEVICEID",
        107002 => "ACL_ERROR_RT_CONTEXT_NULL",
        107003 => "ACL_ERROR_RT_STREAM_CONTEXT",
        107012 => "ACL_ERROR_RT_SUBSCRIBE_THREAD",
        107015 => "ACL_ERROR_RT_STREAM_NO_CB_REG",
        107019 => "ACL_ERROR_RT_WAIT_TIMEOUT",
        107024 => "ACL_ERROR_RT_CAPTURE_DEPENDENCY",
        107025 => "ACL_ERROR_RT_STREAM_UNJOINED",
        107026 => "ACL_ERROR_RT_MODEL_CAPTURED",
        107027 => "ACL_ERROR_RT_STREAM_CAPTURED",
        107028 => "ACL_ERROR_RT_EVENT_CAPTURED",
        107029 => "ACL_ERROR_RT_STREAM_NOT_CAPTURED",
        107030 => "ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT",
        107033 => "ACL_ERROR_RT_TASK_GROUP_STATUS",
        107036 => "ACL_ERROR_RT_STREAM_CAPTURE_UNMATCHED",
        107037 => "ACL_ERROR_RT_MODEL_RUNNING",
        107038 => "ACL_ERROR_RT_CAPTURE_WRONG_THREAD",
        107041 => "ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC",
        207000 => "ACL_ERROR_RT_FEATURE_NOT_SUPPORT",
        207001 => "ACL_ERROR_RT_MEMORY_ALLOCATION",
        207004 => "ACL_ERROR_RT_NO_DEVICE",
        207005 => "ACL_ERROR_RT_RESOURCE_ALLOC_FAIL",
        207008 => "ACL_ERROR_RT_NO_STREAM_RESOURCE",
        207018 => "ACL_ERROR_RT_DEVICE_OOM",
        507000 => "ACL_ERROR_RT_INTERNAL_ERROR",
        507006 => "ACL_ERROR_RT_EVENT_NOT_COMPLETE",
        507012 => "ACL_ERROR_RT_REPORT_TIMEOUT",
        507015 => "ACL_ERROR_RT_AICORE_EXCEPTION",
        507046 => "ACL_ERROR_RT_STREAM_SYNC_TIMEOUT",
        507047 => "ACL_ERROR_RT_EVENT_SYNC_TIMEOUT",
        507903 => "ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED",
        161001 => "ACLNN_ERR_PARAM_NULLPTR",
        161002 => "ACLNN_ERR_PARAM_INVALID",
        361001 => "ACLNN_ERR_RUNTIME_ERROR",
        561000 => "ACLNN_ERR_INNER",
        561103 => "ACLNN_ERR_INNER_NULLPTR",
        507904 => "ACL_ERROR_RT_COMM_OP_RETRY_FAIL",
        _ => $"ACL_ERROR_UNKNOWN({code})",
    };

    /// <summary>What the code means for a caller, in one sentence; empty when the SDK has nothing to add.</summary>
    public static string ExplanationOf(int code) => code switch
    {
        100001 => "AscendCL is not initialized: create an NpuRuntime first (or it was already finalized).",
        107001 => "The device id is out of range for this machine.",
        107002 => "The calling thread has no current device or context.",
        107003 => "The stream belongs to another device or context than the calling thread's current one.",
        107025 => "A stream that joined the capture through an event did not join back to the origin stream before EndCapture.",
        107027 => "The stream is capturing: synchronizing, querying or destroying it, or executing a graph on it, is not allowed until the capture ends.",
        107028 => "The event was recorded inside a capture: it cannot be synchronized, queried or timed until the graph is replayed.",
        107029 => "The stream is not capturing.",
        107030 => "A synchronous (unsafe) call was made while a capture forbids it (Global mode: any thread; ThreadLocal mode: the capturing thread). Use async calls on the capturing stream, or CaptureMode.Relaxed.",
        107033 => "The task group is in the wrong state, or its update did not re-issue the same number and kinds of tasks.",
        107036 => "EndCapture was called on a stream other than the one that began the capture.",
        107038 => "The capture must end on the thread that began it (in Global and ThreadLocal modes).",
        107041 => "A pageable-memory async copy became a synchronous copy, which the active capture forbids. Use pinned host memory.",
        207001 or 207018 => "The device is out of memory.",
        207005 or 207008 => "The device has no free streams left: each live captured graph holds at least one. Dispose graphs, share pools, or capture fewer sizes.",
        507046 => "Synchronizing the stream timed out.",
        507047 => "Synchronizing the event timed out.",
        507903 => "The capture was invalidated by an earlier failed submission; the captured graph is discarded.",
        161001 => "An aclnn argument that must not be null was null.",
        161002 => "An aclnn argument is invalid (shape, dtype, broadcasting, or workspace).",
        507904 => "A collective (HCCL) task failed on the stream: a peer rank died, never took part, or timed out; NpuCommunicator.AsyncError names the HCCL cause.",
        _ => string.Empty,
    };
}
