namespace Ascend.Interop;

/// <summary>Counters of an <see cref="NpuGraphCache{TKey}"/>.</summary>
public readonly record struct GraphCacheStatistics(long Hits, long Misses, long Evictions, long MissesNeverSeen, long MissesAfterEviction, long MissesAfterRemoval)
{
    /// <summary>Hits / (hits + misses), 0 when unused.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
