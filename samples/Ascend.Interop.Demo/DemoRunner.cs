using System.Diagnostics;
using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>
/// The demo's core: builds the MLP, captures one graph per batch size twice (private pools, then one shared
/// pool) through <see cref="NpuGraphCache{TKey}"/>, checks graph == eager, times eager steps against replays,
/// and writes the graph picture, JSON dump and table. Used by Program and, in-process, by the tests.
/// </summary>
internal sealed class DemoRunner(DemoOptions options, IAnsiConsole console)
{
    private const int WarmupSteps = 5;

    public DemoReport Run()
    {
        using var session = DemoSession.Open(options);
        var runtime = session.Runtime;
        var device = session.Device;
        var stream = session.Stream;

        var random = new Random(options.Seed);
        using var model = new Mlp(stream, options.Width, options.Layers, random);
        console.MarkupLine($"[bold]Ascend.Interop graph-mode demo[/] on [green]{Markup.Escape(runtime.Backend.ToString())}[/] " +
                           $"({Markup.Escape(runtime.SocName)}, ACL {runtime.AclVersion})");
        console.MarkupLine($"Model: {Markup.Escape(model.Description)}");
        console.MarkupLine($"Batch sizes {string.Join(", ", options.BatchSizes)}; {options.Iterations} timed steps each, eager and replay.");

        var sizes = options.BatchSizes;
        var inputs = new Dictionary<int, NpuTensor>();
        var privateOutputs = new Dictionary<int, NpuTensor>();
        var sharedOutputs = new Dictionary<int, NpuTensor>();
        var privateBodies = new Dictionary<int, Action<NpuStream>>();
        var sharedBodies = new Dictionary<int, Action<NpuStream>>();
        var warmupOutputs = new List<NpuTensor>();
        var rows = new List<BatchRow>();
        int capacity = Math.Max(12, sizes.Count);
        using var sharedPool = new NpuGraphPool(device);
        var privateCache = new NpuGraphCache<int>(capacity);
        var sharedCache = new NpuGraphCache<int>(capacity);
        try
        {
            // Static input tensor per batch size: the graphs read it, so each step copies its input there first.
            foreach (int b in sizes)
            {
                var input = NpuTensor.Empty(stream, new TensorShape(b, options.Width), NpuDataType.Float32);
                inputs[b] = input;
                input.CopyFrom<float>(stream, Mlp.RandomValues(random, b * options.Width, 1.0f));
                privateBodies[b] = MakeBody(model, input, privateOutputs, warmupOutputs, b);
                sharedBodies[b] = MakeBody(model, input, sharedOutputs, warmupOutputs, b);
            }
            var budgetBefore = device.StreamBudget;

            var captured = new Dictionary<int, (long Private, long SharedGrowth, long SharedAfter, int Streams)>();
            var checks = new Dictionary<int, (double Diff, bool Equal, double SharedDiff, bool SharedEqual)>();
            var timings = new Dictionary<int, (StepTime Eager, StepTime Replay)>();

            Progress.Run(console, progress =>
            {
                var capture = progress.Add("Capturing graphs (private pools, then one shared pool)", 2 * sizes.Count);
                var check = progress.Add("Checking graph output == eager output", sizes.Count);
                var timing = progress.Add($"Timing eager steps vs graph replays ({options.Iterations} each per batch size)",
                    sizes.Count * (long)options.Iterations);

                foreach (int b in sizes)
                {
                    var privateGraph = privateCache.GetOrCapture(stream, b, privateBodies[b]);
                    privateGraph.Name = $"mlp-b{b}-private";
                    capture.Increment();
                    long sharedBefore = sharedPool.ReservedBytes;
                    var sharedGraph = sharedCache.GetOrCapture(stream, b, sharedBodies[b], pool: sharedPool);
                    sharedGraph.Name = $"mlp-b{b}-shared";
                    capture.Increment();
                    DisposeAll(warmupOutputs);
                    captured[b] = (privateGraph.MemoryBytes, sharedPool.ReservedBytes - sharedBefore, sharedPool.ReservedBytes,
                        device.StreamBudget.InUse);
                }
                capture.Done();

                // A fresh input (not the one seen at capture): copied into the static input, then eager vs both graphs.
                foreach (int b in sizes)
                {
                    inputs[b].CopyFrom<float>(stream, Mlp.RandomValues(random, b * options.Width, 1.0f));
                    float[] expected;
                    using (var eagerOut = model.Forward(stream, inputs[b])) expected = eagerOut.ToArray<float>(stream);
                    privateCache.GetOrCapture(stream, b, privateBodies[b]).Replay(stream);
                    float[] fromPrivate = privateOutputs[b].ToArray<float>(stream);
                    sharedCache.GetOrCapture(stream, b, sharedBodies[b], pool: sharedPool).Replay(stream);
                    float[] fromShared = sharedOutputs[b].ToArray<float>(stream);
                    var (diff, equal) = Compare(expected, fromPrivate);
                    var (sharedDiff, sharedEqual) = Compare(expected, fromShared);
                    checks[b] = (diff, equal, sharedDiff, sharedEqual);
                    check.Increment();
                }
                check.Done();

                // Eager steps and replays alternate, so both see the same machine load (other processes, frequency).
                foreach (int b in sizes)
                {
                    var input = inputs[b];
                    var body = privateBodies[b];
                    for (int i = 0; i < WarmupSteps; i++)
                    {
                        model.Forward(stream, input).Dispose();
                        privateCache.GetOrCapture(stream, b, body).Replay(stream);
                    }
                    stream.Synchronize();
                    var eagerTicks = new long[options.Iterations];
                    var replayTicks = new long[options.Iterations];
                    for (int i = 0; i < options.Iterations; i++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        model.Forward(stream, input).Dispose();
                        stream.Synchronize();
                        long t1 = Stopwatch.GetTimestamp();
                        privateCache.GetOrCapture(stream, b, body).Replay(stream);
                        stream.Synchronize();
                        long t2 = Stopwatch.GetTimestamp();
                        eagerTicks[i] = t1 - t0;
                        replayTicks[i] = t2 - t1;
                        timing.Increment();
                    }
                    timings[b] = (StepTime.From(eagerTicks), StepTime.From(replayTicks));
                }
                timing.Done();
            });

            foreach (int b in sizes)
            {
                var (priv, growth, after, streams) = captured[b];
                var (diff, equal, sharedDiff, sharedEqual) = checks[b];
                var (eagerTime, replayTime) = timings[b];
                rows.Add(new BatchRow(b, model.OperatorCount, eagerTime, replayTime, priv, growth, after, streams, diff, equal, sharedDiff, sharedEqual));
            }

            // Pictures and dumps of one graph (the first batch size), and the table.
            int shown = sizes[0];
            session.WriteGraphFiles(privateCache.GetOrCapture(stream, shown, privateBodies[shown]), $"graph-b{shown}");

            var report = new DemoReport
            {
                Backend = runtime.Backend.ToString(),
                SocName = runtime.SocName,
                AclVersion = runtime.AclVersion.ToString(),
                Model = model.Description,
                Iterations = options.Iterations,
                CommandLine = options.CommandLine,
                StartedAt = session.StartedAt,
                Rows = rows,
                PrivatePoolsTotalBytes = privateCache.MemoryBytes,
                SharedPoolBytes = sharedCache.MemoryBytes,
                BudgetBeforeCapture = budgetBefore,
                BudgetWithGraphs = device.StreamBudget,
                PrivateCacheStatistics = privateCache.Statistics,
                SharedCacheStatistics = sharedCache.Statistics,
                PrivateCacheCount = privateCache.Count,
                SharedCacheCount = sharedCache.Count,
                Tolerance = session.IsSimulator ? 0 : 1e-4,
            };
            report = session.Finish(report);
            Print(report, session);
            return report;
        }
        finally
        {
            stream.Synchronize();
            DisposeAll(warmupOutputs);
            foreach (var t in privateOutputs.Values) t.Dispose();
            foreach (var t in sharedOutputs.Values) t.Dispose();
            privateCache.Dispose();
            sharedCache.Dispose();
            foreach (var t in inputs.Values) t.Dispose();
        }
    }

