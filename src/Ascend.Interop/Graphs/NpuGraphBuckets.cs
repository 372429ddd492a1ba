using System.Diagnostics;

namespace Ascend.Interop;

/// <summary>
/// Captured graphs for a fixed set of sizes ("buckets"), the way LLM servers capture decode steps
/// for batch sizes 1, 2, 4, 8, ...: a request for <c>n</c> rows is served by the graph of the
/// smallest bucket <c>&gt;= n</c> (the caller pads its static inputs up to the bucket), a bucket
/// is captured on first use with an eager warm-up, and all graphs share one
/// <see cref="NpuGraphPool"/> by default (a new one, or one given), so together they hold about as much as the largest one.
/// Built on <see cref="NpuGraphCache{TKey}"/>; counts hits, misses with their reasons, padding and
/// requests too large for any bucket.
/// <code>
/// using var buckets = new NpuGraphBuckets(device, [1, 2, 4, 8, 16, 32]);
/// var bucket = buckets.Replay(stream, batch, (s, size) => model.DecodeStep(s, size));
/// </code>
/// The body receives the bucket size and must submit the same work for the same size every time
/// (it runs for the warm-up and the capture). Graphs are owned by the helper: do not dispose them.
/// Graphs sharing the pool must not run concurrently: replay them on one stream or order them with events.
/// </summary>
public sealed class NpuGraphBuckets : IDisposable
{
    private readonly int[] _sizes;
    private readonly NpuGraphCache<int> _cache;
    private readonly Lock _lock = new();
    private readonly Lock _captureLock = new();
    private readonly BucketCounters[] _counters;
    private readonly bool _ownsPool;
    private long _oversize;
    private bool _disposed;

    private sealed class BucketCounters
    {
        public long Hits, Misses, PaddedRows, RequestedRows;
        public GraphCacheMissReason? LastMissReason;
        public TimeSpan CaptureTime, WarmupTime;
        public NpuGraph? Graph;
    }

