using System.Runtime.InteropServices;

namespace Ascend.Interop;

public sealed partial class NpuStream
{
    private NpuGraph? _activeCapture;
    private NpuGraph.UpdateSession? _activeUpdate;

    /// <summary>The graph this stream is recording into (its own capture, or one it joined through an event).</summary>
    internal NpuGraph? ActiveCapture
    {
        get => Volatile.Read(ref _activeCapture);
        set => Volatile.Write(ref _activeCapture, value);
    }

    /// <summary>A task-group update being re-issued on this stream, if any.</summary>
    internal NpuGraph.UpdateSession? ActiveUpdate
    {
        get => Volatile.Read(ref _activeUpdate);
        set => Volatile.Write(ref _activeUpdate, value);
    }

    private NpuGraph.StuckTaskUpdate? _stuckUpdate;

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
    public NpuGraph? CapturingGraph => ActiveCapture;

    /// <summary>
    /// Starts capturing this stream's work into a new graph. Dispose the graph (a <c>using</c>) to
    /// end any unfinished capture and leave the stream usable; call <see cref="NpuGraph.EndCapture"/>
    /// to finish it.
    /// </summary>
    /// <param name="mode">How strictly unsafe (synchronous) calls are refused during the capture.</param>
    /// <param name="pool">A pool shared with other graphs; by default the graph gets a private one.</param>
    public NpuGraph BeginCapture(CaptureMode mode = CaptureMode.Global, NpuGraphPool? pool = null) =>
        NpuGraph.Begin(this, mode, pool);

    /// <summary>True when operations on this stream are being recorded for a graph's description.</summary>
    internal bool IsRecordingOperations => ActiveCapture is not null || ActiveUpdate is not null;

    /// <summary>Records an SDK operation (for <see cref="NpuGraph.Describe"/>, and the count check of updates).</summary>
    internal void NoteOperation(NpuGraphOperation operation)
    {
        if (ActiveUpdate is { } update) update.Note(operation);
        else ActiveCapture?.Note(operation);
    }

    private void ThrowIfCapturing(string operation, int code)
    {
        _ = code;
        if (ActiveCapture is { } graph) throw NpuCaptureException.StreamCaptured(operation, this, graph);
    }

    private void OnCallbackLaunched(GCHandle state)
    {
        // A callback captured into a graph runs at every replay: the graph keeps its state alive.
        if (ActiveCapture is { } graph) graph.KeepAlive(state);
    }

    private void OnDisposing()
    {
        if (ActiveCapture is { } graph) graph.AbandonCapture($"{this} was disposed while capturing");
    }
}
