using System.Diagnostics;
using System.Text;

namespace Ascend.Interop.Distributed;

/// <summary>What one rank process of an <see cref="NpuJob"/> did.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="ProcessId">Its process id (gone by the time the result is returned).</param>
/// <param name="ExitCode">Its exit code; -1 when the launcher killed it.</param>
/// <param name="Killed">True when the launcher killed it (another rank failed, or the job timed out).</param>
/// <param name="Output">Its stdout and stderr, interleaved as they arrived.</param>
public sealed record NpuRankResult(int Rank, int ProcessId, int ExitCode, bool Killed, string Output);

/// <summary>The outcome of <see cref="NpuJob.Run"/>.</summary>
/// <param name="Ranks">Per rank, in rank order.</param>
/// <param name="TimedOut">True when the job did not finish within its timeout (every rank was killed).</param>
/// <param name="Elapsed">Wall time from start to the last exit.</param>
public sealed record NpuJobResult(IReadOnlyList<NpuRankResult> Ranks, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>True when every rank exited with 0.</summary>
    public bool Succeeded => !TimedOut && Ranks.All(r => r.ExitCode == 0 && !r.Killed);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder($"job of {Ranks.Count} ranks: {(Succeeded ? "succeeded" : TimedOut ? "timed out" : "failed")} in {Elapsed.TotalSeconds:0.0} s");
        foreach (var r in Ranks)
            text.Append($"\n--- rank {r.Rank}: exit {r.ExitCode}{(r.Killed ? " (killed)" : "")}\n").Append(r.Output.TrimEnd());
        return text.ToString();
    }
}

/// <summary>
/// Runs an HCCL job on this machine the way real jobs run: one process per device, rank r on device r,
/// rank 0 writing the root info to a file the other ranks read (<see cref="NpuJobRank"/>). When a rank
/// fails, the others are killed (unless told otherwise); when the job outlives its timeout, all are
/// killed. No process is left behind. With the simulator, each process simulates
/// <c>ASCEND_SIM_DEVICE_COUNT</c> = rank count devices unless the caller sets it.
/// </summary>
public static class NpuJob
{
    /// <summary>Environment variable with the rank of the process.</summary>
    public const string RankVariable = "ASCEND_INTEROP_RANK";
    /// <summary>Environment variable with the number of ranks.</summary>
    public const string SizeVariable = "ASCEND_INTEROP_WORLD_SIZE";
    /// <summary>Environment variable with the device the rank uses.</summary>
    public const string DeviceVariable = "ASCEND_INTEROP_DEVICE_ID";
    /// <summary>Environment variable with the file rank 0 writes the root info to.</summary>
    public const string RootInfoFileVariable = "ASCEND_INTEROP_ROOT_INFO_FILE";

    /// <summary>
    /// Starts <paramref name="ranks"/> processes of <paramref name="fileName"/> <paramref name="arguments"/>
    /// and waits for them. <paramref name="environment"/> adds or overrides variables for every rank.
    /// </summary>
    public static NpuJobResult Run(string fileName, IReadOnlyList<string> arguments, int ranks, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, bool killOthersOnFailure = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "NpuJob.Run: the timeout must not be negative (Timeout.InfiniteTimeSpan waits without a limit).");
        string dir = Directory.CreateTempSubdirectory("ascend-interop-job-").FullName;
        var processes = new Process[ranks];
        var outputs = new StringBuilder[ranks];
        var killed = new bool[ranks];
        var watch = Stopwatch.StartNew();
        bool timedOut = false;
        try
        {
            for (int r = 0; r < ranks; r++)
            {
                var info = new ProcessStartInfo(fileName)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (string a in arguments) info.ArgumentList.Add(a);
                info.Environment[RankVariable] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                info.Environment[SizeVariable] = ranks.ToString(System.Globalization.CultureInfo.InvariantCulture);
                info.Environment[DeviceVariable] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                info.Environment[RootInfoFileVariable] = Path.Combine(dir, "root-info");
                if (!info.Environment.ContainsKey("ASCEND_SIM_DEVICE_COUNT") || string.IsNullOrEmpty(info.Environment["ASCEND_SIM_DEVICE_COUNT"]))
                    info.Environment["ASCEND_SIM_DEVICE_COUNT"] = ranks.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (environment is not null)
                    foreach (var (key, value) in environment) info.Environment[key] = value;
                var output = outputs[r] = new StringBuilder();
                var p = new Process { StartInfo = info };
                p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
                p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
                p.Start();
                processes[r] = p;
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
            }
            while (true)
            {
                bool allExited = true;
                bool failed = false;
                for (int r = 0; r < ranks; r++)
                {
                    if (!processes[r].HasExited) allExited = false;
                    else if (processes[r].ExitCode != 0) failed = true;
                }
                if (allExited) break;
                if (failed && killOthersOnFailure)
                {
                    KillAll(processes, killed);
                    break;
                }
                if (timeout != Timeout.InfiniteTimeSpan && watch.Elapsed > timeout)
                {
                    timedOut = true;
                    KillAll(processes, killed);
                    break;
                }
                Thread.Sleep(20);
            }
        }
        finally
        {
            // Whatever happened above (including a failed start), no rank outlives the launcher.
            KillAll(processes, killed);
            foreach (var p in processes)
            {
                if (p is null) continue;
                p.WaitForExit(); // also drains the redirected output
            }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        var results = new NpuRankResult[ranks];
        for (int r = 0; r < ranks; r++)
        {
            string text;
            lock (outputs[r]) text = outputs[r].ToString();
            results[r] = new NpuRankResult(r, processes[r].Id, killed[r] ? -1 : processes[r].ExitCode, killed[r], text);
            processes[r].Dispose();
        }
        return new NpuJobResult(results, timedOut, watch.Elapsed);
    }