    /// <summary>
    /// The body a cache captures for batch size <paramref name="batch"/>: one forward pass of the static input.
    /// The cache runs it eagerly once (warm-up) and then under capture; the captured run's output is the graph's
    /// static output, the warm-up's is released after the capture.
    /// </summary>
    private static Action<NpuStream> MakeBody(Mlp model, NpuTensor input, Dictionary<int, NpuTensor> outputs, List<NpuTensor> warmups, int batch) =>
        s =>
        {
            var output = model.Forward(s, input);
            if (s.IsCapturing)
            {
                if (outputs.Remove(batch, out var old)) warmups.Add(old);
                outputs[batch] = output;
            }
            else
            {
                warmups.Add(output);
            }
        };

    private void Print(DemoReport report, DemoSession session)
    {
        var table = DemoConsole.ReportTable("[bold]Eager vs captured graph, per batch size[/]", DemoReport.Columns, leftColumns: 1, DemoReport.Caption);
        // Narrow terminals: mean and median on two lines, so the table keeps one line per value.
        bool narrow = console.Profile.Width < 140;
        foreach (var row in report.Rows)
            table.AddRow(report.Cells(row).Select((c, i) => new Text(narrow && i is >= 1 and <= 3 ? c.Replace("/", "\n") : c)).ToArray());
        if (narrow) table.Border(TableBorder.Simple);
        console.Write(table);
        foreach (var line in report.SummaryLines()) console.WriteLine(line);
        session.PrintFiles(console, report);
    }

    /// <summary>Max |a - b| and whether the two arrays are equal bit for bit.</summary>
    internal static (double MaxAbsDiff, bool BitwiseEqual) Compare(float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length) return (double.PositiveInfinity, false);
        double max = 0;
        bool bitwise = true;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i])) bitwise = false;
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > max) max = d;
        }
        return (max, bitwise);
    }

    private static void DisposeAll(List<NpuTensor> tensors)
    {
        foreach (var t in tensors) t.Dispose();
        tensors.Clear();
    }
}
