namespace Ascend.Interop;

/// <summary>
/// A request for <paramref name="Count"/> rows (sequences, samples) served by the graph of bucket
/// <paramref name="Size"/>: the smallest bucket that holds them. The caller pads rows
/// <paramref name="Count"/>..<paramref name="Size"/>-1 of the graph's static inputs with harmless values.
/// </summary>
/// <param name="Count">Rows asked for.</param>
/// <param name="Size">The bucket's size (rows the graph computes).</param>
public readonly record struct NpuGraphBucket(int Count, int Size)
{
    /// <summary>Padding rows the graph computes and the caller ignores: <c>Size - Count</c>.</summary>
    public int Padding => Size - Count;
}
