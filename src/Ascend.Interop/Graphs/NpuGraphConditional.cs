namespace Ascend.Interop;

/// <summary>
/// A conditional node with several branches (IF with an else, SWITCH): capture each with
/// <see cref="BeginBranch"/>, one at a time. From <see cref="NpuGraph.AddIfElse"/> or <see cref="NpuGraph.AddSwitch"/>.
/// </summary>
public sealed class NpuGraphConditional
{
    private readonly NpuGraph _graph;
    private readonly Native.aclmdlRI[] _children;
    private readonly bool[] _captured;

    internal NpuGraphConditional(NpuGraph graph, NpuGraphConditionalKind kind, NpuGraphCondition condition, Native.aclmdlRI[] children)
    {
        _graph = graph;
        Kind = kind;
        Condition = condition;
        _children = children;
        _captured = new bool[children.Length];
    }

    /// <summary>The kind of the node.</summary>
    public NpuGraphConditionalKind Kind { get; }

    /// <summary>The condition of the node.</summary>
    public NpuGraphCondition Condition { get; }

    /// <summary>The number of branches.</summary>
    public int BranchCount => _children.Length;

    /// <summary>Begins capturing branch <paramref name="index"/> (each branch once; a branch never captured runs nothing).</summary>
    public NpuGraphBranch BeginBranch(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _children.Length);
        lock (_captured)
        {
            if (_captured[index]) throw new InvalidOperationException($"Branch {index} of this {Kind} node was already captured.");
            _captured[index] = true;
        }
        return _graph.BeginBranch(Kind, Condition, index, _children[index]);
    }
}
