using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Built graphs (CANN 9.0+: aclmdlRIBuildBegin ... BuildEnd): the graph binds persistent streams, and work submitted
// to them goes through the same submission path as a capture's (the graph records the operations, holds the buffers
// and serves the allocations from its pool), but the runtime appends it to the model instead of capturing it.
// The public face is NpuBuiltGraph; the NpuGraph underneath is never handed out (NpuStream.CapturingGraph hides it).
public sealed partial class NpuGraph
{
    /// <summary>The flags <c>aclmdlRIBindStream</c> takes: the head stream (the first bound) and every other one.</summary>
    private const uint HeadStreamFlag = 0, OtherStreamFlag = 0x7FFFFFFF;

    /// <summary>107004: the graph belongs to another context than the calling thread's.</summary>
    private const int ModelContextCode = 107004;

    private readonly bool _built;
    private readonly List<NpuStream> _bound = new();
    private volatile bool _buildClosed;
    private bool _executeTimedOut;

    /// <summary>True for a graph built on persistent streams (<see cref="NpuBuiltGraph"/>).</summary>
    internal bool IsBuilt => _built;

    /// <summary>A built graph whose build ended: its bound streams take no more work (CANN: later tasks break its runs).</summary>
    internal bool IsBuildClosed => _buildClosed;

    /// <summary>The mode an exception about this graph names: none for a built graph (it has no capture mode).</summary>
    internal CaptureMode? ExceptionMode => _built ? null : Mode;

    /// <summary>The streams bound to a built graph, head first.</summary>
    internal IReadOnlyList<NpuStream> BoundStreams
    {
        get { lock (_lock) return _bound.ToArray(); }
    }

