namespace Ascend.Interop.Distributed;

/// <summary>HCCL's result codes (<c>HcclResult</c>); the values are CANN's (9.0 and 9.1 agree on all of them).</summary>
public enum HcclStatus
{
    /// <summary><c>HCCL_SUCCESS</c>.</summary>
    Success = 0,
    /// <summary><c>HCCL_E_PARA</c>: an invalid argument.</summary>
    InvalidParameter = 1,
    /// <summary><c>HCCL_E_PTR</c>: a NULL pointer.</summary>
    NullPointer = 2,
    /// <summary><c>HCCL_E_MEMORY</c>.</summary>
    Memory = 3,
    /// <summary><c>HCCL_E_INTERNAL</c>.</summary>
    Internal = 4,
    /// <summary><c>HCCL_E_NOT_SUPPORT</c>: the data type, operation or feature is not supported.</summary>
    NotSupported = 5,
    /// <summary><c>HCCL_E_NOT_FOUND</c>.</summary>
    NotFound = 6,
    /// <summary><c>HCCL_E_UNAVAIL</c>.</summary>
    Unavailable = 7,
    /// <summary><c>HCCL_E_SYSCALL</c>.</summary>
    SystemCall = 8,
    /// <summary><c>HCCL_E_TIMEOUT</c>: a rank did not join or take part in time.</summary>
    Timeout = 9,
    /// <summary><c>HCCL_E_OPEN_FILE_FAILURE</c>.</summary>
    OpenFileFailure = 10,
    /// <summary><c>HCCL_E_TCP_CONNECT</c>.</summary>
    TcpConnect = 11,
    /// <summary><c>HCCL_E_ROCE_CONNECT</c>.</summary>
    RoceConnect = 12,
    /// <summary><c>HCCL_E_TCP_TRANSFER</c>.</summary>
    TcpTransfer = 13,
    /// <summary><c>HCCL_E_ROCE_TRANSFER</c>.</summary>
    RoceTransfer = 14,
    /// <summary><c>HCCL_E_RUNTIME</c>: a runtime call (device, stream) failed.</summary>
    Runtime = 15,
    /// <summary><c>HCCL_E_DRV</c>.</summary>
    Driver = 16,
    /// <summary><c>HCCL_E_PROFILING</c>.</summary>
    Profiling = 17,
    /// <summary><c>HCCL_E_CCE</c>.</summary>
    Cce = 18,
    /// <summary><c>HCCL_E_NETWORK</c>.</summary>
    Network = 19,
    /// <summary><c>HCCL_E_AGAIN</c>.</summary>
    Again = 20,
    /// <summary><c>HCCL_E_REMOTE</c>.</summary>
    Remote = 21,
    /// <summary><c>HCCL_E_SUSPENDING</c>: the communicator is suspended.</summary>
    Suspending = 22,
    /// <summary><c>HCCL_E_OPRETRY_FAIL</c>: retrying an operation failed (retry constraint).</summary>
    OperationRetryFailed = 23,
    /// <summary><c>HCCL_E_OOM</c>: out of memory.</summary>
    OutOfMemory = 24,
    /// <summary><c>HCCL_E_IN_STATUS</c>: the error information is in the status.</summary>
    ErrorInStatus = 1041,
}
