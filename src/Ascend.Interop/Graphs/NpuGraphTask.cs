using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A task of a captured graph as the runtime reports it (<c>aclmdlRIGetTasksByStream</c>, <c>aclmdlRITaskGetType</c>,
/// <c>aclmdlRITaskGetSeqId</c>, <c>aclmdlRITaskGetParams</c>), joined with the SDK operation it came from.
/// Read from <see cref="NpuGraph.Tasks"/>; edit with <see cref="Disable"/> and apply with <see cref="NpuGraph.ApplyEdits"/>.
/// </summary>
public sealed class NpuGraphTask
{
    private readonly NpuGraph _graph;

    internal NpuGraphTask(NpuGraph graph, nint handle, int streamIndex, int index, NpuGraphTaskType type, uint? sequenceId,
        NpuKernelTaskParameters? kernel)
    {
        _graph = graph;
        Handle = (aclmdlRITask)handle;
        StreamIndex = streamIndex;
        Index = index;
        Type = type;
        SequenceId = sequenceId;
        Kernel = kernel;
    }

    /// <summary>The runtime's task handle (a raw pointer CANN never validates: valid while the graph lives).</summary>
    public aclmdlRITask Handle { get; }

    /// <summary>The graph stream the task is on (<see cref="NpuGraph.Streams"/>).</summary>
    public int StreamIndex { get; }

    /// <summary>Position on its stream, from 0.</summary>
    public int Index { get; }

    /// <summary>The task's type.</summary>
    public NpuGraphTaskType Type { get; }

    /// <summary>The capture sequence id (<c>aclmdlRITaskGetSeqId</c>).</summary>
    public uint? SequenceId { get; }

    /// <summary>Kernel parameters and attributes (kernel tasks only).</summary>
    public NpuKernelTaskParameters? Kernel { get; }

    /// <summary>The SDK operation this kernel task came from (null for other tasks, or when the match was not one to one).</summary>
    public NpuGraphOperation? Operation { get; internal set; }

    /// <summary>The SDK task group of <see cref="Operation"/>, if any.</summary>
    public string? TaskGroup => Operation?.TaskGroup;

    /// <summary>True once a <see cref="Disable"/> was applied: replays skip the task.</summary>
    public bool IsDisabled { get; internal set; }

    /// <summary>True between <see cref="Disable"/> and <see cref="NpuGraph.ApplyEdits"/>.</summary>
    public bool IsDisablePending { get; internal set; }

    /// <summary>The graph the task belongs to.</summary>
    public NpuGraph Graph => _graph;

    /// <summary>
    /// Stages disabling the task (<c>aclmdlRITaskDisable</c>): the graph becomes <see cref="NpuGraphState.Updating"/> and
    /// cannot be replayed until <see cref="NpuGraph.ApplyEdits"/>, after which every replay skips the task. CANN has no
    /// way to enable it again. Waits for the graph's queued replays first (the runtime refuses to edit a running graph).
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    /// <exception cref="NpuCaptureException">A DEFAULT task (copies, fills, runtime-internal work: 107000), or the graph is FAULT (107040).</exception>
    public void Disable() => _graph.DisableTask(this);

    /// <summary>
    /// Stages new kernel parameters (<c>aclmdlRITaskSetParams</c> with a host copy of <paramref name="parameters"/>'
    /// argument block): the graph becomes <see cref="NpuGraphState.Updating"/> until <see cref="NpuGraph.ApplyEdits"/>.
    /// Dangerous: the SDK cannot tell what a kernel's argument block means, so addresses in it must name device memory
    /// the graph keeps alive, of the sizes the kernel expects. A refused edit leaves the graph
    /// <see cref="NpuGraphState.Fault"/> for good (CANN's rule).
    /// </summary>
    public void DangerousSetKernelParameters(NpuKernelTaskParameters parameters) => _graph.SetKernelParameters(this, parameters);

    /// <inheritdoc />
    public override string ToString() =>
        $"task {StreamIndex}.{Index}{(SequenceId is { } s ? $" seq {s}" : "")} {Type}" +
        (Operation is null ? "" : $" <- #{Operation.Index} {Operation.Name}") +
        (TaskGroup is null ? "" : $" [group {TaskGroup}]") +
        (IsDisabled ? " (disabled)" : IsDisablePending ? " (disable pending)" : "");
}
