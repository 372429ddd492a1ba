namespace Ascend.Interop;

/// <summary>
/// The capture scope of one branch (a child graph) of a conditional node: submit the branch's work to
/// <see cref="Stream"/>, then dispose the scope to end the branch. At replay the branch runs on the
/// replaying stream, in the graph's order. Created by <see cref="NpuGraph.BeginIf"/>,
/// <see cref="NpuGraph.BeginWhile"/> or <see cref="NpuGraphConditional.BeginBranch"/>.
/// </summary>
public sealed class NpuGraphBranch : IDisposable
{
    private readonly NpuGraph _graph;
    private int _ended;

    internal NpuGraphBranch(NpuGraph graph, NpuGraphConditionalKind kind, NpuGraphCondition condition, int index, NpuStream stream)
    {
        _graph = graph;
        Kind = kind;
        Condition = condition;
        Index = index;
        Stream = stream;
    }

    /// <summary>The kind of the conditional node.</summary>
    public NpuGraphConditionalKind Kind { get; }

    /// <summary>The condition of the node.</summary>
    public NpuGraphCondition Condition { get; }

    /// <summary>The branch index (IF: 0 = then, 1 = else; SWITCH: the value; WHILE: 0).</summary>
    public int Index { get; }

    /// <summary>The stream the branch is captured on: submit the branch's work here.</summary>
    public NpuStream Stream { get; }

    /// <summary>True once the branch was ended.</summary>
    public bool IsEnded => _ended != 0;

    internal bool MarkEnded() => Interlocked.Exchange(ref _ended, 1) == 0;

    /// <summary>Ends the branch's capture (<c>aclmdlRICaptureEnd</c> on <see cref="Stream"/>).</summary>
    public void Dispose() => _graph.EndBranch(this);
}
