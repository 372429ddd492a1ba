using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// A captured graph (CANN <c>aclmdlRI</c>): work recorded once on a stream and replayed with one
/// launch. Created by <see cref="NpuStream.BeginCapture"/>; always use it in a <c>using</c>:
/// <code>
/// using var graph = stream.BeginCapture();
/// Ops.MatMul(stream, x, w, h);
/// Ops.Relu(stream, h, y);
/// graph.EndCapture();
/// graph.Replay();
/// </code>
/// If an exception leaves the block while capturing, <see cref="Dispose"/> ends and discards the
/// capture and the stream is usable again.
/// </summary>
public sealed partial class NpuGraph : IDisposable
{
    private enum State { Capturing, Captured, Failed, Disposed }

    private readonly Lock _lock = new();
    private readonly NpuStream _stream;
    private readonly NpuGraphPool _pool;
    private readonly bool _ownsPool;
    private readonly int _captureThread;
    private readonly List<NpuGraphOperation> _operations = new();
    private readonly List<NpuTaskGroup> _groups = new();
    private readonly List<GCHandle> _keepAlive = new();
    private readonly List<NpuStream> _joined = new();
    private readonly List<ReplayStream> _replayStreams = new();
    private readonly List<NpuStream> _stuckStreams = new();  // update streams whose TaskUpdateEnd failed (see StuckTaskUpdate)
    private State _state;
    private string _failure = string.Empty;
    private ModelHandle? _model;
    private NpuTaskGroup? _openGroup;
    private string? _name;
    private long _replays;
    private NpuEvent? _updateDone;
    private int _updateGeneration;
    private long _inUseAtBegin;
    private ReplayStream? _lastReplayStream;  // the replay fast path's cache (set under _lock)
    private Exception? _poisonedBy;  // first SDK operation that failed during the capture

