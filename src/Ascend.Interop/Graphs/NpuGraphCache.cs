namespace Ascend.Interop;

/// <summary>
/// A least-recently-used cache of captured graphs by key (typically the input shape, e.g. the batch
/// size). A hit only returns the graph; a miss warms up and captures it. When full, the least
/// recently used graph is evicted and disposed. Graphs returned by the cache are owned by it: do not
/// dispose them yourself, and do not use one after it may have been evicted (the next GetOrCapture).
/// </summary>
public sealed class NpuGraphCache<TKey> : IDisposable where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, NpuGraph Graph)>> _entries;
    private readonly LinkedList<(TKey Key, NpuGraph Graph)> _lru = new();
    private readonly Dictionary<TKey, GraphCacheMissReason> _history;
    private readonly Lock _lock = new();
    private long _hits, _misses, _evictions, _missNever, _missEvicted, _missRemoved;
    private bool _disposed;

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> graphs.</summary>
    public NpuGraphCache(int capacity = 12, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _entries = new Dictionary<TKey, LinkedListNode<(TKey, NpuGraph)>>(capacity, comparer);
        _history = new Dictionary<TKey, GraphCacheMissReason>(comparer);
    }

    /// <summary>The most graphs the cache holds.</summary>
    public int Capacity { get; }

    /// <summary>Graphs currently cached.</summary>
    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>The cached keys, most recently used first.</summary>
    public IReadOnlyList<TKey> Keys
    {
        get { lock (_lock) return _lru.Select(e => e.Key).ToArray(); }
    }

    /// <summary>Hit, miss and eviction counters.</summary>
    public GraphCacheStatistics Statistics
    {
        get
        {
            lock (_lock) return new GraphCacheStatistics(_hits, _misses, _evictions, _missNever, _missEvicted, _missRemoved);
        }
    }

    /// <summary>Why the most recent miss missed (null before the first miss).</summary>
    public GraphCacheMissReason? LastMissReason { get; private set; }

    /// <summary>Total device memory of the cached graphs' pools (a shared pool counted once).</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_lock)
            {
                long total = 0;
                var seen = new HashSet<NpuGraphPool>();
                foreach (var (_, graph) in _lru)
                    if (seen.Add(graph.Pool)) total += graph.Pool.ReservedBytes;
                return total;
            }
        }
    }

    /// <summary>Called with each graph the cache evicts, just before it is disposed.</summary>
    public event Action<TKey, NpuGraph>? Evicting;

    /// <summary>The cached graph for <paramref name="key"/>, if any (counts as a use, not as a hit).</summary>
    public bool TryGet(TKey key, out NpuGraph graph)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var node) && !DroppedIfDisposed(node))
            {
                Touch(node);
                graph = node.Value.Graph;
                return true;
            }
        }
        graph = null!;
        return false;
    }

    /// <summary>
    /// Returns the graph for <paramref name="key"/>; on a miss runs <paramref name="body"/> eagerly
    /// <paramref name="warmup"/> times, captures it on <paramref name="stream"/> and caches the graph
    /// (evicting the least recently used one when full).
    /// </summary>
    public NpuGraph GetOrCapture(NpuStream stream, TKey key, Action<NpuStream> body, int warmup = 1,
        CaptureMode mode = CaptureMode.Global, NpuGraphPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(body);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var node) && !DroppedIfDisposed(node))
            {
                _hits++;
                NpuMetrics.CacheHits.Add(1);
                Touch(node);
                return node.Value.Graph;
            }
            var reason = _history.TryGetValue(key, out var previous) ? previous : GraphCacheMissReason.NeverSeen;
            _misses++;
            NpuMetrics.CacheMisses.Add(1);
            switch (reason)
            {
                case GraphCacheMissReason.NeverSeen: _missNever++; break;
                case GraphCacheMissReason.Evicted: _missEvicted++; break;
                default: _missRemoved++; break;
            }
            LastMissReason = reason;
        }

        // Capture outside the lock: it runs user code and can take a while.
        var graph = NpuGraph.Capture(stream, body, warmup, mode, pool);
        lock (_lock)
        {
            if (_disposed)
            {
                graph.Dispose();
                throw new ObjectDisposedException(nameof(NpuGraphCache<TKey>));
            }
            if (_entries.TryGetValue(key, out var raced) && !DroppedIfDisposed(raced))
            {
                // Another thread captured the same key meanwhile: keep theirs.
                graph.Dispose();
                Touch(raced);
                return raced.Value.Graph;
            }
            while (_entries.Count >= Capacity) EvictOldest();
            _entries[key] = _lru.AddFirst((key, graph));
            _history.Remove(key);
            return graph;
        }
    }

    /// <summary>
    /// Under the lock: a cached graph its caller disposed is dropped (never returned), its key remembered as
    /// <see cref="GraphCacheMissReason.Disposed"/>. True when dropped.
    /// </summary>
    private bool DroppedIfDisposed(LinkedListNode<(TKey Key, NpuGraph Graph)> node)
    {
        if (!node.Value.Graph.IsDisposed) return false;
        _entries.Remove(node.Value.Key);
        _lru.Remove(node);
        _history[node.Value.Key] = GraphCacheMissReason.Disposed;
        return true;
    }

    /// <summary>Removes and disposes the graph for <paramref name="key"/>.</summary>
    public bool Remove(TKey key)
    {
        NpuGraph graph;
        lock (_lock)
        {
            if (!_entries.Remove(key, out var node)) return false;
            _lru.Remove(node);
            _history[key] = GraphCacheMissReason.Removed;
            graph = node.Value.Graph;
        }
        graph.Dispose();
        return true;
    }

    /// <summary>Removes and disposes every graph.</summary>
    public void Clear()
    {
        List<NpuGraph> graphs;
        lock (_lock)
        {
            graphs = _lru.Select(e => e.Graph).ToList();
            foreach (var (key, _) in _lru) _history[key] = GraphCacheMissReason.Removed;
            _entries.Clear();
            _lru.Clear();
        }
        foreach (var graph in graphs) graph.Dispose();
    }

    private void Touch(LinkedListNode<(TKey, NpuGraph)> node)
    {
        if (node.Previous is null) return;
        _lru.Remove(node);
        _lru.AddFirst(node);
    }

    private void EvictOldest()
    {
        var oldest = _lru.Last!;
        _lru.RemoveLast();
        _entries.Remove(oldest.Value.Key);
        _history[oldest.Value.Key] = GraphCacheMissReason.Evicted;
        _evictions++;
        NpuMetrics.CacheEvictions.Add(1);
        Evicting?.Invoke(oldest.Value.Key, oldest.Value.Graph);
        oldest.Value.Graph.Dispose();
    }

    /// <summary>Disposes every cached graph.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        Clear();
    }
}
