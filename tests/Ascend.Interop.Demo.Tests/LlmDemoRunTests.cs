using Ascend.Interop.Llm;

namespace Ascend.Interop.Demo.Tests;

/// <summary>The LLM demo (the default model) run in-process on the simulator with a small decoder and few tokens.</summary>
public sealed class LlmDemoRunTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "ascend-llm-demo-test-" + Guid.NewGuid().ToString("N"));

    static LlmDemoRunTests() => Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");

    private DemoOptions Small(params int[] batches) => new()
    {
        Backend = DemoBackend.Sim,
        Model = DemoModel.Llm,
        Tokens = 3,
        BatchSizes = batches,
        BatchSizesGiven = true,
        OutputDirectory = _out,
        LlmConfig = new LlmConfig { Layers = 2, Hidden = 64, Heads = 4, Intermediate = 128, Vocab = 256, Context = 32, MaxBatch = 4 },
        CommandLine = "--tokens 3 (test)",
    };

    [Fact]
    public void Run_GraphTokensEqualEagerTokens_PerBucket_AndWritesTheFiles()
    {
        var (console, text) = PlainConsole.Create();

        var report = new LlmDemoRunner(Small(1, 3), console).Run();

        Assert.True(report.Passed);
        Assert.Equal([(1, 1), (4, 3)], report.Rows.Select(r => (r.Bucket, r.Batch)));
        foreach (var row in report.Rows)
        {
            Assert.True(row.TokensEqual);
            Assert.Equal(2, row.DecodeSteps);
            Assert.True(row.EagerSubmit.MeanMicroseconds > 0 && row.ReplaySubmit.MeanMicroseconds > 0);
            Assert.True(row.UpdateSubmit.MeanMicroseconds > 0, "graph steps update the attention task groups");
            Assert.True(row.WindowSubmit.MeanMicroseconds > 0 && row.WindowStep.MeanMicroseconds > 0);
            // Per-step updates: one per layer (2) and decode step (2); window: the context (32) is within the default
            // window (64), so the captured lengths never change; loop: never updated, one launch of both decode steps.
            Assert.Equal((2 * 2, 0, 0), (row.StepUpdates, row.WindowUpdates, row.LoopUpdates));
            Assert.Equal("4 / 0 / 0", report.Cells(row)[7]);
            Assert.True(row.LoopAvailable);
            Assert.Equal(1, row.LoopLaunches);
            Assert.True(row.LoopSubmit.MeanMicroseconds > 0 && row.LoopStep.MeanMicroseconds > 0);
            Assert.True(row.CaptureTime > TimeSpan.Zero && row.WarmupTime < row.CaptureTime);
            Assert.True(row.PrivatePoolBytes > 0);
            Assert.Equal("equal", report.Cells(row)[^1]);
        }
        // Two buckets in one shared pool hold less than two private pools.
        Assert.Equal(report.Rows.Sum(r => r.SharedPoolGrowthBytes), report.SharedPoolBytes);
        Assert.Equal(report.Rows.Sum(r => r.PrivatePoolBytes), report.PrivatePoolsBytes);
        Assert.True(report.SharedPoolBytes < report.PrivatePoolsBytes);
        Assert.Equal(2L * 2 * 4 * 32 * 64 * 2, report.KvCacheBytes);
        // The mode shown by default on the simulator (it presents CANN 9.2): loop. Each bucket: one capture (a miss),
        // then one hit for the one launch that ran both decode steps.
        Assert.Equal($"loop (K = {LlmEngine.DefaultLoopSteps})", report.ShownMode);
        Assert.Equal(2, report.Statistics.Misses);
        Assert.Equal(2, report.Statistics.Hits);
        Assert.Equal(1, report.Statistics.PaddedRows);        // batch 3 in bucket 4, one launch (the capture asks for the whole bucket)

        foreach (var name in new[] { "decode-b1.dot", "decode-b1.json", "decode-b1.txt", "table.md" })
            Assert.Contains(Path.Combine(_out, name), report.Files);
        string dot = File.ReadAllText(Path.Combine(_out, "decode-b1.dot"));
        Assert.StartsWith($"digraph \"decode-loop{LlmEngine.DefaultLoopSteps}-b1\"", dot);     // the mode shown by default: loop
        Assert.DoesNotContain("task group attention0", dot);                // nothing to update in the loop
        Assert.Contains("aclnnIncreFlashAttentionV4", dot);
        string describe = File.ReadAllText(Path.Combine(_out, "decode-b1.txt"));
        // The first condition (3 operators), then the WHILE body: the step and the loop's 8 bookkeeping operators.
        Assert.StartsWith($"graph 'decode-loop{LlmEngine.DefaultLoopSteps}-b1': {3 + 4 + 2 * LlmModel.OperatorsPerLayer + 3 + 8} operation(s)", describe);

        string md = File.ReadAllText(Path.Combine(_out, "table.md"));
        var rows = md.Split('\n').Where(l => l.StartsWith("| ") && !l.StartsWith("| bucket") && !l.StartsWith("| ---")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("| 1 | 1 | ", rows[0]);
        Assert.StartsWith("| 4 | 3 | ", rows[1]);
        Assert.All(rows, r => Assert.EndsWith("| equal |", r.TrimEnd()));
        Assert.Contains("Graph-mode decoding (per-step updates, window and loop) emitted exactly the eager tokens for every batch", md);

        string printed = text.ToString();
        Assert.Contains("LLM decode steps", printed);
        Assert.Contains("Loop mode (K = 16): one launch per up to 16 tokens", printed);
        Assert.Contains("2 launches for 4 decode steps, 0 updates.", md);
        Assert.Contains("KV cache", printed);
        Assert.Contains($"Wrote {report.Files.Count} files to", printed);
    }

    [Fact]
    public void Run_InStepMode_ShowsTheStepGraphs()
    {
        var (console, _) = PlainConsole.Create();
        var report = new LlmDemoRunner(Small(2) with { DecodeMode = DemoDecodeMode.Step, Window = 32 }, console).Run();
        Assert.True(report.Passed);
        Assert.Equal("step", report.ShownMode);
        string describe = File.ReadAllText(Path.Combine(_out, "decode-b2.txt"));
        Assert.StartsWith("graph 'decode-b2': ", describe);
        Assert.Equal((1L, 2L), (report.Statistics.Misses, report.Statistics.Hits));   // the step buckets: one capture, then a hit per decode step
    }

    [Fact]
    public void Run_InWindowMode_ShowsTheWindowGraphs()
    {
        var (console, _) = PlainConsole.Create();
        var report = new LlmDemoRunner(Small(2) with { DecodeMode = DemoDecodeMode.Window }, console).Run();
        Assert.True(report.Passed);
        Assert.Equal("window (W = 64)", report.ShownMode);
        string dot = File.ReadAllText(Path.Combine(_out, "decode-b2.dot"));
        Assert.StartsWith("digraph \"decode-window64-b2\"", dot);
        Assert.Contains("task group attention0", dot);
        string describe = File.ReadAllText(Path.Combine(_out, "decode-b2.txt"));
        // The step's operators, then the advance of the inputs and the token copy the window graph holds too.
        Assert.StartsWith($"graph 'decode-window64-b2': {4 + 2 * LlmModel.OperatorsPerLayer + 3 + 2} operation(s)", describe);
        Assert.Equal((1L, 2L), (report.Statistics.Misses, report.Statistics.Hits));
    }

    [Fact]
    public void Options_DecodeModeAndWindow()
    {
        var defaults = DemoOptions.Parse([], _ => null);
        Assert.Equal((null, 64), (defaults.DecodeMode, defaults.Window));
        // The default is the fastest exact mode the runtime supports.
        Assert.Equal(DemoDecodeMode.Loop, defaults.ResolveDecodeMode(conditionalNodes: true, "9.2"));
        Assert.Equal(DemoDecodeMode.Window, defaults.ResolveDecodeMode(conditionalNodes: false, "9.0"));
        var step = DemoOptions.Parse(["--decode-mode", "step", "--window=128"], _ => null).Validate();
        Assert.Equal((DemoDecodeMode.Step, 128), (step.DecodeMode, step.Window));
        Assert.Contains("--decode-mode 'fast' is not valid: use step, window or loop",
            Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(["--decode-mode", "fast"], _ => null)).Message);
        Assert.Contains("--window '48' is not valid: use 32, 64, 128",
            Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(["--window", "48"], _ => null)).Message);
        var loop = DemoOptions.Parse(["--decode-mode", "loop"], _ => null).Validate();
        Assert.Equal(DemoDecodeMode.Loop, loop.ResolveDecodeMode(conditionalNodes: true, "9.1.0"));
        var refused = Assert.Throws<DemoOptionsException>(() => loop.ResolveDecodeMode(conditionalNodes: false, "CANN 9.0.0"));
        Assert.Contains("--decode-mode loop", refused.Message);
        Assert.Contains("CANN 9.0.0", refused.Message);
        Assert.Contains("9.1.0", refused.Message);
        Assert.Equal(DemoDecodeMode.Step, step.ResolveDecodeMode(conditionalNodes: false, "9.0"));
    }

    [Fact]
    public void Options_ModelAndTokens()
    {
        var defaults = DemoOptions.Parse([], _ => null);
        Assert.Equal(DemoModel.Llm, defaults.Model);
        Assert.Equal(DemoOptions.DefaultTokens, defaults.Tokens);
        Assert.Equal([1, 2, 3, 8, 13, 32], defaults.EffectiveBatchSizes);
        var mlp = DemoOptions.Parse(["--model", "mlp"], _ => null);
        Assert.Equal([1, 2, 4, 8, 16, 32], mlp.EffectiveBatchSizes);
        var given = DemoOptions.Parse(["--tokens=5", "--batch-sizes", "2,7"], _ => null);
        Assert.Equal(5, given.Tokens);
        Assert.Equal([2, 7], given.EffectiveBatchSizes);
        Assert.Contains("--tokens '1' is not valid", Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(["--tokens", "1"], _ => null)).Message);
        Assert.Contains("--model 'gpt' is not valid", Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(["--model", "gpt"], _ => null)).Message);
        Assert.Contains("exceed the decoder's largest bucket (32)",
            Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(["--batch-sizes", "33"], _ => null).Validate()).Message);
        Assert.Equal([33], DemoOptions.Parse(["--model", "mlp", "--batch-sizes", "33"], _ => null).Validate().EffectiveBatchSizes);
    }

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }
}
