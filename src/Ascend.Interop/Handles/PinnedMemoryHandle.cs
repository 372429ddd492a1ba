using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>Pinned (page-locked) host memory from <c>aclrtMallocHost</c>.</summary>
internal sealed class PinnedMemoryHandle(nint native, ContextHandle context) : ContextBoundHandle(native, context)
{
    /// <inheritdoc />
    protected override unsafe bool ReleaseInContext() => aclrtFreeHost((void*)handle) == 0;
}
