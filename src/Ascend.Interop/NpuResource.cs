using System.Runtime.CompilerServices;
using Ascend.Interop.Handles;

namespace Ascend.Interop;

/// <summary>
/// Base of the SDK objects that own one native resource (a device's context, a stream, an event, device or pinned
/// memory, an HCCL communicator): the handle, the device context its native calls run in, the disposed state and
/// the lease every native call takes. Only the SDK derives from it.
/// </summary>
public abstract class NpuResource : IDisposable
{
    private readonly NpuSafeHandle _handle;
    private readonly ContextHandle? _context;
    private int _disposed;

    /// <summary>
    /// An owner of <paramref name="handle"/>. With a <paramref name="context"/>, <see cref="Enter()"/> makes it current
    /// for each call; without one (host memory, communicators), calls need no current context.
    /// </summary>
    private protected NpuResource(NpuSafeHandle handle, ContextHandle? context)
    {
        _handle = handle;
        _context = context;
    }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _disposed != 0;

    /// <summary>The native handle's value, for properties that expose it (the caller checked <see cref="IsDisposed"/>).</summary>
    private protected nint HandleValue => _handle.DangerousGetHandle();

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming this object once it is disposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);

    /// <summary>Holds the handle for one native call and makes the owner's context current.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal HandleLease Enter() => Enter(ThreadBorrows.Current);

    /// <summary>As <see cref="Enter()"/>, with the calling thread's borrow slots already at hand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal HandleLease Enter(ThreadBorrows thread)
    {
        ThrowIfDisposed();
        var lease = new HandleLease(thread, _handle, this);
        if (_context is not null) lease.MakeCurrent(_context, thread);
        return lease;
    }

    /// <summary>Holds the handle for one native call without touching the current context.</summary>
    internal HandleLease Lease()
    {
        ThrowIfDisposed();
        return new HandleLease(_handle, this);
    }

    /// <summary>
    /// Keeps the native resource alive past <see cref="Dispose"/> (a captured graph replays into it); false when it is
    /// already going. Each success is paired with one <see cref="ReleaseHandleHold"/>.
    /// </summary>
    internal bool TryHoldHandle()
    {
        bool added = false;
        try
        {
            if (!_handle.IsClosing) _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }
        return added;
    }

    /// <summary>Ends one <see cref="TryHoldHandle"/>.</summary>
    internal void ReleaseHandleHold() => _handle.DangerousRelease();

    /// <summary>
    /// Releases the native resource once no native call uses it (and, for memory, once no captured graph holds it);
    /// see each type for what else it waits for. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ReleaseResource();
    }

    /// <summary>Runs once, from the first <see cref="Dispose"/>: by default disposes the handle.</summary>
    private protected virtual void ReleaseResource() => _handle.Dispose();
}
