namespace Ascend.Interop;

/// <summary>
/// A graph built explicitly on persistent streams (CANN's <c>aclmdlRIBuildBegin</c> ... <c>aclmdlRIBuildEnd</c>, CANN 9.0+):
/// the graph creates its streams and binds them; work submitted to them (operators, copies, fills, event records and
/// waits between them, host callbacks) joins the graph instead of running. <see cref="EndBuild"/> closes it; then
/// <see cref="Execute()"/> runs it synchronously (<c>aclmdlRIExecute</c>, with a timeout) and <see cref="Replay"/> queues
/// it on any other stream (<c>aclmdlRIExecuteAsync</c>). Always use it in a <c>using</c>:
/// <code>
/// using var built = NpuBuiltGraph.Begin(device);
/// Ops.Add(built.Stream, x, y, z);
/// built.EndBuild();
/// built.Execute();
/// </code>
/// Unlike a capture, building has no capture mode (synchronous calls elsewhere are allowed) and no conditional nodes,
/// introspection or in-place edits (CANN gives those to captured graphs only). The graph keeps every buffer its work
/// uses alive until it is disposed, and allocations made for work on its streams come from its pool, as for a capture.
/// </summary>
public sealed class NpuBuiltGraph : IDisposable
{
    private readonly NpuGraph _graph;

    private NpuBuiltGraph(NpuGraph graph) => _graph = graph;

    /// <summary>
    /// Begins a graph on <paramref name="device"/> (<c>aclmdlRIBuildBegin</c>) with one persistent stream bound as its
    /// head (<see cref="Stream"/>).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="pool">A pool shared with other graphs; by default the graph gets a private one.</param>
    /// <exception cref="NotSupportedException">The loaded CANN lacks built graphs (older than 9.0).</exception>
    /// <exception cref="NpuStreamBudgetException">The device has no stream left for the graph.</exception>
    public static NpuBuiltGraph Begin(NpuDevice device, NpuGraphPool? pool = null) =>
        new(NpuGraph.BeginBuild(device, pool, "NpuBuiltGraph.Begin"));

    /// <summary>The head stream: submit the graph's work to it (and to streams from <see cref="AddStream"/>).</summary>
    public NpuStream Stream => _graph.CaptureStream;

    /// <summary>The graph's streams, head first. They belong to the graph: it unbinds and destroys them when disposed.</summary>
    public IReadOnlyList<NpuStream> Streams => _graph.BoundStreams;

    /// <summary>
    /// Creates another persistent stream and binds it to the graph (<c>aclmdlRIBindStream</c>): work on it joins the
    /// graph too. Order it against the other streams with events (record on one, <see cref="NpuStream.Wait"/> on the
    /// other): inside a built graph they are ordering only.
    /// </summary>
    /// <exception cref="InvalidOperationException">The build has ended.</exception>
    public NpuStream AddStream() => _graph.AddBuildStream("NpuBuiltGraph.AddStream");

    /// <summary>
    /// Closes the graph: <c>aclmdlRIEndTask</c> on each stream, then <c>aclmdlRIBuildEnd</c>. From then on the streams
    /// refuse work (CANN: tasks launched after the build break its runs) and the graph can run.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The build has already ended, or an operation failed while building (the inner exception): the graph would lack
    /// it, so it is discarded.
    /// </exception>
    /// <exception cref="NpuCaptureException">The runtime refused to close a stream or the build (the graph is still being built).</exception>
    public void EndBuild() => _graph.EndBuild("NpuBuiltGraph.EndBuild");

    /// <summary>True between <see cref="Begin"/> and <see cref="EndBuild"/>.</summary>
    public bool IsBuilding => _graph.IsCapturing;

    /// <summary>True once <see cref="EndBuild"/> succeeded and until Dispose (and while no bound stream was disposed).</summary>
    public bool IsReady => _graph.Status == NpuGraphState.Ready;

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _graph.IsDisposed;

    /// <summary>
    /// Where the graph is: <see cref="NpuGraphState.Capturing"/> while being built, then Ready; Fault when one of its
    /// streams was disposed by its user (<see cref="FaultReason"/>), CaptureFailed when the build was discarded.
    /// </summary>
    public NpuGraphState Status => _graph.Status;

    /// <summary>Why the graph cannot run (null while it can).</summary>
    public string? FaultReason => _graph.FaultReason;

    /// <summary>
    /// Runs the graph and waits for it (<c>aclmdlRIExecute</c> with no timeout): the runtime runs it on the context's
    /// default stream and returns when it finished.
    /// </summary>
    /// <exception cref="NpuCaptureException">The run failed (507011 and others), with the runtime's message.</exception>
    /// <exception cref="InvalidOperationException">The graph's pool was created for a replay stream other than the device's default stream.</exception>
    public void Execute() => _graph.Execute(-1, "NpuBuiltGraph.Execute");

