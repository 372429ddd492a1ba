using R = Ascend.Interop.Benchmarks.PairedComparison.Result;

namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>bench/compare-commits.sh --paired (Ascend.Interop.Benchmarks paired): statistics, table, and one real run.</summary>
[Collection(BenchmarkCollection.Name)]
public sealed class PairedComparisonTests
{
    [Fact]
    public void A_rows_ratio_is_the_median_of_the_per_pair_ratios_with_an_interval_around_it()
    {
        double[] old = [100, 100, 100, 100, 100, 200, 100];
        double[] @new = [110, 90, 120, 100, 105, 100, 130];   // pair ratios 1.1 0.9 1.2 1.0 1.05 0.5 1.3

        var r = R.Of("ReplayMlpEnqueue", old, @new);

        Assert.Equal(1.05, r.Ratio, 12);
        Assert.Equal(100, r.OldNs);
        Assert.Equal(105, r.NewNs);
        Assert.Equal(7, r.Pairs);
        Assert.InRange(r.Low, 0.5, r.Ratio);
        Assert.InRange(r.High, r.Ratio, 1.3);
        Assert.Equal(r, R.Of("ReplayMlpEnqueue", old, @new));   // a fixed seed: the same data, the same interval
        Assert.Throws<ArgumentException>(() => R.Of("ReplayMlpEnqueue", old, @new[1..]));
    }

    [Fact]
    public void The_bootstrap_interval_of_identical_values_is_that_value_and_narrows_with_more_pairs()
    {
        Assert.Equal((2.0, 2.0), PairedComparison.BootstrapMedian([2, 2, 2, 2], 500, seed: 1));
        var random = new Random(5);
        double[] Sample(int n) => Enumerable.Range(0, n).Select(_ => 1 + (random.NextDouble() - 0.5) * 0.2).ToArray();
        var (lowFew, highFew) = PairedComparison.BootstrapMedian(Sample(20), 1_000, seed: 1);
        var (lowMany, highMany) = PairedComparison.BootstrapMedian(Sample(2_000), 1_000, seed: 1);
        Assert.True(highMany - lowMany < (highFew - lowFew) / 3, $"{lowMany}-{highMany} against {lowFew}-{highFew}");
    }

