using System.Diagnostics;
using Ascend.Interop.Llm;
using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>
/// The main job: the LLaMA-style decoder generates tokens for a few prompts per batch size, eagerly and in two graph
/// modes (decode steps captured per bucket into one shared pool; step: every layer's attention task group updated
/// before each replay; window: attention over window-rounded lengths through a device mask, updated only at window
/// boundaries), checks the tokens are identical, and reports per bucket the host submission time per decode step of
/// each mode and the updates each issued, the step time, and for the mode shown (<c>--decode-mode</c>) the capture
/// time, graph memory against the KV cache (the same buckets also captured with private pools to show what sharing
/// saves) and the streams held.
/// </summary>
internal sealed class LlmDemoRunner(DemoOptions options, IAnsiConsole console)
{
    public LlmDemoReport Run()
    {
        using var session = DemoSession.Open(options);
        var runtime = session.Runtime;
        var device = session.Device;
        var stream = session.Stream;

        var config = options.LlmConfig;
        var batches = options.EffectiveBatchSizes;
        console.MarkupLine($"[bold]Ascend.Interop graph-mode demo: LLM decoding[/] on [green]{Markup.Escape(runtime.Backend.ToString())}[/] " +
                           $"({Markup.Escape(runtime.SocName)}, ACL {runtime.AclVersion})");
        console.MarkupLine($"Model: {Markup.Escape(config.ToString())}");
        var shownMode = options.DecodeMode == DemoDecodeMode.Step ? DecodeMode.Graph : DecodeMode.Window;
        console.MarkupLine($"Batches of {string.Join(", ", batches)} sequences; {options.Tokens} tokens each, eager, with per-step updates and with window W = {options.Window}; " +
                           $"decode mode shown: {(shownMode == DecodeMode.Graph ? "step" : "window")}.");

        var budgetStart = device.StreamBudget;
        var loadClock = Stopwatch.StartNew();
        using var model = new LlmModel(stream, config, LlmWeights.Create(config));
        var loadTime = loadClock.Elapsed;
        var budgetBefore = device.StreamBudget;
        using var engine = new LlmEngine(model, LlmEngine.DefaultBuckets.Where(b => b <= config.MaxBatch), attentionWindow: options.Window);
        using var privateEngine = new LlmEngine(model, LlmEngine.DefaultBuckets.Where(b => b <= config.MaxBatch), sharePool: false, attentionWindow: options.Window);
        var shownBuckets = shownMode == DecodeMode.Graph ? engine.Buckets : engine.WindowBuckets;
        var privateBuckets = shownMode == DecodeMode.Graph ? privateEngine.Buckets : privateEngine.WindowBuckets;

        var rows = new List<LlmBucketRow>();
        var samples = new List<string>();
        var random = new Random(config.Seed + 1);
        Progress.Run(console, progress =>
        {
            var phase = progress.Add("Generating (eager, per-step updates, window) per batch", batches.Count);
            foreach (int batch in batches)
            {
                var prompts = new int[batch][];
                for (int i = 0; i < batch; i++)
                {
                    prompts[i] = new int[random.Next(3, 9)];
                    for (int t = 0; t < prompts[i].Length; t++) prompts[i][t] = random.Next(config.Vocab);
                }
                int bucket = shownBuckets.Select(batch).Size;
                long sharedBefore = engine.Buckets.MemoryBytes;    // one pool: both modes' buckets capture into it
                var eager = engine.Generate(prompts, options.Tokens, DecodeMode.Eager);
                var graph = engine.Generate(prompts, options.Tokens, DecodeMode.Graph);
                var window = engine.Generate(prompts, options.Tokens, DecodeMode.Window);
                long sharedAfter = engine.Buckets.MemoryBytes;
                long privateBefore = privateBuckets.MemoryBytes;
                privateEngine.CaptureBucket(bucket, shownMode);
                long privateBytes = privateBuckets.MemoryBytes - privateBefore;
                var info = shownBuckets.Buckets.Single(b => b.Size == bucket);
                bool Same(GenerationResult r) => eager.Tokens.Zip(r.Tokens).All(p => p.First.AsSpan().SequenceEqual(p.Second));
                var timed = graph.Steps.Where(s => !s.Captured).ToArray();
                var windowTimed = window.Steps.Where(s => !s.Captured).ToArray();
                rows.Add(new LlmBucketRow(
                    bucket, batch, eager.Steps.Count,
                    StepTime.From(eager.Steps.Select(s => s.SubmitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.SubmitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.UpdateTicks).ToArray()),
                    StepTime.From(eager.Steps.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    info.CaptureTime, info.WarmupTime, info.CapturePeakBytes, privateBytes, sharedAfter - sharedBefore,
                    device.StreamBudget.InUse, Same(graph) && Same(window))
                {
                    WindowSubmit = StepTime.From(windowTimed.Select(s => s.SubmitTicks).ToArray()),
                    WindowStep = StepTime.From(windowTimed.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    StepUpdates = graph.Updates,
                    WindowUpdates = window.Updates,
                });
                samples.Add($"batch {batch}: sequence 0 prompt [{string.Join(' ', prompts[0])}] -> eager [{string.Join(' ', eager.Tokens[0])}], " +
                            $"step [{string.Join(' ', graph.Tokens[0])}], window [{string.Join(' ', window.Tokens[0])}]");
                phase.Increment();
            }
            phase.Done();
        });

        int shown = shownBuckets.Select(batches[0]).Size;
        shownBuckets.TryGet(shown, out var shownGraph);
        session.WriteGraphFiles(shownGraph, $"decode-b{shown}");

        var report = new LlmDemoReport
        {
            Backend = runtime.Backend.ToString(),
            SocName = runtime.SocName,
            AclVersion = runtime.AclVersion.ToString(),
            Model = config.ToString(),
            OperatorsPerStep = model.OperatorsPerStep,
            Tokens = options.Tokens,
            Window = options.Window,
            ShownMode = shownMode == DecodeMode.Graph ? "step" : $"window (W = {options.Window})",
            CommandLine = options.CommandLine,
            StartedAt = session.StartedAt,
            Rows = rows,
            SharedPoolBytes = engine.Buckets.MemoryBytes,
            PrivatePoolsBytes = privateBuckets.MemoryBytes,
            KvCacheBytes = model.KvCacheBytes,
            WeightBytes = model.WeightBytes,
            StaticBufferBytes = model.StaticBufferBytes,
            StreamsBeforeModel = budgetStart,
            StreamsBeforeGraphs = budgetBefore,
            StreamsWithGraphs = device.StreamBudget,
            Statistics = shownBuckets.Statistics,
            LoadTime = loadTime,
            Samples = samples,
        };
        report = session.Finish(report);
        Print(report, session);
        return report;
    }

    private void Print(LlmDemoReport report, DemoSession session)
    {
        var table = DemoConsole.ReportTable($"[bold]LLM decode steps: eager vs per-step updates vs window (W = {report.Window}), per batch bucket[/]", LlmDemoReport.Columns,
            leftColumns: 2, LlmDemoReport.Caption);
        if (console.Profile.Width < 160) table.Border(TableBorder.Simple);
        foreach (var row in report.Rows) table.AddRow(report.Cells(row).Select(c => new Text(c)).ToArray());
        console.Write(table);
        foreach (var line in report.SummaryLines()) console.WriteLine(line);
        foreach (var line in report.Samples) console.WriteLine("  " + line);
        session.PrintFiles(console, report);
    }
}
