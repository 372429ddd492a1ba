using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>Device memory from <c>aclrtMalloc</c>.</summary>
internal sealed class DeviceMemoryHandle(nint native, ContextHandle context) : ContextBoundHandle(native, context)
{
    /// <inheritdoc />
    protected override unsafe bool ReleaseInContext() => aclrtFree((void*)handle) == 0;
}
