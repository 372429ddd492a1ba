using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>An event created with <c>aclrtCreateEventExWithFlag</c>.</summary>
internal sealed class EventHandle(nint native, ContextHandle context) : ContextBoundHandle(native, context)
{
    /// <inheritdoc />
    protected override bool ReleaseInContext() => aclrtDestroyEvent(NativeHandle.Event(handle)) == 0;
}
