using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// The capture protocol, in one place: every piece of stream work is submitted through Submit, which records it into
// the capture the stream belongs to, skips it in a task-group update's dry pass (and compares it with the group),
// poisons the capture when it fails, refuses what a capture forbids, rents its workspace from the pool the stream
// allocates from, and keeps the buffer-use books. The synchronous calls of the SDK ask the same rules here.
public sealed partial class NpuStream
{
    // ---- process-wide registry of captures in progress (for the unsafe-call rules) ----------------
    private static readonly Lock s_capturesLock = new();
    private static readonly List<NpuGraph> s_captures = new();
    private static int s_captureCount;

    /// <summary>The calling thread's capture mode as set by <see cref="NpuGraph.ExchangeThreadCaptureMode"/> (null: Global).</summary>
    [ThreadStatic] internal static CaptureMode? t_threadCaptureMode;

    private NpuGraph? _activeCapture;
    private NpuGraph.UpdateSession? _activeUpdate;
    private NpuGraph.StuckTaskUpdate? _stuckUpdate;
    private DeviceMemoryPool? _allocationPool;   // set while a graph has this stream allocate from its pool

    /// <summary>The graph this stream is recording into (its own capture, or one it joined through an event).</summary>
    internal NpuGraph? ActiveCapture => Volatile.Read(ref _activeCapture);

    /// <summary>A task-group update being re-issued on this stream, if any.</summary>
    internal NpuGraph.UpdateSession? ActiveUpdate => Volatile.Read(ref _activeUpdate);

    /// <summary>
    /// Set when <c>aclmdlRICaptureTaskUpdateEnd</c> failed on this stream for no reason the SDK saw: the runtime may
    /// still hold it in task-update mode, so updates and captures on it are refused until it is disposed (or the
    /// graph is disposed, which ends the update first).
    /// </summary>
    internal NpuGraph.StuckTaskUpdate? StuckUpdate
    {
        get => Volatile.Read(ref _stuckUpdate);
        set => Volatile.Write(ref _stuckUpdate, value);
    }

    /// <summary>True while work submitted to this stream is recorded into a graph instead of running.</summary>
    public bool IsCapturing => ActiveCapture is not null;

    /// <summary>
    /// The graph this stream's work is being recorded into (its own capture, or one it joined through an
    /// event), or null. Lets code that is handed only a stream, such as a body passed to
    /// <see cref="NpuGraph.Capture"/> or <see cref="NpuGraphBuckets"/>, open task groups with
    /// <see cref="NpuGraph.BeginTaskGroup"/>.
    /// </summary>
    public NpuGraph? CapturingGraph => ActiveCapture is { IsBuilt: false } graph ? graph : null;

    /// <summary>
    /// Starts capturing this stream's work into a new graph. Dispose the graph (a <c>using</c>) to
    /// end any unfinished capture and leave the stream usable; call <see cref="NpuGraph.EndCapture"/>
    /// to finish it.
    /// </summary>
    /// <param name="mode">How strictly unsafe (synchronous) calls are refused during the capture.</param>
    /// <param name="pool">A pool shared with other graphs; by default the graph gets a private one.</param>
    public NpuGraph BeginCapture(CaptureMode mode = CaptureMode.Global, NpuGraphPool? pool = null) =>
        NpuGraph.Begin(this, mode, pool);

    /// <summary>
    /// The pool every SDK allocation for work on this stream comes from (tensors, operator workspaces): the device's
    /// pool, or a pool told to serve the stream (a graph's pool while the stream captures into or updates the graph:
    /// the graph tells the pool at BeginCapture and stops it at EndCapture, like PyTorch's <c>beginAllocateToPool</c>).
    /// </summary>
    internal DeviceMemoryPool AllocationPool => Volatile.Read(ref _allocationPool) ?? DevicePool();

    /// <summary>The graph this stream's allocations belong to now: the capture it records into, or the graph it updates.</summary>
    internal NpuGraph? RecordingGraph => ActiveCapture ?? ActiveUpdate?.Graph;

