namespace Ascend.Interop;

/// <summary>
/// Device memory for captured graphs. Every allocation made on a capturing stream (tensors,
/// operator workspaces) comes from the graph's pool and stays valid while any graph using the pool
/// lives. A pool passed to several captures is shared: blocks freed after one capture are reused
/// by the next, so a set of graphs of different sizes holds about as much as the largest one.
/// Graphs that share a pool must not be replayed concurrently (replay them on one stream, or
/// order them with events), because their intermediate buffers may overlap. An output a graph
/// allocates here may lie in the intermediates of a graph captured into the pool before it: it holds
/// its graph's result until such a graph replays, and the SDK refuses to read it after that until
/// its own graph replays again (read outputs before replaying another graph of the pool).
/// </summary>
public sealed class NpuGraphPool : IDisposable
{
    private readonly Lock _lock = new();
    private int _graphs;
    private NpuGraph[] _members = [];   // the graphs (and captures in progress) using the pool, in capture order
    private bool _disposedByOwner;
    private bool _released;

    /// <summary>Creates an empty pool on <paramref name="device"/>.</summary>
    public NpuGraphPool(NpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        Pool = new DeviceMemoryPool(device);
        NpuMetrics.Track(Pool, "graph");
    }

    /// <summary>The device the memory lives on.</summary>
    public NpuDevice Device { get; }

    /// <summary>The allocator behind the pool.</summary>
    internal DeviceMemoryPool Pool { get; }

    /// <summary>Bytes of device memory the pool holds (what its graphs cost).</summary>
    public long ReservedBytes => Pool.ReservedBytes;

    /// <summary>Bytes currently handed out (graph outputs and buffers still referenced).</summary>
    public long InUseBytes => Pool.InUseBytes;

    /// <summary>The most the pool ever held.</summary>
    public long PeakReservedBytes => Pool.PeakReservedBytes;

    /// <summary>Graphs (and captures in progress) that use the pool.</summary>
    public int GraphCount
    {
        get { lock (_lock) return _graphs; }
    }

    internal void AddGraph(NpuGraph graph)
    {
        lock (_lock)
        {
            if (_released) throw new ObjectDisposedException(nameof(NpuGraphPool), "The graph pool has been disposed; create a new one for new captures.");
            _graphs++;
            _members = [.. _members, graph];
        }
    }

    /// <summary>The graphs using the pool now, in the order they began capturing.</summary>
    internal NpuGraph[] Graphs()
    {
        lock (_lock) return _members;
    }

    internal void ReleaseGraph(NpuGraph graph)
    {
        bool release, idle;
        lock (_lock)
        {
            _graphs--;
            _members = Array.FindAll(_members, g => !ReferenceEquals(g, graph));
            idle = _graphs == 0;
            release = idle && _disposedByOwner && !_released;
            if (release) _released = true;
        }
        // No graph of this pool is left: what captures freed inside the pool is idle again.
        if (idle) Pool.ReleaseCaptureHolds();
        if (release) Pool.Dispose();
    }

    /// <summary>Releases the caller's hold; the memory goes when the last graph using it is disposed.</summary>
    public void Dispose()
    {
        bool release;
        lock (_lock)
        {
            if (_disposedByOwner) return;
            _disposedByOwner = true;
            release = _graphs == 0 && !_released;
            if (release) _released = true;
        }
        if (release) Pool.Dispose();
    }
}
