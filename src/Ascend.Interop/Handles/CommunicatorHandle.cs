using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>An HCCL communicator (<c>HcclComm</c>); holds its device's context until <c>HcclCommDestroy</c> ran.</summary>
internal sealed class CommunicatorHandle : NpuSafeHandle
{
    private readonly DeviceState _device;

    internal CommunicatorHandle(nint native, ContextHandle context, DeviceState device) : base(native, context)
    {
        _device = device;
        device.CommunicatorCreated();
    }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        bool ok = Hccl.HcclCommDestroy((HcclComm)handle) == HcclResult.HCCL_SUCCESS;
        _device.CommunicatorReleased();
        return ok;
    }
}
