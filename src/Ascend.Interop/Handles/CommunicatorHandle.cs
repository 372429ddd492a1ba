using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>An HCCL communicator (<c>HcclComm</c>); holds its device's context until <c>HcclCommDestroy</c> ran.</summary>
internal sealed class CommunicatorHandle(nint native, ContextHandle context, DeviceState device)
    : StreamBudgetHandle(native, context, device, StreamBudgetHolder.Communicator)
{
    private protected override bool Destroy() => Hccl.HcclCommDestroy((HcclComm)handle) == HcclResult.HCCL_SUCCESS;
}
