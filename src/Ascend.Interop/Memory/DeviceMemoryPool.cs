using Ascend.Interop.Handles;

namespace Ascend.Interop;

/// <summary>
/// A stream-ordered caching allocator of device memory, like CUDA's caching allocator: memory is
/// taken from the device in segments (<c>aclrtMalloc</c>) and handed out as blocks that are split
/// and coalesced inside their segment. A returned block is reusable at once by the stream that
/// returned it (stream order makes that safe), and by other streams once an event recorded at
/// return time says the returning stream's work is done (queried, never waited on).
/// </summary>
/// <remarks>
/// Sizes: requests up to <see cref="SmallBlockLimit"/> are rounded up to <see cref="SmallGranularity"/>
/// bytes and share <see cref="SmallSegmentSize"/> segments; larger requests are rounded up to
/// <see cref="LargeGranularity"/> and get their own segment, rounded up to <see cref="LargeSegmentGranularity"/>
/// (a large block is split only when the rest is itself a large size). Steady-state rent/return of
/// the same sizes calls no allocator, managed or native: free blocks sit in intrusive lists per
/// size class, and block nodes and events are recycled. Thread-safe.
/// </remarks>
public sealed partial class DeviceMemoryPool : IDisposable
{
    /// <summary>Requests up to this many bytes share small segments.</summary>
    public const long SmallBlockLimit = 1L << 20;
    /// <summary>Size of the segments small blocks are carved from.</summary>
    public const long SmallSegmentSize = 2L << 20;
    /// <summary>Small requests are rounded up to a multiple of this (also every block's alignment).</summary>
    public const long SmallGranularity = 512;
    /// <summary>Large requests are rounded up to a multiple of this.</summary>
    public const long LargeGranularity = 128L << 10;
    /// <summary>Large segments are rounded up to a multiple of this.</summary>
    public const long LargeSegmentGranularity = 2L << 20;

    private const long MaxRequest = 1L << 46;
    private const int SmallBinCount = (int)(SmallSegmentSize / SmallGranularity);
    private const int LargeBinCount = (46 + 2 - 20) * 4;

    private readonly Lock _lock = new();
    private readonly ContextHandle _context;
    private readonly PoolBins _smallBins = new(SmallBinCount);
    private readonly PoolBins _largeBins = new(LargeBinCount);
    private readonly long _maxReserved;
    private PoolBlockNode? _spareNodes;
    private NpuEvent[] _spareEvents = new NpuEvent[8];
    private int _spareEventCount;
    private StreamMarker[] _markers = [];   // one event per stream that used a block it did not own
    private int _markerCount;
    private PoolSegment? _segments;
    private long _sequence;
    private bool _disposed;
    private static int s_ids;   // numbers unnamed pools, so messages comparing two pools tell them apart

    private long _reserved, _inUse, _peakReserved, _peakInUse, _hits, _misses;
    private int _segmentCount, _rentedBlocks;