    private NpuGraph(NpuStream stream, CaptureMode mode, NpuGraphPool pool, bool ownsPool)
    {
        _stream = stream;
        Mode = mode;
        _pool = pool;
        _ownsPool = ownsPool;
        _captureThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>The capture mode.</summary>
    public CaptureMode Mode { get; }

    /// <summary>The managed thread that began the capture (the unsafe-call rules and EndCapture's thread check).</summary>
    internal int CaptureThread => _captureThread;

    /// <summary>The captured model (null until EndCapture succeeded).</summary>
    internal ModelHandle? Model => _model;

    /// <summary>The stream the capture began on (replays default to it).</summary>
    public NpuStream CaptureStream => _stream;

    /// <summary>The device of the graph.</summary>
    public NpuDevice Device => _stream.Device;

    /// <summary>The pool that holds the graph's memory (private unless one was passed to BeginCapture).</summary>
    public NpuGraphPool Pool => _pool;

    /// <summary>True when the graph owns a private pool.</summary>
    public bool HasPrivatePool => _ownsPool;

    /// <summary>
    /// Device memory of the graph's pool: its private pool's bytes, or for a shared pool the whole
    /// pool's bytes (the same figure for every graph of the pool; see <see cref="OwnMemoryBytes"/>).
    /// </summary>
    public long MemoryBytes => _pool.ReservedBytes;

    /// <summary>
    /// Device memory this graph itself accounts for. With a private pool, the whole pool
    /// (<see cref="MemoryBytes"/>: the graph alone pays for its segments). With a shared pool,
    /// <see cref="CapturePeakBytes"/>: what the graph needs of the pool (its intermediates, workspaces
    /// and retained outputs at their peak), which the pool keeps for it while it lives; so three graphs
    /// sharing one pool report their own figures, not the pool's total three times.
    /// </summary>
    public long OwnMemoryBytes => _ownsPool ? _pool.ReservedBytes : CapturePeakBytes;

    /// <summary>
    /// The most pool memory the capture had handed out at once, above what the pool had in use when
    /// the capture began: what this graph needs, independent of the pool's segment granularity.
    /// </summary>
    public long CapturePeakBytes { get; private set; }

    /// <summary>
    /// Pool memory still handed out when the capture ended (the graph's outputs and any buffers the
    /// captured code did not dispose), above what the pool had in use when the capture began.
    /// </summary>
    public long CaptureRetainedBytes { get; private set; }

    /// <summary>True between BeginCapture and EndCapture.</summary>
    public bool IsCapturing
    {
        get { lock (_lock) return _state == State.Capturing; }
    }

    /// <summary>True once EndCapture succeeded and until Dispose: the graph can be replayed.</summary>
    public bool IsReady
    {
        get { lock (_lock) return _state == State.Captured; }
    }

    /// <summary>Number of replays queued so far.</summary>
    public long ReplayCount => Interlocked.Read(ref _replays);

    /// <summary>The operations the SDK recorded, in capture order.</summary>
    public IReadOnlyList<NpuGraphOperation> Operations
    {
        get { lock (_lock) return _operations.ToArray(); }
    }

    /// <summary>The task groups defined during capture.</summary>
    public IReadOnlyList<NpuTaskGroup> TaskGroups
    {
        get { lock (_lock) return _groups.ToArray(); }
    }

    /// <summary>A name for diagnostics (also given to the runtime with <c>aclmdlRISetName</c> once captured).</summary>
    public unsafe string? Name
    {
        get => _name;
        set
        {
            _name = value;
            if (value is not null && IsReady) ApplyName(value);
        }
    }

    /// <summary>The raw <c>aclmdlRI</c> (0 until captured); keep the graph alive while using it.</summary>
    public nint Handle => _model?.DangerousGetHandle() ?? 0;

    // ---- capture ------------------------------------------------------------------------------------

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
        pool ??= new NpuGraphPool(stream.Device);
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
        if (_stream.LeaveCapture(this)) _pool.Pool.EndAllocateTo(_stream);
        foreach (var joined in _joined)
            if (joined.LeaveCapture(this)) _pool.Pool.EndAllocateTo(joined);
        if (state == State.Failed)
        {
            _stream.Device.State.GraphReleased();
            FreeKeepAlive();
            ReleaseHolds();
            ReleasePool();
        }
    }

    /// <summary>Ends a capture that cannot finish normally (stream disposed, exception in a using block).</summary>
    internal unsafe void AbandonCapture(string reason)
    {
        lock (_lock)
        {
            if (_state != State.Capturing) return;
        }
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
        lock (_lock)
        {
            if (!_joined.Contains(stream)) _joined.Add(stream);
        }
        stream.EnterCapture(this);
        _pool.Pool.BeginAllocateTo(stream);
    }

    // ---- task groups and updates --------------------------------------------------------------------

