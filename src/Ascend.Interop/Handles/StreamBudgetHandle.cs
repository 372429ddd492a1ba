namespace Ascend.Interop.Handles;

/// <summary>
/// A handle whose native object holds streams of its device's budget from creation until its release (a stream,
/// a communicator): counted in <see cref="DeviceState"/> for <see cref="NpuDevice.StreamBudget"/>.
/// </summary>
internal abstract class StreamBudgetHandle : ContextBoundHandle
{
    private readonly DeviceState _device;
    private readonly StreamBudgetHolder _holder;

    private protected StreamBudgetHandle(nint native, ContextHandle context, DeviceState device, StreamBudgetHolder holder)
        : base(native, context)
    {
        _device = device;
        _holder = holder;
        device.Hold(holder);
    }

    /// <inheritdoc />
    protected sealed override bool ReleaseInContext()
    {
        bool released = Destroy();
        _device.Release(_holder);
        return released;
    }

    /// <summary>Destroys the native object (the context is current); true on success.</summary>
    private protected abstract bool Destroy();
}
