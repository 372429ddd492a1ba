namespace Ascend.Interop;

/// <summary>Counters of an <see cref="NpuGraphBuckets"/> over all its buckets.</summary>
/// <param name="Requests">Lookups that named a row count (hits + misses + oversize).</param>
/// <param name="Hits">Lookups served by an already captured graph.</param>
/// <param name="Misses">Lookups that captured (<paramref name="MissesNeverSeen"/> + <paramref name="MissesAfterEviction"/> + <paramref name="MissesAfterRemoval"/>).</param>
/// <param name="MissesNeverSeen">Misses of a bucket captured for the first time.</param>
/// <param name="MissesAfterEviction">Misses of a bucket whose graph had been evicted (the capacity is too small).</param>
/// <param name="MissesAfterRemoval">Misses of a bucket whose graph had been removed.</param>
/// <param name="Oversize">Lookups for more rows than the largest bucket (no graph: the caller runs eagerly).</param>
/// <param name="RequestedRows">Rows asked for by the hits and misses.</param>
/// <param name="PaddedRows">Padding rows the graphs computed for them.</param>
public readonly record struct NpuGraphBucketStatistics(
    long Requests, long Hits, long Misses, long MissesNeverSeen, long MissesAfterEviction, long MissesAfterRemoval,
    long Oversize, long RequestedRows, long PaddedRows)
{
    /// <summary>Hits / (hits + misses), 0 when unused.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);

    /// <summary>Padding rows / rows computed by graphs (the work spent on padding), 0 when unused.</summary>
    public double PaddingRatio => RequestedRows + PaddedRows == 0 ? 0 : (double)PaddedRows / (RequestedRows + PaddedRows);
}
