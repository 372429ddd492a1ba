using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

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
public sealed class DeviceMemoryPool : IDisposable
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
    public PoolBlock Rent(long bytes, NpuStream stream)
    {
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
    public void Return(PoolBlock block, NpuStream stream) => Return(block, stream, default);

    /// <summary>
    /// As <see cref="Return(PoolBlock, NpuStream)"/>, for a block work on other streams used too (<paramref name="usedOn"/>,
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

    // ---- internals (all under _lock) -------------------------------------------------------

    private void CheckStream(NpuStream stream, string operation)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.IsDisposed && operation == nameof(Rent))
            throw new ObjectDisposedException(nameof(NpuStream), $"DeviceMemoryPool.Rent: {stream} has been disposed; rent on a live stream.");
        if (stream.Device.Id != Device.Id)
            throw new ArgumentException($"DeviceMemoryPool.{operation}: the stream is on NPU device {stream.Device.Id} but the {Name} is on device {Device.Id}.", nameof(stream));
    }

    private static long RoundUp(long value, long multiple) => checked((value + multiple - 1) / multiple * multiple);

    private static int SmallBin(long size) => (int)(size / SmallGranularity) - 1;

    private static int LargeBin(long size)
    {
        int log = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)size);
        int sub = (int)((size >> (log - 2)) & 3);
        return Math.Min((log - 20) * 4 + sub, LargeBinCount - 1);
    }

    private PoolBlockNode? FindFree(long size, bool large, NpuStream stream)
    {
        var bins = large ? _largeBins : _smallBins;
        int start = large ? LargeBin(size) : SmallBin(size);
        for (int bin = bins.NextNonEmpty(start); bin >= 0; bin = bins.NextNonEmpty(bin + 1))
        {
            for (var node = bins.Head(bin); node is not null; node = node.BinNext)
            {
                if (node.Size >= size && IsUsableBy(node, stream))
                {
                    bins.Remove(node);
                    return node;
                }
            }
        }
        return null;
    }

    private bool IsUsableBy(PoolBlockNode node, NpuStream stream)
    {
        if (!node.UsedOn.IsEmpty)
        {
            if (!OtherUsesPassed(node)) return false;
            node.UsedOn = default;
        }
        if (node.Owner is null || ReferenceEquals(node.Owner, stream)) return true;
        if (node.CaptureHold) return false;
        if (node.ReadyEvent is null && !TryMarkLastUse(node)) return false;
        if (!IsDone(node)) return false;
        Settle(node);
        return true;
    }

    /// <summary>
    /// Whether the block's event completed. The owner stream may have begun a capture on another
    /// thread between the capture check and the record, so the record was captured and has no host
    /// status (107028): then the event is dropped and the block waits for a later record.
    /// </summary>
    private bool IsDone(PoolBlockNode node)
    {
        try
        {
            return node.ReadyEvent!.IsCompleted;
        }
        catch (AclException)
        {
            node.ReadyEvent!.Dispose();
            node.ReadyEvent = null;
            return false;
        }
    }

    /// <summary>
    /// True once every other stream that used the free block has passed a marker recorded after its return. Each
    /// stream has one marker event per pool, re-recorded when a block returned after its last record needs it (a later
    /// record covers every earlier return); a stream that is capturing or disposed cannot be marked now (settled by
    /// a later rent, or by Trim).
    /// </summary>
    private bool OtherUsesPassed(PoolBlockNode node)
    {
        var usedOn = node.UsedOn;
        for (int i = 0; i < usedOn.Count; i++)
        {
            var marker = MarkerFor(usedOn[i]);
            if (marker.Sequence <= node.ReturnSequence && !Remark(marker)) return false;
            if (!MarkerPassed(marker)) return false;
        }
        return true;
    }

    private StreamMarker MarkerFor(NpuStream stream)
    {
        for (int i = 0; i < _markerCount; i++)
            if (ReferenceEquals(_markers[i].Stream, stream)) return _markers[i];
        // Markers of streams disposed since go first: their slots are reused.
        for (int i = 0; i < _markerCount; i++)
        {
            if (!_markers[i].Stream.IsDisposed) continue;
            if (_markers[i].Event is { } stale) RecycleEvent(stale);
            return _markers[i] = new StreamMarker(stream);
        }
        if (_markerCount == _markers.Length) Array.Resize(ref _markers, Math.Max(4, _markers.Length * 2));
        return _markers[_markerCount++] = new StreamMarker(stream);
    }

    /// <summary>Records the stream's marker now; false when it cannot be recorded.</summary>
    private bool Remark(StreamMarker marker)
    {
        var stream = marker.Stream;
        if (stream.IsDisposed || stream.IsCapturing) return false;
        try
        {
            marker.Event ??= TakeEvent(stream);
            marker.Event.Record(stream);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            return false;
        }
        marker.Sequence = ++_sequence;
        return true;
    }

    private static bool MarkerPassed(StreamMarker marker)
    {
        try
        {
            return marker.Event!.IsCompleted;
        }
        catch (AclException)
        {
            // Recorded into a capture begun on another thread meanwhile (107028): record again later.
            marker.Sequence = 0;
            return false;
        }
    }

    /// <summary>A stream's marker event in this pool and the sequence number of its last record.</summary>
    private sealed class StreamMarker(NpuStream stream)
    {
        public readonly NpuStream Stream = stream;
        public NpuEvent? Event;
        public long Sequence;
    }

    /// <summary>
    /// Records the event that tells other streams when the owner stream is done with a free block.
    /// Recorded now rather than at return: later than necessary, never too early.
    /// </summary>
    private bool TryMarkLastUse(PoolBlockNode node)
    {
        var owner = node.Owner!;
        if (owner.IsDisposed || owner.IsCapturing) return false; // settled by Trim, or after the capture
        NpuEvent ready;
        try
        {
            ready = TakeEvent(owner);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            return false; // no event to be had: the block stays with its stream, the rent takes other memory
        }
        try
        {
            ready.Record(owner);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            RecycleEvent(ready);
            return false;
        }
        node.ReadyEvent = ready;
        return true;
    }

    /// <summary>The block's last user is known to be done: any stream may take it.</summary>
    private void Settle(PoolBlockNode node)
    {
        if (node.ReadyEvent is { } evt) RecycleEvent(evt);
        node.ReadyEvent = null;
        node.Owner = null;
        node.CaptureHold = false;
    }

    private unsafe PoolBlockNode AllocateSegment(long size, bool large)
    {
        long segmentSize = large ? RoundUp(size, LargeSegmentGranularity) : SmallSegmentSize;
        if (_maxReserved > 0 && _reserved + segmentSize > _maxReserved)
        {
            TrimLocked();
            if (_reserved + segmentSize > _maxReserved)
                throw new AclException(207001, "aclrtMalloc", null,
                    $"renting {size} bytes from the {Name}: a new {segmentSize}-byte segment would exceed its limit of {_maxReserved} bytes ({_reserved} reserved)");
        }
        int code = Malloc(segmentSize, out nint address);
        if (code is 207001 or 207018)
        {
            // Out of memory: give the cached free segments back and try once more.
            TrimLocked();
            code = Malloc(segmentSize, out address);
        }
        if (code != 0)
            throw AclCheck.Create(code, nameof(aclrtMalloc), $"allocating a {segmentSize}-byte segment for the {Name}");

        var segment = new PoolSegment
        {
            Memory = new DeviceMemoryHandle(address, _context),
            Base = address,
            Size = segmentSize,
            IsLarge = large,
        };
        var node = TakeNode();
        node.Segment = segment;
        node.Address = address;
        node.Size = segmentSize;
        node.Prev = node.Next = null;
        node.IsFree = true;
        segment.First = node;
        segment.Next = _segments;
        if (_segments is not null) _segments.Prev = segment;
        _segments = segment;
        _segmentCount++;
        _reserved += segmentSize;
        if (_reserved > _peakReserved) _peakReserved = _reserved;
        return node;
    }

    private unsafe int Malloc(long bytes, out nint address)
    {
        using var lease = new HandleLease(_context, this);
        _context.MakeCurrent();
        void* pointer = null;
        int code = aclrtMalloc(&pointer, (nuint)bytes, Native.aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST);
        address = (nint)pointer;
        return code;
    }

    private void SynchronizeDevice()
    {
        using var lease = new HandleLease(_context, this);
        _context.MakeCurrent();
        AclCheck.Check(aclrtSynchronizeDevice(), nameof(aclrtSynchronizeDevice), $"waiting for the device before the {Name} reuses memory of a disposed stream");
    }

    /// <summary>Splits the tail off <paramref name="node"/> when it is worth keeping as a free block.</summary>
    private void Split(PoolBlockNode node, long size, bool large)
    {
        long rest = node.Size - size;
        if (large ? rest <= SmallBlockLimit : rest < SmallGranularity) return;
        var tail = TakeNode();
        tail.Segment = node.Segment;
        tail.Address = node.Address + (nint)size;
        tail.Size = rest;
        tail.IsFree = true;
        tail.Prev = node;
        tail.Next = node.Next;
        if (node.Next is { } next) next.Prev = tail;
        node.Next = tail;
        node.Size = size;
        // The tail inherits what guarded the whole block.
        tail.Owner = node.Owner;
        tail.ReadyEvent = node.ReadyEvent;
        tail.CaptureHold = node.CaptureHold;
        tail.ReturnSequence = node.ReturnSequence;
        node.ReadyEvent = null;
        node.Owner = null;
        node.CaptureHold = false;
        InsertFree(tail);
    }

    private void MarkFree(PoolBlockNode node)
    {
        node.Generation++;
        node.IsFree = true;
        node.Requested = 0;
        node.Segment.RentedBlocks--;
        _rentedBlocks--;
        _inUse -= node.Size;
    }

    private PoolBlockNode Coalesce(PoolBlockNode node)
    {
        if (node.Prev is { IsFree: true } prev && CanMerge(prev, node))
        {
            RemoveFree(prev);
            CombineState(prev, node);
            prev.Size += node.Size;
            prev.Next = node.Next;
            if (node.Next is { } after) after.Prev = prev;
            RecycleNode(node);
            node = prev;
        }
        if (node.Next is { IsFree: true } next && CanMerge(next, node))
        {
            RemoveFree(next);
            CombineState(node, next);
            node.Size += next.Size;
            node.Next = next.Next;
            if (next.Next is { } after) after.Prev = node;
            RecycleNode(next);
        }
        return node;
    }

    /// <summary>
    /// Two free neighbours merge when both wait on the same stream or both are idle. An idle block
    /// is not merged into one that waits on a stream: that would hide idle memory from other
    /// streams until the event completes.
    /// </summary>
    private bool CanMerge(PoolBlockNode neighbour, PoolBlockNode node)
    {
        // A block other streams used keeps its own guard until they passed it.
        if (!neighbour.UsedOn.IsEmpty || !node.UsedOn.IsEmpty) return false;
        if (ReferenceEquals(neighbour.Owner, node.Owner)) return true;
        if (node.Owner is null && neighbour.ReadyEvent is not null && IsDone(neighbour))
        {
            Settle(neighbour);
            return true;
        }
        return false;
    }

    /// <summary>What guards the merged block: the stricter of the two.</summary>
    private void CombineState(PoolBlockNode into, PoolBlockNode from)
    {
        if (from.Owner is null)
        {
            if (from.ReadyEvent is { } stray) RecycleEvent(stray);
            from.ReadyEvent = null;
            return;
        }
        if (into.Owner is null)
        {
            into.Owner = from.Owner;
            into.ReadyEvent = from.ReadyEvent;
            into.CaptureHold = from.CaptureHold;
            into.ReturnSequence = from.ReturnSequence;
            from.ReadyEvent = null;
            from.Owner = null;
            from.CaptureHold = false;
            return;
        }
        // Same stream: a side without an event (its last use is not marked yet) or held by a
        // capture makes the merged block so too.
        into.CaptureHold |= from.CaptureHold;
        from.CaptureHold = false;
        // Same stream: the later record covers the earlier one; a capture-freed side (no event) stays so.
        NpuEvent? keep;
        if (into.ReadyEvent is null || from.ReadyEvent is null)
        {
            if (into.ReadyEvent is { } a) RecycleEvent(a);
            if (from.ReadyEvent is { } b) RecycleEvent(b);
            keep = null;
        }
        else if (from.ReturnSequence > into.ReturnSequence)
        {
            RecycleEvent(into.ReadyEvent);
            keep = from.ReadyEvent;
        }
        else
        {
            RecycleEvent(from.ReadyEvent);
            keep = into.ReadyEvent;
        }
        into.ReadyEvent = keep;
        into.ReturnSequence = Math.Max(into.ReturnSequence, from.ReturnSequence);
        from.ReadyEvent = null;
        from.Owner = null;
    }

    private void InsertFree(PoolBlockNode node)
    {
        if (node.Segment.IsLarge) _largeBins.Insert(node, LargeBin(node.Size));
        else _smallBins.Insert(node, SmallBin(node.Size));
    }

    private void RemoveFree(PoolBlockNode node)
    {
        if (node.Segment.IsLarge) _largeBins.Remove(node);
        else _smallBins.Remove(node);
    }

    /// <summary>
    /// Called by the graph layer once no graph that captured with this pool exists any more (their
    /// models are destroyed and their replays finished): blocks freed inside those captures are idle.
    /// </summary>
    internal void ReleaseCaptureHolds()
    {
        lock (_lock)
        {
            for (var segment = _segments; segment is not null; segment = segment.Next)
                for (var node = segment.First; node is not null; node = node.Next)
                    if (node.IsFree && node.CaptureHold)
                    {
                        node.CaptureHold = false;
                        node.Owner = null;
                    }
        }
    }

    private long TrimLocked()
    {
        // Markers of disposed streams are no longer needed: their events become spares.
        for (int i = _markerCount - 1; i >= 0; i--)
        {
            if (!_markers[i].Stream.IsDisposed) continue;
            if (_markers[i].Event is { } evt) RecycleEvent(evt);
            _markers[i] = _markers[--_markerCount];
            _markers[_markerCount] = null!;
        }
        long released = 0;
        for (var segment = _segments; segment is not null;)
        {
            var following = segment.Next;
            // Blocks freed inside a capture may be used by the graph's replays: held until the graph
            // layer releases them (ReleaseCaptureHolds), or the pool goes.
            if (segment.RentedBlocks == 0 && (_disposed || !HasCaptureFreedBlock(segment)))
            {
                released += segment.Size;
                ReleaseSegment(segment);
            }
            segment = following;
        }
        return released;
    }

    private static bool HasCaptureFreedBlock(PoolSegment segment)
    {
        for (var node = segment.First; node is not null; node = node.Next)
            if (node.CaptureHold) return true;
        return false;
    }

    /// <summary>Frees a segment without rented blocks, after the work that last used it.</summary>
    private void ReleaseSegment(PoolSegment segment)
    {
        for (var node = segment.First; node is not null;)
        {
            var next = node.Next;
            if (node.ReadyEvent is { } evt)
            {
                evt.Synchronize();
                RecycleEvent(evt);
            }
            else if (node.IsFree && node.Owner is { } owner && !node.CaptureHold)
            {
                // Last use not marked yet: wait for the stream that made it.
                if (owner.IsDisposed) SynchronizeDevice();
                else owner.SynchronizeForCleanup();
            }
            WaitForOtherUses(node);
            node.ReadyEvent = null;
            node.Owner = null;
            node.CaptureHold = false;
            if (node.Bin >= 0) RemoveFree(node);
            RecycleNode(node);
            node = next;
        }
        if (segment.Prev is { } prev) prev.Next = segment.Next;
        else _segments = segment.Next;
        if (segment.Next is { } following) following.Prev = segment.Prev;
        segment.Prev = segment.Next = null;
        segment.Memory.Dispose();
        _segmentCount--;
        _reserved -= segment.Size;
    }

    private void ReturnAfterDispose(PoolBlockNode node, NpuStream stream, StreamSet usedOn)
    {
        // No more reuse: wait for the returning stream (and the others that used the block), and free the segment when it is empty.
        if (stream.IsDisposed) SynchronizeDevice();
        else
        {
            using var lease = stream.Enter();
            AclCheck.Check(aclrtSynchronizeStream(stream.Native(lease)), nameof(aclrtSynchronizeStream),
                $"waiting for {stream} before the disposed {Name} frees a returned block");
        }
        node.UsedOn = usedOn;
        WaitForOtherUses(node);
        MarkFree(node);
        node.Owner = null;
        node.ReadyEvent = null;
        node.CaptureHold = false;
        InsertFree(node);
        var segment = node.Segment;
        if (segment.RentedBlocks == 0) ReleaseSegment(segment);
    }

    /// <summary>Waits until the other streams that used a free block are done with it (its memory is about to go).</summary>
    private void WaitForOtherUses(PoolBlockNode node)
    {
        var usedOn = node.UsedOn;
        for (int i = 0; i < usedOn.Count; i++)
        {
            if (usedOn[i].IsDisposed) SynchronizeDevice();
            else usedOn[i].SynchronizeForCleanup();
        }
        node.UsedOn = default;
    }

    private PoolBlockNode TakeNode()
    {
        var node = _spareNodes;
        if (node is null) return new PoolBlockNode();
        _spareNodes = node.BinNext;
        node.BinNext = null;
        return node;
    }

    private void RecycleNode(PoolBlockNode node)
    {
        node.Segment = null!;
        node.Prev = node.Next = node.BinPrev = null;
        node.Owner = null;
        node.ReadyEvent = null;
        node.CaptureHold = false;
        node.UsedOn = default;
        node.IsFree = false;
        node.Bin = -1;
        node.Generation++;
        node.BinNext = _spareNodes;
        _spareNodes = node;
    }

    private NpuEvent TakeEvent(NpuStream stream)
    {
        if (_spareEventCount > 0)
        {
            var evt = _spareEvents[--_spareEventCount];
            _spareEvents[_spareEventCount] = null!;
            return evt;
        }
        // Created through the stream's device object: the pool's may be disposed while other
        // objects of the same device id (which share this pool) live on.
        return NpuEvent.Create(stream.Device, timing: false);
    }

    private void RecycleEvent(NpuEvent evt)
    {
        if (_disposed)
        {
            evt.Dispose();
            return;
        }
        if (_spareEventCount == _spareEvents.Length) Array.Resize(ref _spareEvents, _spareEvents.Length * 2);
        _spareEvents[_spareEventCount++] = evt;
    }
}
