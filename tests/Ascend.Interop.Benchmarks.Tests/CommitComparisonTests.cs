using M = Ascend.Interop.Benchmarks.ResultsReport.Measurement;

namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>The table of bench/compare-commits.sh (Ascend.Interop.Benchmarks compare), from made-up measurements.</summary>
public sealed class CommitComparisonTests
{
    private static CommitComparison.Side Side(Dictionary<string, M> cs, Dictionary<string, M>? cpp = null) => new(cs, cpp ?? []);

    [Fact]
    public void Ratios_are_new_over_old_per_row_and_a_slower_gated_row_is_flagged()
    {
        var old = Side(new()
        {
            ["ReplayMlpEnqueue"] = new(600, 0),
            ["ReplayMlpEnqueueRaw"] = new(500, 0),
            ["EagerMlpStep"] = new(400_000, 0),
            ["StreamQuerySafe"] = new(70, 0),
            ["StreamQueryRaw"] = new(60, 0),
            ["GoneRow"] = new(10, 0),
        }, new() { ["ReplayMlpEnqueue"] = new(500, null), ["StreamQuery"] = new(100, null) });
        var @new = Side(new()
        {
            ["ReplayMlpEnqueue"] = new(660, 0),          // 1.10x: gated (Replay), over 1.05
            ["ReplayMlpEnqueueRaw"] = new(510, 0),       // 1.02x: gated, under
            ["EagerMlpStep"] = new(480_000, 8),          // 1.20x: not an enqueue or replay row
            ["StreamQuerySafe"] = new(64, 0),
            ["StreamQueryRaw"] = new(60, 0),
            ["NewRow"] = new(10, 0),
        }, new() { ["ReplayMlpEnqueue"] = new(550, null), ["StreamQuery"] = new(100, null) });

        string table = CommitComparison.BuildTable([new(old, @new)], "aaa", "bbb", 1.05, quick: false, out int slower);

        Assert.Equal(1, slower);
        Assert.Contains("| ReplayMlpEnqueue | 600.0 ns | 660.0 ns | 1.100 | 1.100 | 1.100 | 1.200 | 1.200 | 0 B / 0 B | **slower than 1.05x** |", table);
        // The raw row is measured against the C++ replay too.
        Assert.Contains("| ReplayMlpEnqueueRaw | 500.0 ns | 510.0 ns | 1.020 | 1.020 | 1.100 | 1.000 | 0.927 | 0 B / 0 B |  |", table);
        Assert.Contains("| EagerMlpStep | 400.00 µs | 480.00 µs | 1.200 | 1.200 |  |  |  | 0 B / 8 B |  |", table);
        Assert.Contains("| NewRow | - | 10.0 ns |  | - |  |  |  | - / 0 B | new only |", table);
        Assert.Contains("| GoneRow | 10.0 ns | - |  | - |  |  |  | 0 B / - | old only |", table);
        Assert.Contains("| Replay enqueue, SDK / raw binding (ReplayMlpEnqueue / ReplayMlpEnqueueRaw) | 1.200 | 1.294 | <= 1.15 |", table);
        Assert.Contains("| Safe-layer trivial call minus raw binding, ns (StreamQuerySafe - StreamQueryRaw) | 10.0 | 4.0 | <= 5 |", table);
        Assert.Contains("| Eager MLP enqueue, C# / C++ (EagerMlpEnqueue) | n/a | n/a | <= 1.10 |", table);
        Assert.Contains("1 enqueue or replay row(s) slower than 1.05x old.", table);
    }

    [Fact]
    public void Several_rounds_give_the_median_of_the_per_round_ratios()
    {
        CommitComparison.Round Round(double old, double @new) =>
            new(Side(new() { ["EagerMlpEnqueue"] = new(old, 0) }), Side(new() { ["EagerMlpEnqueue"] = new(@new, 0) }));

        string table = CommitComparison.BuildTable([Round(100, 90), Round(100, 130), Round(200, 200)], "a", "b", 1.05, quick: true, out int slower);

        // Ratios 0.9, 1.3, 1.0: median 1.0, not the ratio of the median times (100 vs 130 -> 1.3).
        Assert.Equal(0, slower);
        Assert.Contains("| EagerMlpEnqueue | 100.0 ns | 130.0 ns | 1.000 | 0.900 1.300 1.000 |", table);
        Assert.Contains("**quick mode**", table);
        Assert.Contains("No enqueue or replay row is slower than 1.05x old.", table);
    }

    [Fact]
    public void The_cpp_filter_names_the_counterparts_of_the_rows_once()
    {
        Assert.Equal("^(EagerMlpEnqueue|ReplayMlpEnqueue|StreamQuery)(/|$)",
            CommitComparison.CppFilter(["ReplayMlpEnqueue", "ReplayMlpEnqueueRaw", "StreamQuerySafe", "StreamQueryRaw", "EagerMlpEnqueue"]));
        Assert.Equal("^$", CommitComparison.CppFilter([]));
    }

    [Fact]
    public void Mapped_old_names_are_compared_with_the_new_rows_and_a_round_mismatch_is_refused()
    {
        string dir = Directory.CreateTempSubdirectory("compare-test").FullName;
        try
        {
            string oldDir = Path.Combine(dir, "old"), newDir = Path.Combine(dir, "new");
            Directory.CreateDirectory(oldDir);
            Directory.CreateDirectory(newDir);
            File.WriteAllText(Path.Combine(oldDir, "x-report-brief.json"), Brief("OldName", 200));
            File.WriteAllText(Path.Combine(newDir, "x-report-brief.json"), Brief("ReplayNew", 300));
            string outFile = Path.Combine(dir, "table.md");

            int code = CommitComparison.Run(["--old", oldDir, "--new", newDir, "--map", "OldName=ReplayNew", "--out", outFile]);

            Assert.Equal(1, code);   // 1.5x on a gated row
            Assert.Contains("| ReplayNew | 200.0 ns | 300.0 ns | 1.500 |", File.ReadAllText(outFile));
            Assert.Throws<ArgumentException>(() => CommitComparison.Run(["--old", oldDir, "--new", newDir, "--old", oldDir]));
            Assert.Throws<ArgumentException>(() => CommitComparison.Run(["--old", oldDir, "--new", newDir, "--map", "NoEquals"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        static string Brief(string method, double median) =>
            $$$"""{"Benchmarks":[{"Method":"{{{method}}}","Statistics":{"Median":{{{median}}}},"Memory":{"BytesAllocatedPerOperation":0}}]}""";
    }
}
