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
///   run [--quick] [--artifacts DIR] [--sim-library FILE] [--filter GLOB]...
///                                                        BenchmarkDotNet over every benchmark class (JSON into DIR/results)
///   loop BODY SECONDS [--hold]                           runs one BenchmarkBodies method in a loop (for perf / dotnet-trace);
///                                                        --hold (decoder bodies): stream workers held while a batch is queued
///   pair BODY1 BODY2 SECONDS                             alternates batches of two bodies (enqueue bodies drained between
///                                                        batches, untimed); the fastest and median batch of each
///                                                        (a development aid on a busy machine: the minimum filters out preemption)
///   report --dotnet DIR --native FILE [--native FILE2] --out FILE [--commit SHA] [--quick]
///                                                        combined C#/C++ table into FILE (bench/RESULTS.md)
///   compare --old DIR --new DIR [--old DIR --new DIR]... [--old-native FILE[@ROUND]]... [--new-native FILE[@ROUND]]...
///           [--old-label L] [--new-label L] [--map OLD=NEW]... [--limit 1.05] [--out FILE] [--quick]
///                                                        two commits' runs side by side, new/old per row (bench/compare-commits.sh)
///   paired --old-bench DLL --old-sim SO --new-bench DLL --new-sim SO [--row NAME]... [--seconds 8] [--warmup 2]
///          [--old-label L] [--new-label L] [--limit 1.05] [--out FILE] [--processes 5] [--batch N] [--warm-call] [--no-hold]
///                                                        two commits' bodies in one process, alternating batches
///                                                        (bench/compare-commits.sh --paired; see PairedComparison)
///   compare --cpp-filter DIR                             the Google Benchmark filter of the C++ counterparts of DIR's rows
/// Without a command, "run" is assumed. Build.cake's Bench target runs both.
/// </summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "report") return ResultsReport.Run(args[1..]);
            if (args.Length > 0 && args[0] == "compare") return CommitComparison.Run(args[1..]);
            if (args.Length > 0 && args[0] == "loop") return Loop(args[1..]);
            if (args.Length > 0 && args[0] == "pair") return Pair(args[1..]);
            if (args.Length > 0 && args[0] == "paired") return PairedComparison.Run(args[1..]);
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
        string simLibrary = Path.Combine(AppContext.BaseDirectory, "libascend_sim.so");
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--artifacts": artifacts = Value(args, ref i); break;
                case "--sim-library": simLibrary = Path.GetFullPath(Value(args, ref i)); break;
                case "--filter": filters.Add(Value(args, ref i)); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}' (see Program.cs for the usage).");
            }
        }

        if (!File.Exists(simLibrary))
            throw new ArgumentException($"the simulator library {simLibrary} does not exist (pass --sim-library FILE).");
        // Benchmark processes inherit the environment: pin them to the simulator, and to the very library file the
        // C++ baseline is linked to (the Bench target passes it).
        Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        Environment.SetEnvironmentVariable("ASCEND_SIM_LIBRARY", simLibrary);

        // Full mode: enough iterations for a stable median on a shared 2-core machine, bounded so a run stays
        // within minutes. Quick mode: BenchmarkDotNet's ShortRun (3 iterations).
        var job = quick
            ? Job.ShortRun.WithId("Quick")
            : Job.Default.WithMinIterationCount(15).WithMaxIterationCount(40).WithId("Full");
        // BenchmarkDotNet builds a host project that references this one: it must not run CMake again (another
        // build may be using the CMake tree), only copy the library that is already there.
        job = job.WithArguments([
            new MsBuildArgument("/p:AscendSkipNativeBuild=true"),
            new MsBuildArgument($"/p:AscendNativeBuildDir={Path.GetDirectoryName(simLibrary)}/"),
        ]);
        IConfig config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(JsonExporter.Brief)
            .WithArtifactsPath(Path.GetFullPath(artifacts))
            // Building the host project takes minutes on a busy 2-core machine (the default limit is 2).
            .WithBuildTimeout(TimeSpan.FromMinutes(20));
        if (filters.Count > 0) config = config.AddFilter(new GlobFilter([.. filters]));

        var summaries = BenchmarkRunner.Run(
            [typeof(StepBenchmarks), typeof(EnqueueBenchmarks), typeof(MemoryBenchmarks), typeof(RuntimeCallBenchmarks),
             typeof(DecoderEnqueueBenchmarks), typeof(DecoderStepBenchmarks), typeof(TypedOperatorBenchmarks),
             typeof(WhileLoopEnqueueBenchmarks), typeof(WhileLoopStepBenchmarks)], config);
        int requested = summaries.Sum(s => s.BenchmarksCases.Length);
        int succeeded = summaries.Sum(s => s.Reports.Count(r => r.Success));
        if (requested == 0 || succeeded < requested || summaries.Any(s => s.HasCriticalValidationErrors))
        {
            Console.Error.WriteLine($"Ascend.Interop.Benchmarks: {succeeded} of {requested} benchmark(s) ran successfully (see the log above).");
            return 1;
        }
        return 0;
    }

    // A profiling target: e.g. DOTNET_PerfMapEnabled=1 perf record -g dotnet Ascend.Interop.Benchmarks.dll loop PoolRentReturn 10
    private static int Loop(string[] args)
    {
        if (args.Length is not (2 or 3) || !double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out double seconds))
            throw new ArgumentException("usage: loop BODY SECONDS, BODY one of the public methods of BenchmarkBodies (e.g. EagerMlpStep) or a decoder enqueue benchmark (EagerDecodeEnqueue, GraphDecodeEnqueue, ReplayDecodeEnqueue).");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        if (args[0].EndsWith("DecodeEnqueue", StringComparison.Ordinal)) return DecoderLoop(args[0], seconds, args.Length > 2 && args[2] == "--hold");
        using var bodies = new BenchmarkBodies();
        bodies.BindToCurrentThread();
        Action body = args[0] switch
        {
            nameof(BenchmarkBodies.EagerAdd) => bodies.EagerAdd,
            nameof(BenchmarkBodies.EagerMlpStep) => bodies.EagerMlpStep,
            nameof(BenchmarkBodies.EagerMlpEnqueue) => bodies.EagerMlpEnqueue,
            nameof(BenchmarkBodies.EagerMlpEnqueueRaw) => bodies.EagerMlpEnqueueRaw,
            nameof(BenchmarkBodies.ReplayMlpStep) => bodies.ReplayMlpStep,
            nameof(BenchmarkBodies.ReplayMlpEnqueue) => bodies.ReplayMlpEnqueue,
            nameof(BenchmarkBodies.ReplayMlpEnqueueRaw) => bodies.ReplayMlpEnqueueRaw,
            nameof(BenchmarkBodies.PoolRentReturn) => () => bodies.PoolRentReturn(),
            nameof(BenchmarkBodies.RawMallocFree) => () => bodies.RawMallocFree(),
            nameof(BenchmarkBodies.StreamQuerySafe) => () => bodies.StreamQuerySafe(),
            nameof(BenchmarkBodies.StreamQueryRaw) => () => bodies.StreamQueryRaw(),
            nameof(BenchmarkBodies.DeclaredAddEnqueue) => bodies.DeclaredAddEnqueue,
            nameof(BenchmarkBodies.TypedAddEnqueue) => bodies.TypedAddEnqueue,
            nameof(BenchmarkBodies.DeclaredRmsNormEnqueue) => bodies.DeclaredRmsNormEnqueue,
            nameof(BenchmarkBodies.TypedRmsNormEnqueue) => bodies.TypedRmsNormEnqueue,
            _ => throw new ArgumentException($"loop: unknown body '{args[0]}'."),
        };
        bodies.Drain();
        ulong tasksBefore = SimulatorCounter(Native.aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        bool drain = args[0].Contains("Enqueue", StringComparison.Ordinal); // also ReplayMlpEnqueueRaw
        long calls = 0;
        long threadCpuBefore = ThreadCpuNanoseconds();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var batchNs = new List<double>();  // enqueue bodies: the time of each batch without its drain
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            long batchStart = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < BenchmarkShapes.EnqueueBatch; i++) body();
            if (drain)
            {
                batchNs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(batchStart).TotalNanoseconds / BenchmarkShapes.EnqueueBatch);
                bodies.Drain();
            }
            calls += BenchmarkShapes.EnqueueBatch;
        }
        long threadCpu = ThreadCpuNanoseconds() - threadCpuBefore;
        bodies.Drain();
        process.Refresh();
        double cpuNs = (process.TotalProcessorTime - cpuBefore).TotalNanoseconds / calls;
        double tasks = (SimulatorCounter(Native.aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasksBefore) / (double)calls;
        Console.WriteLine($"{args[0]}: {calls} calls in {watch.Elapsed.TotalSeconds:0.00} s, {watch.Elapsed.TotalNanoseconds / calls:0.0} ns per call (including drains), calling-thread CPU {threadCpu / (double)calls:0.0} ns per call (comparable to Google Benchmark's cpu_time), process CPU {cpuNs:0.0} ns per call, {tasks:0.00} simulator tasks per call");
        if (batchNs.Count > 0)
        {
            batchNs.Sort();
            Console.WriteLine($"{args[0]}: enqueue alone (drain excluded, as the benchmark times it): median {batchNs[batchNs.Count / 2]:0.0} ns, fastest batch {batchNs[0]:0.0} ns per call over {batchNs.Count} batches of {BenchmarkShapes.EnqueueBatch}");
        }
        return 0;
    }

    // The decoder's enqueue bodies in batches of DecoderBenchmarkBodies.EnqueueBatch steps, drained between batches.
    private static int DecoderLoop(string name, double seconds, bool hold)
    {
        using var bodies = new DecoderBenchmarkBodies();
        Action body = name switch
        {
            nameof(DecoderEnqueueBenchmarks.EagerDecodeEnqueue) => bodies.EagerStepSubmit,
            nameof(DecoderEnqueueBenchmarks.GraphDecodeEnqueue) => bodies.GraphStepSubmit,
            nameof(DecoderEnqueueBenchmarks.ReplayDecodeEnqueue) => bodies.ReplaySubmit,
            _ => throw new ArgumentException($"loop: unknown decoder body '{name}'."),
        };
        bodies.Drain();
        ulong tasksBefore = SimulatorCounter(Native.aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        long calls = 0, submitTicks = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            if (hold) Native.AclSim.aclsimHoldStreams(1);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < DecoderBenchmarkBodies.EnqueueBatch; i++) body();
            submitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            if (hold) Native.AclSim.aclsimHoldStreams(0);
            bodies.Drain();
            calls += DecoderBenchmarkBodies.EnqueueBatch;
        }
        double tasks = (SimulatorCounter(Native.aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasksBefore) / (double)calls;
        Console.WriteLine($"{name}: {calls} steps in {watch.Elapsed.TotalSeconds:0.00} s, submission {submitTicks * 1e6 / System.Diagnostics.Stopwatch.Frequency / calls:0.0} µs per step (drains excluded), {tasks:0.00} simulator tasks per step");
        return 0;
    }

    private static int Pair(string[] args)
    {
        if (args.Length != 3 || !double.TryParse(args[2], System.Globalization.CultureInfo.InvariantCulture, out double seconds))
            throw new ArgumentException("usage: pair BODY1 BODY2 SECONDS (call-only bodies, e.g. StreamQuerySafe StreamQueryRaw, or enqueue bodies, e.g. ReplayMlpEnqueue ReplayMlpEnqueueRaw).");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        using var bodies = new BenchmarkBodies();
        bodies.BindToCurrentThread();
        // Enqueue bodies run in batches of EnqueueBatch, the stream drained after each batch, untimed (as the benchmark).
        (Func<bool> Body, bool Queues) Pick(string name) => name switch
        {
            nameof(BenchmarkBodies.StreamQuerySafe) => (bodies.StreamQuerySafe, false),
            nameof(BenchmarkBodies.StreamQueryRaw) => (bodies.StreamQueryRaw, false),
            nameof(BenchmarkBodies.PoolRentReturn) => (() => bodies.PoolRentReturn() != 0, false),
            nameof(BenchmarkBodies.RawMallocFree) => (() => bodies.RawMallocFree() != 0, false),
            nameof(BenchmarkBodies.ReplayMlpEnqueue) => (() => { bodies.ReplayMlpEnqueue(); return true; }, true),
            nameof(BenchmarkBodies.ReplayMlpEnqueueRaw) => (() => { bodies.ReplayMlpEnqueueRaw(); return true; }, true),
            nameof(BenchmarkBodies.EagerMlpEnqueue) => (() => { bodies.EagerMlpEnqueue(); return true; }, true),
            nameof(BenchmarkBodies.EagerMlpEnqueueRaw) => (() => { bodies.EagerMlpEnqueueRaw(); return true; }, true),
            nameof(BenchmarkBodies.DeclaredAddEnqueue) => (() => { bodies.DeclaredAddEnqueue(); return true; }, true),
            nameof(BenchmarkBodies.TypedAddEnqueue) => (() => { bodies.TypedAddEnqueue(); return true; }, true),
            _ => throw new ArgumentException($"pair: unknown body '{name}'."),
        };
        var first = Pick(args[0]);
        var second = Pick(args[1]);
        var times1 = new List<double>();
        var times2 = new List<double>();
        var total = System.Diagnostics.Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            times1.Add(Time(first));
            times2.Add(Time(second));
        }
        times1.Sort();
        times2.Sort();
        double median1 = times1[times1.Count / 2], median2 = times2[times2.Count / 2];
        Console.WriteLine($"{args[0]} fastest {times1[0]:0.00} ns, median {median1:0.00} ns; {args[1]} fastest {times2[0]:0.00} ns, median {median2:0.00} ns " +
                          $"(per call, {times1.Count} alternating batches each); difference of the fastest {times1[0] - times2[0]:0.00} ns, ratio of the medians {median1 / median2:0.000}");
        return 0;

        double Time((Func<bool> Body, bool Queues) body)
        {
            int batch = body.Queues ? BenchmarkShapes.EnqueueBatch : 2_000;
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++) body.Body();
            double ns = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds / batch;
            if (body.Queues) bodies.Drain();
            return ns;
        }
    }

    // CPU time of the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)): what Google Benchmark reports as cpu_time.
    private static unsafe long ThreadCpuNanoseconds()
    {
        long* timespec = stackalloc long[2];
        if (ClockGetTime(3, timespec) != 0) return 0;
        return timespec[0] * 1_000_000_000 + timespec[1];
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, long* timespec);

    private static unsafe ulong SimulatorCounter(Native.aclsimCounter counter)
    {
        ulong value;
        int code = Native.AclSim.aclsimGetCounter(counter, &value);
        if (code != 0) throw new InvalidOperationException($"aclsimGetCounter failed with {code}.");
        return value;
    }

    internal static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value.");
        return args[++i];
    }
}
