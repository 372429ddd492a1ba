using System.Runtime.InteropServices;
using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Capture: BeginCapture/EndCapture, abandoning a capture, recording operations and failures, joined streams,
// the Capture convenience (warm-up, then capture) and the thread capture mode.
public sealed partial class NpuGraph
{
    internal static unsafe NpuGraph Begin(NpuStream stream, CaptureMode mode, NpuGraphPool? pool)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a CaptureMode.");
        if (stream.IsDisposed) throw new ObjectDisposedException(nameof(NpuStream), $"Cannot capture on a disposed stream.");
        if (stream.IsDefault)
            throw new NpuCaptureException(ACL_ERROR_INVALID_PARAM, nameof(aclmdlRICaptureBegin), "NpuStream.BeginCapture",
                "the default stream cannot capture; create a stream with NpuDevice.CreateStream() and capture on it.", mode);
        if (stream.ActiveCapture is { } running)
            throw new NpuCaptureException(ACL_ERROR_RT_STREAM_CAPTURED, nameof(aclmdlRICaptureBegin), "NpuStream.BeginCapture",
                $"{stream} is already capturing (a {running.Mode} capture); end or dispose that graph first.", mode);
        if (stream.ActiveUpdate is not null)
            throw new InvalidOperationException($"{stream} is re-issuing a task-group update; finish it before beginning a capture.");
        if (stream.StuckUpdate is { } stuck) throw stuck.Unusable(stream, "NpuStream.BeginCapture");
        if (pool is not null && pool.Device.Id != stream.Device.Id)
            throw new ArgumentException($"The graph pool belongs to NPU device {pool.Device.Id} but the stream to device {stream.Device.Id}.", nameof(pool));

