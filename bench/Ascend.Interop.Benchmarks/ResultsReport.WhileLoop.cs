using System.Globalization;
using System.Text;

namespace Ascend.Interop.Benchmarks;

public static partial class ResultsReport
{
    /// <summary>
    /// The WHILE-loop rows (WhileLoopBenchmarks.cs against bench/native/while_bench.cpp): C# against C++ per row, the
    /// K-replays / WHILE ratios of each side, managed bytes per step. Returns the targets measured and missed.
    /// </summary>
    public static int WhileLoopTables(StringBuilder sb, IReadOnlyDictionary<string, Measurement> cs, IReadOnlyDictionary<string, Measurement> cpp)
    {
        var inv = CultureInfo.InvariantCulture;
        int miss = 0;
        const int K = WhileLoopBenchmarkBodies.Steps;
        sb.AppendLine($"WHILE loop of K = {K} steps in one launch against K replays of the one-step graph; one step = Mul + Add on " +
                      $"{WhileLoopBenchmarkBodies.Elements:N0} floats, counter + 1, counter < K written into the condition word through its tensor view " +
                      $"(replays: a scratch int64) ({WhileLoopBenchmarkBodies.StepTasks} tasks). Times are per step (an invocation divided by K); " +
                      "enqueue rows: 16 invocations queued per timed batch, the stream drained untimed.");
        sb.AppendLine();
        sb.AppendLine("| WHILE-loop benchmark (per step) | C# (SDK) | C++ | C#/C++ | C# allocated/step |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        void Row(string label, string name)
        {
            cs.TryGetValue(name, out var c);
            cpp.TryGetValue(name, out var n);
            double? ratio = c is not null && n is not null ? c.MedianNs / n.MedianNs : null;
            string bytes = c?.AllocatedBytes is long b ? b.ToString(inv) + " B" : "";
            sb.AppendLine($"| {label} | {Time(c?.MedianNs)} | {Time(n?.MedianNs)} | {Ratio(ratio)} | {bytes} |");
        }
        Row("K replays of the step graph, enqueue only", "ReplayLoopEnqueue");
        Row("One WHILE launch of K steps, enqueue only", "WhileLoopEnqueue");
        Row("K replays of the step graph + wait", "ReplayLoopStep");
        Row("One WHILE launch of K steps + wait", "WhileLoopStep");
        sb.AppendLine();

        sb.AppendLine("| WHILE-loop comparison | Value | Target | Met |");
        sb.AppendLine("|---|---:|---|---|");
        void Derived(string label, double? value, string format, string target, Func<double, bool>? ok) =>
            miss += DerivedRow(sb, label, value, format, target, ok);
        Derived("Host submission per step, K replays / WHILE launch, C#", Div(cs, "ReplayLoopEnqueue", "WhileLoopEnqueue"), "0.0'x'", "", null);
        Derived("Host submission per step, K replays / WHILE launch, C++", Div(cpp, "ReplayLoopEnqueue", "WhileLoopEnqueue"), "0.0'x'", "", null);
        Derived("Step with the wait, K replays / WHILE launch, C#", Div(cs, "ReplayLoopStep", "WhileLoopStep"), "0.00'x'", "", null);
        Derived("Step with the wait, K replays / WHILE launch, C++", Div(cpp, "ReplayLoopStep", "WhileLoopStep"), "0.00'x'", "", null);
        foreach (var (label, name) in new[]
                 {
                     ("Managed bytes per step, K replays, enqueue (ReplayLoopEnqueue)", "ReplayLoopEnqueue"),
                     ("Managed bytes per step, WHILE launch, enqueue (WhileLoopEnqueue)", "WhileLoopEnqueue"),
                     ("Managed bytes per step, K replays + wait (ReplayLoopStep)", "ReplayLoopStep"),
                     ("Managed bytes per step, WHILE launch + wait (WhileLoopStep)", "WhileLoopStep"),
                 })
        {
            long? bytes = cs.TryGetValue(name, out var m) ? m.AllocatedBytes : null;
            Derived(label, bytes, "0", "0", v => v == 0);
        }
        sb.AppendLine();
        return miss;
    }
}