    [Fact]
    public void Processes_combine_by_median_and_a_gated_row_is_judged_against_its_control_where_it_has_one()
    {
        var p1 = new[] { new R("ReplayMlpEnqueue", 300, 330, 1.10, 1.05, 1.15, 100), new R("ReplayMlpEnqueueRaw", 280, 310, 1.10, 1.0, 1.2, 100), new R("StreamQuerySafe", 60, 66, 1.10, 1.1, 1.1, 9000),
                         new R("EagerMlpEnqueue", 900, 950, 1.06, 1.0, 1.1, 100), new R("ReplayDecodeEnqueue", 500, 510, 1.02, 1.0, 1.04, 100), new R("ReplayDecodeEnqueueRaw", 480, 456, 0.95, 0.9, 1.0, 100) };
        var p2 = new[] { new R("ReplayMlpEnqueue", 310, 320, 1.03, 1.00, 1.06, 90), new R("ReplayMlpEnqueueRaw", 290, 300, 1.02, 0.9, 1.1, 90), new R("StreamQuerySafe", 61, 67, 1.09, 1.09, 1.09, 9000) };
        var p3 = new[] { new R("ReplayMlpEnqueue", 320, 350, 1.08, 1.02, 1.12, 110), new R("ReplayMlpEnqueueRaw", 270, 330, 1.20, 1.1, 1.3, 110), new R("StreamQuerySafe", 59, 65, 1.11, 1.1, 1.1, 9000) };

        var combined = PairedComparison.Combine([p1, p2, p3]);

        var replay = combined.Single(r => r.Row == "ReplayMlpEnqueue");
        Assert.Equal(1.08, replay.Ratio, 12);
        Assert.Equal([1.10, 1.03, 1.08], replay.ProcessRatios);
        Assert.Equal(310, replay.OldNs);
        Assert.Equal(330, replay.NewNs);
        Assert.Equal((1.02, 1.12), (replay.Low, replay.High));
        Assert.Equal(300, replay.Pairs);
        Assert.Equal([1.06], combined.Single(r => r.Row == "EagerMlpEnqueue").ProcessRatios);   // a row only one process has

        string table = PairedComparison.Table(combined, "aaa", "bbb", 1.05, seconds: 8, hold: true, processes: 3, out int slower);
        // ReplayMlpEnqueue: per process 1.10/1.10, 1.03/1.02, 1.08/1.20, median 1.000 (not 1.08/1.10), not flagged; EagerMlpEnqueue has no control: 1.06 is;
        // ReplayDecodeEnqueue: 1.02 / 0.95 = 1.074 is; the raw rows are controls; StreamQuerySafe is not an enqueue or replay row.
        Assert.Equal(2, slower);
        Assert.Contains("| ReplayMlpEnqueue | 310.0 ns | 330.0 ns | 1.080 | 1.000 | 1.100 1.030 1.080 | 1.020 - 1.120 | 300 |  |", table);
        Assert.Contains("| ReplayMlpEnqueueRaw | 280.0 ns | 310.0 ns | 1.100 |  | 1.100 1.020 1.200 | 1.000 - 1.200 | 300 | control |", table);
        Assert.Contains("| EagerMlpEnqueue | 900.0 ns | 950.0 ns | 1.060 |  | 1.060 | 1.000 - 1.100 | 100 | **slower than 1.05x** |", table);
        Assert.Contains("| ReplayDecodeEnqueue | 500.0 ns | 510.0 ns | 1.020 | 1.074 | 1.020 | 1.000 - 1.040 | 100 | **slower than 1.05x** |", table);
        Assert.Contains("| StreamQuerySafe | 60.0 ns | 66.0 ns | 1.100 |  |", table);   // its control, StreamQueryRaw, is not in these results
        Assert.Contains("held (aclsimHoldStreams)", table);
        Assert.Contains("2 enqueue or replay row(s) slower than 1.05x old.", table);
        Assert.DoesNotContain("--warm-call", table);
        // Rows from different processes: the quotient of the medians.
        Assert.Equal(1.08 / 1.2, PairedComparison.Corrected(replay, new R("X", 1, 1.2, 1.2, 1.2, 1.2, 1) { ProcessRatios = [1.2, 1.2] }), 12);
        Assert.Contains("follows one untimed call (--warm-call)",
            PairedComparison.Table(combined, "aaa", "bbb", 1.05, seconds: 8, hold: true, processes: 3, out _, warmCall: true));
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_what_is_wrong()
    {
        string dll = typeof(PairedComparison).Assembly.Location;
        string sim = Path.Combine(AppContext.BaseDirectory, "libascend_sim.so");
        Assert.Contains("--old-bench", Assert.Throws<ArgumentException>(() => PairedComparison.Run(["--new-bench", dll])).Message);
        Assert.Contains("same simulator library", Assert.Throws<ArgumentException>(() =>
            PairedComparison.Run(["--old-bench", dll, "--new-bench", dll, "--old-sim", sim, "--new-sim", sim])).Message);
        Assert.Contains("unknown row 'Nope'", Assert.Throws<ArgumentException>(() =>
            PairedComparison.Run(["--old-bench", dll, "--new-bench", dll, "--old-sim", sim, "--new-sim", Path.Combine(AppContext.BaseDirectory, "libascend_sim_hccl.so"), "--row", "Nope"])).Message);
        Assert.Contains("--seconds needs a positive number", Assert.Throws<ArgumentException>(() => PairedComparison.Run(["--seconds", "0"])).Message);
        Assert.Contains("--batch needs a positive number, not 'x'", Assert.Throws<ArgumentException>(() => PairedComparison.Run(["--batch", "x"])).Message);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void One_process_runs_each_side_on_its_own_copy_of_the_simulator_with_the_workers_held()
    {
        // Two copies of this build's simulator: each side must map its own (one library loaded once would serve both).
        string dir = Path.Combine(Path.GetTempPath(), $"paired-test-{Environment.ProcessId}");
        string oldSim = Path.Combine(dir, "old", "libascend_sim.so"), newSim = Path.Combine(dir, "new", "libascend_sim.so");
        string results = Path.Combine(dir, "results.tsv");
        foreach (string copy in new[] { oldSim, newSim })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "libascend_sim.so"), copy, overwrite: true);
        }
        string dll = typeof(PairedComparison).Assembly.Location;
        string? library = Environment.GetEnvironmentVariable("ASCEND_SIM_LIBRARY");

        int code = PairedComparison.Run(["--old-bench", dll, "--old-sim", oldSim, "--new-bench", dll, "--new-sim", newSim,
            "--row", "ReplayMlpEnqueueRaw", "--row", "StreamQueryRaw", "--row", "ReplayDecodeEnqueueRaw", "--seconds", "0.3", "--warmup", "0.1", "--batch", "8", "--warm-call", "--child", results]);

        Assert.Equal(0, code);
        Assert.Equal(library, Environment.GetEnvironmentVariable("ASCEND_SIM_LIBRARY"));   // restored for this process's own bindings
        string maps = File.ReadAllText("/proc/self/maps");
        Assert.Contains(oldSim, maps);
        Assert.Contains(newSim, maps);
        string[] lines = File.ReadAllLines(results);
        Assert.Equal(["ReplayMlpEnqueueRaw", "StreamQueryRaw", "ReplayDecodeEnqueueRaw"], lines.Select(l => l.Split('\t')[0]));
        foreach (string line in lines)
        {
            string[] f = line.Split('\t');
            double ratio = double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(ratio, 0.2, 5);                                                      // the same code on both sides
            Assert.True(int.Parse(f[6], System.Globalization.CultureInfo.InvariantCulture) >= 20, line);   // at least 20 pairs
        }
    }
}