    /// <summary>
    /// Runs the graph and waits at most <paramref name="timeout"/> (<c>aclmdlRIExecute</c>, milliseconds rounded up;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits forever). False when the run did not finish in time: it may still be
    /// going on (<see cref="Abort"/> stops it; Dispose waits for it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative (CANN refuses 0 and values below -1 with 107000).</exception>
    public bool Execute(TimeSpan timeout)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : timeout <= TimeSpan.Zero ? 0 : checked((int)Math.Ceiling(timeout.TotalMilliseconds));
        return _graph.Execute(ms, "NpuBuiltGraph.Execute");
    }

    /// <summary>
    /// Queues one run on <paramref name="stream"/> (<c>aclmdlRIExecuteAsync</c>): any stream of the device that is
    /// neither capturing nor bound to a built graph.
    /// </summary>
    /// <exception cref="NpuCaptureException">The stream is capturing (107027) or bound to a built graph (107000).</exception>
    public void Replay(NpuStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _graph.Replay(stream);
    }

    /// <summary>Queues one run on <paramref name="stream"/> and waits for it.</summary>
    public void ReplayAndWait(NpuStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _graph.ReplayAndWait(stream);
    }

    /// <summary>Queues one run on <paramref name="stream"/> and returns a task that completes when it has finished (no thread blocked).</summary>
    public Task ReplayAsync(NpuStream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return _graph.ReplayAsync(stream, cancellationToken);
    }

    /// <summary>Stops the graph's queued and running executions and waits for them (<c>aclmdlRIAbort</c>); see <see cref="NpuGraph.Abort"/>.</summary>
    public void Abort() => _graph.Abort();

    /// <summary>Runs started so far (<see cref="Execute()"/> and <see cref="Replay"/>).</summary>
    public long ExecutionCount => _graph.ReplayCount;

    /// <summary>A name for diagnostics, given to the runtime with <c>aclmdlRISetName</c>.</summary>
    public string? Name
    {
        get => _graph.Name;
        set => _graph.Name = value;
    }

    /// <summary>The name the runtime holds (<c>aclmdlRIGetName</c>).</summary>
    public string RuntimeName => _graph.RuntimeName;

    /// <summary>The runtime's id of the graph (<c>aclmdlRIGetId</c>). Needs CANN 9.1.0.</summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    public uint Id => _graph.Id;

    /// <summary>The raw <c>aclmdlRI</c>; keep the graph alive while using it.</summary>
    public Ascend.Interop.Native.aclmdlRI Handle => _graph.Handle;

    /// <summary>The device of the graph.</summary>
    public NpuDevice Device => _graph.Device;

    /// <summary>The pool that holds the graph's memory.</summary>
    public NpuGraphPool Pool => _graph.Pool;

    /// <summary>The most pool memory the build had handed out at once (see <see cref="NpuGraph.CapturePeakBytes"/>).</summary>
    public long BuildPeakBytes => _graph.CapturePeakBytes;

    /// <summary>The operations the SDK recorded on the graph's streams, in submission order.</summary>
    public IReadOnlyList<NpuGraphOperation> Operations => _graph.Operations;

    /// <summary>The recorded operations, one per line.</summary>
    public string Describe() => _graph.Describe();

    /// <summary>The recorded operations as a Graphviz DOT picture.</summary>
    public string ToDot() => _graph.ToDot();

    /// <summary>Writes the runtime's JSON description (<c>aclmdlRIDebugJsonPrint</c>) to <paramref name="path"/>.</summary>
    public void DumpJson(string path) => _graph.DumpJson(path);

    /// <summary>Has the runtime print the graph to its log (<c>aclmdlRIDebugPrint</c>).</summary>
    public void DebugPrint() => _graph.DebugPrint();

    /// <summary>Runs <paramref name="callback"/> when the runtime destroys the graph (see <see cref="NpuGraph.AddDestroyCallback"/>).</summary>
    public void AddDestroyCallback(Action callback) => _graph.AddDestroyCallback(callback);

    /// <summary>Removes one registration of <paramref name="callback"/> (see <see cref="NpuGraph.RemoveDestroyCallback"/>).</summary>
    public bool RemoveDestroyCallback(Action callback) => _graph.RemoveDestroyCallback(callback);

    /// <summary>
    /// Discards an unfinished build, or waits for the graph's queued runs; then unbinds and destroys its streams
    /// (<c>aclmdlRIUnbindStream</c>), destroys the graph (<c>aclmdlRIDestroy</c>, which runs the destroy callbacks) and
    /// releases its memory.
    /// </summary>
    public void Dispose() => _graph.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"NpuBuiltGraph{(Name is null ? "" : $" '{Name}'")} ({_graph.Status}, {_graph.Operations.Count} operations, {Streams.Count} stream(s))";
}
