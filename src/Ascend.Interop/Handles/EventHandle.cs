using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>An event created with <c>aclrtCreateEventExWithFlag</c>.</summary>
internal sealed class EventHandle : NpuSafeHandle
{
    internal EventHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtDestroyEvent(NativeHandle.Event(handle)) == 0;
    }
}
