using System.Collections.Concurrent;

namespace Ascend.Interop;

// The safety net for tensors nobody disposed: their storage's finalizer hands the block here (no lock, no native
// call on the finalizer thread), and the next Rent or Trim on a live pool returns it in stream order, on a thread
// that is using the device anyway. A disposed pool (its device gone) drops the block: no driver call at all.
public sealed partial class DeviceMemoryPool
{
    private readonly ConcurrentQueue<(PoolBlock Block, NpuStream Stream, StreamSet UsedOn)> _orphans = new();

    /// <summary>Blocks of finalized tensors waiting to be returned by the next <see cref="Rent"/> or <see cref="Trim"/>.</summary>
    internal int OrphanCount => _orphans.Count;

    /// <summary>From a finalizer: queues <paramref name="block"/> for return; false when the pool is disposed (dropped).</summary>
    internal bool QueueOrphan(PoolBlock block, NpuStream stream, StreamSet usedOn)
    {
        if (Volatile.Read(ref _disposed)) return false;
        _orphans.Enqueue((block, stream, usedOn));
        return true;
    }

    /// <summary>Returns the queued blocks of finalized tensors, each ordered on the stream it was rented on.</summary>
    private void ReturnOrphans()
    {
        while (_orphans.TryDequeue(out var orphan))
        {
            try
            {
                Return(orphan.Block, orphan.Stream, orphan.UsedOn);
            }
            catch (Exception e) when (e is ObjectDisposedException or AclException or InvalidOperationException)
            {
                // The pool went meanwhile, or the runtime refused the ordering event: the block stays out (as a
                // leaked tensor's would have) rather than failing the unrelated Rent that found it.
                NpuLogging.ReclaimFailed(NpuLogging.Logger, Name, e.Message);
            }
        }
    }
}
