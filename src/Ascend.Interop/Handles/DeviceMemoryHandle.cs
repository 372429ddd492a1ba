using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>Device memory from <c>aclrtMalloc</c>.</summary>
internal sealed class DeviceMemoryHandle : NpuSafeHandle
{
    internal DeviceMemoryHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtFree((void*)handle) == 0;
    }
}
