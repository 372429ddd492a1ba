using System.Diagnostics;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 6: the soak. Eight threads for <see cref="Seconds"/> (default 60; <c>ASCEND_SOAK_SECONDS</c> for the
/// 10-minute sanitizer run, docs/reliability.md) mix captures into private pools and into two pools all threads share
/// (pool reuse, replays serialised across threads), replays on the capture stream and on a second stream, task-group
/// updates, graph disposal, eager work handed between streams with events (the producer's tensor disposed and its
/// size rented again at once), dispose scopes and the device's shared default stream. Every result is checked; a
/// canary tensor and buffer no work names keep their values; every join is bounded (no deadlock); afterwards the
/// graph count and the simulator's live counts are back at the baseline.
/// On the simulator faults are injected throughout: an injector thread arms one fault at a time
/// (<see cref="Faults"/>: out of memory, refused operator launches and descriptors, refused captures, replays and
/// updates, failing event records and waits, copies and synchronizes) wherever the next call of that function happens
/// to be, and the workers also run kernels that fault on the device (an out-of-range index, eagerly and inside a graph)
/// and ask for more memory than the device has. Every fault must surface as an <see cref="AclException"/> (or a subtype)
/// naming the injected function and code, or be absorbed (the pool retries an out-of-memory once); the worker then
/// finds its streams usable and its tensors intact, and the objects of the failed step disposed, and goes on.
/// </summary>
[Collection("Npu")]
public sealed class SoakTests(NpuFixture fixture, ITestOutputHelper output) : LeakCheckedTest(fixture)
{
    public const int Threads = 8;

    /// <summary>The soak's duration in seconds (<c>ASCEND_SOAK_SECONDS</c>, default 60).</summary>
    internal static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("ASCEND_SOAK_SECONDS"), out int s) && s > 0 ? s : 60;

    private NpuDevice Device => Fixture.Device;

    private enum Counter
    {
        Captures, SharedPoolCaptures, Replays, CrossStreamReplays, Updates, CrossStreamHandoffs, ScopedOps, DefaultStream,
        KernelFaults, GraphKernelFaults, RealOutOfMemory, InjectedFaultsSurfaced, RefusedUpdates, Recoveries, Count,
    }

    /// <summary>
    /// The faults the injector arms, one at a time (simulator only): the function and the code it fails with.
    /// <c>aclCreateTensor</c> returns a pointer, not a code: its failure is a null, which the SDK reports as 561103
    /// (<c>ACLNN_ERR_INNER_NULLPTR</c>), as it would on CANN.
    /// </summary>
    internal static readonly (string Function, int Code)[] Faults =
    [
        ("aclrtMalloc", 207001),                    // out of device memory (the pool trims and retries once)
        ("aclrtMalloc", 107000),                    // an allocation refused otherwise (no retry)
        ("aclnnAdd", 561000),                       // an operator launch refused
        ("aclnnMul", 561000),
        ("aclnnAddGetWorkspaceSize", 161002),       // an operator's first phase refused
        ("aclCreateTensor", 161002),                // a tensor descriptor refused
        ("aclmdlRICaptureBegin", 207008),           // a capture refused: no stream left for the model
        ("aclmdlRICaptureEnd", 107000),             // the end of a capture refused
        ("aclmdlRIExecuteAsync", 507899),           // a replay refused
        ("aclmdlRICaptureTaskUpdateBegin", 107033), // a task-group update refused
        ("aclrtRecordEvent", 107000),               // an event record refused (the SDK's own records included)
        ("aclrtStreamWaitEvent", 107000),           // a cross-stream wait refused
        ("aclrtMemcpyAsync", 107000),               // a copy refused
        ("aclrtSynchronizeStream", 507011),         // a stream synchronize failing
    ];

    [Fact]
    public void Eight_threads_mix_capture_replay_update_dispose_pool_reuse_and_cross_stream_use()
    {
        long graphsBefore = Device.StreamBudget.Graphs;
        using var canaryStream = Device.CreateStream();
        float[] canaryValues = Enumerable.Range(0, 256).Select(i => 7000f + i).ToArray();
        using var canary = NpuTensor.FromArray(canaryStream, canaryValues);
        using var canaryBuffer = DeviceBuffer.Allocate(Device, 1024);
        canaryBuffer.Fill(0xA5);
        using var sharedA = new NpuGraphPool(Device);
        using var sharedB = new NpuGraphPool(Device);
        NpuGraphPool[] shared = [sharedA, sharedB];
        var counts = new long[Threads, (int)Counter.Count];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Seconds);
        var run = new Run(NpuFixture.OnSimulator);
        var injector = new Thread(() => run.Inject(deadline)) { IsBackground = true, Name = "soak fault injector" };
        var clock = Stopwatch.StartNew();
        List<Exception> errors;
        try
        {
            injector.Start();
            errors = Bounded.Together(Threads, t => Worker(t, deadline, shared, counts, run), seconds: Seconds + 180);
            Assert.True(injector.Join(TimeSpan.FromSeconds(60)), "the fault injector did not stop (hang)");
        }
        finally
        {
            run.StopInjecting();
            if (NpuFixture.OnSimulator) Sim.Clear();
        }
        clock.Stop();
        Assert.Empty(errors);
        Assert.True(run.Unexpected.IsEmpty, "exceptions no injected fault explains:\n" + string.Join("\n---\n", run.Unexpected.Take(5)));

        var totals = new long[(int)Counter.Count];
        for (int t = 0; t < Threads; t++)
        {
            Assert.True(counts[t, (int)Counter.Captures] > 0, $"thread {t} never completed a capture");
            for (int c = 0; c < totals.Length; c++) totals[c] += counts[t, c];
        }
        string summary = $"soak: {Threads} threads, {clock.Elapsed.TotalSeconds:F0} s: " +
            string.Join(", ", Enum.GetValues<Counter>().Where(c => c != Counter.Count).Select(c => $"{totals[(int)c]} {c}")) +
            $"; faults armed {run.Armed.Sum()}, fired {run.Fired.Sum()}: " +
            string.Join(", ", Faults.Select((f, i) => $"{f.Function}({f.Code}) {run.Fired[i]}/{run.Armed[i]}")) +
            "; surfaced as: " + string.Join(", ", run.Surfaced.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("ASCEND_SOAK_REPORT") is { Length: > 0 } report) File.AppendAllText(report, summary + Environment.NewLine);

        if (NpuFixture.OnSimulator)
        {
            Assert.True(totals[(int)Counter.KernelFaults] > 0 && totals[(int)Counter.GraphKernelFaults] > 0, "no kernel fault ran");
            Assert.True(totals[(int)Counter.RealOutOfMemory] > 0, "no real out-of-memory ran");
            Assert.True(run.Fired.Sum() > 0 && totals[(int)Counter.InjectedFaultsSurfaced] > 0, "no injected fault reached the SDK");
            // A fault fails one call once: no function's failure may surface more often than it was injected.
            foreach (var group in Faults.Select((f, i) => (f.Function, Fired: run.Fired[i])).GroupBy(f => f.Function))
            {
                long surfaced = run.Surfaced.Where(p => p.Key.StartsWith(group.Key + " ", StringComparison.Ordinal)).Sum(p => p.Value);
                Assert.True(surfaced <= group.Sum(g => g.Fired), $"{group.Key}: {surfaced} exceptions for {group.Sum(g => g.Fired)} faults");
            }
        }
        Assert.Equal(canaryValues, canary.ToArray<float>(canaryStream));
        Assert.All(canaryBuffer.ToArray<byte>(), b => Assert.Equal(0xA5, b));
        Assert.Equal(0, sharedA.InUseBytes);
        Assert.Equal(0, sharedB.InUseBytes);
        Assert.Equal(graphsBefore, Device.StreamBudget.Graphs);
    }

    private void Worker(int t, DateTime deadline, NpuGraphPool[] shared, long[,] counts, Run run)
    {
        var random = new Random(1000 + t);
        float[] xs = [t, t + 1, t + 2, -t - 3];
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var done = Device.CreateEvent(timing: false);
        using var x = NpuTensor.FromArray(stream, xs);
        using var c = NpuTensor.FromArray(stream, new float[] { 1, 1, 1, 1 });
        using var y = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        using var z = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        using var weight = NpuTensor.FromArray(stream, Enumerable.Range(0, 8).Select(i => (float)(10 * t + i)).ToArray(), [4, 2]);
        stream.Synchronize();
        bool kernelFaultPending = false;   // a faulting kernel was launched on `stream` and not yet reported
        try
        {
            for (int iteration = 1; DateTime.UtcNow < deadline; iteration++)
            {
                int step = random.Next(32);
                try
                {
                    if (step < 12) CaptureReplayUpdate(iteration);
                    else if (step < 18) HandOff();
                    else if (step < 26) ScopedAndDefaultStream();
                    else if (step < 29) EagerKernelFault();
                    else if (step < 31) GraphKernelFault();
                    else RealOutOfMemory();
                }
                catch (Exception e) when (run.Explain(e) is string fault)
                {
                    // A fault the injector armed surfaced here: typed, naming the function and code. The objects of the
                    // failed step went with its `using`s; this thread's streams must synchronize and its tensors be intact.
                    run.Count(fault);
                    counts[t, (int)Counter.InjectedFaultsSurfaced]++;
                    Recover();
                    counts[t, (int)Counter.Recoveries]++;
                }
            }
        }
        finally
        {
            run.LeftTheLoop();
        }
        Assert.True(run.WaitForInjectorStopped(TimeSpan.FromSeconds(120)), "the injector did not stop");
        Recover();
        return;

        void CaptureReplayUpdate(int iteration)
        {
            // A capture into a private or a shared pool; replays here and on the other stream; an update.
            bool sharedPool = random.Next(2) == 0;
            var pool = sharedPool ? shared[random.Next(shared.Length)] : null;
            using var graph = stream.BeginCapture(CaptureMode.ThreadLocal, pool);
            NpuTaskGroup group;
            using (var scope = graph.BeginTaskGroup("add")) { Ops.Add(stream, x, c, y); group = scope.Group; }
            using (var square = Ops.Mul(stream, y, y))             // intermediates in the graph's pool
            using (var shifted = Ops.Adds(stream, square, 1))
                Ops.Relu(stream, shifted, z);
            graph.EndCapture();
            counts[t, (int)Counter.Captures]++;
            if (sharedPool) counts[t, (int)Counter.SharedPoolCaptures]++;
            int replays = 1 + random.Next(4);
            for (int r = 0; r < replays; r++)
            {
                graph.Replay();
                counts[t, (int)Counter.Replays]++;
            }
            Check(z.ToArray<float>(stream), i => (xs[i] + 1) * (xs[i] + 1) + 1, t, "replay");
            if (random.Next(2) == 0)
            {
                // Replay on another stream, ordered after this one's work, and back.
                done.Record(stream);
                other.Wait(done);
                graph.Replay(other);
                other.Synchronize();
                counts[t, (int)Counter.CrossStreamReplays]++;
                Check(y.ToArray<float>(stream), i => xs[i] + 1, t, "replay on another stream");
            }
            double alpha = 1 + iteration % 5;
            try
            {
                graph.Update(updater, group, s => Ops.Add(s, x, c, y, alpha: alpha));
                counts[t, (int)Counter.Updates]++;
            }
            catch (Exception e) when (run.Explain(e) is string fault)
            {
                // A refused update leaves the group as it was (its one operation was never issued): the graph
                // replays what it captured.
                run.Count(fault);
                counts[t, (int)Counter.InjectedFaultsSurfaced]++;
                counts[t, (int)Counter.RefusedUpdates]++;
                alpha = 1;
            }
            graph.Replay();
            counts[t, (int)Counter.Replays]++;
            Check(y.ToArray<float>(stream), i => xs[i] + (float)alpha, t, "update");
        }

        void HandOff()
        {
            // Hand a tensor to another stream with an event, dispose it in its stream's order and rent its size
            // again at once: the new tensor must not get memory the other stream may still read.
            var produced = Ops.Muls(stream, x, 3);
            try
            {
                done.Record(stream);
                other.Wait(done);
                using var consumed = Ops.Adds(other, produced, 1);
                produced.Dispose();
                using var reused = NpuTensor.FromArray(stream, new float[] { -1, -1, -1, -1 });
                Check(consumed.ToArray<float>(other), i => 3 * xs[i] + 1, t, "cross-stream hand-off");
                Check(reused.ToArray<float>(stream), _ => -1, t, "reused memory");
                counts[t, (int)Counter.CrossStreamHandoffs]++;
            }
            finally
            {
                produced.Dispose();
            }
        }

        void ScopedAndDefaultStream()
        {
            // Eager work in a dispose scope, and on the device's shared default stream.
            NpuTensor kept;
            using (var scope = NpuDisposeScope.Begin())
            {
                var a = Ops.Mul(stream, x, c);
                var b = Ops.Add(stream, a, a);
                kept = scope.MoveToOuter(Ops.Neg(stream, b));
                counts[t, (int)Counter.ScopedOps] += 3;
            }
            using (kept) Check(kept.ToArray<float>(stream), i => -2 * xs[i], t, "scoped");
            var shared0 = Device.DefaultStream;
            using (var sum = Ops.Add(shared0, x, x))
                Check(sum.ToArray<float>(shared0), i => 2 * xs[i], t, "default stream");
            counts[t, (int)Counter.DefaultStream]++;
        }

        void EagerKernelFault()
        {
            // A kernel that faults on the device (row 4 of a 4-row table): the launch succeeds, the stream's next
            // synchronize reports 507015 once naming the kernel, nothing is written, the stream works afterwards.
            using var ids = NpuTensor.FromArray(stream, new long[] { 0, 4, 1 });
            using var rows = NpuTensor.FromArray(stream, Enumerable.Repeat(-1f, 6).ToArray(), [3, 2]);
            kernelFaultPending = true;
            Ops.Embedding(stream, weight, ids, rows);
            ExpectKernelFault("aclnnEmbedding");
            Check(rows.ToArray<float>(stream), _ => -1, t, "rows of a faulting kernel");
            counts[t, (int)Counter.KernelFaults]++;
        }

        void GraphKernelFault()
        {
            // The same kernel inside a graph: a replay with an index out of range faults, the graph stays valid, and
            // the next replay with good indices is correct.
            using var ids = NpuTensor.FromArray(stream, new long[] { 3, 0, 2 });
            using var rows = NpuTensor.Zeros(stream, new TensorShape(3, 2), NpuDataType.Float32);
            using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);
            Ops.Embedding(stream, weight, ids, rows);
            graph.EndCapture();
            counts[t, (int)Counter.Captures]++;
            graph.Replay();
            counts[t, (int)Counter.Replays]++;
            Check(rows.ToArray<float>(stream), i => 10 * t + 2 * (i / 2 == 0 ? 3 : i / 2 == 1 ? 0 : 2) + i % 2, t, "embedding replay");
            ids.CopyFrom<long>(stream, new long[] { 1, -1, 2 });
            kernelFaultPending = true;
            graph.Replay();
            counts[t, (int)Counter.Replays]++;
            ExpectKernelFault("aclnnEmbedding");
            ids.CopyFrom<long>(stream, new long[] { 2, 2, 1 });
            graph.Replay();
            counts[t, (int)Counter.Replays]++;
            Check(rows.ToArray<float>(stream), i => 10 * t + 2 * (i / 2 == 2 ? 1 : 2) + i % 2, t, "replay after a kernel fault");
            counts[t, (int)Counter.GraphKernelFaults]++;
        }

        void RealOutOfMemory()
        {
            // More memory than the device has: 207001 from aclrtMalloc after the pool's trim-and-retry; nothing kept.
            var (_, total) = Device.GetMemoryInfo();
            try
            {
                NpuTensor.Empty(stream, new TensorShape(total / sizeof(float) + 1), NpuDataType.Float32).Dispose();
            }
            catch (AclException e) when (run.Explain(e) is null && e.Code == 207001 && e.Function == "aclrtMalloc")
            {
                counts[t, (int)Counter.RealOutOfMemory]++;
                return;
            }
            throw new InvalidOperationException($"thread {t}: a tensor of {total} bytes and more was allocated");
        }

        void ExpectKernelFault(string kernel)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    stream.Synchronize();
                    throw new InvalidOperationException($"thread {t}: the faulting {kernel} was not reported by Synchronize");
                }
                catch (AclException e) when (run.Explain(e) is string fault && attempt < 5)
                {
                    run.Count(fault);   // an injected synchronize failure first; the kernel fault is still pending
                    counts[t, (int)Counter.InjectedFaultsSurfaced]++;
                    continue;
                }
                catch (AclException e) when (e.Code == 507015 && e.RuntimeMessage?.Contains(kernel, StringComparison.Ordinal) == true)
                {
                    kernelFaultPending = false;
                    return;
                }
            }
        }

        void Recover()
        {
            foreach (var s in new[] { stream, other, updater })
            {
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        s.Synchronize();
                        break;
                    }
                    catch (AclException e) when (run.Explain(e) is string fault && attempt < 5)
                    {
                        run.Count(fault);
                        counts[t, (int)Counter.InjectedFaultsSurfaced]++;
                    }
                    catch (AclException e) when (s == stream && kernelFaultPending && e.Code == 507015)
                    {
                        kernelFaultPending = false;   // the step that launched it was cut short by an injected fault
                    }
                }
            }
            kernelFaultPending = false;           // `stream` synchronized: nothing of it is pending any more
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    Check(x.ToArray<float>(stream), i => xs[i], t, "the thread's input after a fault");
                    Check(c.ToArray<float>(stream), _ => 1, t, "the thread's constant after a fault");
                    break;
                }
                catch (AclException e) when (run.Explain(e) is string fault && attempt < 5)
                {
                    run.Count(fault);
                    counts[t, (int)Counter.InjectedFaultsSurfaced]++;
                }
            }
        }
    }

    /// <summary>The fault injector and the books of what it armed, what fired and how it surfaced.</summary>
    private sealed class Run(bool inject)
    {
        public readonly long[] Armed = new long[Faults.Length];
        public readonly long[] Fired = new long[Faults.Length];
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Surfaced = new(StringComparer.Ordinal);
        public readonly System.Collections.Concurrent.ConcurrentQueue<string> Unexpected = new();
        private readonly ManualResetEventSlim _stopped = new(!inject);
        private int _inLoop = Threads;
        private volatile bool _stop;

        public void LeftTheLoop() => Interlocked.Decrement(ref _inLoop);

        public void StopInjecting() => _stop = true;

        public bool WaitForInjectorStopped(TimeSpan timeout) => _stopped.Wait(timeout);

        /// <summary>Arms one fault at a time, each for a short window, until every worker has left its loop.</summary>
        public void Inject(DateTime deadline)
        {
            if (!inject) return;
            var random = new Random(77);
            try
            {
                while (!_stop && Volatile.Read(ref _inLoop) > 0 && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(random.Next(10, 60));               // a fault-free stretch
                    int k = random.Next(Faults.Length);
                    Sim.Inject(Faults[k].Function, Faults[k].Code, (uint)random.Next(1, 9));
                    Armed[k]++;
                    Thread.Sleep(random.Next(5, 40));                // the window in which the nth call fails
                    if (Sim.Clear() == 0) Fired[k]++;
                }
            }
            finally
            {
                Sim.Clear();
                _stopped.Set();
            }
        }

        /// <summary>
        /// "function code type" when <paramref name="e"/> is an injected fault surfacing as it must (an
        /// <see cref="AclException"/> naming a function and code the injector arms, the simulator's text inside);
        /// null otherwise, and an <see cref="AclException"/> claiming an injected fault it cannot be is noted.
        /// </summary>
        public string? Explain(Exception e)
        {
            if (!inject) return null;
            // NpuGraph.Update reports a failure of its body's second (real) pass as an InvalidOperationException
            // saying whether the runtime discarded the update or kept what was issued before, the cause inside.
            string wrapper = "";
            if (e is InvalidOperationException { InnerException: AclException } w && w.Message.StartsWith("NpuGraph.Update: ", StringComparison.Ordinal))
            {
                wrapper = " in InvalidOperationException";
                e = w.InnerException!;
            }
            if (e is not AclException a || a.RuntimeMessage?.Contains("injected fault", StringComparison.Ordinal) != true) return null;
            bool known = a.Function == "aclCreateTensor"
                ? a.Code == 561103 && Faults.Any(f => f.Function == a.Function)
                : Faults.Any(f => f.Function == a.Function && f.Code == a.Code);
            if (!known)
            {
                Unexpected.Enqueue($"an injected fault surfaced under another function or code: {a}");
                return null;
            }
            return $"{a.Function} {a.Code} {a.GetType().Name}{wrapper}";
        }

        public void Count(string fault) => Surfaced.AddOrUpdate(fault, 1, (_, n) => n + 1);
    }

    private static void Check(float[] actual, Func<int, float> expected, int thread, string what)
    {
        for (int i = 0; i < actual.Length; i++)
            if (actual[i] != expected(i))
                throw new InvalidOperationException($"thread {thread}, {what}: element {i} is {actual[i]}, expected {expected(i)}");
    }
}