    /// <summary>Creates a pool on <paramref name="device"/> (each device also has one: <see cref="NpuDevice.MemoryPool"/>).</summary>
    public DeviceMemoryPool(NpuDevice device, DeviceMemoryPoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        _context = device.Context;
        Name = options?.Name ?? $"memory pool #{Interlocked.Increment(ref s_ids)} of NPU device {device.Id}";
        if (options is { MaxReservedBytes: < 0 })
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxReservedBytes, "MaxReservedBytes must be 0 (no limit) or positive.");
        _maxReserved = options?.MaxReservedBytes ?? 0;
    }

    /// <summary>The device the memory lives on.</summary>
    public NpuDevice Device { get; }

    /// <summary>The pool's name, used in messages.</summary>
    public string Name { get; }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed
    {
        get { lock (_lock) return _disposed; }
    }

    /// <summary>Bytes held from the device.</summary>
    public long ReservedBytes { get { lock (_lock) return _reserved; } }

    /// <summary>Bytes of rented blocks (sizes as rounded by the pool).</summary>
    public long InUseBytes { get { lock (_lock) return _inUse; } }

    /// <summary>Highest <see cref="InUseBytes"/> since creation or <see cref="ResetPeaks"/>.</summary>
    public long PeakInUseBytes { get { lock (_lock) return _peakInUse; } }

    /// <summary>Highest <see cref="ReservedBytes"/> since creation or <see cref="ResetPeaks"/>.</summary>
    public long PeakReservedBytes { get { lock (_lock) return _peakReserved; } }

    /// <summary>Rents served from cached memory.</summary>
    public long Hits { get { lock (_lock) return _hits; } }

    /// <summary>Rents that had to call <c>aclrtMalloc</c>.</summary>
    public long Misses { get { lock (_lock) return _misses; } }

    /// <summary>Segments (device allocations) held.</summary>
    public int SegmentCount { get { lock (_lock) return _segmentCount; } }

    /// <summary>Blocks currently rented.</summary>
    public int RentedBlockCount { get { lock (_lock) return _rentedBlocks; } }

    /// <summary>Idle events kept for reuse (tests compare native event counts with it).</summary>
    internal int CachedEventCount
    {
        get
        {
            lock (_lock)
            {
                int markers = 0;
                for (int i = 0; i < _markerCount; i++)
                    if (_markers[i].Event is not null) markers++;
                return _spareEventCount + markers;
            }
        }
    }

    /// <summary>All counters at one instant.</summary>
    public DeviceMemoryPoolStatistics GetStatistics()
    {
        lock (_lock)
            return new(_reserved, _inUse, _peakReserved, _peakInUse, _hits, _misses, _segmentCount, _rentedBlocks);
    }

    /// <summary>Sets the peaks to the current values.</summary>
    public void ResetPeaks()
    {
        lock (_lock)
        {
            _peakInUse = _inUse;
            _peakReserved = _reserved;
        }
    }

    /// <summary>
    /// From now on the pool serves every SDK allocation for work on <paramref name="stream"/> (tensors, operator
    /// workspaces), until <see cref="EndAllocateTo"/>: how a captured graph gets the memory its capture allocates.
    /// </summary>
    internal void BeginAllocateTo(NpuStream stream) => stream.AllocateFrom(this);

    /// <summary>Ends <see cref="BeginAllocateTo"/>: the stream allocates from its device's pool again.</summary>
    internal void EndAllocateTo(NpuStream stream)
    {
        if (ReferenceEquals(stream.AllocationPoolOverride, this)) stream.AllocateFrom(null);
    }

    /// <summary>The size the pool hands out for a request of <paramref name="bytes"/> bytes.</summary>
    public static long RoundSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        if (bytes > MaxRequest)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"A pool block holds at most {MaxRequest} bytes.");
        return bytes <= SmallBlockLimit ? RoundUp(bytes, SmallGranularity) : RoundUp(bytes, LargeGranularity);
    }

    /// <summary>
    /// Rents at least <paramref name="bytes"/> bytes for work on <paramref name="stream"/>. The block
    /// may be used by work queued on <paramref name="stream"/> right away; other streams must be
    /// ordered after this point (an event) before touching it.
    /// </summary>
    /// <exception cref="AclException">The device is out of memory even after releasing cached segments.</exception>
    public PoolBlock Rent(NpuStream stream, long bytes)
    {
        if (!_orphans.IsEmpty) ReturnOrphans();
        long size = RoundSize(bytes);
        CheckStream(stream, nameof(Rent));
        bool large = bytes > SmallBlockLimit;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var node = FindFree(size, large, stream);
            if (node is null)
            {
                node = AllocateSegment(size, large);
                _misses++;
            }
            else
            {
                _hits++;
            }
            Split(node, size, large);
            // In use now: the event that guarded the free block no longer matters.
            if (node.ReadyEvent is { } evt) RecycleEvent(evt);
            node.ReadyEvent = null;
            node.Owner = null;
            node.CaptureHold = false;
            node.IsFree = false;
            node.Requested = bytes;
            node.Segment.RentedBlocks++;
            _rentedBlocks++;
            _inUse += node.Size;
            if (_inUse > _peakInUse) _peakInUse = _inUse;
            return new PoolBlock(this, node, node.Generation, node.Address, bytes);
        }
    }

    /// <summary>
    /// Returns <paramref name="block"/>, stream-ordered after the work already queued on
    /// <paramref name="stream"/> (the stream that last used it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The block was already returned, or belongs to another pool.</exception>
    public void Return(NpuStream stream, PoolBlock block) => Return(block, stream, default);

    /// <summary>
    /// As <see cref="Return(NpuStream, PoolBlock)"/>, for a block work on other streams used too (<paramref name="usedOn"/>,
    /// recorded by the submission path): nobody reuses it before each of those streams passed a marker event recorded
    /// after this return (one event per stream and pool, recorded when a rent first needs it), like PyTorch's
    /// <c>record_stream</c>.
    /// </summary>
    internal void Return(PoolBlock block, NpuStream stream, StreamSet usedOn)
    {
        var node = block.Node;
        if (node is null)
            throw new InvalidOperationException($"default(PoolBlock) was never rented and cannot be returned to the {Name}.");
        if (!ReferenceEquals(block.Pool, this))
            throw new InvalidOperationException($"{block} was rented from the {block.Pool!.Name}, not from the {Name}: return it to the pool it came from.");
        CheckStream(stream, nameof(Return));
        lock (_lock)
        {
            if (node.Generation != block.Generation || node.IsFree)
                throw new InvalidOperationException($"{block} was already returned to the {Name} (double return).");
            if (_disposed)
            {
                ReturnAfterDispose(node, stream, usedOn);
                return;
            }
            NpuStream? owner = stream;
            if (stream.IsDisposed)
            {
                // No stream to record on: wait for the device so the block is known idle.
                SynchronizeDevice();
                owner = null;
                usedOn = default;
            }
            // The same stream may reuse the block at once (stream order); another stream only after
            // an event, recorded when one first asks (IsUsableBy). Freed by a stream this pool serves
            // while it captures into (or updates) a graph: held for the graph's captures.
            MarkFree(node);
            node.Owner = owner;
            node.ReadyEvent = null;
            node.CaptureHold = owner is not null && ReferenceEquals(stream.AllocationPoolOverride, this);
            node.ReturnSequence = ++_sequence;
            node.UsedOn = usedOn;
            node = Coalesce(node);
            InsertFree(node);
        }
    }

    /// <summary>
    /// Releases every segment that has no rented block back to the device, first waiting for the
    /// work that last used its blocks. Returns the bytes released.
    /// </summary>
    public long Trim()
    {
        if (!_orphans.IsEmpty) ReturnOrphans();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return TrimLocked();
        }
    }

    /// <summary>
    /// Releases the cached memory. Blocks still rented stay valid and their segments are freed when
    /// they are returned.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            TrimLocked();
            for (int i = 0; i < _markerCount; i++) _markers[i].Event?.Dispose();
            Array.Clear(_markers);
            _markerCount = 0;
            for (int i = 0; i < _spareEventCount; i++) _spareEvents[i].Dispose();
            Array.Clear(_spareEvents);
            _spareEventCount = 0;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