    /// <summary>The pool serving this stream instead of the device's, if any.</summary>
    internal DeviceMemoryPool? AllocationPoolOverride => Volatile.Read(ref _allocationPool);

    private DeviceMemoryPool DevicePool()
    {
        if (Device.IsDisposed)
            throw new ObjectDisposedException(nameof(NpuDevice),
                $"NPU device {Device.Id} was disposed, and with it its memory pool: {this} can still run and synchronize queued work but cannot allocate. Keep the NpuDevice open while you allocate on its streams.");
        return Device.MemoryPool;
    }

    // ---- the graph layer switches the stream's mode ------------------------------------------------

    /// <summary>Set by a pool that serves this stream's allocations (<see cref="DeviceMemoryPool.BeginAllocateTo"/>); null: the device's pool.</summary>
    internal void AllocateFrom(DeviceMemoryPool? pool) => Volatile.Write(ref _allocationPool, pool);

    /// <summary>The stream records into <paramref name="graph"/> (its own capture, or a join).</summary>
    internal void EnterCapture(NpuGraph graph) => Volatile.Write(ref _activeCapture, graph);

    /// <summary>Ends <paramref name="graph"/>'s hold on the stream (no-op when the stream belongs to another capture).</summary>
    internal bool LeaveCapture(NpuGraph graph) => ReferenceEquals(Interlocked.CompareExchange(ref _activeCapture, null, graph), graph);

    /// <summary>The stream re-issues a task group of a graph until <see cref="LeaveUpdate"/>.</summary>
    internal void EnterUpdate(NpuGraph.UpdateSession session) => Volatile.Write(ref _activeUpdate, session);

    internal void LeaveUpdate() => Volatile.Write(ref _activeUpdate, null);

    internal static void RegisterCapture(NpuGraph graph)
    {
        lock (s_capturesLock)
        {
            s_captures.Add(graph);
            s_captureCount++;
        }
    }

    internal static void UnregisterCapture(NpuGraph graph)
    {
        lock (s_capturesLock)
        {
            if (s_captures.Remove(graph)) s_captureCount--;
        }
    }

    // ---- the entry point ---------------------------------------------------------------------------

    /// <summary>
    /// Submits <paramref name="work"/> to this stream: the one way work reaches the device. Refuses what the stream's
    /// capture (or another thread's) forbids, runs the work's preparation and launch under the stream's lease with a
    /// workspace from <see cref="AllocationPool"/>, then records it into the capture (or the task-group update) the
    /// stream belongs to, or keeps the books of an eager submission. A failed submission poisons the capture. Whenever
    /// the work is not launched, its <see cref="IStreamWork.Abandon"/> runs.
    /// </summary>
    internal void Submit<TWork>(scoped ref TWork work) where TWork : IStreamWork, allows ref struct
    {
        var capture = ActiveCapture;
        var update = ActiveUpdate;
        bool recording = capture is not null || update is not null;
        if (TWork.Kind == StreamWorkKind.PageableCopy || (recording && (TWork.Kind != StreamWorkKind.Task || capture is { IsBuildClosed: true })))
        {
            if (Refusal(TWork.Kind, work.Operation, capture, update) is { } refused)
            {
                work.Abandon();
                throw refused;
            }
        }
        if (!recording && IsRecorded(TWork.Kind)) NoteEagerUses(ref work);
        var thread = ThreadBorrows.Current;
        HandleLease lease;
        try
        {
            lease = Enter(thread);
        }
        catch
        {
            work.Abandon();
            throw;
        }
        Exception? failure;
        try
        {
            var native = Native(lease);
            int code = work.Prepare(new StreamLaunch(native, thread, 0, 0), out ulong workspaceBytes);
            if (code != 0)
            {
                failure = work.Failure(code, StreamWorkPhase.Prepare);
            }
            else
            {
                if (update is not null && IsRecorded(TWork.Kind) && SkipInUpdate(ref work, update)) return;
                PoolBlock workspace = workspaceBytes == 0 ? default : RentWorkspace(ref work, workspaceBytes);
                code = work.Launch(new StreamLaunch(native, thread, workspace.Pointer, workspaceBytes));
                // The runtime's message is read before any other native call can replace it.
                failure = code == 0 ? null : work.Failure(code, StreamWorkPhase.Launch);
                if (!workspace.IsEmpty)
                {
                    // A captured (or re-issued) task keeps its workspace address: the graph's scratch from now on.
                    if (recording) (capture ?? update!.Graph).NoteScratch(workspace.Pointer, workspace.Length);
                    // Stream-ordered: only work queued on this stream after the launch can reuse the workspace.
                    workspace.Pool!.Return(this, workspace);
                }
            }
        }
        finally
        {
            lease.Dispose();
        }
        if (failure is not null) throw Failed(failure, capture);
        if (recording) Recorded(ref work, capture, update);
        else Eager(ref work);
    }

