namespace Ascend.Interop.Distributed;

/// <summary>Names of <see cref="HcclStatus"/> values as CANN spells them.</summary>
public static class HcclStatusExtensions
{
    /// <summary>The C name, e.g. <c>HCCL_E_TIMEOUT</c>.</summary>
    public static string CName(this HcclStatus status) => status switch
    {
        HcclStatus.Success => "HCCL_SUCCESS",
        HcclStatus.InvalidParameter => "HCCL_E_PARA",
        HcclStatus.NullPointer => "HCCL_E_PTR",
        HcclStatus.Memory => "HCCL_E_MEMORY",
        HcclStatus.Internal => "HCCL_E_INTERNAL",
        HcclStatus.NotSupported => "HCCL_E_NOT_SUPPORT",
        HcclStatus.NotFound => "HCCL_E_NOT_FOUND",
        HcclStatus.Unavailable => "HCCL_E_UNAVAIL",
        HcclStatus.SystemCall => "HCCL_E_SYSCALL",
        HcclStatus.Timeout => "HCCL_E_TIMEOUT",
        HcclStatus.OpenFileFailure => "HCCL_E_OPEN_FILE_FAILURE",
        HcclStatus.TcpConnect => "HCCL_E_TCP_CONNECT",
        HcclStatus.RoceConnect => "HCCL_E_ROCE_CONNECT",
        HcclStatus.TcpTransfer => "HCCL_E_TCP_TRANSFER",
        HcclStatus.RoceTransfer => "HCCL_E_ROCE_TRANSFER",
        HcclStatus.Runtime => "HCCL_E_RUNTIME",
        HcclStatus.Driver => "HCCL_E_DRV",
        HcclStatus.Profiling => "HCCL_E_PROFILING",
        HcclStatus.Cce => "HCCL_E_CCE",
        HcclStatus.Network => "HCCL_E_NETWORK",
        HcclStatus.Again => "HCCL_E_AGAIN",
        HcclStatus.Remote => "HCCL_E_REMOTE",
        HcclStatus.Suspending => "HCCL_E_SUSPENDING",
        HcclStatus.OperationRetryFailed => "HCCL_E_OPRETRY_FAIL",
        HcclStatus.OutOfMemory => "HCCL_E_OOM",
        HcclStatus.ErrorInStatus => "HCCL_E_IN_STATUS",
        _ => $"HCCL_E_UNKNOWN({(int)status})",
    };
}
