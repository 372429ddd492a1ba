using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A set of operations inside a captured graph whose arguments can be changed later with
/// <see cref="NpuGraph.Update"/>, without capturing again.
/// </summary>
public sealed class NpuTaskGroup
{
    internal NpuTaskGroup(NpuGraph graph, string name)
    {
        Graph = graph;
        Name = name;
    }

    /// <summary>The graph the group belongs to.</summary>
    public NpuGraph Graph { get; }

    /// <summary>The group's name (for diagnostics).</summary>
    public string Name { get; }

    /// <summary>The raw <c>aclrtTaskGrp</c>.</summary>
    public aclrtTaskGrp Handle { get; internal set; }

    /// <summary>The operations in the group, in order.</summary>
    internal List<NpuGraphOperation> Operations { get; } = new();

    /// <summary>Number of operations in the group.</summary>
    public int OperationCount => Operations.Count;

    /// <summary>How many updates have been applied (each one <c>aclmdlRICaptureTaskUpdateBegin/End</c> pair).</summary>
    public int UpdateCount { get; internal set; }

    /// <summary>
    /// How many updates re-issued exactly the host arguments the group already held (from its capture or its last
    /// applied update) and so made no runtime call at all (<see cref="NpuGraph.Update"/>).
    /// </summary>
    public int SkippedUpdateCount { get; internal set; }

    /// <summary>
    /// How many re-issued operations the validating dry pass of <see cref="NpuGraph.Update"/> did not send to the
    /// runtime's phase 1 because the group had already seen exactly those arguments pass it.
    /// </summary>
    public int CachedValidationCount { get; internal set; }

    /// <summary>The signatures of the operations the group holds now (from the capture, then from each applied update).</summary>
    internal SignatureList Held { get; } = new();

    /// <summary>Per operation, the last signature that passed the runtime's phase 1 (a dry pass answers it from here).</summary>
    internal SignatureList Validated { get; } = new();

    /// <summary>1 while an update of the group runs (<see cref="NpuGraph.Update"/> admits one at a time).</summary>
    internal int Updating;

    private NpuGraph.UpdateSession? _drySession, _session;

    /// <summary>The stream a failed update may have left in task-update mode for this group (see <see cref="NpuGraph.Update"/>), or null.</summary>
    internal NpuStream? StuckOn { get; set; }

    /// <summary>The group's reusable dry or real update session, reset for a new pass (call only while <see cref="Updating"/>).</summary>
    internal NpuGraph.UpdateSession Session(NpuGraph graph, bool dryRun)
    {
        ref var slot = ref dryRun ? ref _drySession : ref _session;
        slot ??= new NpuGraph.UpdateSession(graph, this, dryRun);
        slot.Reset();
        return slot;
    }

    /// <inheritdoc />
    public override string ToString() => $"task group '{Name}' ({OperationCount} operations, {UpdateCount} updates)";
}
