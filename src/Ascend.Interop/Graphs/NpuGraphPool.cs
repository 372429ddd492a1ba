namespace Ascend.Interop;

/// <summary>
/// Device memory for captured graphs. Every allocation made on a capturing stream (tensors,
/// operator workspaces) comes from the graph's pool and stays valid while any graph using the pool
/// lives. A pool passed to several captures is shared: blocks freed after one capture are reused
/// by the next, so a set of graphs of different sizes holds about as much as the largest one.
/// Graphs that share a pool never run concurrently, because their intermediate buffers may overlap: the SDK
/// serialises their replays on the device, in the order the <see cref="NpuGraph.Replay"/> calls take the pool's
/// lock (a replay on another stream than the pool's previous replay waits for it; every replay records the pool's
/// event, so a shared-pool replay costs one lock and one event record more than a private-pool one). A pool created
/// for one replay stream (<see cref="NpuGraphPool(NpuStream)"/>) needs neither: its graphs replay only on that stream,
/// whose order serialises them, and a replay on another stream is refused. An output a graph
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
    private static int s_ids;
    private readonly Lock _replayLock = new();
    private NpuStream? _lastReplayStream;   // the stream of the pool's last replay (under _replayLock)
    private NpuEvent? _replayed;            // recorded after that replay

    /// <summary>
    /// The graph whose replay last marked the pool's outputs (its overwrites as overwritten, its own outputs as valid):
    /// another replay of that graph changes no mark, so it skips the marking (and its lock); null after anything that
    /// changes which outputs a replay marks (a capture that places an output in an earlier graph's scratch).
    /// </summary>
    internal NpuGraph? LastMarkedReplay;

    /// <summary>Creates an empty pool on <paramref name="device"/>; its graphs may replay on any stream of the device.</summary>
    public NpuGraphPool(NpuDevice device) : this(device, owner: null) { }

    /// <summary>
    /// Creates an empty pool on <paramref name="replayStream"/>'s device whose graphs replay only on
    /// <paramref name="replayStream"/> (captures may run on any stream). The stream's order keeps the graphs from
    /// running at once, so a replay costs what a private pool's does (no lock, no event record); replaying one of the
    /// pool's graphs on another stream throws <see cref="InvalidOperationException"/>. What a decode loop over buckets
    /// that replays on one stream wants.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="replayStream"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="replayStream"/> is disposed.</exception>
    public NpuGraphPool(NpuStream replayStream) : this(DeviceOf(replayStream), owner: null)
    {
        ReplayStream = replayStream;
    }

    private static NpuDevice DeviceOf(NpuStream replayStream)
    {
        ArgumentNullException.ThrowIfNull(replayStream);
        ObjectDisposedException.ThrowIf(replayStream.IsDisposed, replayStream);
        return replayStream.Device;
    }

    /// <summary>A pool named after <paramref name="owner"/> (a graph's private pool) or shared.</summary>
    internal NpuGraphPool(NpuDevice device, string? owner)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        Id = Interlocked.Increment(ref s_ids);
        Name = $"{owner ?? "shared graph pool"} #{Id} of NPU device {device.Id}";
        Pool = new DeviceMemoryPool(device, new DeviceMemoryPoolOptions { Name = Name });
        NpuMetrics.Track(Pool, "graph");
    }

    /// <summary>The one stream the pool's graphs replay on, or null: any stream (replays ordered by an event).</summary>
    public NpuStream? ReplayStream { get; }

    /// <summary>A number unique in the process (in messages and <see cref="Name"/>).</summary>
    public int Id { get; }

    /// <summary>"shared graph pool #3 of NPU device 0", or "private graph pool #4 of NPU device 0": how errors name it.</summary>
    public string Name { get; }

    /// <summary>True once <see cref="Dispose"/> ran (its graphs may still hold its memory; new captures are refused).</summary>
    public bool IsDisposed
    {
        get { lock (_lock) return _disposedByOwner; }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

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
            if (_released || _disposedByOwner)
                throw new ObjectDisposedException(nameof(NpuGraphPool), $"The graph pool has been disposed ({Name}{(_graphs > 0 ? $", still holding the memory of {_graphs} graph(s)" : "")}); create a new one for new captures.");
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
        if (release) ReleaseMemory();
    }

    /// <summary>
    /// One replay of a graph of this (shared) pool: ordered after the pool's previous replay when that was on another
    /// stream (an event wait), then the pool's event recorded after it. Under the pool's replay lock, so two threads
    /// replaying graphs of the pool on two streams are ordered one after the other on the device.
    /// </summary>
    internal void ReplaySerialized(NpuStream target, ref NpuGraph.LaunchWork work)
    {
        lock (_replayLock)
        {
            WaitForLastReplay(target);
            target.Submit(ref work);
            MarkReplayed(target);
        }
    }

    /// <summary>
    /// One synchronous run (<c>aclmdlRIExecute</c>, on <paramref name="defaultStream"/>) of a graph of this shared pool,
    /// ordered like <see cref="ReplaySerialized"/> (a run that timed out may still be going on, so the next replay on
    /// another stream waits for it too). The pool's replay lock is held for the run, so replays of the pool's graphs
    /// on other threads wait for it on the host.
    /// </summary>
    internal int ExecuteSerialized(NpuStream defaultStream, NpuGraph graph, int timeoutMs, Func<NpuGraph, int, int> run)
    {
        lock (_replayLock)
        {
            WaitForLastReplay(defaultStream);
            int code = run(graph, timeoutMs);
            MarkReplayed(defaultStream);
            return code;
        }
    }

    /// <summary>Under the replay lock: <paramref name="stream"/> waits for the pool's last replay if that ran on another stream.</summary>
    private void WaitForLastReplay(NpuStream stream)
    {
        if (_lastReplayStream is { } last && !ReferenceEquals(last, stream)) stream.Wait(_replayed!);
    }

    /// <summary>Under the replay lock: the pool's event, recorded after a replay on <paramref name="stream"/>.</summary>
    private void MarkReplayed(NpuStream stream)
    {
        _replayed ??= stream.Device.CreateEvent(timing: false);
        _replayed.Record(stream);
        _lastReplayStream = stream;
    }

    private void ReleaseMemory()
    {
        lock (_replayLock)
        {
            _replayed?.Dispose();
            _replayed = null;
            _lastReplayStream = null;
        }
        Pool.Dispose();
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
        if (release) ReleaseMemory();
    }
}
