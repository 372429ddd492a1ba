using System.Diagnostics;
using Ascend.Interop;
using Ascend.Interop.Distributed;
using Ascend.Interop.Distributed.Sample;

// Launcher: no rank variables -> start N copies of this program as ranks (one per device) and report.
// Rank: run a scenario on this rank's device and exit 0 when everything it checks holds.
//   dotnet run --project samples/Ascend.Interop.Distributed -- [--ranks N] [--scenario collectives|capture|...]
var job = NpuJobRank.FromEnvironment();
string scenario = Option(args, "--scenario") ?? "collectives";
if (job is null)
{
    int ranks = int.Parse(Option(args, "--ranks") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
    string self = typeof(CollectiveChecks).Assembly.Location;
    var result = NpuJob.Run("dotnet", [self, "--scenario", scenario], ranks, TimeSpan.FromMinutes(5));
    Console.WriteLine(result);
    return result.Succeeded ? 0 : 1;
}
return Rank.Run(job, scenario);

static string? Option(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>The scenarios one rank runs (the multi-process tests name them).</summary>
internal static class Rank
{
    private static readonly TimeSpan RootInfoWait = TimeSpan.FromSeconds(60);

    public static int Run(NpuJobRank job, string scenario)
    {
        try
        {
            using var runtime = NpuRuntime.Initialize();
            using var device = NpuDevice.Open(job.DeviceId);
            int code = scenario switch
            {
                "collectives" => Collectives(job, device),
                "capture" => Capture(job, device),
                "killed-rank" => KilledRank(job, device),
                "late-rank" => LateRank(job, device),
                "failing-rank" => FailingRank(job, device),
                "no-hccl-library" => NoHcclLibrary(device),
                "mismatch" => Mismatch(job, device),
                _ => Fail($"unknown scenario '{scenario}'"),
            };
            Console.WriteLine(code == 0 ? $"rank {job.Rank}: {scenario} OK" : $"rank {job.Rank}: {scenario} FAILED");
            return code;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"rank {job.Rank}: {scenario} threw {e}");
            return 1;
        }
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine(why);
        return 1;
    }

    private static int Collectives(NpuJobRank job, NpuDevice device)
    {
        using var comm = job.Join(device, RootInfoWait);
        using var stream = device.CreateStream();
        CollectiveChecks.RunAll([(comm, stream)]);
        return 0;
    }

    private static int Capture(NpuJobRank job, NpuDevice device)
    {
        using var comm = job.Join(device, RootInfoWait);
        using var stream = device.CreateStream();
        CollectiveChecks.CaptureAndReplay([(comm, stream)], 1000);
        return 0;
    }

    // Rank 1 dies (SIGKILL, no goodbye) after the first all-reduce; the others must get a timeout
    // from their next collective, not hang.
    private static int KilledRank(NpuJobRank job, NpuDevice device)
    {
        using var comm = job.Join(device, RootInfoWait);
        using var stream = device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 });
        comm.AllReduce(stream, x, NpuReduceOp.Sum, x);
        stream.Synchronize();
        if (job.Rank == 1)
        {
            Process.GetCurrentProcess().Kill();
            return 2;
        }
        Thread.Sleep(1500);
        var watch = Stopwatch.StartNew();
        comm.AllReduce(stream, x, NpuReduceOp.Sum, x);
        try
        {
            stream.Synchronize();
            return Fail("the all-reduce with a dead rank succeeded");
        }
        catch (AclException e) when (e.Code == 507904)
        {
            Console.WriteLine($"rank {job.Rank}: stream error {e.CodeName} after {watch.Elapsed.TotalSeconds:0.0} s");
        }
        if (comm.AsyncError != HcclStatus.Timeout) return Fail($"AsyncError is {comm.AsyncError}, expected Timeout");
        Console.WriteLine($"rank {job.Rank}: TIMEOUT {comm.AsyncError.CName()} in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    // The last rank joins long after the others gave up: they fail with HCCL_E_TIMEOUT.
    private static int LateRank(NpuJobRank job, NpuDevice device)
    {
        if (job.Rank == job.Size - 1) Thread.Sleep(6000);
        var watch = Stopwatch.StartNew();
        try
        {
            using var comm = job.Join(device, RootInfoWait);
            return Fail("joining succeeded although a rank was late");
        }
        catch (HcclException e) when (e.Status == HcclStatus.Timeout)
        {
            Console.WriteLine($"rank {job.Rank}: TIMEOUT {e.Function} {e.Status.CName()} in {watch.Elapsed.TotalSeconds:0.0} s");
            return 0;
        }
        catch (HcclException e) when (job.Rank == job.Size - 1)
        {
            Console.WriteLine($"rank {job.Rank}: late join refused: {e.Status.CName()}");
            return 0;
        }
    }

    // Every MismatchCases case, each on a communicator of its own (a mismatch leaves the communicator failed): rank 0
    // writes one root info per case beside the job's root-info file.
    private static int Mismatch(NpuJobRank job, NpuDevice device)
    {
        using var stream = device.CreateStream();
        foreach (var k in MismatchCases.All)
        {
            if (k.TwoRanksOnly && job.Size != 2) continue;
            string file = $"{job.RootInfoFile}.{k.Name}";
            NpuRootInfo root;
            if (job.Rank == 0)
            {
                root = NpuRootInfo.Create(device);
                root.WriteTo(file);
            }
            else
            {
                root = NpuRootInfo.ReadFrom(file, RootInfoWait);
            }
            using var comm = NpuCommunicator.Create(device, root, job.Rank, job.Size);
            foreach (string line in MismatchCases.Run(k, [(comm, stream)])) Console.WriteLine(line);
        }
        return 0;
    }

    // Started with ASCEND_SIM_HCCL_LIBRARY naming a file that does not exist (as a machine without the simulator's
    // HCCL library, or without Gloo): every way into HCCL throws HcclException naming the library and what to
    // install; everything else works.
    private static int NoHcclLibrary(NpuDevice device)
    {
        using var stream = device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var sum = Ops.Add(stream, x, x);
        if (!sum.ToArray<float>(stream).SequenceEqual([2f, 4f, 6f])) return Fail("Ops.Add gave wrong values without HCCL");
        Action[] entries =
        [
            () => NpuRootInfo.Create(device),
            () => NpuCommunicator.CreateForDevices([device]),
        ];
        foreach (Action entry in entries)
        {
            try
            {
                entry();
                return Fail("an HCCL call succeeded without the HCCL library");
            }
            catch (HcclException e)
            {
                Console.WriteLine($"HCCL UNAVAILABLE {e.Function} {e.Status.CName()}: {e.Message}");
            }
        }
        return 0;
    }

    // Rank 1 fails at once; rank 0 would wait for it: the launcher must kill rank 0.
    private static int FailingRank(NpuJobRank job, NpuDevice device)
    {
        if (job.Rank == 1) return Fail("rank 1 fails on purpose");
        Thread.Sleep(TimeSpan.FromMinutes(2));
        return 0;
    }
}