    /// <summary>Creates the helper; nothing is captured until a bucket is first used (or <see cref="CaptureAll"/>).</summary>
    /// <param name="device">The device the graphs run on.</param>
    /// <param name="sizes">The bucket sizes (positive, distinct; any order).</param>
    /// <param name="warmup">Eager runs of the body before each capture.</param>
    /// <param name="mode">The capture mode.</param>
    /// <param name="sharePool">True (default): every bucket's graph shares one <see cref="NpuGraphPool"/>; false: a private pool each.</param>
    /// <param name="capacity">Most graphs kept at once (default: one per bucket, so nothing is evicted).</param>
    /// <param name="pool">
    /// An existing pool for every bucket's graph (default: a new one), e.g. one shared with other graphs replayed on the
    /// same stream. The caller keeps it: <see cref="Dispose"/> releases the buckets' graphs, not the pool.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="pool"/> is on another device, or given with <paramref name="sharePool"/> false.</exception>
    public NpuGraphBuckets(NpuDevice device, IEnumerable<int> sizes, int warmup = 1, CaptureMode mode = CaptureMode.Global,
        bool sharePool = true, int? capacity = null, NpuGraphPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(sizes);
        if (pool is not null && !sharePool)
            throw new ArgumentException("NpuGraphBuckets: a pool was given with sharePool: false; a given pool is shared by every bucket.", nameof(pool));
        if (pool is not null && pool.Device.Id != device.Id)
            throw new ArgumentException($"NpuGraphBuckets: the pool belongs to NPU device {pool.Device.Id}, the buckets to device {device.Id}.", nameof(pool));
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a CaptureMode.");
        var sorted = sizes.ToArray();
        if (sorted.Length == 0) throw new ArgumentException("NpuGraphBuckets needs at least one bucket size.", nameof(sizes));
        Array.Sort(sorted);
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i] < 1) throw new ArgumentOutOfRangeException(nameof(sizes), sorted[i], "Bucket sizes must be at least 1.");
            if (i > 0 && sorted[i] == sorted[i - 1]) throw new ArgumentException($"Bucket size {sorted[i]} is given twice.", nameof(sizes));
        }
        if (capacity is { } c) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c, nameof(capacity));
        Device = device;
        _sizes = sorted;
        Warmup = warmup;
        Mode = mode;
        Pool = pool ?? (sharePool ? new NpuGraphPool(device) : null);
        _ownsPool = pool is null;
        _cache = new NpuGraphCache<int>(capacity ?? sorted.Length);
        _counters = new BucketCounters[sorted.Length];
        for (int i = 0; i < sorted.Length; i++) _counters[i] = new BucketCounters();
        // Runs under the cache's lock: no lock of ours here (the hit path takes ours, then the cache's).
        _cache.Evicting += (size, _) => Volatile.Write(ref _counters[IndexOf(size)].Graph, null);
    }

    /// <summary>The device of the graphs.</summary>
    public NpuDevice Device { get; }

    /// <summary>The bucket sizes, ascending.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>The largest bucket: more rows than this have no graph.</summary>
    public int LargestSize => _sizes[^1];

    /// <summary>Eager runs of the body before each capture.</summary>
    public int Warmup { get; }

    /// <summary>The capture mode.</summary>
    public CaptureMode Mode { get; }

    /// <summary>The pool every bucket's graph shares (the one given, or the helper's own), or null when each has a private pool.</summary>
    public NpuGraphPool? Pool { get; }

    /// <summary>Graphs kept at once.</summary>
    public int Capacity => _cache.Capacity;

    /// <summary>Device memory of the cached graphs (the shared pool counted once).</summary>
    public long MemoryBytes => _cache.MemoryBytes;

    /// <summary>Device streams the cached graphs hold (one per live graph).</summary>
    public int GraphCount => _cache.Count;

    /// <summary>The smallest bucket holding <paramref name="count"/> rows; false when <paramref name="count"/> exceeds the largest bucket.</summary>
    public bool TrySelect(int count, out NpuGraphBucket bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int index = IndexFor(count);
        bucket = index < 0 ? default : new NpuGraphBucket(count, _sizes[index]);
        return index >= 0;
    }

    /// <summary>The smallest bucket holding <paramref name="count"/> rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or above <see cref="LargestSize"/>.</exception>
    public NpuGraphBucket Select(int count)
    {
        if (TrySelect(count, out var bucket)) return bucket;
        throw new ArgumentOutOfRangeException(nameof(count), count,
            $"NpuGraphBuckets: {count} rows exceed the largest bucket ({LargestSize}); run such a step eagerly or add a larger bucket.");
    }

    /// <summary>
    /// The graph for <paramref name="count"/> rows: the cached graph of its bucket (a hit), or a new one
    /// captured now (a miss: <paramref name="body"/> runs <see cref="Warmup"/> times eagerly, then under capture).
    /// </summary>
    /// <param name="count">Rows of this step (1..<see cref="LargestSize"/>).</param>
    /// <param name="stream">The stream to capture on.</param>
    /// <param name="body">Submits one step for the bucket size it is given.</param>
    /// <param name="bucket">The bucket chosen, with the padding the caller must fill.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds the largest bucket (counted as <see cref="NpuGraphBucketStatistics.Oversize"/>).</exception>
    public NpuGraph GetOrCapture(NpuStream stream, int count, Action<NpuStream, int> body, out NpuGraphBucket bucket)
    {
        if (TryGetOrCapture(stream, count, body, out var graph, out bucket)) return graph;
        throw new ArgumentOutOfRangeException(nameof(count), count,
            $"NpuGraphBuckets: {count} rows exceed the largest bucket ({LargestSize}); run such a step eagerly or add a larger bucket.");
    }

    /// <summary>
    /// Like <see cref="GetOrCapture"/>, but returns false (and counts an oversize request) instead of
    /// throwing when <paramref name="count"/> exceeds the largest bucket, so the caller can run eagerly.
    /// </summary>
    public bool TryGetOrCapture(NpuStream stream, int count, Action<NpuStream, int> body, out NpuGraph graph, out NpuGraphBucket bucket)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int index = IndexFor(count);
        if (index < 0)
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _oversize++;
            }
            graph = null!;
            bucket = default;
            return false;
        }
        int size = _sizes[index];
        bucket = new NpuGraphBucket(count, size);
        var counters = _counters[index];
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_cache.TryGet(size, out var hit))
        {
            lock (_lock)
            {
                counters.Hits++;
                counters.RequestedRows += count;
                counters.PaddedRows += size - count;
            }
            graph = hit;
            return true;
        }
        graph = Capture(index, stream, body);
        lock (_lock)
        {
            counters.RequestedRows += count;
            counters.PaddedRows += size - count;
        }
        return true;
    }

    /// <summary>
    /// Gets or captures the graph for <paramref name="count"/> rows and queues one replay of it on
    /// <paramref name="stream"/>. Returns the bucket (its <see cref="NpuGraphBucket.Padding"/> says how many
    /// rows of the static inputs the caller had to pad before the call).
    /// </summary>
    public NpuGraphBucket Replay(NpuStream stream, int count, Action<NpuStream, int> body)
    {
        var graph = GetOrCapture(stream, count, body, out var bucket);
        graph.Replay(stream);
        return bucket;
    }

    /// <summary>The cached graph of the bucket for <paramref name="count"/> rows, if captured (not counted as a hit).</summary>
    public bool TryGet(int count, out NpuGraph graph)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int index = IndexFor(count);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (index >= 0 && _cache.TryGet(_sizes[index], out graph)) return true;
        graph = null!;
        return false;
    }

    /// <summary>
    /// Captures every bucket not captured yet, largest first (with a shared pool the largest graph sizes
    /// the pool and the smaller ones reuse its memory, as LLM servers do at start-up).
    /// </summary>
    public void CaptureAll(NpuStream stream, Action<NpuStream, int> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(body);
        for (int i = _sizes.Length - 1; i >= 0; i--)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            if (_cache.TryGet(_sizes[i], out _)) continue;
            Capture(i, stream, body);
        }
    }

    /// <summary>Removes and disposes the graph of the bucket holding <paramref name="count"/> rows; its next use captures again (reason Removed).</summary>
    public bool Remove(int count)
    {
        int index = IndexFor(count);
        if (index < 0) return false;
        Volatile.Write(ref _counters[index].Graph, null);
        return _cache.Remove(_sizes[index]);
    }

    /// <summary>Counters over all buckets.</summary>
    public NpuGraphBucketStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                long hits = 0, misses = 0, never = 0, evicted = 0, removed = 0, rows = 0, padded = 0;
                foreach (var c in _counters)
                {
                    hits += c.Hits;
                    misses += c.Misses;
                    rows += c.RequestedRows;
                    padded += c.PaddedRows;
                }
                var cache = _cache.Statistics;
                never = cache.MissesNeverSeen;
                evicted = cache.MissesAfterEviction;
                removed = cache.MissesAfterRemoval;
                return new NpuGraphBucketStatistics(hits + misses + _oversize, hits, misses, never, evicted, removed, _oversize, rows, padded);
            }
        }
    }

    /// <summary>Per-bucket figures, ascending by size.</summary>
    public IReadOnlyList<NpuGraphBucketInfo> Buckets
    {
        get
        {
            lock (_lock)
            {
                var infos = new NpuGraphBucketInfo[_sizes.Length];
                for (int i = 0; i < _sizes.Length; i++)
                {
                    var c = _counters[i];
                    var g = Volatile.Read(ref c.Graph);
                    infos[i] = new NpuGraphBucketInfo(_sizes[i], g is not null, c.Hits, c.Misses, c.LastMissReason, c.PaddedRows,
                        c.CaptureTime, c.WarmupTime, g?.CapturePeakBytes ?? 0, g?.CaptureRetainedBytes ?? 0, g?.Operations.Count ?? 0);
                }
                return infos;
            }
        }
    }

    private NpuGraph Capture(int index, NpuStream stream, Action<NpuStream, int> body)
    {
        int size = _sizes[index];
        var counters = _counters[index];
        // One capture at a time: the miss reason is read from the cache right after its capture.
        lock (_captureLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            if (_cache.TryGet(size, out var existing))
            {
                // Another thread captured it while this one waited.
                lock (_lock) counters.Hits++;
                return existing;
            }
            long warmupTicks = 0;
            var clock = Stopwatch.StartNew();
            var graph = _cache.GetOrCapture(stream, size, s =>
            {
                if (s.IsCapturing)
                {
                    body(s, size);
                    return;
                }
                long start = Stopwatch.GetTimestamp();
                body(s, size);
                warmupTicks += Stopwatch.GetTimestamp() - start;
            }, Warmup, Mode, Pool);
            clock.Stop();
            graph.Name ??= $"bucket-{size}";
            lock (_lock)
            {
                counters.Misses++;
                counters.LastMissReason = _cache.LastMissReason;
                counters.CaptureTime = clock.Elapsed;
                counters.WarmupTime = Stopwatch.GetElapsedTime(0, warmupTicks);
                counters.Graph = graph;
            }
            return graph;
        }
    }

    private int IndexFor(int count)
    {
        // Few buckets: a linear scan beats a binary search and allocates nothing.
        var sizes = _sizes;
        for (int i = 0; i < sizes.Length; i++)
            if (sizes[i] >= count) return i;
        return -1;
    }

    private int IndexOf(int size) => Array.IndexOf(_sizes, size);

    /// <summary>
    /// Copies <paramref name="values"/> to the start of <paramref name="destination"/> and fills the rest
    /// with <paramref name="padding"/>: the host side of padding a static input up to its bucket.
    /// </summary>
    public static void Pad<T>(ReadOnlySpan<T> values, Span<T> destination, T padding)
    {
        if (values.Length > destination.Length)
            throw new ArgumentException($"NpuGraphBuckets.Pad: {values.Length} values do not fit in a destination of {destination.Length}.", nameof(destination));
        values.CopyTo(destination);
        destination[values.Length..].Fill(padding);
    }

    /// <summary>Disposes every graph and releases the shared pool it made (its memory goes with the last graph); a given pool stays with its owner.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            Volatile.Write(ref _disposed, true);
            foreach (var c in _counters) c.Graph = null;
        }
        _cache.Dispose();
        if (_ownsPool) Pool?.Dispose();
    }
}
