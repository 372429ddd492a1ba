using System.Text.Json;

// One collection: the runs share the process-wide runtime, stream budget and ASCEND_INTEROP_BACKEND.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace Ascend.Interop.Demo.Tests;

/// <summary>The demo's core, run in-process on the simulator with a small model and few steps.</summary>
public sealed class DemoRunTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "ascend-demo-test-" + Guid.NewGuid().ToString("N"));

    static DemoRunTests() => Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");

    private DemoOptions Tiny(int iterations = 3, params int[] batches) => new()
    {
        Backend = DemoBackend.Sim,
        Iterations = iterations,
        BatchSizes = batches.Length == 0 ? [1, 3] : batches,
        OutputDirectory = _out,
        Width = 32,
        Layers = 3,
        CommandLine = "--iterations 3 (test)",
    };

    [Fact]
    public void Run_ProducesOneRowPerBatchSize_GraphEqualsEagerBitForBit()
    {
        var (console, text) = PlainConsole.Create();
        var report = new DemoRunner(Tiny(3, 1, 3), console).Run();

        Assert.Equal("Simulator", report.Backend);
        Assert.True(report.Passed);
        Assert.Equal([1, 3], report.Rows.Select(r => r.Batch));
        foreach (var row in report.Rows)
        {
            Assert.Equal(3 * 3 + 2, row.Operators);
            Assert.True(row.BitwiseEqual, $"batch {row.Batch}: private-pool graph differs from eager by {row.MaxAbsDiff}");
            Assert.True(row.SharedBitwiseEqual, $"batch {row.Batch}: shared-pool graph differs from eager by {row.SharedMaxAbsDiff}");
            Assert.Equal(0, row.MaxAbsDiff);
            Assert.True(row.Eager.MeanMicroseconds > 0 && row.Replay.MeanMicroseconds > 0);
            Assert.True(row.Eager.MedianMicroseconds > 0 && row.Replay.MedianMicroseconds > 0);
            Assert.True(row.PrivatePoolBytes > 0, "a captured graph's private pool holds its buffers");
        }
        Assert.Equal("bitwise", report.Cells(report.Rows[0])[^1]);
    }

    [Fact]
    public void Run_MemoryStreamsAndCacheCounters_AddUp()
    {
        var (console, _) = PlainConsole.Create();
        var report = new DemoRunner(Tiny(4, 1, 2, 4), console).Run();

        // Three batch sizes, each captured with a private pool and into the shared pool.
        Assert.Equal(report.Rows.Sum(r => r.PrivatePoolBytes), report.PrivatePoolsTotalBytes);
        Assert.Equal(report.Rows[^1].SharedPoolBytesAfter, report.SharedPoolBytes);
        Assert.Equal(report.Rows.Sum(r => r.SharedPoolGrowthBytes), report.SharedPoolBytes);
        Assert.True(report.SharedPoolBytes < report.PrivatePoolsTotalBytes,
            $"one shared pool ({report.SharedPoolBytes}) should hold less than three private ones ({report.PrivatePoolsTotalBytes})");
        Assert.True(report.SharedPoolBytes >= report.Rows.Max(r => r.PrivatePoolBytes) / 2);

        // Every live graph holds a stream: two more per batch size.
        Assert.Equal(6, report.BudgetWithGraphs.InUse - report.BudgetBeforeCapture.InUse);
        Assert.Equal(6, report.BudgetWithGraphs.Graphs - report.BudgetBeforeCapture.Graphs);
        for (int i = 1; i < report.Rows.Count; i++)
            Assert.Equal(2, report.Rows[i].StreamsInUse - report.Rows[i - 1].StreamsInUse);

        // Private cache: a miss per batch size, then hits for the check, 5 warm-up + 4 timed replays, and the artifact lookup.
        Assert.Equal(3, report.PrivateCacheCount);
        Assert.Equal(3, report.PrivateCacheStatistics.Misses);
        Assert.Equal(3 * (1 + 5 + 4) + 1, report.PrivateCacheStatistics.Hits);
        Assert.Equal(0, report.PrivateCacheStatistics.Evictions);
        Assert.Equal(3, report.SharedCacheCount);
        Assert.Equal(3, report.SharedCacheStatistics.Misses);
        Assert.Equal(3, report.SharedCacheStatistics.Hits);
    }

    [Fact]
    public void Run_WritesDotJsonDescriptionAndMarkdownTable()
    {
        var (console, text) = PlainConsole.Create();
        var report = new DemoRunner(Tiny(2, 2, 5), console).Run();

        string dot = Path.Combine(_out, "graph-b2.dot");
        string json = Path.Combine(_out, "graph-b2.json");
        string describe = Path.Combine(_out, "graph-b2.txt");
        string table = Path.Combine(_out, "table.md");
        foreach (var file in new[] { dot, json, describe, table })
        {
            Assert.True(File.Exists(file), file + " was not written");
            Assert.Contains(file, report.Files);
        }
        bool hasGraphviz = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "dot")));
        Assert.Equal(hasGraphviz, File.Exists(Path.Combine(_out, "graph-b2.svg")));
        if (hasGraphviz) Assert.Contains("<svg", File.ReadAllText(Path.Combine(_out, "graph-b2.svg")));

        string dotText = File.ReadAllText(dot);
        Assert.StartsWith("digraph \"mlp-b2-private\"", dotText);
        Assert.Equal(11, dotText.Split('\n').Count(l => l.TrimStart().StartsWith("op") && l.Contains("[label=")));
        Assert.Contains("aclnnSoftmax", dotText);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("mlp-b2-private", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal(11, doc.RootElement.GetProperty("task_count").GetInt32());
        var kernels = doc.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(3, kernels.Count(k => k == "aclnnMatmul"));
        Assert.Equal("aclnnSoftmax", kernels[^1]);

        Assert.StartsWith("graph 'mlp-b2-private': 11 operation(s)", File.ReadAllText(describe));

        string md = File.ReadAllText(table);
        var rows = md.Split('\n').Where(l => l.StartsWith("| ") && !l.StartsWith("| batch") && !l.StartsWith("| ---")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("| 2 | ", rows[0]);
        Assert.StartsWith("| 5 | ", rows[1]);
        Assert.All(rows, r => Assert.EndsWith("| bitwise |", r.TrimEnd()));
        Assert.All(rows, r => Assert.Equal(DemoReport.Columns.Length + 1, r.Count(c => c == '|')));
        Assert.Contains("bit for bit", md);

        string printed = text.ToString();
        Assert.Contains("Capturing graphs", printed);
        Assert.Contains("Timing eager steps vs graph replays", printed);
        Assert.Contains("graph == eager", printed);
        Assert.Contains($"Wrote {report.Files.Count} files to", printed);
        Assert.Contains(table, printed);
    }

    [Fact]
    public void Run_CannAskedForAfterTheSimulatorWasChosen_SaysSo()
    {
        using (NpuRuntime.Initialize()) { } // the backend is chosen (sim) by the first native call
        var (console, _) = PlainConsole.Create();
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => new DemoRunner(Tiny() with { Backend = DemoBackend.Cann }, console).Run());
            Assert.Contains("--backend cann was asked for", error.Message);
            Assert.Contains("Simulator", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        }
        Assert.False(Directory.Exists(_out), "nothing is written when the run is refused");
    }

    [Fact]
    public void Compare_ReportsBitwiseAndMaxAbsDiff()
    {
        Assert.Equal((0.0, true), DemoRunner.Compare([1f, 2f], [1f, 2f]));
        var (diff, equal) = DemoRunner.Compare([1f, 2f], [1f, 2.5f]);
        Assert.Equal(0.5, diff);
        Assert.False(equal);
        Assert.Equal((0.0, false), DemoRunner.Compare([0f], [-0f])); // equal values, different bits
        Assert.Equal((double.PositiveInfinity, false), DemoRunner.Compare([1f], [float.NaN]));
        Assert.Equal((double.PositiveInfinity, false), DemoRunner.Compare([1f], [1f, 1f]));
    }

    [Fact]
    public void Report_AMismatchFailsTheRunAndShowsNo()
    {
        var time = new StepTime(10, 9);
        var good = new BatchRow(1, 14, time, time, 1024, 1024, 1024, 3, 0, true, 0, true);
        var bad = good with { Batch = 2, MaxAbsDiff = 1e-7, BitwiseEqual = false };
        var report = new DemoReport
        {
            Backend = "Simulator", SocName = "x", AclVersion = "1.0.0", Model = "m", Iterations = 1, CommandLine = "",
            StartedAt = DateTimeOffset.UnixEpoch, Rows = [good, bad], PrivatePoolsTotalBytes = 2048, SharedPoolBytes = 1024,
            BudgetBeforeCapture = default, BudgetWithGraphs = default, PrivateCacheStatistics = default, SharedCacheStatistics = default,
            PrivateCacheCount = 2, SharedCacheCount = 2, Tolerance = 0,
        };
        Assert.False(report.Passed);
        Assert.Equal("NO", report.Cells(bad)[^1]);
        Assert.Equal("bitwise", report.Cells(good)[^1]);
        Assert.Contains("MISMATCH", string.Join("\n", report.SummaryLines()));
        // On CANN (a tolerance) the same difference passes, marked as such.
        var cann = report with { Tolerance = 1e-4 };
        Assert.True(cann.Passed);
        Assert.Equal("within tolerance", cann.Cells(bad)[^1]);
        Assert.Equal(["1", "10.0/9.0", "10.0/9.0", "1.00x/1.00x", "1.0 KiB", "+1.0 KiB", "3", "0", "bitwise"], report.Cells(good));
    }

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }
}
