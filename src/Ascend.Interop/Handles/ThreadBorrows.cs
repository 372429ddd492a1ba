namespace Ascend.Interop.Handles;

/// <summary>
/// The calling thread's borrow slots: which handles its in-flight native calls use. A
/// <see cref="HandleLease"/> writes the handle's <see cref="NpuSafeHandle.BorrowId"/> into the next
/// slot with a plain store instead of reference-counting the <see cref="System.Runtime.InteropServices.SafeHandle"/>
/// (two interlocked operations per call). A disposing thread makes every thread's stores visible
/// with a process-wide barrier, then frees the native object only if no slot of any thread still
/// holds the handle; otherwise the last borrower frees it when its call returns. The cost moves
/// from every call (a few nanoseconds) to every Dispose (one barrier, about 2 µs).
/// </summary>
/// <remarks>
/// Leases are ref structs used in <c>using</c> scopes, so a thread's borrows nest (last in, first
/// out) and never cross threads. Nesting deeper than <see cref="Capacity"/> falls back to
/// reference counting.
/// </remarks>
internal sealed class ThreadBorrows
{
    /// <summary>Borrows one thread can hold at once without falling back to reference counting.</summary>
    public const int Capacity = 16;

    [ThreadStatic] private static ThreadBorrows? t_current;

    private static readonly Lock s_registryLock = new();
    private static ThreadBorrows[] s_all = [];

    /// <summary>Borrow ids of the handles in use by this thread's leases; 0 = free slot.</summary>
    public readonly long[] Slots = new long[Capacity];

    /// <summary>Slots in use (only the owning thread reads or writes it).</summary>
    public int Depth;

    /// <summary>The device context last made current on this thread by the SDK (read with the slots: one thread-local access per call).</summary>
    public ContextHandle? CurrentContext;

    private readonly Thread _thread;

    private ThreadBorrows(Thread thread) => _thread = thread;

    /// <summary>The calling thread's slots (registered on first use).</summary>
    public static ThreadBorrows Current
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Register();
    }

    /// <summary>The calling thread's slots if it ever used one, else null (never registers).</summary>
    public static ThreadBorrows? CurrentOrNull => t_current;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ThreadBorrows Register()
    {
        var borrows = new ThreadBorrows(Thread.CurrentThread);
        lock (s_registryLock)
        {
            // Dead threads' slots are all free (leases are scoped): drop them here, off the hot path.
            var live = new List<ThreadBorrows>(s_all.Length + 1);
            foreach (var other in s_all)
                if (other._thread.IsAlive) live.Add(other);
            live.Add(borrows);
            Volatile.Write(ref s_all, live.ToArray());
        }
        t_current = borrows;
        return borrows;
    }

    /// <summary>
    /// True when a lease of any thread holds <paramref name="borrowId"/>. Call after
    /// <see cref="Interlocked.MemoryBarrierProcessWide"/>, which publishes every thread's slot stores.
    /// </summary>
    public static bool IsBorrowed(long borrowId)
    {
        foreach (var borrows in Volatile.Read(ref s_all))
        {
            var slots = borrows.Slots;
            for (int i = 0; i < slots.Length; i++)
                if (Volatile.Read(ref slots[i]) == borrowId) return true;
        }
        return false;
    }

    /// <summary>Borrows the calling thread holds now (tests).</summary>
    internal static int HeldByCurrentThread => t_current?.Depth ?? 0;
}
