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
