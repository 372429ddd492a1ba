namespace Ascend.Interop;

/// <summary>One buffer an operation in a graph reads or writes.</summary>
/// <param name="Address">Device address of the first byte the operation touches.</param>
/// <param name="Bytes">Extent in bytes (of the tensor's storage view).</param>
/// <param name="Shape">Tensor shape, or empty for a plain buffer.</param>
/// <param name="DataType">Element type, or null for a plain buffer.</param>
public sealed record NpuGraphBuffer(nint Address, long Bytes, long[] Shape, NpuDataType? DataType)
{
    /// <summary>"float32[8, 256] @0x…" style text.</summary>
    public override string ToString() =>
        DataType is { } t
            ? $"{t.ToString().ToLowerInvariant()}[{string.Join(", ", Shape)}] @0x{Address:x}"
            : $"{Bytes} bytes @0x{Address:x}";
}

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
