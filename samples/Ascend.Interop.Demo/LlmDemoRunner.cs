using System.Diagnostics;
using Ascend.Interop.Llm;
using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>
/// The main job: the LLaMA-style decoder generates tokens for a few prompts per batch size, eagerly and in three graph
/// modes (decode steps captured per bucket into one shared pool; step: every layer's attention task group updated
/// before each replay; window: attention over window-rounded lengths through a device mask, updated only at window
/// boundaries; loop, when the runtime has conditional nodes: up to K steps per launch inside a WHILE node, no update),
/// checks the tokens are identical, and reports per bucket the host submission time per token of each mode and the
/// updates each issued, the step time, and for the mode shown (<c>--decode-mode</c>) the capture time, graph memory
/// against the KV cache (the same buckets also captured with private pools to show what sharing saves) and the
/// streams held.
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
        bool loopAvailable = runtime.Features.ConditionalNodes;
        var demoMode = options.ResolveDecodeMode(loopAvailable, runtime.Features.ToString());
        var shownMode = demoMode switch
        {
            DemoDecodeMode.Step => DecodeMode.Graph,
            DemoDecodeMode.Loop => DecodeMode.Loop,
            _ => DecodeMode.Window,
        };
        string shownName = demoMode.ToString().ToLowerInvariant();
        console.MarkupLine($"Batches of {string.Join(", ", batches)} sequences; {options.Tokens} tokens each, eager, with per-step updates, with window W = {options.Window}" +
                           (loopAvailable ? $" and in loop mode (K = {LlmEngine.DefaultLoopSteps})" : " (no loop mode: the runtime has no conditional graph nodes)") +
                           $"; decode mode shown: {shownName}.");

        var budgetStart = device.StreamBudget;
        var loadClock = Stopwatch.StartNew();
        using var model = new LlmModel(stream, config, LlmWeights.Create(config));
        var loadTime = loadClock.Elapsed;
        var budgetBefore = device.StreamBudget;
        using var engine = new LlmEngine(model, LlmEngine.DefaultBuckets.Where(b => b <= config.MaxBatch), attentionWindow: options.Window);
        using var privateEngine = new LlmEngine(model, LlmEngine.DefaultBuckets.Where(b => b <= config.MaxBatch), sharePool: false, attentionWindow: options.Window);
        NpuGraphBuckets BucketsOf(LlmEngine e) => shownMode switch
        {
            DecodeMode.Graph => e.Buckets,
            DecodeMode.Loop => e.LoopBuckets,
            _ => e.WindowBuckets,
        };
        var shownBuckets = BucketsOf(engine);
        var privateBuckets = BucketsOf(privateEngine);

        var rows = new List<LlmBucketRow>();
        var samples = new List<string>();
        var random = new Random(config.Seed + 1);
        Progress.Run(console, progress =>
        {
            var phase = progress.Add(loopAvailable ? "Generating (eager, per-step updates, window, loop) per batch" : "Generating (eager, per-step updates, window) per batch", batches.Count);
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
                GenerationResult? loop = null;
                if (loopAvailable)
                {
                    // Captured first, so that every launch is timed (with few tokens a generation is one launch).
                    engine.CaptureBucket(engine.LoopBuckets.Select(batch).Size, DecodeMode.Loop);
                    loop = engine.Generate(prompts, options.Tokens, DecodeMode.Loop);
                }
                long sharedAfter = engine.Buckets.MemoryBytes;
                long privateBefore = privateBuckets.MemoryBytes;
                privateEngine.CaptureBucket(bucket, shownMode);
                long privateBytes = privateBuckets.MemoryBytes - privateBefore;
                var info = shownBuckets.Buckets.Single(b => b.Size == bucket);
                bool Same(GenerationResult r) => eager.Tokens.Zip(r.Tokens).All(p => p.First.AsSpan().SequenceEqual(p.Second));
                var timed = graph.Steps.Where(s => !s.Captured).ToArray();
                var windowTimed = window.Steps.Where(s => !s.Captured).ToArray();
                var loopTimed = loop is null ? [] : loop.Steps.Where(s => !s.Captured && s.Steps > 0).ToArray();
                rows.Add(new LlmBucketRow(
                    bucket, batch, eager.Steps.Count,
                    StepTime.From(eager.Steps.Select(s => s.SubmitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.SubmitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.UpdateTicks).ToArray()),
                    StepTime.From(eager.Steps.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    StepTime.From(timed.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    info.CaptureTime, info.WarmupTime, info.CapturePeakBytes, privateBytes, sharedAfter - sharedBefore,
                    device.StreamBudget.InUse, Same(graph) && Same(window) && (loop is null || Same(loop)))
                {
                    WindowSubmit = StepTime.From(windowTimed.Select(s => s.SubmitTicks).ToArray()),
                    WindowStep = StepTime.From(windowTimed.Select(s => s.SubmitTicks + s.WaitTicks).ToArray()),
                    StepUpdates = graph.Updates,
                    WindowUpdates = window.Updates,
                    LoopAvailable = loop is not null,
                    // Per token: each launch's time divided by the steps it ran.
                    LoopSubmit = StepTime.From(loopTimed.Select(s => s.SubmitTicks / s.Steps).ToArray()),
                    LoopStep = StepTime.From(loopTimed.Select(s => (s.SubmitTicks + s.WaitTicks) / s.Steps).ToArray()),
                    LoopUpdates = loop?.Updates ?? 0,
                    LoopLaunches = loop?.Steps.Count ?? 0,
                });
                samples.Add($"batch {batch}: sequence 0 prompt [{string.Join(' ', prompts[0])}] -> eager [{string.Join(' ', eager.Tokens[0])}], " +
                            $"step [{string.Join(' ', graph.Tokens[0])}], window [{string.Join(' ', window.Tokens[0])}]" +
                            (loop is null ? "" : $", loop [{string.Join(' ', loop.Tokens[0])}]"));
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
            LoopSteps = loopAvailable ? LlmEngine.DefaultLoopSteps : 0,
            ShownMode = shownMode switch
            {
                DecodeMode.Graph => "step",
                DecodeMode.Loop => $"loop (K = {LlmEngine.DefaultLoopSteps})",
                _ => $"window (W = {options.Window})",
            },
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
        string loop = report.LoopSteps > 0 ? $" vs loop (K = {report.LoopSteps})" : "";
        var table = DemoConsole.ReportTable($"[bold]LLM decode steps: eager vs per-step updates vs window (W = {report.Window}){loop}, per batch bucket[/]", LlmDemoReport.Columns,
            leftColumns: 2, LlmDemoReport.Caption);
        if (console.Profile.Width < 160) table.Border(TableBorder.Simple);
        foreach (var row in report.Rows) table.AddRow(report.Cells(row).Select(c => new Text(c)).ToArray());
        console.Write(table);
        foreach (var line in report.SummaryLines()) console.WriteLine(line);
        foreach (var line in report.Samples) console.WriteLine("  " + line);
        session.PrintFiles(console, report);
    }
}
