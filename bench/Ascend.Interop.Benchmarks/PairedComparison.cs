using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// bench/compare-commits.sh --paired: two commits' benchmark bodies in one process, each commit's assemblies in an
/// <see cref="AssemblyLoadContext"/> of their own bound to that commit's simulator library, timed in alternating
/// batches (old, new, new, old, ...). Each pair of batches is a few milliseconds apart, so both see the same machine;
/// a row's ratio is the median of the per-pair ratios new/old with a bootstrap 95 % interval.
/// </summary>
/// <remarks>
/// Why: on the 2-vCPU machines this project is benchmarked on, the speed of a trivial call (aclrtStreamQuery)
/// moves between two levels about 30 % apart within seconds (other guests of the host), and the enqueue rows, whose
/// cost also depends on the stream worker's timing, move more. Runs minutes apart (BenchmarkDotNet's processes, one
/// per row and commit) cannot resolve 5 % on one row; batches milliseconds apart can. The rows with the same C# code
/// on both sides (the raw-binding rows) are the control: their ratio is what the simulator libraries alone differ by,
/// and their interval is the noise floor of the method. BenchmarkDotNet remains the measurement of the absolute
/// numbers (compare-commits.sh without --paired, and the Bench target).
/// <c>--warm-call</c> makes one untimed call before each timed batch of an enqueue row: the first call after a drain
/// pays the simulator's wake-up (about 13 us for the decoder's replay, against 0.4 us for the others), which in batches
/// of 16 is most of the replay row's time and most of its noise. <c>--batch N</c> times N calls per batch in every row.
/// </remarks>
public static class PairedComparison
{
    /// <summary>One row: the bodies class that has it, the method, the calls per timed batch, whether it queues work (then drained after each batch, untimed).</summary>
    private sealed record Row(string Name, string BodiesType, string Method, int Batch, bool Queues)
    {
        /// <summary>One untimed call before each timed batch (<c>--warm-call</c>).</summary>
        public bool WarmCall { get; init; }
    }

    private const string Mlp = "Ascend.Interop.Benchmarks.BenchmarkBodies";
    private const string Decoder = "Ascend.Interop.Benchmarks.DecoderBenchmarkBodies";

    /// <summary>
    /// Not a method of the bodies: this harness calls aclmdlRIExecuteAsync itself, through a function pointer taken from
    /// the side's simulator library, with the model of the bodies' <c>Graph</c> and the native handle of their
    /// <c>Stream</c> (read by reflection, so that commits whose bench has no raw decoder row still get one). Both sides
    /// run this same code, so the row's ratio is what the side's simulator library and process state alone add to the
    /// decoder's replay: the control of ReplayDecodeEnqueue.
    /// </summary>
    private const string RawReplay = "(aclmdlRIExecuteAsync of Graph on Stream)";

    // The rows both commits have, with BenchmarkDotNet's batch sizes (InvocationCount); the trivial calls in batches of 2,000.
    private static readonly Row[] s_rows =
    [
        new("ReplayMlpEnqueue", Mlp, "ReplayMlpEnqueue", BenchmarkShapes.EnqueueBatch, true),
        new("ReplayMlpEnqueueRaw", Mlp, "ReplayMlpEnqueueRaw", BenchmarkShapes.EnqueueBatch, true),
        new("EagerMlpEnqueue", Mlp, "EagerMlpEnqueue", BenchmarkShapes.EnqueueBatch, true),
        new("ReplayDecodeEnqueue", Decoder, "ReplaySubmit", DecoderBenchmarkBodies.EnqueueBatch, true),
        new("ReplayDecodeEnqueueRaw", Decoder, RawReplay, DecoderBenchmarkBodies.EnqueueBatch, true),
        new("GraphDecodeEnqueue", Decoder, "GraphStepSubmit", DecoderBenchmarkBodies.EnqueueBatch, true),
        new("EagerDecodeEnqueue", Decoder, "EagerStepSubmit", DecoderBenchmarkBodies.EnqueueBatch, true),
        new("StreamQuerySafe", Mlp, "StreamQuerySafe", 2_000, false),
        new("StreamQueryRaw", Mlp, "StreamQueryRaw", 2_000, false),
    ];

