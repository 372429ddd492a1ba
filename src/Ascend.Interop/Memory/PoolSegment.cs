using Ascend.Interop.Handles;

namespace Ascend.Interop;

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