    private static void KillAll(Process?[] processes, bool[] killed)
    {
        for (int r = 0; r < processes.Length; r++)
        {
            var p = processes[r];
            if (p is null) continue;
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    killed[r] = true;
                }
            }
            catch (InvalidOperationException) { } // exited meanwhile
        }
    }
}

/// <summary>
/// The rank side of an <see cref="NpuJob"/> (or of any launcher that sets the same variables):
/// rank, size, device, and the root-info exchange through a file.
/// </summary>
public sealed class NpuJobRank
{
    private NpuJobRank(int rank, int size, int deviceId, string rootInfoFile)
    {
        Rank = rank;
        Size = size;
        DeviceId = deviceId;
        RootInfoFile = rootInfoFile;
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>Ranks in the job.</summary>
    public int Size { get; }

    /// <summary>The device this rank uses.</summary>
    public int DeviceId { get; }

    /// <summary>Where rank 0 writes the root info.</summary>
    public string RootInfoFile { get; }

    /// <summary>The rank described by the environment, or null when this process was not started as a rank.</summary>
    public static NpuJobRank? FromEnvironment()
    {
        string? rank = Environment.GetEnvironmentVariable(NpuJob.RankVariable);
        string? size = Environment.GetEnvironmentVariable(NpuJob.SizeVariable);
        string? file = Environment.GetEnvironmentVariable(NpuJob.RootInfoFileVariable);
        if (rank is null || size is null || string.IsNullOrEmpty(file)) return null;
        if (!int.TryParse(rank, out int r) || !int.TryParse(size, out int s) || s < 1 || r < 0 || r >= s)
            throw new InvalidOperationException($"{NpuJob.RankVariable}='{rank}' and {NpuJob.SizeVariable}='{size}' do not describe a rank (0 <= rank < size).");
        int device = int.TryParse(Environment.GetEnvironmentVariable(NpuJob.DeviceVariable), out int d) ? d : r;
        return new NpuJobRank(r, s, device, file);
    }

    /// <summary>
    /// Creates this rank's communicator: rank 0 makes the root info and writes it to <see cref="RootInfoFile"/>;
    /// the others wait up to <paramref name="rootInfoTimeout"/> for the file, then all join.
    /// </summary>
    public NpuCommunicator Join(NpuDevice device, TimeSpan rootInfoTimeout)
    {
        ArgumentNullException.ThrowIfNull(device);
        NpuRootInfo root;
        if (Rank == 0)
        {
            root = NpuRootInfo.Create(device);
            root.WriteTo(RootInfoFile);
        }
        else
        {
            root = NpuRootInfo.ReadFrom(RootInfoFile, rootInfoTimeout);
        }
        return NpuCommunicator.Create(device, root, Rank, Size);
    }
}