    internal static unsafe NpuGraph BeginBuild(NpuDevice device, NpuGraphPool? pool, string operation)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.IsDisposed) throw new ObjectDisposedException(nameof(NpuDevice), $"{operation}: NPU device {device.Id} has been disposed.");
        NpuFeatures.Current.Require(nameof(aclmdlRIBuildBegin), operation);
        if (pool is not null && pool.Device.Id != device.Id)
            throw new ArgumentException($"The graph pool belongs to NPU device {pool.Device.Id} but the graph is built on device {device.Id}.", nameof(pool));

        aclmdlRI native;
        int code;
        using (var lease = device.Enter()) code = aclmdlRIBuildBegin(&native, 0);
        if (code != 0)
        {
            string? message = AclCheck.RecentMessage();
            if (code is ACL_ERROR_RT_RESOURCE_ALLOC_FAIL or ACL_ERROR_RT_NO_STREAM_RESOURCE)
                throw new NpuStreamBudgetException(code, nameof(aclmdlRIBuildBegin), message, device.State.Budget());
            throw new AclException(code, nameof(aclmdlRIBuildBegin), message, $"{operation}: beginning a built graph on device {device.Id}");
        }
        var model = new ModelHandle((nint)native, device.Context);
        NpuStream head;
        try
        {
            head = NpuStream.CreatePersistent(device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        try
        {
            Bind(model, head, HeadStreamFlag, operation);
        }
        catch
        {
            head.Dispose();
            model.Dispose();
            throw;
        }
        bool ownsPool = pool is null;
        pool ??= new NpuGraphPool(device, owner: "private built-graph pool");
        var graph = new NpuGraph(head, CaptureMode.Global, pool, ownsPool, built: true) { _model = model };
        pool.AddGraph(graph);
        graph._inUseAtBegin = pool.InUseBytes;
        pool.Pool.ResetPeaks();
        graph._bound.Add(head);
        head.EnterCapture(graph);
        pool.Pool.BeginAllocateTo(head);
        device.State.GraphCreated();
        return graph;
    }

    private static unsafe void Bind(ModelHandle model, NpuStream stream, uint flag, string operation)
    {
        int code;
        using (var lease = stream.Enter())
        using (var modelLease = new HandleLease(model, stream))
        {
            code = aclmdlRIBindStream(NativeHandle.Model(modelLease.Value), stream.Native(lease), flag);
        }
        if (code == 0) return;
        string? message = AclCheck.RecentMessage();
        string rule = code switch
        {
            ACL_ERROR_RT_PARAM_INVALID => "the runtime refused to bind the stream (a built graph binds persistent streams it created itself, before EndBuild).",
            ACL_ERROR_RT_FEATURE_NOT_SUPPORT => "this chip or stream kind cannot be bound to a built graph.",
            _ => "the runtime refused to bind the stream to the graph.",
        };
        throw new NpuCaptureException(code, nameof(aclmdlRIBindStream), operation, rule, null, message);
    }

    /// <summary>Creates another persistent stream and binds it to the graph (<c>aclmdlRIBindStream</c>, not the head).</summary>
    internal NpuStream AddBuildStream(string operation)
    {
        lock (_lock) ThrowIfNotState(State.Capturing, operation);
        var stream = NpuStream.CreatePersistent(Device);
        try
        {
            Bind(_model!, stream, OtherStreamFlag, operation);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        lock (_lock)
        {
            if (_state != State.Capturing)
            {
                // Disposed meanwhile by another thread: give the stream back.
                UnbindForCleanup(stream);
                stream.Dispose();
                ThrowIfNotState(State.Capturing, operation);
            }
            _bound.Add(stream);
        }
        stream.EnterCapture(this);
        _pool.Pool.BeginAllocateTo(stream);
        return stream;
    }

    /// <summary>Closes the build: <c>aclmdlRIEndTask</c> on every bound stream, then <c>aclmdlRIBuildEnd</c>.</summary>
    internal unsafe void EndBuild(string operation)
    {
        Exception? poisonedBy;
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, operation);
            poisonedBy = _poisonedBy;
        }
        if (poisonedBy is not null)
        {
            AbandonBuild($"an operation failed while building: {poisonedBy.Message}");
            throw new InvalidOperationException(
                $"{operation}: an operation failed while the graph was being built (see the inner exception), so the graph would lack it; the graph is discarded (dispose it and build again).",
                poisonedBy);
        }
        var streams = BoundStreams;
        using (var lease = _stream.Enter())
        using (var modelLease = new HandleLease(_model!, this))
        {
            var model = NativeHandle.Model(modelLease.Value);
            foreach (var stream in streams)
            {
                int code;
                using (var streamLease = stream.Enter()) code = aclmdlRIEndTask(model, stream.Native(streamLease));
                if (code != 0)
                    throw new NpuCaptureException(code, nameof(aclmdlRIEndTask), operation,
                        $"the runtime refused to close the tasks of {stream}; the graph is still being built.", null, AclCheck.RecentMessage());
            }
            int end = aclmdlRIBuildEnd(model, null);
            if (end != 0)
                throw new NpuCaptureException(end, nameof(aclmdlRIBuildEnd), operation,
                    "the runtime refused to end the build; the graph is still being built.", null, AclCheck.RecentMessage());
        }
        _buildClosed = true;
        CompleteCapture();
    }

    /// <summary>Discards a build that cannot finish (disposed before EndBuild, or poisoned): the model and its streams go.</summary>
    private void AbandonBuild(string reason)
    {
        lock (_lock)
        {
            if (_state != State.Capturing) return;
        }
        FinishCapture(State.Failed, $"The build was abandoned: {reason}.");
        ReleaseBoundStreams();
        _model!.Dispose();
        NpuMetrics.CaptureFailures.Add(1);
    }

    private static readonly Func<NpuGraph, int, int> s_runOnDefaultStream = RunOnDefaultStream;

    /// <summary><c>aclmdlRIExecute</c> with the model borrowed, under a lease of the device's default stream (where it runs).</summary>
    private static unsafe int RunOnDefaultStream(NpuGraph graph, int timeoutMs)
    {
        using var lease = graph.Device.DefaultStream.Enter();
        if (!HandleLease.TryBorrow(ThreadBorrows.Current, graph._model!, out var model)) throw DisposedWhileReplaying();
        int code = aclmdlRIExecute(NativeHandle.Model(model.Value), timeoutMs);
        model.Dispose();
        return code;
    }

    /// <summary>
    /// <c>aclmdlRIExecute</c>: runs the built graph and blocks until it finished or <paramref name="timeoutMs"/> ran out
    /// (-1: forever). False on a timeout (the run may still be going on: <see cref="Abort"/> stops it).
    /// </summary>
    internal bool Execute(int timeoutMs, string operation)
    {
        NpuFeatures.Current.Require(nameof(aclmdlRIExecute), operation);
        if (timeoutMs == 0 || timeoutMs < -1)
            throw new ArgumentOutOfRangeException("timeout", timeoutMs, $"{operation}: CANN takes a timeout of -1 (forever) or a positive number of milliseconds.");
        if (!_built)
            throw new NpuCaptureException(ACL_ERROR_RT_PARAM_INVALID, nameof(aclmdlRIExecute), operation,
                "aclmdlRIExecute runs built graphs only (CANN 9.1 refuses a captured graph); replay a captured graph with NpuGraph.Replay.", Mode);
        if (_state != State.Captured) lock (_lock) ThrowIfNotState(State.Captured, operation);
        if (_edit != 0) throw NotReadyForReplay(operation);
        HostCallbackDispatcher.ThrowIfOnCallbackThread(operation);
        var defaultStream = Device.DefaultStream;
        // aclmdlRIExecute runs on the default stream: a pool bound to another replay stream cannot order it there.
        if (_pool.ReplayStream is { } only && !ReferenceEquals(only, defaultStream)) ThrowOtherReplayStream(operation, defaultStream, only);
        ReplayStreamFor(defaultStream);   // Dispose waits for it (a run that timed out may still be going on)
        // Graphs of a shared pool never run at once: on any stream, the pool orders this run with its other replays.
        int code = _ownsPool || _pool.ReplayStream is not null
            ? RunOnDefaultStream(this, timeoutMs)
            : _pool.ExecuteSerialized(defaultStream, this, timeoutMs, s_runOnDefaultStream);
        Interlocked.Increment(ref _replays);
        if ((_overwrites is not null || _outputsAtRisk is not null) && !ReferenceEquals(Volatile.Read(ref _pool.LastMarkedReplay), this))
            MarkReplayedMemory();
        if (code == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT)
        {
            lock (_lock) _executeTimedOut = true;
            return false;
        }
        if (code != 0)
            throw new NpuCaptureException(code, nameof(aclmdlRIExecute), operation, code switch
            {
                ModelNotReadyCode => "the graph cannot run: it was not closed (EndBuild), or a run of it failed or was aborted.",
                _ => "the run failed.",
            }, null, AclCheck.RecentMessage());
        return true;
    }

    /// <summary>
    /// Stops the graph's queued and running executions and waits for them (<c>aclmdlRIAbort</c>, synchronous); the streams
    /// they ran on report the abort at their next synchronize. The graph can run again afterwards. CANN 9.0+.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN lacks <c>aclmdlRIAbort</c>, or the chip or firmware cannot abort (207000).</exception>
    /// <exception cref="NpuCaptureException">The graph belongs to another context than the calling thread's (107004).</exception>
    public unsafe void Abort()
    {
        string operation = _built ? "NpuBuiltGraph.Abort" : "NpuGraph.Abort";
        NpuFeatures.Current.Require(nameof(aclmdlRIAbort), operation);
        lock (_lock) ThrowIfNotState(State.Captured, "Abort");
        int code;
        using (var lease = _stream.Device.DefaultStream.Enter())
        using (var model = new HandleLease(_model!, this))
        {
            code = aclmdlRIAbort(NativeHandle.Model(model.Value));
        }
        if (code == 0)
        {
            bool timedOut;
            lock (_lock)
            {
                timedOut = _executeTimedOut;
                _executeTimedOut = false;
            }
            // An Execute that timed out left its run on the default stream, where the abort is reported (507011): the
            // caller asked for it, so it is taken here rather than by the next Execute.
            if (timedOut) ConsumeAbortOnDefaultStream();
            return;
        }
        string? message = AclCheck.RecentMessage();
        if (code == ACL_ERROR_RT_FEATURE_NOT_SUPPORT)
            throw new NotSupportedException($"{operation}: this chip or its firmware cannot abort a graph (aclmdlRIAbort: 207000). {message}");
        throw new NpuCaptureException(code, nameof(aclmdlRIAbort), operation, code switch
        {
            ModelContextCode => "the graph belongs to another context than the calling thread's.",
            _ => "the runtime refused to abort the graph.",
        }, ExceptionMode, message);
    }

    private unsafe void ConsumeAbortOnDefaultStream()
    {
        var defaultStream = Device.DefaultStream;
        using var lease = defaultStream.Enter();
        int code = aclrtSynchronizeStream(defaultStream.Native(lease));
        if (code is not 0 and not ModelNotReadyCode) AclCheck.Check(code, nameof(aclrtSynchronizeStream), "waiting for the aborted run on the default stream");
    }

    /// <summary>
    /// A bound stream is being disposed (by its user): it is unbound so that it can be destroyed. A graph still being
    /// built is discarded; a built one cannot run again (the runtime would run it without the stream's binding, which
    /// CANN does not describe).
    /// </summary>
    internal void BoundStreamDisposing(NpuStream stream)
    {
        bool building;
        lock (_lock)
        {
            if (!_bound.Remove(stream)) return;
            building = _state == State.Capturing;
        }
        stream.LeaveCapture(this);
        if (building) _pool.Pool.EndAllocateTo(stream);
        UnbindForCleanup(stream);
        if (building) AbandonBuild($"{stream}, bound to the graph, was disposed");
        else SetFault($"{stream}, bound to the graph, was disposed; the graph's streams belong to it (dispose the graph instead)");
    }

    /// <summary>At Dispose (or a discarded build): every bound stream is unbound (<c>aclmdlRIUnbindStream</c>) and destroyed.</summary>
    private void ReleaseBoundStreams()
    {
        NpuStream[] streams;
        lock (_lock)
        {
            streams = _bound.ToArray();
            _bound.Clear();
        }
        foreach (var stream in streams)
        {
            stream.LeaveCapture(this);
            UnbindForCleanup(stream);
            stream.Dispose();
        }
    }

    private void UnbindForCleanup(NpuStream stream)
    {
        try
        {
            // The raw handle: Dispose has closed the model to new borrows by now, and the model lives until after this.
            using var lease = stream.EnterForCleanup();
            _ = aclmdlRIUnbindStream(NativeHandle.Model(_model!.DangerousGetHandle()), stream.Native(lease));
        }
        catch (ObjectDisposedException)
        {
            // The model or the stream is gone already: nothing is bound any more.
        }
    }

    /// <summary>Refusals for work on a stream bound to this built graph (asked by the submission path).</summary>
    internal Exception? BuiltStreamRefusal(StreamWorkKind kind, string operation, NpuStream stream)
    {
        if (kind == StreamWorkKind.GraphLaunch)
            return new NpuCaptureException(ACL_ERROR_RT_PARAM_INVALID, nameof(aclmdlRIExecuteAsync), operation,
                $"{stream} is bound to a built graph; a graph cannot be launched on a bound stream (use another stream).", null);
        if (_buildClosed || _state != State.Capturing)
            return new InvalidOperationException(
                $"{operation}: {stream} is bound to a built graph whose build has ended; CANN says work launched on it now breaks the graph's later runs, so the SDK refuses it. Submit the work to another stream.");
        return null;
    }

}
