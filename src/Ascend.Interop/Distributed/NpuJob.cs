using System.Diagnostics;
using System.Text;

namespace Ascend.Interop.Distributed;

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
