using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>Pinned (page-locked) host memory from <c>aclrtMallocHost</c>.</summary>
internal sealed class PinnedMemoryHandle : NpuSafeHandle
{
    internal PinnedMemoryHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtFreeHost((void*)handle) == 0;
    }
}
