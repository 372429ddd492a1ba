using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>A stream created with <c>aclrtCreateStream</c>.</summary>
internal sealed class StreamHandle : NpuSafeHandle
{
    private readonly DeviceState _device;

    internal StreamHandle(nint native, ContextHandle context, DeviceState device) : base(native, context)
    {
        _device = device;
        device.StreamCreated();
    }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        var context = (ContextHandle)Parent!;
        context.MakeCurrentForRelease();
        bool released = aclrtDestroyStream(NativeHandle.Stream(handle)) == 0;
        _device.StreamReleased();
        return released;
    }
}
