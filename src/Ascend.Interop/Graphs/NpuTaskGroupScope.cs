namespace Ascend.Interop;

/// <summary>The scope of a task group being captured; disposing it ends the group.</summary>
public sealed class NpuTaskGroupScope : IDisposable
{
    private readonly NpuGraph _graph;
    private bool _ended;

    internal NpuTaskGroupScope(NpuGraph graph, NpuTaskGroup group)
    {
        _graph = graph;
        Group = group;
    }

    /// <summary>The group; its handle is valid once the scope has ended.</summary>
    public NpuTaskGroup Group { get; }

    /// <summary>Ends the group.</summary>
    public void Dispose()
    {
        if (_ended) return;
        _ended = true;
        _graph.EndTaskGroup(Group);
    }
}
