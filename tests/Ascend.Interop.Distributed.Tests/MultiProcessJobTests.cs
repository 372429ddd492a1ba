using System.Diagnostics;
using Ascend.Interop.Distributed.Sample;

namespace Ascend.Interop.Distributed.Tests;

/// <summary>
/// One process per rank, launched by <see cref="NpuJob"/> (rank 0 writes the root info to a file, the
/// others read it), running the scenarios of samples/Ascend.Interop.Distributed.
/// </summary>
[Collection("Hccl")]
public sealed class MultiProcessJobTests
{
    private static readonly string RankProgram = typeof(CollectiveChecks).Assembly.Location;

    private static NpuJobResult RunJob(string scenario, int ranks, bool killOthersOnFailure = true,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.SkipWhen(NpuDevice.Count < ranks, $"needs {ranks} devices, this machine has {NpuDevice.Count}");
        var result = NpuJob.Run("dotnet", [RankProgram, "--scenario", scenario], ranks, TimeSpan.FromMinutes(3),
            environment, killOthersOnFailure);
        // No rank outlives the launcher.
        foreach (var rank in result.Ranks) AssertGone(rank.ProcessId);
        return result;
    }

    private static void AssertGone(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            Assert.True(p.HasExited, $"rank process {pid} is still running");
        }
        catch (ArgumentException)
        {
            // gone
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void EveryCollectiveAndTypeMatchesTheReferenceOnEveryRank(int ranks)
    {
        var result = RunJob("collectives", ranks);
        Assert.True(result.Succeeded, result.ToString());
        Assert.All(result.Ranks, r => Assert.Contains($"rank {r.Rank}: collectives OK", r.Output));
    }

    [Fact]
    public void ACapturedAllReduceReplaysAThousandTimesOnEveryRank()
    {
        var result = RunJob("capture", 2);
        Assert.True(result.Succeeded, result.ToString());
        Assert.All(result.Ranks, r => Assert.Contains("capture OK", r.Output));
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void AKilledRankGivesEveryOtherRankATimeoutNotAHang()
    {
        var result = RunJob("killed-rank", 3, killOthersOnFailure: false);
        Assert.False(result.TimedOut, result.ToString());
        Assert.Equal(137, result.Ranks[1].ExitCode);
        foreach (int r in new[] { 0, 2 })
        {
            Assert.True(result.Ranks[r].ExitCode == 0, result.ToString());
            Assert.Contains("TIMEOUT HCCL_E_TIMEOUT", result.Ranks[r].Output);
            Assert.Contains("ACL_ERROR_RT_COMM_OP_RETRY_FAIL", result.Ranks[r].Output);
        }
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(60), result.ToString());
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void ALateRankGivesEveryOtherRankATimeoutAtJoin()
    {
        var result = RunJob("late-rank", 3);
        Assert.True(result.Succeeded, result.ToString());
        foreach (int r in new[] { 0, 1 })
            Assert.Contains($"rank {r}: TIMEOUT HcclCommInitRootInfo HCCL_E_TIMEOUT", result.Ranks[r].Output);
    }

    [Fact]
    public void AFailingRankMakesTheLauncherKillTheOthers()
    {
        var watch = Stopwatch.StartNew();
        var result = RunJob("failing-rank", 2);
        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.Equal(1, result.Ranks[1].ExitCode);
        Assert.True(result.Ranks[0].Killed, result.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the launcher took {watch.Elapsed}");
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void WithoutTheHcclLibraryHcclThrowsNamingTheLibraryAndThePackage()
    {
        const string Missing = "/nonexistent/libascend_sim_hccl.so";
        var result = RunJob("no-hccl-library", 1, environment: new Dictionary<string, string> { ["ASCEND_SIM_HCCL_LIBRARY"] = Missing });
        Assert.True(result.Succeeded, result.ToString());
        string output = result.Ranks[0].Output;
        foreach (string function in new[] { "HcclGetRootInfo", "HcclCommInitAll" })
            Assert.Contains($"HCCL UNAVAILABLE {function} HCCL_E_NOT_FOUND:", output);
        Assert.Contains($"{Missing}: file not found", output);
        Assert.Contains("ASCEND_SIM_HCCL_LIBRARY", output);
        Assert.Contains("libascend_sim_hccl.so", output);
        Assert.Contains("apt-get install libgloo-dev", output);
    }

    [Fact]
    public void ATimedOutJobIsKilledWhole()
    {
        Assert.SkipWhen(NpuDevice.Count < 2, "needs 2 devices");
        var result = NpuJob.Run("sleep", ["600"], 2, TimeSpan.FromSeconds(1));
        Assert.True(result.TimedOut);
        Assert.All(result.Ranks, r => Assert.True(r.Killed));
        foreach (var rank in result.Ranks) AssertGone(rank.ProcessId);
    }
}