        bool ownsPool = pool is null;
        pool ??= new NpuGraphPool(stream.Device, owner: "private graph pool");
        var graph = new NpuGraph(stream, mode, pool, ownsPool);
        pool.AddGraph(graph);
        graph._inUseAtBegin = pool.InUseBytes;
        pool.Pool.ResetPeaks();
        int code;
        // Marked capturing before the runtime call, so no other thread (the pool) sees the stream as
        // idle while the runtime already records its work; from now on it allocates from the graph's pool.
        stream.EnterCapture(graph);
        pool.Pool.BeginAllocateTo(stream);
        using (var lease = stream.Enter())
        {
            code = aclmdlRICaptureBegin(stream.Native(lease), (aclmdlRICaptureMode)(uint)mode);
        }
        if (code != 0)
        {
            string? message = AclCheck.RecentMessage();
            stream.LeaveCapture(graph);
            pool.Pool.EndAllocateTo(stream);
            graph.ReleasePool();
            NpuMetrics.CaptureFailures.Add(1);
            if (code is ACL_ERROR_RT_RESOURCE_ALLOC_FAIL or ACL_ERROR_RT_NO_STREAM_RESOURCE)
            {
                var budget = stream.Device.State.Budget();
                NpuLogging.StreamBudgetExhausted(NpuLogging.Logger, budget.ToString());
                throw new NpuStreamBudgetException(code, nameof(aclmdlRICaptureBegin), message, budget);
            }
            NpuLogging.CaptureFailed(NpuLogging.Logger, "NpuStream.BeginCapture", mode, code, AclErrorCodes.NameOf(code), message ?? "");
            throw new AclException(code, nameof(aclmdlRICaptureBegin), message, $"beginning a {mode} capture on {stream}");
        }
        stream.Device.State.GraphCreated();
        NpuStream.RegisterCapture(graph);
        return graph;
    }

    /// <summary>
    /// Ends the capture. Afterwards the graph can be replayed and the stream runs work eagerly again.
    /// </summary>
    /// <exception cref="NpuCaptureException">
    /// The capture broke a rule the runtime checks at the end (a joined stream did not join back:
    /// 107025; the capture was invalidated by an earlier failure: 507903; wrong thread: 107038).
    /// After 507903 the capture is discarded and the stream is usable again.
    /// </exception>
    public unsafe void EndCapture()
    {
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, "EndCapture");
            if (_openGroup is not null)
                throw new InvalidOperationException($"Task group '{_openGroup.Name}' is still open: dispose its scope before EndCapture.");
        }
        if (Mode != CaptureMode.Relaxed && Environment.CurrentManagedThreadId != _captureThread)
            throw new NpuCaptureException(ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD, nameof(aclmdlRICaptureEnd), "NpuGraph.EndCapture",
                $"a {Mode} capture must end on the thread that began it (managed thread {_captureThread}); this is thread {Environment.CurrentManagedThreadId}. Use CaptureMode.Relaxed to end on another thread.",
                Mode);

        aclmdlRI model;
        int code;
        Exception? poisonedBy;
        lock (_lock) poisonedBy = _poisonedBy;
        if (poisonedBy is not null)
        {
            // End the native capture (its model lacks the failed operation) and discard it.
            AbandonCapture($"an operation failed while capturing: {poisonedBy.Message}");
            NpuLogging.CaptureFailed(NpuLogging.Logger, "NpuGraph.EndCapture", Mode, ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED,
                AclErrorCodes.NameOf(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED), poisonedBy.Message);
            throw new NpuCaptureException(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, nameof(aclmdlRICaptureEnd), "NpuGraph.EndCapture",
                "an operation failed while capturing (see the inner exception), so the graph would lack it; the capture is discarded and the stream is usable again.",
                Mode, null, poisonedBy);
        }
        using (var lease = _stream.Enter())
        {
            code = aclmdlRICaptureEnd(_stream.Native(lease), &model);
            if (code != 0)
            {
                string? message = AclCheck.RecentMessage();
                aclmdlRICaptureStatus status;
                aclmdlRI pending;
                bool stillCapturing = aclmdlRICaptureGetInfo(_stream.Native(lease), &status, &pending) == 0
                    && status == aclmdlRICaptureStatus.ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE;
                var error = EndFailure(code, message, stillCapturing);
                if (!stillCapturing) FinishCapture(State.Failed, error.Message);
                NpuMetrics.CaptureFailures.Add(1);
                NpuLogging.CaptureFailed(NpuLogging.Logger, error.Operation, Mode, code, error.CodeName, error.Rule);
                throw error;
            }
        }
        _model = new ModelHandle((nint)model, _stream.Context);
        CompleteCapture();
    }

    /// <summary>A capture or build that ended: its memory figures, state, pool settlement, metric and name.</summary>
    private void CompleteCapture()
    {
        CapturePeakBytes = Math.Max(0, _pool.Pool.PeakInUseBytes - _inUseAtBegin);
        CaptureRetainedBytes = Math.Max(0, _pool.InUseBytes - _inUseAtBegin);
        FinishCapture(State.Captured, string.Empty);
        SettleCaptureMemory();
        NpuMetrics.Captures.Add(1);
        if (_name is not null) ApplyName(_name);
    }

    private NpuCaptureException EndFailure(int code, string? message, bool stillCapturing)
    {
        string rule = code switch
        {
            ACL_ERROR_RT_STREAM_UNJOINED =>
                "a stream that joined the capture (it waited on an event recorded in the capture) did not join back: record an event on it and make the capturing stream Wait on that event before EndCapture.",
            ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED =>
                "the capture was invalidated by an earlier failed submission (the first exception thrown while capturing says which); the graph is discarded and the stream is usable again.",
            ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD => "the capture must end on the thread that began it.",
            _ => "the runtime refused to end the capture.",
        };
        if (stillCapturing) rule += " The stream is still capturing: fix the cause and call EndCapture again, or Dispose the graph.";
        return new NpuCaptureException(code, nameof(aclmdlRICaptureEnd), "NpuGraph.EndCapture", rule, Mode, message);
    }

    /// <summary>Leaves the capturing state (success or failure) and updates the registry and streams.</summary>
    private void FinishCapture(State state, string failure)
    {
        lock (_lock)
        {
            _state = state;
            _failure = failure;
        }
        NpuStream.UnregisterCapture(this);
        if (_built)
        {
            // A built graph's streams stay bound (and refuse work) until Dispose; they stop allocating from its pool now.
            foreach (var bound in BoundStreams)
            {
                if (state == State.Failed) bound.LeaveCapture(this);
                _pool.Pool.EndAllocateTo(bound);
            }
        }
        else
        {
            if (_stream.LeaveCapture(this)) _pool.Pool.EndAllocateTo(_stream);
            foreach (var joined in _joined)
                if (joined.LeaveCapture(this)) _pool.Pool.EndAllocateTo(joined);
        }
        if (state == State.Failed)
        {
            AbandonBranches();
            _stream.Device.State.GraphReleased();
            FreeKeepAlive();
            ReleaseHolds();
            ReleasePool();
        }
    }

    /// <summary>Ends a capture that cannot finish normally (stream disposed, exception in a using block).</summary>
    internal unsafe void AbandonCapture(string reason)
    {
        if (_built)
        {
            AbandonBuild(reason);
            return;
        }
        lock (_lock)
        {
            if (_state != State.Capturing) return;
        }
        AbandonBranches();
        try
        {
            using var lease = _stream.EnterForCleanup();
            aclmdlRI model;
            if (aclmdlRICaptureEnd(_stream.Native(lease), &model) == 0 && !model.IsNull)
                aclmdlRIDestroy(model);
        }
        catch (ObjectDisposedException)
        {
            // The stream handle is already gone: nothing native left to end.
        }
        FinishCapture(State.Failed, $"The capture was abandoned: {reason}.");
        NpuMetrics.CaptureFailures.Add(1);
    }

    /// <summary>
    /// Ends the branch captures still open when the capture ends without them (Dispose, a failed EndCapture), innermost
    /// first, and releases their streams; disposing such a branch scope afterwards does nothing.
    /// </summary>
    private unsafe void AbandonBranches()
    {
        NpuGraphBranch[] open;
        lock (_lock)
        {
            if (_branches.Count == 0) return;
            open = _branches.ToArray();   // innermost first
            _branches.Clear();
        }
        foreach (var branch in open)
        {
            if (!branch.MarkEnded()) continue;
            try
            {
                using var lease = branch.Stream.EnterForCleanup();
                _ = aclmdlRICaptureEnd(branch.Stream.Native(lease), null);   // a child's end takes no output (9.1)
            }
            catch (ObjectDisposedException)
            {
                // The branch stream is gone already.
            }
            ReleaseBranchStream(branch.Stream);
        }
    }

    internal void Note(NpuGraphOperation operation)
    {
        lock (_lock)
        {
            if (_state != State.Capturing) return;
            operation.Index = _operations.Count;
            operation.TaskGroup = _openGroup?.Name;
            _operations.Add(operation);
            if (_openGroup is not null) _openGroup.Operations.Add(operation);
        }
    }

    /// <summary>
    /// An SDK operation failed while this graph was capturing: the graph would lack it, so the
    /// capture is poisoned and EndCapture fails (as CANN does when a submission fails).
    /// </summary>
    internal void NoteFailure(Exception failure)
    {
        lock (_lock)
        {
            if (_state == State.Capturing) _poisonedBy ??= failure;
        }
    }

    internal void KeepAlive(GCHandle state)
    {
        lock (_lock) _keepAlive.Add(state);
    }

    internal void AddJoined(NpuStream stream)
    {
        // A stream that waits on an event recorded on a built graph's stream is not bound: its work runs, it joins nothing.
        if (_built) return;
        lock (_lock)
        {
            if (!_joined.Contains(stream)) _joined.Add(stream);
        }
        stream.EnterCapture(this);
        _pool.Pool.BeginAllocateTo(stream);
    }

    /// <summary>
    /// Runs <paramref name="body"/> eagerly <paramref name="warmup"/> times (so lazy initialisation and
    /// allocations happen outside the capture), waits, then captures one more run and returns the graph.
    /// The body therefore runs <paramref name="warmup"/> + 1 times: tensors it allocates during the
    /// warm-up runs are ordinary eager tensors (check <see cref="NpuStream.IsCapturing"/> to tell the
    /// runs apart, and dispose warm-up outputs).
    /// </summary>
    public static NpuGraph Capture(NpuStream stream, Action<NpuStream> body, int warmup = 1,
        CaptureMode mode = CaptureMode.Global, NpuGraphPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        for (int i = 0; i < warmup; i++) body(stream);
        if (warmup > 0) stream.Synchronize();
        var graph = stream.BeginCapture(mode, pool);
        try
        {
            body(stream);
            graph.EndCapture();
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Switches the calling thread's capture mode (<c>aclmdlRICaptureThreadExchangeMode</c>) until the
    /// returned scope is disposed: e.g. <c>using (NpuGraph.ExchangeThreadCaptureMode(CaptureMode.Relaxed))</c>
    /// lets this thread make synchronous calls while another thread captures in Global mode.
    /// </summary>
    public static unsafe CaptureModeScope ExchangeThreadCaptureMode(CaptureMode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a CaptureMode.");
        var native = (aclmdlRICaptureMode)(uint)mode;
        AclCheck.Check(aclmdlRICaptureThreadExchangeMode(&native), nameof(aclmdlRICaptureThreadExchangeMode));
        var previous = (CaptureMode)(int)native;
        var scopes = t_modeScopes ??= new List<(CaptureMode, CaptureMode?, long)>();
        long token = ++t_modeScopeTokens;
        scopes.Add((previous, NpuStream.t_threadCaptureMode, token));
        NpuStream.t_threadCaptureMode = mode;
        return new CaptureModeScope(previous, scopes.Count - 1, token);
    }

    [ThreadStatic] private static List<(CaptureMode Native, CaptureMode? Managed, long Token)>? t_modeScopes;
    [ThreadStatic] private static long t_modeScopeTokens;

    /// <summary>
    /// Ends the scope at <paramref name="depth"/>: the thread gets back the mode it had before that
    /// scope, and scopes opened inside it end too (so disposing out of order never leaves the thread
    /// in a weaker mode). A scope already ended that way, or disposed on another thread, does nothing.
    /// </summary>
    internal static unsafe void EndCaptureModeScope(int depth, long token)
    {
        var scopes = t_modeScopes;
        if (scopes is null || depth >= scopes.Count || scopes[depth].Token != token) return;
        var (native, managed, _) = scopes[depth];
        scopes.RemoveRange(depth, scopes.Count - depth);
        var mode = (aclmdlRICaptureMode)(uint)native;
        aclmdlRICaptureThreadExchangeMode(&mode);
        NpuStream.t_threadCaptureMode = managed;
    }

    /// <summary>The calling thread's capture mode as set through <see cref="ExchangeThreadCaptureMode"/> (Global by default).</summary>
    public static CaptureMode ThreadCaptureMode => NpuStream.t_threadCaptureMode ?? CaptureMode.Global;
}
