using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>A stream created with <c>aclrtCreateStream</c>.</summary>
internal sealed class StreamHandle(nint native, ContextHandle context, DeviceState device)
    : StreamBudgetHandle(native, context, device, StreamBudgetHolder.Stream)
{
    private protected override bool Destroy() => aclrtDestroyStream(NativeHandle.Stream(handle)) == 0;
}
