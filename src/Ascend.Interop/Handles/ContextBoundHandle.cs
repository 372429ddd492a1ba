namespace Ascend.Interop.Handles;

/// <summary>
/// A handle to a native object that belongs to a device context (memory, a stream, an event, a model, a
/// communicator): its release runs with that context current, whichever thread releases it.
/// </summary>
internal abstract class ContextBoundHandle : NpuSafeHandle
{
    private protected ContextBoundHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected sealed override bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return ReleaseInContext();
    }

    /// <summary>Destroys the native object; the owning context is current.</summary>
    protected abstract bool ReleaseInContext();
}
