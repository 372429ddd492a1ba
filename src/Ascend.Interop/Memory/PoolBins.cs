namespace Ascend.Interop;

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