    /// <summary>The rows whose C# code is the same in every commit: raw bindings only.</summary>
    public static bool IsControl(string row) => row.EndsWith("Raw", StringComparison.Ordinal);

    /// <summary>The control of a row (its raw counterpart), if the table has one.</summary>
    public static string? ControlOf(string row) => row switch
    {
        "StreamQuerySafe" => "StreamQueryRaw",
        _ when IsControl(row) => null,
        _ => row + "Raw",
    };

    public static int Run(string[] args)
    {
        string? oldBench = null, newBench = null, oldSim = null, newSim = null, outFile = null;
        string oldLabel = "old", newLabel = "new";
        double seconds = 8, warmup = 2, limit = 1.05;
        bool hold = true, newFirst = false;
        int processes = 5, batch = 0;
        bool warmCall = false;
        string? child = null;
        var only = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--old-bench": oldBench = Path.GetFullPath(Program.Value(args, ref i)); break;
                case "--new-bench": newBench = Path.GetFullPath(Program.Value(args, ref i)); break;
                case "--old-sim": oldSim = Path.GetFullPath(Program.Value(args, ref i)); break;
                case "--new-sim": newSim = Path.GetFullPath(Program.Value(args, ref i)); break;
                case "--old-label": oldLabel = Program.Value(args, ref i); break;
                case "--new-label": newLabel = Program.Value(args, ref i); break;
                case "--seconds": seconds = Number(Program.Value(args, ref i), "--seconds"); break;
                case "--warmup": warmup = Number(Program.Value(args, ref i), "--warmup"); break;
                case "--limit": limit = Number(Program.Value(args, ref i), "--limit"); break;
                case "--row": only.Add(Program.Value(args, ref i)); break;
                case "--no-hold": hold = false; break;
                case "--processes": processes = (int)Number(Program.Value(args, ref i), "--processes"); break;
                case "--batch": batch = (int)Number(Program.Value(args, ref i), "--batch"); break;
                case "--warm-call": warmCall = true; break;
                case "--child": child = Program.Value(args, ref i); break;
                case "--new-first": newFirst = true; break;
                case "--out": outFile = Program.Value(args, ref i); break;
                default: throw new ArgumentException($"paired: unknown argument '{args[i]}'.");
            }
        }
        if (oldBench is null || newBench is null || oldSim is null || newSim is null)
            throw new ArgumentException("paired needs --old-bench DLL --old-sim SO --new-bench DLL --new-sim SO (each commit's bench assembly and simulator library).");
        foreach (string file in new[] { oldBench, newBench, oldSim, newSim })
            if (!File.Exists(file)) throw new ArgumentException($"paired: {file} does not exist.");
        if (oldSim == newSim)
            throw new ArgumentException("paired: both sides name the same simulator library; each side needs its own file (one library loaded once serves both).");
        var rows = only.Count == 0 ? s_rows.ToList() : only.Select(name => s_rows.FirstOrDefault(r => r.Name == name)
            ?? throw new ArgumentException($"paired: unknown row '{name}' (rows: {string.Join(", ", s_rows.Select(r => r.Name))}).")).ToList();
        if (batch > 0) rows = rows.Select(r => r with { Batch = batch }).ToList();   // every selected row: calls per timed batch
        if (warmCall) rows = rows.Select(r => r with { WarmCall = r.Queues }).ToList();

        if (child is null)
        {
            // Each process lays the two sides out in memory differently; identical code measured against itself moved
            // by up to about 6 % per process on the replay rows. The median over processes (loading the new side first in
            // every other one) removes that.
            var perProcess = new List<IReadOnlyList<Result>>();
            for (int p = 0; p < processes; p++)
            {
                string file = Path.Combine(Path.GetTempPath(), $"ascend-paired-{Environment.ProcessId}-{p}.tsv");
                var childArgs = new List<string> { DotnetHost(), typeof(PairedComparison).Assembly.Location, "paired" };
                childArgs.AddRange(args);
                childArgs.AddRange(["--child", file]);
                if (p % 2 == 1) childArgs.Add("--new-first");
                Console.Error.WriteLine($"paired: process {p + 1} of {processes}{(p % 2 == 1 ? " (new side loaded first)" : "")}");
                var start = new ProcessStartInfo(childArgs[0]) { RedirectStandardOutput = true };
                foreach (string a in childArgs.Skip(1)) start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0 || !File.Exists(file))
                    throw new InvalidOperationException($"paired: process {p + 1} failed with exit code {process.ExitCode}.");
                perProcess.Add(ReadResults(file));
                File.Delete(file);
            }
            var combined = Combine(perProcess);
            string summary = Table(combined, oldLabel, newLabel, limit, seconds, hold, processes, out int over, warmCall);
            Console.Write(summary);
            if (outFile is not null) File.WriteAllText(outFile, summary);
            return over == 0 ? 0 : 1;
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        var types = rows.Select(r => r.BodiesType).Distinct(StringComparer.Ordinal).ToList();
        Side? first = newFirst ? new Side(newLabel, newBench, newSim, types, hold) : null;
        using var oldSide = new Side(oldLabel, oldBench, oldSim, types, hold);
        using var newSide = first ?? new Side(newLabel, newBench, newSim, types, hold);

        var results = new List<Result>();
        foreach (var row in rows)
        {
            var o = oldSide.Body(row);
            var n = newSide.Body(row);
            Console.Error.WriteLine($"paired: {row.Name}: {warmup:0.#} s warm-up, {seconds:0.#} s of alternating batches of {row.Batch}");
            Measure(o, n, row, warmup, null, null);
            var oldNs = new List<double>();
            var newNs = new List<double>();
            Measure(o, n, row, seconds, oldNs, newNs);
            results.Add(Result.Of(row.Name, oldNs, newNs));
        }
        WriteResults(child, results);
        return 0;

        static double Number(string text, string option) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                ? v : throw new ArgumentException($"paired: {option} needs a positive number, not '{text}'.");
    }

    /// <summary>The dotnet host that runs this assembly (a test host runs it too, under another executable).</summary>
    private static string DotnetHost()
    {
        string? path = Environment.ProcessPath;
        if (path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet") return path;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    /// <summary>Alternating batches for <paramref name="seconds"/> (at least 20 pairs); the first of a pair alternates.</summary>
    private static void Measure(Body o, Body n, Row row, double seconds, List<double>? oldNs, List<double>? newNs)
    {
        var clock = Stopwatch.StartNew();
        for (int pair = 0; pair < 20 || clock.Elapsed.TotalSeconds < seconds; pair++)
        {
            bool newFirst = (pair & 1) == 1;
            double b = newFirst ? Time(n, row) : 0;
            double a = Time(o, row);
            if (!newFirst) b = Time(n, row);
            oldNs?.Add(a);
            newNs?.Add(b);
        }
    }

    private static double Time(Body body, Row row)
    {
        bool hold = row.Queues && body.Hold is not null;
        if (hold) body.Hold!(true);
        if (row.WarmCall) body.Call();   // untimed: the first call after a drain pays the simulator's wake-up
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < row.Batch; i++) body.Call();
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / row.Batch;
        if (hold) body.Hold!(false);
        if (row.Queues) body.Drain();
        return ns;
    }

    /// <summary>A row's measurements: per-pair ratios new/old, their median and a bootstrap 95 % interval of it.</summary>
    public sealed record Result(string Row, double OldNs, double NewNs, double Ratio, double Low, double High, int Pairs)
    {
        /// <summary>Over processes: every process's ratio, the median of those (the row's ratio), the medians of the times.</summary>
        public IReadOnlyList<double> ProcessRatios { get; init; } = [];

        public static Result Of(string row, IReadOnlyList<double> oldNs, IReadOnlyList<double> newNs)
        {
            if (oldNs.Count == 0 || oldNs.Count != newNs.Count) throw new ArgumentException("paired: a row needs as many old as new batches, at least one.");
            var ratios = oldNs.Zip(newNs, (o, n) => n / o).ToArray();
            var (low, high) = BootstrapMedian(ratios, 2_000, seed: 23);
            return new Result(row, Statistics.Median(oldNs), Statistics.Median(newNs), Statistics.Median(ratios), low, high, ratios.Length);
        }
    }

    /// <summary>Per row, the median over processes of their ratios and times; the interval spans the processes' intervals' medians.</summary>
    public static IReadOnlyList<Result> Combine(IReadOnlyList<IReadOnlyList<Result>> perProcess)
    {
        var rows = perProcess.SelectMany(p => p.Select(r => r.Row)).Distinct(StringComparer.Ordinal).ToList();
        return rows.Select(row =>
        {
            var runs = perProcess.Select(p => p.FirstOrDefault(r => r.Row == row)).OfType<Result>().ToList();
            return new Result(row, Statistics.Median(runs.Select(r => r.OldNs)), Statistics.Median(runs.Select(r => r.NewNs)), Statistics.Median(runs.Select(r => r.Ratio)),
                Statistics.Median(runs.Select(r => r.Low)), Statistics.Median(runs.Select(r => r.High)), runs.Sum(r => r.Pairs))
            { ProcessRatios = runs.Select(r => r.Ratio).ToList() };
        }).ToList();
    }

    private static void WriteResults(string file, IEnumerable<Result> results) =>
        File.WriteAllLines(file, results.Select(r => string.Join('\t', r.Row,
            string.Join('\t', new[] { r.OldNs, r.NewNs, r.Ratio, r.Low, r.High }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            r.Pairs.ToString(CultureInfo.InvariantCulture))));

    private static List<Result> ReadResults(string file) => File.ReadAllLines(file).Select(line =>
    {
        string[] f = line.Split('\t');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new Result(f[0], D(1), D(2), D(3), D(4), D(5), int.Parse(f[6], CultureInfo.InvariantCulture));
    }).ToList();

    /// <summary>The 2.5 % and 97.5 % quantiles of the medians of <paramref name="resamples"/> resamples (with a fixed seed: the same data give the same interval).</summary>
    public static (double Low, double High) BootstrapMedian(IReadOnlyList<double> values, int resamples, int seed)
    {
        var random = new Random(seed);
        var medians = new double[resamples];
        var sample = new double[values.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < sample.Length; i++) sample[i] = values[random.Next(values.Count)];
            medians[r] = Statistics.Median(sample);
        }
        Array.Sort(medians);
        return (medians[(int)(0.025 * (resamples - 1))], medians[(int)Math.Ceiling(0.975 * (resamples - 1))]);
    }

    /// <summary>
    /// A row's ratio divided by its control's: per process, where both rows come from the same processes (the side
    /// bias a process has cancels within it), then the median of those; otherwise the quotient of the two medians.
    /// </summary>
    public static double Corrected(Result row, Result control)
    {
        var rows = row.ProcessRatios;
        var controls = control.ProcessRatios;
        if (rows.Count == 0 || rows.Count != controls.Count) return row.Ratio / control.Ratio;
        return Statistics.Median(rows.Zip(controls, (r, c) => r / c));
    }

    public static string Table(IReadOnlyList<Result> results, string oldLabel, string newLabel, double limit, double seconds, bool hold, int processes, out int slower,
        bool warmCall = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"Old `{oldLabel}` against new `{newLabel}` in one process (bench/compare-commits.sh --paired): alternating batches, " +
                      $"{seconds.ToString("0.#", inv)} s per row after a warm-up, in each of {processes} processes (the new side loaded first in every other one). " +
                      "A process's ratio is the median of its per-pair ratios new/old; the row's is the median over processes (each process's in brackets), " +
                      "the interval the median over processes of their bootstrap 95 % intervals.");
        sb.AppendLine(hold
            ? "Enqueue rows with the stream workers held (aclsimHoldStreams) while a batch is queued: the host's cost alone, as on an NPU, where the device's execution does not take the host's cores."
            : "Enqueue rows with the stream workers running (as BenchmarkDotNet measures them): the simulated execution competes with the submitting thread.");
        if (warmCall) sb.AppendLine("Each timed batch of an enqueue row follows one untimed call (--warm-call): the first call after a drain, which pays the simulator's wake-up, is not timed.");
        sb.AppendLine("Raw rows call the bindings directly (the same C# code in both commits): their ratio is the simulator libraries' difference, their interval the method's noise. " +
                      "A row with a raw control is judged by its ratio divided by the control's in each process, the median of those (÷ control: the SDK's own share); the others by their ratio.");
        sb.AppendLine();
        sb.AppendLine("| Row | Old | New | New/old | ÷ control | Processes | 95 % interval | Pairs | |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|---|---:|---|");
        slower = 0;
        var byName = results.ToDictionary(r => r.Row, StringComparer.Ordinal);
        foreach (var r in results)
        {
            string flag = IsControl(r.Row) ? "control" : "";
            double? corrected = ControlOf(r.Row) is { } c && byName.TryGetValue(c, out var control) ? Corrected(r, control) : null;
            if (CommitComparison.IsGated(r.Row) && !IsControl(r.Row) && (corrected ?? r.Ratio) > limit)
            {
                flag = $"**slower than {limit.ToString("0.00", inv)}x**";
                slower++;
            }
            sb.AppendLine($"| {r.Row} | {ResultsReport.Time(r.OldNs)} | {ResultsReport.Time(r.NewNs)} | {r.Ratio.ToString("0.000", inv)} | " +
                          $"{(corrected is { } v ? v.ToString("0.000", inv) : "")} | " +
                          $"{string.Join(' ', r.ProcessRatios.Select(x => x.ToString("0.000", inv)))} | {r.Low.ToString("0.000", inv)} - {r.High.ToString("0.000", inv)} | {r.Pairs} | {flag} |");
        }
        sb.AppendLine();
        sb.AppendLine(slower == 0
            ? $"No enqueue or replay row slower than {limit.ToString("0.00", inv)}x old."
            : $"{slower} enqueue or replay row(s) slower than {limit.ToString("0.00", inv)}x old.");
        return sb.ToString();
    }

    /// <summary>One row of one commit: the call and the drain, bound to that commit's bodies object.</summary>
    private sealed record Body(Action Call, Action Drain, Action<bool>? Hold);

    /// <summary>One commit: its assemblies in their own load context, its simulator library, its bodies objects.</summary>
    private sealed class Side : IDisposable
    {
        private readonly Dictionary<string, object> _bodies = new(StringComparer.Ordinal);
        private readonly Action<bool>? _hold;
        private readonly nint _library;
        private readonly string _label;

        public Side(string label, string benchAssembly, string simLibrary, IEnumerable<string> bodiesTypes, bool hold)
        {
            _label = label;
            // The same file as the bindings of this side load: dlopen hands out the copy they use.
            _library = NativeLibrary.Load(simLibrary);
            if (hold)
            {
                if (!NativeLibrary.TryGetExport(_library, "aclsimHoldStreams", out nint export))
                    throw new ArgumentException($"paired: {simLibrary} ({label}) has no aclsimHoldStreams (a simulator older than the control): " +
                                                "pass --no-hold, or run that side's SDK on a newer simulator library (--old-sim) to compare the SDKs alone.");
                _hold = Holder(export);
            }
            var context = new CommitLoadContext(label, benchAssembly);
            Assembly bench = context.LoadFromAssemblyPath(benchAssembly);
            // The bindings' resolver reads the variable once, at the first native call of this context's copy:
            // the bodies' constructors make it, so each side binds to its own library.
            string? previous = Environment.GetEnvironmentVariable("ASCEND_SIM_LIBRARY");
            Environment.SetEnvironmentVariable("ASCEND_SIM_LIBRARY", simLibrary);
            try
            {
                foreach (string typeName in bodiesTypes)
                {
                    Type type = bench.GetType(typeName, throwOnError: false)
                        ?? throw new ArgumentException($"paired: {benchAssembly} ({label}) has no {typeName}.");
                    _bodies[typeName] = Activator.CreateInstance(type)!;
                }
            }
            finally
            {
                // The process's own bindings (if any) keep resolving as before.
                Environment.SetEnvironmentVariable("ASCEND_SIM_LIBRARY", previous);
            }
        }

        public Body Body(Row row)
        {
            object target = _bodies[row.BodiesType];
            Action call = row.Method == RawReplay ? RawReplayOf(target) : Bind(target, row.Method);
            return new Body(call, Bind(target, "Drain"), _hold);
        }

        /// <summary>The <see cref="RawReplay"/> call: the side's own aclmdlRIExecuteAsync on the bodies' graph and stream.</summary>
        private unsafe Action RawReplayOf(object bodies)
        {
            nint model = NativeValue(Property(Property(bodies, "Graph"), "Handle"), "Graph.Handle");
            nint stream = NativeValue(Property(Property(bodies, "Stream"), "Handle"), "Stream.Handle");
            if (model == 0 || stream == 0) throw new InvalidOperationException($"paired: {_label}'s decoder bodies have no captured model or no stream.");
            if (!NativeLibrary.TryGetExport(_library, "aclmdlRIExecuteAsync", out nint export))
                throw new ArgumentException($"paired: {_label}'s simulator library exports no aclmdlRIExecuteAsync.");
            var execute = (delegate* unmanaged<nint, nint, int>)export;
            return () =>
            {
                int rc = execute(model, stream);
                if (rc != 0) throw new InvalidOperationException($"aclmdlRIExecuteAsync returned {rc}.");
            };
        }

        private static object Property(object target, string name) =>
            target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target)
            ?? throw new ArgumentException($"paired: {target.GetType().FullName} has no public property {name} with a value.");

        /// <summary>A handle as an address: an <see cref="IntPtr"/> (older commits) or a generated handle struct's one pointer field.</summary>
        private static unsafe nint NativeValue(object handle, string what)
        {
            if (handle is nint address) return address;
            FieldInfo[] fields = handle.GetType().GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (fields.Length == 1 && fields[0].FieldType.IsPointer && fields[0].GetValue(handle) is Pointer pointer)
                return (nint)Pointer.Unbox(pointer);
            throw new ArgumentException($"paired: {what} is a {handle.GetType().FullName}, neither an IntPtr nor a struct holding one pointer.");
        }

        private static Action Bind(object target, string name)
        {
            MethodInfo method = target.GetType().GetMethod(name, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)
                ?? throw new ArgumentException($"paired: {target.GetType().FullName} has no method {name}().");
            if (method.ReturnType == typeof(void)) return method.CreateDelegate<Action>(target);
            if (method.ReturnType == typeof(bool))
            {
                var call = method.CreateDelegate<Func<bool>>(target);
                return () => call();
            }
            throw new ArgumentException($"paired: {name}() returns {method.ReturnType.Name}; rows return void or bool.");
        }

        private static unsafe Action<bool> Holder(nint export)
        {
            var hold = (delegate* unmanaged<int, int>)export;
            return on =>
            {
                int rc = hold(on ? 1 : 0);
                if (rc != 0) throw new InvalidOperationException($"aclsimHoldStreams({(on ? 1 : 0)}) returned {rc}.");
            };
        }

        public void Dispose()
        {
            foreach (var bodies in _bodies.Values) (bodies as IDisposable)?.Dispose();
        }
    }

    /// <summary>Loads a commit's bench assembly and everything it references from its own build folder.</summary>
    private sealed class CommitLoadContext(string label, string mainAssembly) : AssemblyLoadContext($"commit {label}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName name)
        {
            string? path = _resolver.ResolveAssemblyToPath(name);
            return path is null ? null : LoadFromAssemblyPath(path);
        }
    }
}
