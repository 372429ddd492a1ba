using Ascend.Interop.Handles;

namespace Ascend.Interop;

/// <summary>
/// One block of a pool segment, free or rented. Nodes are linked twice: to their address
/// neighbours in the segment (for splitting and coalescing) and, while free, into their size
/// class bin. Nodes are recycled, so a steady state allocates nothing; <see cref="Generation"/>
/// changes at every return so a stale <see cref="PoolBlock"/> is recognized.
/// </summary>
internal sealed class PoolBlockNode
{
    public PoolSegment Segment = null!;
    public nint Address;
    public long Size;              // bytes the block spans (a multiple of the pool's granularity)
    public long Requested;         // bytes the renter asked for (while rented)
    public bool IsFree;
    public int Generation;

    // Address neighbours within the segment.
    public PoolBlockNode? Prev;
    public PoolBlockNode? Next;

    // Size-class bin links (free blocks only); also the recycle list link.
    public PoolBlockNode? BinPrev;
    public PoolBlockNode? BinNext;
    public int Bin = -1;

    // While free: the stream that last used the block (null once the block is known idle) and an
    // event recorded on that stream after the last use. The event is recorded lazily, the first
    // time another stream wants the block (null until then), so a same-stream rent/return cycle
    // costs no runtime call.
    public NpuStream? Owner;
    public NpuEvent? ReadyEvent;
    // Freed inside a capture: the graph's replays may still use it, so only the capturing stream
    // may reuse it until the graph layer releases the hold (no event can say when replays end).
    public bool CaptureHold;
    public long ReturnSequence;
    // While free: other streams that used the block (work submitted there before its return, recorded by the
    // submission path); nobody, not even Owner, reuses it before each of them passed a marker recorded after the return.
    public StreamSet UsedOn;
}

/// <summary>One <c>aclrtMalloc</c> allocation of a pool, carved into blocks.</summary>
internal sealed class PoolSegment
{
    public required DeviceMemoryHandle Memory;
    public required nint Base;
    public required long Size;
    public required bool IsLarge;
    public PoolBlockNode First = null!;
    public int RentedBlocks;

    // The pool's list of segments.
    public PoolSegment? Prev;
    public PoolSegment? Next;
}

/// <summary>
/// Free blocks by size class: an intrusive doubly linked list per bin and a bitmap of non-empty
/// bins, so finding the smallest non-empty bin at or above a size is a few word scans.
/// </summary>
internal sealed class PoolBins
{
    private readonly PoolBlockNode?[] _heads;
    private readonly ulong[] _nonEmpty;

    public PoolBins(int binCount)
    {
        _heads = new PoolBlockNode?[binCount];
        _nonEmpty = new ulong[(binCount + 63) / 64];
    }

    public int Count => _heads.Length;

    public PoolBlockNode? Head(int bin) => _heads[bin];

    public void Insert(PoolBlockNode node, int bin)
    {
        var head = _heads[bin];
        node.Bin = bin;
        node.BinPrev = null;
        node.BinNext = head;
        if (head is not null) head.BinPrev = node;
        _heads[bin] = node;
        _nonEmpty[bin >> 6] |= 1UL << (bin & 63);
    }

    public void Remove(PoolBlockNode node)
    {
        int bin = node.Bin;
        if (node.BinPrev is { } prev) prev.BinNext = node.BinNext;
        else _heads[bin] = node.BinNext;
        if (node.BinNext is { } next) next.BinPrev = node.BinPrev;
        if (_heads[bin] is null) _nonEmpty[bin >> 6] &= ~(1UL << (bin & 63));
        node.BinPrev = node.BinNext = null;
        node.Bin = -1;
    }

    /// <summary>The first non-empty bin at or above <paramref name="bin"/>, or -1.</summary>
    public int NextNonEmpty(int bin)
    {
        if (bin >= _heads.Length) return -1;
        int word = bin >> 6;
        ulong bits = _nonEmpty[word] & (ulong.MaxValue << (bin & 63));
        while (true)
        {
            if (bits != 0) return (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
            if (++word >= _nonEmpty.Length) return -1;
            bits = _nonEmpty[word];
        }
    }
}
