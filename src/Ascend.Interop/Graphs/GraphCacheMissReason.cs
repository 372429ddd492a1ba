namespace Ascend.Interop;

/// <summary>Why <see cref="NpuGraphCache{TKey}.GetOrCapture"/> had to capture.</summary>
public enum GraphCacheMissReason
{
    /// <summary>The key was never cached.</summary>
    NeverSeen,
    /// <summary>The key was cached before and evicted to make room (consider a larger capacity).</summary>
    Evicted,
    /// <summary>The key was removed by <see cref="NpuGraphCache{TKey}.Remove"/> or <see cref="NpuGraphCache{TKey}.Clear"/>.</summary>
    Removed,
    /// <summary>
    /// The cached graph had been disposed by someone other than the cache (a caller broke the "owned by the cache"
    /// rule): the cache dropped it instead of returning a disposed graph. Counted with the removals in <see cref="GraphCacheStatistics.MissesAfterRemoval"/>.
    /// </summary>
    Disposed,
}