    /// <summary>
    /// Before an eager submission: refuses to read a graph output that another graph of its shared pool has
    /// overwritten since, and records the streams other than its allocation stream that use a tensor's memory (the
    /// pool reuses it only after their work is done).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteEagerUses<TWork>(scoped ref TWork work) where TWork : IStreamWork, allows ref struct
    {
        int count = work.BufferCount;
        for (int i = 0; i < count; i++)
        {
            var use = work.Buffer(i);
            if (use.Tensor is not { } tensor) continue;
            var storage = tensor.Storage;
            if (storage.OverwrittenBy is { } overwriter && use.Reads) throw Overwritten(work.Operation, tensor, overwriter);
            storage.NoteUse(this);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException Overwritten(string operation, NpuTensor tensor, NpuGraph overwriter) => new(
        $"{operation}: {tensor} is an output of {tensor.Storage.AllocatedFor} held in a shared NpuGraphPool, and {overwriter} was replayed since " +
        $"that graph last was: {overwriter} was captured into the same pool earlier and uses this memory for its intermediates, so the output was " +
        "overwritten. Read (or copy out) a graph's outputs before replaying another graph of its pool, replay the graph again, or give the graphs private pools.");

    /// <summary>Throws what <see cref="Submit{TWork}"/> would refuse for this kind of work now (a check before other work is queued for it).</summary>
    internal void CheckRefusal(StreamWorkKind kind, string operation)
    {
        if (Refusal(kind, operation, ActiveCapture, ActiveUpdate) is { } refused) throw refused;
    }

    private static bool IsRecorded(StreamWorkKind kind) =>
        kind is StreamWorkKind.Task or StreamWorkKind.PageableCopy or StreamWorkKind.Collective;

    /// <summary>What the capture (or update) this stream belongs to, or another thread's capture, forbids of this kind of work.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Exception? Refusal(StreamWorkKind kind, string operation, NpuGraph? capture, NpuGraph.UpdateSession? update)
    {
        if (capture is { IsBuilt: true } && capture.BuiltStreamRefusal(kind, operation, this) is { } bound) return bound;
        switch (kind)
        {
            case StreamWorkKind.PageableCopy:
                if (capture is not null)
                    return new NpuCaptureException(ACL_ERROR_RT_PARAM_INVALID, nameof(aclrtMemcpyAsync), operation,
                        "managed (pageable) host memory cannot be copied on a capturing stream: the graph would keep an address that is gone at replay. " +
                        "Copy inputs into a static tensor before the capture, or use EnqueueCopyFrom/EnqueueCopyTo with a PinnedBuffer<T>.", capture.Mode);
                return UnsafeCallRefusal(operation + " (a pageable copy, which the runtime performs synchronously)", Device.Id, ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC);
            case StreamWorkKind.Collective when update is not null:
                return new InvalidOperationException($"{operation}: collectives cannot be re-issued in a task-group update; capture them outside task groups.");
            case StreamWorkKind.GraphLaunch when capture is not null:
                return new NpuCaptureException(ACL_ERROR_RT_STREAM_CAPTURED, nameof(aclmdlRIExecuteAsync), operation,
                    $"{this} is capturing; a graph cannot be replayed on a capturing stream.", capture.Mode);
            default:
                return null;
        }
    }

    /// <summary>
    /// A task-group update checks every re-issued piece of work against the group before the runtime sees it; its
    /// first pass is dry (nothing launched). True when the work is not to be launched.
    /// </summary>
    private static bool SkipInUpdate<TWork>(scoped ref TWork work, NpuGraph.UpdateSession update) where TWork : IStreamWork, allows ref struct
    {
        if (!update.Accepts(work.Function, out var mismatch))
        {
            work.Abandon();
            throw mismatch;
        }
        if (!update.DryRun) return false;
        work.Abandon();
        update.Note(work.Function);
        return true;
    }

    private PoolBlock RentWorkspace<TWork>(scoped ref TWork work, ulong bytes) where TWork : IStreamWork, allows ref struct
    {
        try
        {
            return AllocationPool.Rent(this, (long)bytes);
        }
        catch
        {
            // Nothing reached the runtime: the capture (if any) stays consistent.
            work.Abandon();
            throw;
        }
    }

    /// <summary>
    /// A submission failed. While capturing, the graph would lack the work, so the capture is poisoned and EndCapture
    /// fails (as CANN invalidates a capture whose submission failed).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Exception Failed(Exception failure, NpuGraph? capture)
    {
        capture?.NoteFailure(failure);
        return failure;
    }

    /// <summary>After a launch while capturing or updating: the capture records it, the update notes it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Recorded<TWork>(scoped ref TWork work, NpuGraph? capture, NpuGraph.UpdateSession? update) where TWork : IStreamWork, allows ref struct
    {
        switch (TWork.Kind)
        {
            case StreamWorkKind.Task or StreamWorkKind.PageableCopy or StreamWorkKind.Collective:
                if (update is not null)
                {
                    update.Note(work.Function);   // an update compares names only: nothing to describe
                    Hold(ref work, update.Graph);
                    return;
                }
                capture!.Note(Describe(ref work));
                Hold(ref work, capture);
                return;
            case StreamWorkKind.EventRecord:
                ((NpuEvent)work.Subject!).CapturedIn = capture;
                return;
            case StreamWorkKind.EventWait:
                Joined((NpuEvent)work.Subject!, capture);
                return;
            case StreamWorkKind.HostCallback:
                // A callback captured into a graph runs at every replay: the graph keeps its state alive.
                if (capture is not null) capture.KeepAlive(GCHandle.FromIntPtr(((HostCallback)work.Subject!).Handle));
                return;
        }
    }

    /// <summary>After an eager launch: the books of the work's buffers and of the objects it touched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Eager<TWork>(scoped ref TWork work) where TWork : IStreamWork, allows ref struct
    {
        switch (TWork.Kind)
        {
            case StreamWorkKind.EventRecord:
                ((NpuEvent)work.Subject!).CapturedIn = null;
                return;
            case StreamWorkKind.EventWait:
                Joined((NpuEvent)work.Subject!, null);
                return;
            case StreamWorkKind.GraphLaunch:
                NpuMetrics.Replays.Add(1);
                return;
        }
    }

    /// <summary>A graph holds every buffer its recorded (or re-issued) work reads or writes until it is disposed.</summary>
    private static void Hold<TWork>(scoped ref TWork work, NpuGraph graph) where TWork : IStreamWork, allows ref struct
    {
        for (int i = 0; i < work.BufferCount; i++)
        {
            var use = work.Buffer(i);
            if (use.Tensor is { } tensor) graph.Hold(tensor.Storage);
            else if (use.Owner is { } owner) graph.Hold(owner);
        }
    }

    /// <summary>Waiting on an event recorded inside a capture makes this stream join that capture.</summary>
    private void Joined(NpuEvent evt, NpuGraph? capture)
    {
        if (capture is null && evt.CapturedIn is { IsCapturing: true } graph) graph.AddJoined(this);
    }

    private NpuGraphOperation Describe<TWork>(scoped ref TWork work) where TWork : IStreamWork, allows ref struct
    {
        var read = new List<NpuGraphBuffer>();
        var written = new List<NpuGraphBuffer>();
        for (int i = 0; i < work.BufferCount; i++)
        {
            var use = work.Buffer(i);
            if (use.IsNone) continue;
            var description = use.Describe();
            if (use.Reads) read.Add(description);
            if (use.Writes) written.Add(description);
        }
        return new NpuGraphOperation(work.Function, read, written) { Stream = ToString() };
    }

    // ---- the rules asked by synchronous calls -------------------------------------------------------

    /// <summary>
    /// Refuses a host wait on (or query of) a capturing stream before <paramref name="function"/> is called, with the
    /// code CANN gives for it (107027).
    /// </summary>
    private void ThrowIfCapturing(string operation, string function)
    {
        if (ActiveCapture is { } graph) throw NpuCaptureException.StreamCaptured(operation, function, this, graph);
    }

    /// <summary>Refuses a host wait on, query or timing of an event recorded inside a capture still in progress (CANN: 107028).</summary>
    internal static void ThrowIfCapturedRecord(NpuEvent evt, string operation)
    {
        if (evt.CapturedIn is { } graph && graph.IsCapturing)
            throw NpuCaptureException.EventCaptured(operation, evt, graph);
    }

    /// <summary>
    /// Refuses a synchronous (unsafe) call that an active capture forbids, before it reaches the
    /// runtime: Global captures forbid it on every thread (of the device), ThreadLocal ones on the
    /// capturing thread, Relaxed ones nowhere; a thread switched to Relaxed may always make it.
    /// </summary>
    internal static void CheckUnsafeCall(string operation, int deviceId, int code = ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT)
    {
        if (Volatile.Read(ref s_captureCount) == 0) return;
        if (UnsafeCallRefusal(operation, deviceId, code) is { } refused) throw refused;
    }

    private static NpuCaptureException? UnsafeCallRefusal(string operation, int deviceId, int code)
    {
        if (Volatile.Read(ref s_captureCount) == 0) return null;
        var threadMode = t_threadCaptureMode ?? CaptureMode.Global;
        if (threadMode == CaptureMode.Relaxed) return null;
        int thread = Environment.CurrentManagedThreadId;
        lock (s_capturesLock)
        {
            foreach (var graph in s_captures)
            {
                if (graph.Mode == CaptureMode.Relaxed) continue;
                bool sameThread = graph.CaptureThread == thread;
                if (sameThread) return NpuCaptureException.UnsafeCall(operation, graph, sameThread: true, code);
                if (graph.Mode == CaptureMode.Global && threadMode == CaptureMode.Global && graph.Device.Id == deviceId)
                    return NpuCaptureException.UnsafeCall(operation, graph, sameThread: false, code);
            }
        }
        return null;
    }

    /// <summary>Synchronizing a whole device waits for its capturing streams too, which CANN refuses (107027).</summary>
    internal static void ThrowIfDeviceCapturing(int deviceId, string operation)
    {
        if (Volatile.Read(ref s_captureCount) == 0) return;
        lock (s_capturesLock)
        {
            foreach (var graph in s_captures)
                if (graph.Device.Id == deviceId)
                    throw new NpuCaptureException(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtSynchronizeDevice", operation,
                        $"{graph.CaptureStream} of this device is capturing; the device cannot be synchronized until the capture ends (synchronize the other streams one by one).",
                        graph.Mode);
        }
    }

    private void OnDisposing()
    {
        if (ActiveCapture is { IsBuilt: true } built) built.BoundStreamDisposing(this);
        else if (ActiveCapture is { } graph) graph.AbandonCapture($"{this} was disposed while capturing");
    }
}
