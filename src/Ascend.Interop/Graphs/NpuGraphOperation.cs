namespace Ascend.Interop;

/// <summary>An operation the SDK submitted while capturing (or re-issued in a task-group update).</summary>
/// <param name="Name">Operator or API, e.g. "aclnnMatmul", "aclrtMemcpyAsync".</param>
/// <param name="Inputs">Buffers read.</param>
/// <param name="Outputs">Buffers written.</param>
public sealed record NpuGraphOperation(string Name, IReadOnlyList<NpuGraphBuffer> Inputs, IReadOnlyList<NpuGraphBuffer> Outputs)
{
    /// <summary>Position in the graph, from 0.</summary>
    public int Index { get; internal set; }

    /// <summary>The task group the operation belongs to, if any.</summary>
    public string? TaskGroup { get; internal set; }

    /// <summary>The stream it was captured on (the origin or a joined stream).</summary>
    public string Stream { get; internal set; } = string.Empty;

    /// <summary>One line: index, name, inputs -> outputs, group.</summary>
    public override string ToString() =>
        $"#{Index} {Name}({string.Join(", ", Inputs)}) -> {string.Join(", ", Outputs)}" + (TaskGroup is null ? "" : $" [group {TaskGroup}]");
}
