using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ascend.Interop.Handles;

/// <summary>
/// Base of every SDK handle to a native AscendCL object. A handle keeps its parent (the device
/// context, or the runtime itself) alive until it has released its own native object, so objects
/// can be disposed, or collected, in any order. <see cref="SafeHandle"/> release is the only
/// native cleanup path.
/// </summary>
/// <remarks>
/// The SDK's own calls borrow the handle (<see cref="HandleLease"/>) instead of reference counting
/// it: <see cref="Dispose(bool)"/> marks the handle closing and releases the native object at once
/// when no call is in flight, or else when the last in-flight call returns. Either way the native
/// object is never destroyed under a call, and no call starts after Dispose began.
/// </remarks>
internal abstract class NpuSafeHandle : SafeHandle
{
    private static long s_nextBorrowId;

    private readonly NpuSafeHandle? _parent;

    /// <summary>Identifies the handle in the threads' borrow slots (unique for the process's lifetime, never 0).</summary>
    internal readonly long BorrowId = Interlocked.Increment(ref s_nextBorrowId);

    /// <summary>1 once Dispose (or <see cref="CloseAndWaitForBorrowers"/>) began: no new borrow succeeds.</summary>
    internal int Closing;

    private int _disposeStarted;

    /// <summary>Wraps <paramref name="native"/>, taking a reference on <paramref name="parent"/>
    /// (or on the runtime when there is no parent). Only the SDK derives handles: each declares its release.</summary>
    private protected NpuSafeHandle(nint native, NpuSafeHandle? parent) : base(0, ownsHandle: true)
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

    /// <summary>True once Dispose began (the native object may still live until in-flight calls return).</summary>
    internal bool IsClosing => Volatile.Read(ref Closing) != 0;

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

    /// <summary>
    /// Disposing: refuses new borrows, then releases the native object now if no call borrows the
    /// handle, else leaves the release to the last borrower. Finalizing: no borrow can exist (a
    /// lease keeps the handle reachable), so the release runs now.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            base.Dispose(false);
            return;
        }
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0) return;
        Volatile.Write(ref Closing, 1);
        ReleaseIfUnborrowed();
    }

    /// <summary>
    /// Refuses new borrows and waits until no call borrows the handle any more; the handle stays
    /// open until <c>Dispose</c>. For owners that must finish other work (waiting for queued work,
    /// releasing memory) between the last call and the release. The calling thread must not hold a
    /// borrow of this handle itself.
    /// </summary>
    internal void CloseAndWaitForBorrowers()
    {
        Interlocked.Exchange(ref Closing, 1);
        Interlocked.MemoryBarrierProcessWide();
        var spin = new SpinWait();
        while (ThreadBorrows.IsBorrowed(BorrowId)) spin.SpinOnce();
    }

    /// <summary>Called by a borrower that saw <see cref="Closing"/> after giving its slot back.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void OnBorrowEnded()
    {
        // Closed by CloseAndWaitForBorrowers alone: its owner disposes later, nothing to release here.
        if (Volatile.Read(ref _disposeStarted) != 0) ReleaseIfUnborrowed();
    }

    private void ReleaseIfUnborrowed()
    {
        // Every thread's slot stores become visible (and every thread's later loads see Closing):
        // a borrower either sees Closing and backs out, or its slot is seen here.
        Interlocked.MemoryBarrierProcessWide();
        if (ThreadBorrows.IsBorrowed(BorrowId)) return; // that borrower sees Closing when it returns, and comes back here
        base.Dispose(true); // SafeHandle releases once, and only after any reference-counted user (child handles) let go
    }
}