    /// <summary>
    /// Starts a task group: the operations issued until the scope is disposed can later be re-issued
    /// with new arguments by <see cref="Update"/>, without capturing again.
    /// </summary>
    public NpuTaskGroupScope BeginTaskGroup(string? name = null)
    {
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, "BeginTaskGroup");
            if (_openGroup is not null)
                throw new InvalidOperationException($"Task group '{_openGroup.Name}' is still open; task groups do not nest.");
        }
        using (var lease = _stream.Enter())
        {
            AclCheck.Check(aclmdlRICaptureTaskGrpBegin(_stream.Native(lease)), nameof(aclmdlRICaptureTaskGrpBegin));
        }
        lock (_lock)
        {
            _openGroup = new NpuTaskGroup(this, name ?? $"group{_groups.Count}");
            return new NpuTaskGroupScope(this, _openGroup);
        }
    }

    internal unsafe void EndTaskGroup(NpuTaskGroup group)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_openGroup, group)) return;
        }
        aclrtTaskGrp handle;
        int code;
        using (var lease = _stream.Enter())
        {
            code = aclmdlRICaptureTaskGrpEnd(_stream.Native(lease), &handle);
        }
        lock (_lock)
        {
            _openGroup = null;
            if (code == 0)
            {
                group.Handle = (nint)handle;
                _groups.Add(group);
            }
        }
        AclCheck.Check(code, nameof(aclmdlRICaptureTaskGrpEnd), $"ending task group '{group.Name}'");
    }

    /// <summary>
    /// Re-issues the operations of <paramref name="group"/> with new arguments: <paramref name="reissue"/>
    /// must submit the same operations (same count and kinds, same order) on the stream it is given.
    /// It runs twice: first dry (operations are validated and compared with the group, nothing is
    /// launched), then for real; so keep it deterministic and free of other side effects.
    /// The update runs on <paramref name="updateStream"/> after every replay queued before this call,
    /// and every later replay waits for it, so an update never overtakes, nor is overtaken by, a replay.
    /// In loops, prefer the overload that passes state to a static body: it allocates nothing.
    /// </summary>
    /// <exception cref="NpuCaptureException">The re-issued operations differ from the group's (107033); the group is unchanged.</exception>
    public void Update(NpuTaskGroup group, NpuStream updateStream, Action<NpuStream> reissue)
    {
        ArgumentNullException.ThrowIfNull(reissue);
        Update(group, updateStream, reissue, static (stream, body) => body(stream));
    }

    /// <summary>
    /// <see cref="Update(NpuTaskGroup, NpuStream, Action{NpuStream})"/> with the body's arguments passed as
    /// <paramref name="state"/>, so a static lambda needs no closure: a steady-state update then allocates
    /// nothing on the managed heap, e.g.
    /// <c>graph.Update(group, updateStream, (model, lengths), static (s, st) => st.model.Reissue(s, st.lengths))</c>.
    /// </summary>
    /// <typeparam name="TState">The body's state (a struct avoids boxing).</typeparam>
    /// <param name="group">A task group of this graph.</param>
    /// <param name="updateStream">A stream that is neither capturing nor updating.</param>
    /// <param name="state">Passed to <paramref name="reissue"/>.</param>
    /// <param name="reissue">Submits the group's operations with new arguments on the stream it is given (runs twice).</param>
    /// <exception cref="NpuCaptureException">The re-issued operations differ from the group's (107033); the group is unchanged.</exception>
    public void Update<TState>(NpuTaskGroup group, NpuStream updateStream, TState state, Action<NpuStream, TState> reissue)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(updateStream);
        ArgumentNullException.ThrowIfNull(reissue);
        if (!ReferenceEquals(group.Graph, this))
            throw new ArgumentException($"Task group '{group.Name}' belongs to another graph.", nameof(group));
        lock (_lock)
        {
            // Counted under the lock that Dispose marks the graph under: Dispose waits for every update counted here.
            ThrowIfNotState(State.Captured, "Update");
            Interlocked.Increment(ref _updatesInFlight);
        }
        var outer = t_updating;
        t_updating = this;
        try
        {
            UpdateChecked(group, updateStream, state, reissue);
        }
        finally
        {
            t_updating = outer;
            Interlocked.Decrement(ref _updatesInFlight);
        }
    }

    private void UpdateChecked<TState>(NpuTaskGroup group, NpuStream updateStream, TState state, Action<NpuStream, TState> reissue)
    {
        if (updateStream.Device.Id != Device.Id)
            throw new ArgumentException($"The update stream belongs to NPU device {updateStream.Device.Id}, the graph to device {Device.Id}.", nameof(updateStream));
        if (updateStream.ActiveCapture is not null || updateStream.ActiveUpdate is not null)
            throw new InvalidOperationException($"{updateStream} is capturing or already updating; updates run on a stream that is doing neither.");
        if (updateStream.StuckUpdate is { } stuck) throw stuck.Unusable(updateStream, "NpuGraph.Update");
        if (group.StuckOn is { IsDisposed: false } stuckOn)
            throw new InvalidOperationException(
                $"NpuGraph.Update: task group '{group.Name}' may still be in the unfinished update on {stuckOn} (its aclmdlRICaptureTaskUpdateEnd failed); " +
                "dispose that stream first (destroying it discards the update), then update the group on another stream.");
        // One update of a group at a time (CANN refuses a second TaskUpdateBegin on a group being updated):
        // the group's two sessions are reused by every update, so a steady-state update allocates nothing.
        if (Interlocked.CompareExchange(ref group.Updating, 1, 0) != 0)
            throw new InvalidOperationException($"Task group '{group.Name}' is being updated on another thread; update a group from one thread at a time.");
        try
        {
            UpdateExclusive(group, updateStream, state, reissue);
        }
        finally
        {
            Volatile.Write(ref group.Updating, 0);
        }
    }

    private void UpdateExclusive<TState>(NpuTaskGroup group, NpuStream updateStream, TState state, Action<NpuStream, TState> reissue)
    {
        // Order after every replay queued so far on other streams (the list only grows; read each entry under the lock).
        for (int i = 0; ; i++)
        {
            ReplayStream replayed;
            lock (_lock)
            {
                if (i >= _replayStreams.Count) break;
                replayed = _replayStreams[i];
            }
            if (ReferenceEquals(replayed.Stream, updateStream) || replayed.Stream.IsDisposed) continue;
            // Already ordered: this update stream waits on a marker recorded after every replay queued so far
            // (the decoder's consecutive updates of its layers' groups, one replay per step).
            long replays = Interlocked.Read(ref _replays);
            if (ReferenceEquals(replayed.MarkedFor, updateStream) && replayed.MarkedAtReplay == replays) continue;
            replayed.Marker ??= replayed.Stream.Device.CreateEvent(timing: false);
            replayed.Marker.Record(replayed.Stream);
            updateStream.Wait(replayed.Marker);
            replayed.MarkedFor = updateStream;
            replayed.MarkedAtReplay = replays;
        }

        // Pass 1, dry: the operations are validated and compared with the group, nothing reaches the
        // runtime, so a wrong update leaves the group exactly as it was.
        var dry = group.Session(this, dryRun: true);
        updateStream.EnterUpdate(dry);
        _pool.Pool.BeginAllocateTo(updateStream);
        try
        {
            reissue(updateStream, state);
        }
        finally
        {
            updateStream.LeaveUpdate();
            _pool.Pool.EndAllocateTo(updateStream);
        }
        if (dry.Mismatch(out string mismatch))
            throw new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{mismatch} The group is unchanged; re-issue exactly the group's operations with new arguments.", Mode);

        // Pass 2: the same operations, for real, between TaskUpdateBegin and TaskUpdateEnd.
        var session = group.Session(this, dryRun: false);
        int beginCode;
        using (var lease = updateStream.Enter())
        {
            using var modelLease = new HandleLease(_model!, this);
            beginCode = aclmdlRICaptureTaskUpdateBegin(updateStream.Native(lease), NativeHandle.TaskGroup(group.Handle));
        }
        if (beginCode != 0) AclCheck.Throw(beginCode, nameof(aclmdlRICaptureTaskUpdateBegin), $"updating task group '{group.Name}'");
        updateStream.EnterUpdate(session);
        _pool.Pool.BeginAllocateTo(updateStream);
        int endCode;
        string? endMessage;
        Exception? reissueError = null;
        try
        {
            reissue(updateStream, state);
        }
        catch (Exception e)
        {
            reissueError = e;
        }
        finally
        {
            updateStream.LeaveUpdate();
            _pool.Pool.EndAllocateTo(updateStream);
            using var lease = updateStream.Enter();
            endCode = aclmdlRICaptureTaskUpdateEnd(updateStream.Native(lease));
            endMessage = endCode == 0 ? null : AclCheck.RecentMessage();
        }
        if (reissueError is not null)
        {
            // The body failed on the second pass although the first passed (it is not deterministic,
            // or the runtime failed): the runtime discards an incomplete update.
            throw new InvalidOperationException(
                $"NpuGraph.Update: the update of task group '{group.Name}' failed while being applied; " +
                (endCode == 0 ? "the runtime accepted the operations issued before the failure." : "the runtime discarded it."), reissueError);
        }
        if (session.Mismatch(out mismatch))
            throw new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{mismatch} The update body issued different operations on its second run; keep it deterministic.", Mode, endMessage);
        if (endCode != 0)
        {
            // Nothing the SDK saw explains the failure, so the runtime may have kept the stream in task-update mode
            // (CANN has no call that leaves it without applying the update, and the model cannot be destroyed while a
            // stream updates it). The stream is not used for updates or captures again: destroying it discards the
            // update; Dispose of this graph ends it first so the model is always destroyed.
            updateStream.StuckUpdate = new StuckTaskUpdate(this, group, endCode);
            group.StuckOn = updateStream;
            lock (_lock) _stuckStreams.Add(updateStream);
            throw new NpuCaptureException(endCode, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"the runtime refused the update of task group '{group.Name}'; the group is unchanged. The runtime did not say that {updateStream} " +
                "left task-update mode, so the SDK no longer updates or captures on it: dispose it (destroying a stream discards its unfinished update) " +
                "and update the group on another stream.", Mode, endMessage);
        }

        lock (_lock)
        {
            _updateDone ??= Device.CreateEvent(timing: false);
            _updateDone.Record(updateStream);
            foreach (var replayed in _replayStreams)
                if (ReferenceEquals(replayed.Stream, updateStream)) replayed.WaitedGeneration = _updateGeneration + 1;
            Volatile.Write(ref _updateGeneration, _updateGeneration + 1);
        }
        group.UpdateCount++;
    }

    /// <summary>
    /// A stream whose <c>aclmdlRICaptureTaskUpdateEnd</c> failed for no reason the SDK saw: the runtime may still hold it
    /// in task-update mode for <see cref="Group"/>, so it is refused for updates and captures until disposed.
    /// </summary>
    internal sealed record StuckTaskUpdate(NpuGraph Graph, NpuTaskGroup Group, int Code)
    {
        public InvalidOperationException Unusable(NpuStream stream, string operation) => new(
            $"{operation}: {stream} may still be in the task update of group '{Group.Name}'{(Graph._name is null ? "" : $" of graph '{Graph._name}'")} " +
            $"whose aclmdlRICaptureTaskUpdateEnd failed ({Code}, {AclErrorCodes.NameOf(Code)}); the runtime has no call that leaves update mode " +
            "without applying the update. Dispose this stream (destroying it discards the update; the group stays unchanged) and use another one.");
    }

    /// <summary>
    /// Ends the task updates this graph's failed updates may have left open (before the model is destroyed, which the
    /// runtime refuses while a stream updates it): whatever End applies goes away with the model.
    /// </summary>
    private unsafe void EndStuckUpdates()
    {
        foreach (var stream in _stuckStreams)
        {
            if (stream.StuckUpdate is not { } stuck || !ReferenceEquals(stuck.Graph, this)) continue;
            if (!stream.IsDisposed)
            {
                try
                {
                    using (var lease = stream.EnterForCleanup())
                        _ = aclmdlRICaptureTaskUpdateEnd(stream.Native(lease));   // fails harmlessly when the runtime had left update mode
                    stream.SynchronizeForCleanup();
                }
                catch (ObjectDisposedException) { }
                catch (AclException) { }
            }
            stream.StuckUpdate = null;
            stuck.Group.StuckOn = null;
        }
        _stuckStreams.Clear();
    }

    /// <summary>
    /// The operations re-issued on a stream during <see cref="Update"/>: only their names are kept (the
    /// update's check is on count and kinds). Each task group keeps one dry and one real session and reuses
    /// them (<see cref="NpuTaskGroup.Session"/>), so they allocate only while their name list grows.
    /// </summary>
    internal sealed class UpdateSession(NpuGraph graph, NpuTaskGroup group, bool dryRun)
    {
        private readonly List<string> _reissued = new();
        private int _attempted;

        public NpuGraph Graph { get; } = graph;

        /// <summary>True for the validating pass: operations are checked and recorded, not launched.</summary>
        public bool DryRun { get; } = dryRun;

        /// <summary>Starts a new pass of an update.</summary>
        public void Reset()
        {
            _reissued.Clear();
            _attempted = 0;
        }

        /// <summary>
        /// Checked before each re-issued launch: refuses an operation beyond the group's count or of
        /// another kind than the group has at that position, before the runtime sees it.
        /// </summary>
        public bool Accepts(string name, out NpuCaptureException error)
        {
            var expected = group.Operations;
            int index = _attempted++;
            if (index < expected.Count && expected[index].Name == name)
            {
                error = null!;
                return true;
            }
            string problem = index >= expected.Count
                ? $"The update re-issued more operations than task group '{group.Name}' has ({expected.Count}: {Names(expected)}); {name} would be number {index + 1}."
                : $"Operation {index} of the update is {name} but task group '{group.Name}' has {expected[index].Name} there.";
            error = new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{problem} The group is unchanged; re-issue exactly the group's operations with new arguments.", Graph.Mode);
            return false;
        }

        /// <summary>Records a re-issued operation by name (the submission path calls this instead of building an <see cref="NpuGraphOperation"/>).</summary>
        public void Note(string name) => _reissued.Add(name);

        public bool Mismatch(out string description)
        {
            var expected = group.Operations;
            if (_reissued.Count != expected.Count)
            {
                description = $"The update re-issued {_reissued.Count} operation(s) but task group '{group.Name}' has {expected.Count} ({Names(expected)}).";
                return true;
            }
            for (int i = 0; i < expected.Count; i++)
            {
                if (_reissued[i] != expected[i].Name)
                {
                    description = $"Operation {i} of the update is {_reissued[i]} but task group '{group.Name}' has {expected[i].Name} there.";
                    return true;
                }
            }
            description = string.Empty;
            return false;
        }

        private static string Names(List<NpuGraphOperation> operations) =>
            operations.Count == 0 ? "none" : string.Join(", ", operations.Select(o => o.Name));
    }

    // ---- convenience --------------------------------------------------------------------------------

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

    // ---- diagnostics --------------------------------------------------------------------------------

    /// <summary>Writes the runtime's JSON description of the graph (<c>aclmdlRIDebugJsonPrint</c>) to <paramref name="path"/>.</summary>
    public unsafe void DumpJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfNotReady("DumpJson");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        byte[] bytes = Encoding.UTF8.GetBytes(full + "\0");
        using var lease = _stream.Enter();
        using var modelLease = new HandleLease(_model!, this);
        fixed (byte* p = bytes)
        {
            AclCheck.Check(aclmdlRIDebugJsonPrint(NativeHandle.Model(modelLease.Value), (sbyte*)p, 1), nameof(aclmdlRIDebugJsonPrint),
                $"writing the graph dump to {full}");
        }
    }

    /// <summary>The operations the SDK recorded, one per line, with shapes, dtypes, buffers and task groups.</summary>
    public string Describe()
    {
        NpuGraphOperation[] operations;
        State state;
        lock (_lock)
        {
            operations = _operations.ToArray();
            state = _state;
        }
        var text = new StringBuilder();
        text.Append($"graph{(_name is null ? "" : $" '{_name}'")}: {operations.Length} operation(s), {Mode} capture, {StateText(state)}");
        text.Append($", memory {MemoryBytes} bytes in a {(_ownsPool ? "private" : "shared")} pool (own {OwnMemoryBytes}, capture peak {CapturePeakBytes}, retained {CaptureRetainedBytes})");
        text.AppendLine();
        foreach (var op in operations) text.Append("  ").AppendLine(op.ToString());
        return text.ToString();
    }

    /// <summary>
    /// The graph as a Graphviz DOT picture: one box per operation, an edge where an operation reads
    /// what an earlier one wrote, and an ellipse per external input.
    /// </summary>
    public string ToDot()
    {
        NpuGraphOperation[] operations;
        lock (_lock) operations = _operations.ToArray();
        var dot = new StringBuilder();
        dot.AppendLine($"digraph \"{Escape(_name ?? "graph")}\" {{");
        dot.AppendLine("  rankdir=TB;");
        dot.AppendLine("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];");
        var inputs = new Dictionary<nint, string>();
        var groups = operations.Where(o => o.TaskGroup is not null).GroupBy(o => o.TaskGroup!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var op in operations)
        {
            string label = $"#{op.Index} {op.Name}";
            if (op.Outputs.Count > 0) label += "\\n" + string.Join("\\n", op.Outputs.Select(o => Escape(o.ToString())));
            dot.AppendLine($"  op{op.Index} [label=\"{label}\"];");
        }
        foreach (var (name, members) in groups)
        {
            dot.AppendLine($"  subgraph \"cluster_{Escape(name)}\" {{ label=\"task group {Escape(name)}\"; style=dashed; {string.Join(" ", members.Select(m => $"op{m.Index};"))} }}");
        }
        for (int j = 0; j < operations.Length; j++)
        {
            foreach (var input in operations[j].Inputs)
            {
                int writer = -1;
                for (int i = j - 1; i >= 0 && writer < 0; i--)
                    foreach (var output in operations[i].Outputs)
                        if (Overlaps(output, input)) { writer = i; break; }
                if (writer >= 0)
                {
                    dot.AppendLine($"  op{operations[writer].Index} -> op{operations[j].Index};");
                }
                else
                {
                    if (!inputs.TryGetValue(input.Address, out var node))
                    {
                        node = $"in{inputs.Count}";
                        inputs[input.Address] = node;
                        dot.AppendLine($"  {node} [shape=ellipse, fillcolor=\"#fff7e0\", label=\"{Escape(input.ToString())}\"];");
                    }
                    dot.AppendLine($"  {node} -> op{operations[j].Index};");
                }
            }
        }
        dot.AppendLine("}");
        return dot.ToString();
    }

    private static bool Overlaps(NpuGraphBuffer a, NpuGraphBuffer b) =>
        a.Address < b.Address + (nint)Math.Max(1, b.Bytes) && b.Address < a.Address + (nint)Math.Max(1, a.Bytes);

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    private static string StateText(State state) => state switch
    {
        State.Capturing => "capturing",
        State.Captured => "ready",
        State.Failed => "capture failed",
        _ => "disposed",
    };

    // ---- lifetime -----------------------------------------------------------------------------------

    /// <summary>
    /// Ends an unfinished capture (discarding it) or destroys the captured model after its queued
    /// replays finished, then releases the graph's memory (a shared pool keeps it for its other graphs).
    /// </summary>
    public void Dispose()
    {
        State previous;
        lock (_lock)
        {
            previous = _state;
            if (previous == State.Disposed) return;
        }
        if (ReferenceEquals(t_updating, this))
            throw new InvalidOperationException("NpuGraph.Dispose was called from inside an Update of the same graph; dispose the graph after Update returns.");
        if (previous == State.Capturing) AbandonCapture("the graph was disposed before EndCapture");
        lock (_lock)
        {
            previous = _state;
            _state = State.Disposed;
        }
        if (previous != State.Captured) return; // a failed capture already released everything

        // Updates that began before (another thread between TaskUpdateBegin and End) finish first: the runtime
        // refuses to destroy a model a stream is updating, which would leak the model and its stream.
        var spin = new SpinWait();
        while (Volatile.Read(ref _updatesInFlight) != 0) spin.SpinOnce(sleep1Threshold: 20);

        // Replays that passed their state check before Dispose finish submitting first; later
        // ones are refused by the model borrow (see Replay).
        _model!.CloseAndWaitForBorrowers();

        // Queued replays read the graph's memory: let them finish before it goes.
        bool lostReplayStream = false;
        foreach (var replayed in _replayStreams)
        {
            if (replayed.Stream.IsDisposed)
            {
                lostReplayStream = true;
                continue;
            }
            try { replayed.Stream.SynchronizeForCleanup(); } catch (AclException) { }
        }
        if (lostReplayStream) SynchronizeDeviceForCleanup();
        foreach (var replayed in _replayStreams) replayed.Marker?.Dispose();
        _updateDone?.Dispose();
        EndStuckUpdates();
        _model.Dispose();
        _stream.Device.State.GraphReleased();
        FreeKeepAlive();
        ReleaseHolds();
        ReleasePool();
        // Everything else is released; a model the runtime refused to destroy is reported, never dropped.
        if (_model.ReleaseCode is not 0 and var code)
            throw new AclException(code, nameof(aclmdlRIDestroy), _model.ReleaseMessage,
                $"destroying {(_name is null ? "a graph" : $"graph '{_name}'")} in NpuGraph.Dispose (its memory and stream accounting were released)");
    }

    /// <summary>A stream the graph was replayed on was disposed: wait for the whole device before the graph's memory goes.</summary>
    private void SynchronizeDeviceForCleanup()
    {
        try
        {
            using var lease = new HandleLease(_stream.Context, this);
            _stream.Context.MakeCurrentForRelease();
            _ = aclrtSynchronizeDevice();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    [ThreadStatic] private static NpuGraph? t_updating;
    private int _updatesInFlight;

    private void FreeKeepAlive()
    {
        lock (_lock)
        {
            foreach (var handle in _keepAlive) handle.Free();
            _keepAlive.Clear();
        }
    }

    private void ReleasePool()
    {
        _pool.ReleaseGraph(this);
        if (_ownsPool) _pool.Dispose();
    }

    private unsafe void ApplyName(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name + "\0");
        using var lease = _stream.Enter();
        using var modelLease = new HandleLease(_model!, this);
        fixed (byte* p = bytes)
        {
            AclCheck.Check(aclmdlRISetName(NativeHandle.Model(modelLease.Value), (sbyte*)p), nameof(aclmdlRISetName));
        }
    }

    private void ThrowIfNotReady(string operation)
    {
        lock (_lock) ThrowIfNotState(State.Captured, operation);
    }

    private void ThrowIfNotState(State expected, string operation)
    {
        if (_state == expected) return;
        if (_state == State.Disposed) throw new ObjectDisposedException(nameof(NpuGraph), $"NpuGraph.{operation}: the graph has been disposed.");
        string why = _state switch
        {
            State.Capturing => "the graph is still capturing; call EndCapture first",
            State.Captured => "the capture has already ended",
            State.Failed => $"the capture failed ({_failure})",
            _ => _state.ToString(),
        };
        throw new InvalidOperationException($"NpuGraph.{operation}: {why}.");
    }

    /// <inheritdoc />
    public override string ToString() => $"NpuGraph{(_name is null ? "" : $" '{_name}'")} ({StateText(_state)}, {_operations.Count} operations)";
}

/// <summary>Restores the thread's previous capture mode when disposed.</summary>
public readonly struct CaptureModeScope : IDisposable
{
    private readonly CaptureMode _previous;
    private readonly int _depth;
    private readonly long _token;

    internal CaptureModeScope(CaptureMode previous, int depth, long token)
    {
        _previous = previous;
        _depth = depth;
        _token = token;
    }

    /// <summary>The thread's mode before the exchange.</summary>
    public CaptureMode Previous => _previous;

    /// <summary>
    /// Switches the thread back to <see cref="Previous"/>. Disposing an outer scope first also ends
    /// the scopes opened inside it; disposing twice does nothing.
    /// </summary>
    public void Dispose() => NpuGraph.EndCaptureModeScope(_depth, _token);
}
