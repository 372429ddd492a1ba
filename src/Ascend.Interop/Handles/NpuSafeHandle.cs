using System.Runtime.InteropServices;

namespace Ascend.Interop.Handles;

/// <summary>
/// Base of every SDK handle to a native AscendCL object. A handle keeps its parent (the device
/// context, or the runtime itself) alive until it has released its own native object, so objects
/// can be disposed, or collected, in any order. <see cref="SafeHandle"/> release is the only
/// native cleanup path.
/// </summary>
public abstract class NpuSafeHandle : SafeHandle
{
    private readonly NpuSafeHandle? _parent;

    /// <summary>Wraps <paramref name="native"/>, taking a reference on <paramref name="parent"/>
    /// (or on the runtime when there is no parent).</summary>
    protected NpuSafeHandle(nint native, NpuSafeHandle? parent) : base(0, ownsHandle: true)
    {
        if (parent is null)
        {
            Interop.RuntimeLifetime.AcquireExisting();
        }
        else
        {
            bool added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }
        SetHandle(native);
    }

    /// <summary>The parent handle (device context), if any.</summary>
    protected NpuSafeHandle? Parent => _parent;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Destroys the native object. Runs exactly once, after every user of the handle is done.</summary>
    protected abstract bool ReleaseNative();

    /// <inheritdoc />
    protected sealed override bool ReleaseHandle()
    {
        try
        {
            return ReleaseNative();
        }
        finally
        {
            if (_parent is not null) _parent.DangerousRelease();
            else Interop.RuntimeLifetime.Release();
        }
    }
}

/// <summary>
/// A short-lived reference on a handle for the duration of one native call, so a concurrent
/// <c>Dispose</c> cannot free the native object underneath it. Throws
/// <see cref="ObjectDisposedException"/> naming the owner if it is gone.
/// </summary>
internal readonly ref struct HandleLease
{
    private readonly SafeHandle _handle;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public HandleLease(SafeHandle handle, object owner)
    {
        // Checked first so the common error names the SDK object; a Dispose racing this call
        // makes DangerousAddRef throw the SafeHandle's own ObjectDisposedException instead.
        if (handle.IsClosed) ThrowDisposed(owner);
        _handle = handle;
        bool added = false;
        handle.DangerousAddRef(ref added);
        Value = handle.DangerousGetHandle();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowDisposed(object owner) =>
        throw new ObjectDisposedException(owner.GetType().Name, $"The {owner.GetType().Name} has been disposed.");

    public nint Value { get; }

    public void Dispose() => _handle.DangerousRelease();
}
