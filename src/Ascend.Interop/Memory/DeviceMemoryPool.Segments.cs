using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Segments and blocks: size classes, finding, splitting and coalescing free blocks, allocating and releasing
// segments, trimming; all under _lock.
public sealed partial class DeviceMemoryPool
{
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


    private unsafe PoolBlockNode AllocateSegment(long size, bool large)
    {
        long segmentSize = large ? RoundUp(size, LargeSegmentGranularity) : SmallSegmentSize;
        if (_maxReserved > 0 && _reserved + segmentSize > _maxReserved)
        {
            TrimLocked();
            if (_reserved + segmentSize > _maxReserved)
                throw new AclException(ACL_ERROR_RT_MEMORY_ALLOCATION, nameof(aclrtMalloc), null,
                    $"renting {size} bytes from the {Name}: a new {segmentSize}-byte segment would exceed its limit of {_maxReserved} bytes ({_reserved} reserved)");
        }
        int code = Malloc(segmentSize, out nint address);
        if (code is ACL_ERROR_RT_MEMORY_ALLOCATION or ACL_ERROR_RT_DEVICE_OOM)
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
        MoveGuard(tail, node);
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
            node = Absorb(prev, node);
        }
        if (node.Next is { IsFree: true } next && CanMerge(next, node))
        {
            RemoveFree(next);
            Absorb(node, next);
        }
        return node;
    }

    /// <summary>Joins <paramref name="right"/> into its left neighbour <paramref name="left"/>; right's node is recycled.</summary>
    private PoolBlockNode Absorb(PoolBlockNode left, PoolBlockNode right)
    {
        CombineState(left, right);
        left.Size += right.Size;
        left.Next = right.Next;
        if (right.Next is { } after) after.Prev = left;
        RecycleNode(right);
        return left;
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
            MoveGuard(into, from);
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

    /// <summary>Hands what guards <paramref name="from"/> (owner stream, ready event, capture hold, return order) to <paramref name="to"/>.</summary>
    private static void MoveGuard(PoolBlockNode to, PoolBlockNode from)
    {
        to.Owner = from.Owner;
        to.ReadyEvent = from.ReadyEvent;
        to.CaptureHold = from.CaptureHold;
        to.ReturnSequence = from.ReturnSequence;
        from.ReadyEvent = null;
        from.Owner = null;
        from.CaptureHold = false;
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

}
