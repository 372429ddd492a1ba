using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// Usage:
///   run [--quick] [--artifacts DIR] [--filter GLOB]...   BenchmarkDotNet over every benchmark class (JSON into DIR/results)
///   report --dotnet DIR --native FILE --out FILE [--commit SHA] [--quick]
///                                                        combined C#/C++ table into FILE (bench/RESULTS.md)
/// Without a command, "run" is assumed. Build.cake's Bench target runs both.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "report") return ResultsReport.Run(args[1..]);
            return RunBenchmarks(args.Length > 0 && args[0] == "run" ? args[1..] : args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Ascend.Interop.Benchmarks: {e.Message}");
            return 2;
        }
    }

    private static int RunBenchmarks(string[] args)
    {
        bool quick = false;
        string artifacts = Path.Combine("artifacts", "bench", "dotnet");
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--artifacts": artifacts = Value(args, ref i); break;
                case "--filter": filters.Add(Value(args, ref i)); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}' (see Program.cs for the usage).");
            }
        }

        // Child processes inherit the environment: pin them to the simulator (ASCEND_SIM_LIBRARY, when set by
        // the caller, names the very library the C++ baseline is linked to).
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");

        // Full mode: enough iterations for a stable median on a shared 2-core machine, bounded so a run stays
        // within minutes. Quick mode: BenchmarkDotNet's ShortRun (3 iterations).
        var job = quick
            ? Job.ShortRun.WithId("Quick")
            : Job.Default.WithMinIterationCount(15).WithMaxIterationCount(40).WithId("Full");
        IConfig config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(JsonExporter.Brief)
            .WithArtifactsPath(Path.GetFullPath(artifacts));
        if (filters.Count > 0) config = config.AddFilter(new GlobFilter([.. filters]));

        var summaries = BenchmarkRunner.Run(
            [typeof(StepBenchmarks), typeof(EnqueueBenchmarks), typeof(MemoryBenchmarks), typeof(RuntimeCallBenchmarks)], config);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    internal static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value.");
        return args[++i];
    }
}
