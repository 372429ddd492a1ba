using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>An HCCL communicator (<c>HcclComm</c>); holds its device's context until <c>HcclCommDestroy</c> ran.</summary>
public sealed class CommunicatorHandle : NpuSafeHandle
{
    internal CommunicatorHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        bool ok = Hccl.HcclCommDestroy((HcclComm)handle) == HcclResult.HCCL_SUCCESS;
        StreamAccounting.CommunicatorReleased(((ContextHandle)Parent!).DeviceId);
        return ok;
    }
}
