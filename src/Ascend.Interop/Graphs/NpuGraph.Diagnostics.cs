using System.Text;
using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Diagnostics: the runtime's JSON dump, a text description and a Graphviz rendering of the recorded operations.
public sealed partial class NpuGraph
{
    /// <summary>
    /// Writes the runtime's JSON description of the graph (<c>aclmdlRIDebugJsonPrint</c>) to <paramref name="path"/>; with
    /// introspection (CANN 9.1.0) the SDK adds an "ascend_interop" member listing every task and the operator it came from.
    /// </summary>
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
        AnnotateDump(full);
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
        text.Append($"graph{(_name is null ? "" : $" '{_name}'")}: {operations.Length} operation(s), {(_built ? "built on persistent streams" : $"{Mode} capture")}, {StateText(state)}");
        text.Append($", memory {MemoryBytes} bytes in a {(_ownsPool ? "private" : "shared")} pool (own {OwnMemoryBytes}, capture peak {CapturePeakBytes}, retained {CaptureRetainedBytes})");
        text.AppendLine();
        foreach (var op in operations) text.Append("  ").AppendLine(op.ToString());
        text.Append(DescribeTasks());
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
        var taskLabels = TaskLabels();
        foreach (var op in operations)
        {
            string label = $"#{op.Index} {op.Name}";
            if (taskLabels.TryGetValue(op.Index, out var taskLabel)) label += "\\n" + taskLabel;
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
}
