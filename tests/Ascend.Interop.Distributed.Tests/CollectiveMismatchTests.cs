using Ascend.Interop.Distributed.Sample;

namespace Ascend.Interop.Distributed.Tests;

/// <summary>
/// Ranks that disagree on a collective's arguments (samples/Ascend.Interop.Distributed/MismatchCases.cs): every rank
/// taking part gets an <see cref="HcclException"/> naming both sides' values, well before the timeout, with no data
/// moved and the process alive (a count mismatch used to abort it in Gloo's transport thread). On CANN the same code
/// (HCCL_E_PARA) comes from the collective call itself when HCCL's consistency check is on; off, ranks wait until the
/// timeout, so these run on the simulator only.
/// </summary>
[Collection("Hccl")]
[Trait("Category", "SimulatorOnly")]
public sealed class CollectiveMismatchTests(CollectiveMismatchTests.Jobs jobs) : IClassFixture<CollectiveMismatchTests.Jobs>
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var k in MismatchCases.All)
            foreach (int ranks in new[] { 2, 4 })
                if (ranks == 2 || !k.TwoRanksOnly) data.Add(k.Name, ranks);
        return data;
    }

    private static MismatchCases.Case Find(string name) => MismatchCases.All.Single(k => k.Name == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void InOneProcess(string name, int ranks)
    {
        Assert.SkipWhen(NpuDevice.Count < ranks, $"needs {ranks} devices");
        var k = Find(name);
        var devices = Enumerable.Range(0, ranks).Select(NpuDevice.Open).ToArray();
        var streams = devices.Select(d => d.CreateStream()).ToArray();
        var comms = NpuCommunicator.CreateForDevices(devices);
        try
        {
            var lines = MismatchCases.Run(k, comms.Zip(streams).ToArray());
            Assert.Equal(ranks, lines.Count);
            int takers = k.Pair ? 2 : ranks;
            for (int r = 0; r < ranks; r++)
                Assert.StartsWith(r < takers ? $"rank {r}: mismatch {name} HcclException HCCL_E_PARA ACL_ERROR_RT_COMM_OP_RETRY_FAIL" : $"rank {r}: mismatch {name} idle", lines[r]);
            // The communicator stays failed: its next collective fails at once with the same cause.
            streams[0].Synchronize();
            comms[0].Barrier(streams[0]);
            var again = Assert.Throws<HcclException>(() => streams[0].Synchronize());
            Assert.Equal(HcclStatus.InvalidParameter, again.Status);
            Assert.Contains("already failed", again.Message);
        }
        finally
        {
            foreach (var c in comms) c.Dispose();
            foreach (var s in streams) s.Dispose();
            foreach (var d in devices) d.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneProcessPerRank(string name, int ranks)
    {
        Assert.SkipWhen(NpuDevice.Count < ranks, $"needs {ranks} devices");
        NpuJobResult result = jobs.Of(ranks);
        Assert.True(result.Succeeded, result.ToString());
        var k = Find(name);
        for (int r = 0; r < ranks; r++)
        {
            string expected = r < (k.Pair ? 2 : ranks)
                ? $"rank {r}: mismatch {name} HcclException HCCL_E_PARA ACL_ERROR_RT_COMM_OP_RETRY_FAIL after "
                : $"rank {r}: mismatch {name} idle";
            Assert.Contains(expected, result.Ranks[r].Output);
        }
    }

    /// <summary>One job per size runs every case (samples' "mismatch" scenario); the tests read its output.</summary>
    public sealed class Jobs
    {
        private readonly Dictionary<int, Lazy<NpuJobResult>> _jobs = new[] { 2, 4 }.ToDictionary(n => n, n => new Lazy<NpuJobResult>(() =>
            NpuJob.Run("dotnet", [typeof(MismatchCases).Assembly.Location, "--scenario", "mismatch"], n, TimeSpan.FromMinutes(3))));

        public NpuJobResult Of(int ranks) => _jobs[ranks].Value;
    }
}
