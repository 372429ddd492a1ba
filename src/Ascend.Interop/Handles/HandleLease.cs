using System.Runtime.CompilerServices;

namespace Ascend.Interop.Handles;

/// <summary>
/// A borrow of a handle for the duration of one native call, so a concurrent <c>Dispose</c> cannot
/// free the native object underneath it: the handle's id goes into one of the calling thread's
/// <see cref="ThreadBorrows"/> slots (plain stores, no interlocked operation); a Dispose that sees
/// it leaves the release to this lease's <see cref="Dispose"/>. Throws
/// <see cref="ObjectDisposedException"/> naming the owner if the handle is disposed (or being disposed).
/// </summary>
internal readonly ref struct HandleLease
{
    private readonly NpuSafeHandle _handle;
    private readonly ThreadBorrows? _borrows; // null: a reference-counted lease (slots exhausted)
    private readonly int _slot;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HandleLease(NpuSafeHandle handle, object owner) : this(ThreadBorrows.Current, handle, owner) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HandleLease(ThreadBorrows borrows, NpuSafeHandle handle, object owner)
    {
        _handle = handle;
        int slot = borrows.Depth;
        var slots = borrows.Slots;
        if ((uint)slot < (uint)slots.Length)
        {
            // Publish the borrow, then look at Closing: the order a Dispose relies on (see NpuSafeHandle.Dispose).
            Volatile.Write(ref slots[slot], handle.BorrowId);
            if (Volatile.Read(ref handle.Closing) != 0) Refuse(slots, slot, handle, owner);
            borrows.Depth = slot + 1;
            _borrows = borrows;
            _slot = slot;
        }
        else
        {
            AddRefSlow(handle, owner);
        }
        Value = handle.DangerousGetHandle();
    }

    private HandleLease(NpuSafeHandle handle, ThreadBorrows? borrows, int slot)
    {
        _handle = handle;
        _borrows = borrows;
        _slot = slot;
        Value = handle.DangerousGetHandle();
    }

    /// <summary>As the constructor, but returns false instead of throwing when the handle is disposed (or being disposed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryBorrow(ThreadBorrows borrows, NpuSafeHandle handle, out HandleLease lease)
    {
        int slot = borrows.Depth;
        var slots = borrows.Slots;
        if ((uint)slot < (uint)slots.Length)
        {
            Volatile.Write(ref slots[slot], handle.BorrowId);
            if (Volatile.Read(ref handle.Closing) != 0)
            {
                Unborrow(slots, slot, handle);
                lease = default;
                return false;
            }
            borrows.Depth = slot + 1;
            lease = new HandleLease(handle, borrows, slot);
            return true;
        }
        return TryAddRefSlow(handle, out lease);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryAddRefSlow(NpuSafeHandle handle, out HandleLease lease)
    {
        bool added = false;
        if (!handle.IsClosing && !handle.IsClosed)
        {
            try { handle.DangerousAddRef(ref added); }
            catch (ObjectDisposedException) { }
        }
        lease = added ? new HandleLease(handle, null, 0) : default;
        return added;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Unborrow(long[] slots, int slot, NpuSafeHandle handle)
    {
        Volatile.Write(ref slots[slot], 0);
        handle.OnBorrowEnded(); // a Dispose may have seen the slot and left the release to us
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Refuse(long[] slots, int slot, NpuSafeHandle handle, object owner)
    {
        Unborrow(slots, slot, handle);
        ThrowDisposed(owner);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddRefSlow(NpuSafeHandle handle, object owner)
    {
        if (handle.IsClosing || handle.IsClosed) ThrowDisposed(owner);
        bool added = false;
        handle.DangerousAddRef(ref added);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed(object owner) =>
        throw new ObjectDisposedException(owner.GetType().Name, $"The {owner.GetType().Name} has been disposed.");

    /// <summary>
    /// Makes <paramref name="context"/> current on the calling thread for the call (a compare when it
    /// already is). When that fails this lease ends before the exception leaves, so a method that
    /// takes a lease and then calls this hands out no lease on failure.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MakeCurrent(ContextHandle context, ThreadBorrows thread)
    {
        if (!ReferenceEquals(thread.CurrentContext, context)) MakeCurrentSlow(context, thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MakeCurrentSlow(ContextHandle context, ThreadBorrows thread)
    {
        try
        {
            context.MakeCurrent(thread);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The native handle value, valid until <see cref="Dispose"/>.</summary>
    public nint Value { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        if (_borrows is { } borrows)
        {
            borrows.Depth = _slot;
            Volatile.Write(ref borrows.Slots[_slot], 0);
            if (Volatile.Read(ref _handle.Closing) != 0) _handle.OnBorrowEnded();
        }
        else
        {
            _handle.DangerousRelease();
        }
    }
}
