using System.Diagnostics;
using Ascend.Interop.Llm;
using Ascend.Interop.Native;

namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>One decoder set-up (model, prefill, captured step) shared by the decoder tests.</summary>
public sealed class DecoderBodiesFixture : IDisposable
{
    public DecoderBodiesFixture()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        Bodies = new DecoderBenchmarkBodies();
    }

    public DecoderBenchmarkBodies Bodies { get; }

    public void Dispose() => Bodies.Dispose();
}

/// <summary>
/// Runs the decoder benchmark bodies (DecoderBenchmarks.cs) once each and checks what they computed and submitted;
/// and checks that the C++ baseline (bench/native/decoder_bench.cpp) makes the same step: the same operator sequence
/// and the same simulator task counts. The C++ program asserts the same counts itself (kExpected*), so the two
/// sides agree even where this test cannot run it (it is built by the Bench target, not by the test run).
/// </summary>
[Collection(BenchmarkCollection.Name)]
public sealed class DecoderBenchmarkTests(DecoderBodiesFixture fixture) : IClassFixture<DecoderBodiesFixture>
{
    private readonly DecoderBenchmarkBodies _bodies = fixture.Bodies;

    /// <summary>LlmModel.Step's operators in order (the attention-mask write, 3 embeddings, 22 per layer, final norm, LM head, argmax).</summary>
    public static string[] ExpectedOperators(int layers)
    {
        var names = new List<string> { "aclnnInplaceIndexCopy", "aclnnEmbedding", "aclnnEmbedding", "aclnnEmbedding" };
        for (int l = 0; l < layers; l++)
        {
            names.AddRange([
                "aclnnRmsNorm", "aclnnMm", "aclnnMm", "aclnnMm", "aclnnRotaryPositionEmbedding", "aclnnRotaryPositionEmbedding",
                "aclnnCast", "aclnnCast", "aclnnCast", "aclnnInplaceIndexCopy", "aclnnInplaceIndexCopy", "aclnnIncreFlashAttentionV4",
                "aclnnCast", "aclnnMm", "aclnnAdd", "aclnnRmsNorm", "aclnnMm", "aclnnMm", "aclnnSilu", "aclnnMul", "aclnnMm", "aclnnAdd",
            ]);
        }
        names.AddRange(["aclnnRmsNorm", "aclnnMm", "aclnnArgMax"]);
        return [.. names];
    }

    [Fact]
    public void Captured_step_holds_the_decoders_operators_in_order()
    {
        var config = _bodies.Engine.Model.Config;
        Assert.Equal(DecoderBenchmarkBodies.OperatorsPerStep, _bodies.Engine.Model.OperatorsPerStep);
        var captured = _bodies.Graph.Operations.Select(o => o.Name).ToArray();
        Assert.Equal(ExpectedOperators(config.Layers), captured);
        // One attention task group per layer, each holding the one attention launch.
        Assert.Equal(config.Layers, _bodies.Graph.TaskGroups.Count);
        Assert.All(_bodies.Graph.TaskGroups, g => Assert.Equal(1, g.OperationCount));
    }

    [Fact]
    public void Eager_graph_and_replay_steps_compute_the_same_logits_and_run_the_expected_tasks()
    {
        var bodies = _bodies;
        int vocab = bodies.Engine.Model.Config.Vocab;
        bodies.Drain();
        bodies.ResetPositions();     // the graph and window steps below run at position 3, as the eager one
        long[] start = CurrentTokens();

        bodies.SetTokens(start);
        ulong eagerTasks = TasksOf(bodies.EagerStepSubmit);
        float[] eager = bodies.ReadLogits();
        long[] eagerTokens = bodies.Engine.LastTokens[..DecoderBenchmarkBodies.Batch].ToArray();
        Assert.Equal((ulong)DecoderBenchmarkBodies.EagerStepTasks, eagerTasks);
        Assert.All(eager, v => Assert.True(float.IsFinite(v)));
        Assert.All(eagerTokens, t => Assert.InRange(t, 0, vocab - 1));

        bodies.SetTokens(start);
        ulong executions = Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
        ulong graphTasks = TasksOf(bodies.GraphStepSubmit);
        Assert.Equal((ulong)DecoderBenchmarkBodies.GraphStepTasks, graphTasks);
        Assert.Equal(executions + 1, Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        Assert.Equal(eager, bodies.ReadLogits());
        Assert.Equal(eagerTokens, bodies.Engine.LastTokens[..DecoderBenchmarkBodies.Batch].ToArray());

        // The bare replay keeps the last update's attention lengths: the same step again.
        bodies.SetTokens(start);
        ulong replayTasks = TasksOf(bodies.ReplaySubmit);
        Assert.Equal((ulong)DecoderBenchmarkBodies.ReplayTasks, replayTasks);
        Assert.Equal(eager, bodies.ReadLogits());

        // The window step (masked attention over 64 positions): the same logits and tokens, bit for bit. Its graph
        // copied the tokens out and advanced the inputs; after the reset it copied the inputs in too.
        bodies.SetTokens(start);
        DecodeStepTiming window = default;
        ulong windowTasks = TasksOf(() => window = bodies.WindowStepSubmit());
        Assert.Equal(1, window.HostCopies);
        Assert.Equal((ulong)DecoderBenchmarkBodies.WindowStepTasks + 1, windowTasks);
        Assert.Equal(eager, bodies.ReadLogits());
        Assert.Equal(eagerTokens, bodies.Engine.LastTokens[..DecoderBenchmarkBodies.Batch].ToArray());

        bodies.ResetPositions();
        bodies.SetTokens(start);
    }

    [Fact]
    public void A_loop_launch_emits_the_tokens_of_K_eager_steps_and_runs_the_expected_tasks()
    {
        var bodies = _bodies;
        const int k = DecoderBenchmarkBodies.LoopSteps, batch = DecoderBenchmarkBodies.Batch;
        bodies.Drain();
        long[] start = CurrentTokens();
        // K eager steps from position 3: the reference tokens.
        bodies.ResetPositions();
        bodies.SetTokens(start);
        var expected = new long[k][];
        for (int step = 0; step < k; step++)
        {
            long position = 3 + step;
            bodies.Engine.DecodeStep([position, position, position, position, position, position, position, position], Llm.DecodeMode.Eager);
            expected[step] = bodies.Engine.LastTokens[..batch].ToArray();
        }
        // One launch of the loop from the same state: the same K steps on the device.
        bodies.ResetPositions();
        bodies.SetTokens(start);
        ulong executions = Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
        ulong tasks = TasksOf(bodies.LoopSubmit);
        Assert.Equal((ulong)DecoderBenchmarkBodies.LoopLaunchTasks, tasks);
        Assert.Equal(executions + 1, Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        var ring = bodies.LoopTokens;
        Assert.Equal(k, ring[0]);
        int width = bodies.Engine.Model.Config.MaxBatch;
        for (int step = 0; step < k; step++) Assert.Equal(expected[step], ring.Slice(1 + step * width, batch).ToArray());
        Assert.Empty(bodies.LoopGraph.TaskGroups);      // nothing to update
        bodies.ResetPositions();
        bodies.SetTokens(start);
    }

    [Fact]
    public void Window_steps_through_the_context_copy_inputs_once_and_update_at_the_two_boundaries()
    {
        var bodies = _bodies;
        bodies.Drain();
        long[] start = CurrentTokens();
        bodies.ResetPositions();
        int cycle = DecoderBenchmarkBodies.Context - DecoderBenchmarkBodies.FirstPosition;
        var copies = new int[cycle + 1];
        var updates = new int[cycle + 1];
        ulong tasks = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        for (int i = 0; i <= cycle; i++)
        {
            var timing = bodies.WindowStepSubmit();
            bodies.Drain();
            (copies[i], updates[i]) = (timing.HostCopies, timing.Updates);
            Assert.All(CurrentTokens(), t => Assert.InRange(t, 0, bodies.Engine.Model.Config.Vocab - 1));
        }
        // Positions 3..127, then 3 again: an input copy at each start, none in between.
        Assert.Equal([1, .. new int[cycle - 1], 1], copies);
        // The groups are updated entering the second window (position 64) and the first again (the last step, at 3).
        int layers = bodies.Engine.Model.Config.Layers;
        Assert.Equal(layers, updates[64 - DecoderBenchmarkBodies.FirstPosition]);
        Assert.Equal(layers, updates[cycle]);
        Assert.Equal(2 * layers, updates.Skip(1).Sum());
        Assert.Equal((ulong)((cycle + 1) * DecoderBenchmarkBodies.WindowStepTasks + 2), Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasks);
        bodies.ResetPositions();
        bodies.SetTokens(start);
    }

    [Fact]
    public void Enqueue_bodies_queue_whole_steps_that_drain_completes()
    {
        var bodies = _bodies;
        int n = DecoderBenchmarkBodies.EnqueueBatch;
        bodies.Drain();
        long[] start = CurrentTokens();
        // A body returns the input copies it queued besides its fixed tasks (only a window step varies: 1 after a jump).
        foreach (var (body, tasksPerStep, replays) in new (Func<int>, int, int)[]
                 {
                     (() => { bodies.EagerStepSubmit(); return 0; }, DecoderBenchmarkBodies.EagerStepTasks, 0),
                     (() => { bodies.GraphStepSubmit(); return 0; }, DecoderBenchmarkBodies.GraphStepTasks, 1),
                     (() => bodies.WindowStepSubmit().HostCopies, DecoderBenchmarkBodies.WindowStepTasks, 1),
                     (() => { bodies.LoopSubmit(); return 0; }, DecoderBenchmarkBodies.LoopLaunchTasks, 1),
                     (() => { bodies.ReplaySubmit(); return 0; }, DecoderBenchmarkBodies.ReplayTasks, 1),
                 })
        {
            ulong tasks = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
            ulong executions = Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
            int extra = 0;
            for (int i = 0; i < n; i++) extra += body();
            bodies.Drain();
            Assert.InRange(extra, 0, 1);      // 16 steps at most wrap once
            Assert.Equal((ulong)(n * tasksPerStep + extra), Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasks);
            Assert.Equal((ulong)(n * replays), Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS) - executions);
            Assert.All(CurrentTokens(), t => Assert.InRange(t, 0, bodies.Engine.Model.Config.Vocab - 1));
        }
        bodies.SetTokens(start);
    }

    [Fact]
    public async Task Cpp_baseline_launches_the_same_operators_and_tasks()
    {
        string binary = Path.Combine(RepoRoot(), "artifacts", "bench", "native-build", "ascend_bench_decoder");
        if (!File.Exists(binary))
            Assert.Skip($"{binary} is not built (the Test and Bench targets build it when Google Benchmark, libbenchmark-dev, is installed).");
        var psi = new ProcessStartInfo(binary, "--check-only") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        var token = TestContext.Current.CancellationToken;
        var stderr = process.StandardError.ReadToEndAsync(token);
        string output = await process.StandardOutput.ReadToEndAsync(token);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
        }
        string errors = await stderr;
        Assert.True(process.ExitCode == 0, $"ascend_bench_decoder --check-only failed ({process.ExitCode}): {errors}");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tasks = lines.Single(l => l.StartsWith("tasks ", StringComparison.Ordinal)).Split(' ')[1..]
            .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => int.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DecoderBenchmarkBodies.EagerStepTasks, tasks["eager"]);
        Assert.Equal(DecoderBenchmarkBodies.GraphStepTasks, tasks["graph"]);
        Assert.Equal(DecoderBenchmarkBodies.WindowStepTasks, tasks["window"]);
        Assert.Equal(DecoderBenchmarkBodies.ReplayTasks, tasks["replay"]);
        Assert.Equal(DecoderBenchmarkBodies.LoopLaunchTasks, tasks["loop"]);
        var operators = lines.Single(l => l.StartsWith("operators ", StringComparison.Ordinal)).Split(' ')[1..];
        Assert.Equal(_bodies.Graph.Operations.Select(o => o.Name).ToArray(), operators);
    }

    [Fact]
    public void Steady_state_decode_steps_allocate_no_managed_memory()
    {
        var bodies = _bodies;
        bodies.Drain();
        long[] start = CurrentTokens();
        Assert.Equal(0, AllocatedBy(() => { bodies.EagerStepSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { bodies.GraphStepSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { bodies.WindowStepSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { bodies.LoopSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(bodies.LoopSubmit));
        bodies.Drain();
        Assert.Equal(0, AllocatedBy(() => { bodies.ReplaySubmit(); bodies.Drain(); }));
        bodies.SetTokens(start);
    }

    // Bytes the calling thread allocated over 5 calls, after 3 warm-up calls (BenchmarkDotNet's figure counts every thread).
    private static long AllocatedBy(Action body)
    {
        for (int i = 0; i < 3; i++) body();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) body();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private long[] CurrentTokens()
    {
        var tokens = new long[DecoderBenchmarkBodies.Batch];
        using var view = _bodies.Engine.Model.Tokens.Slice(0, 0, DecoderBenchmarkBodies.Batch);
        view.CopyTo<long>(_bodies.Stream, tokens);
        return tokens;
    }

    private ulong TasksOf(Action submit)
    {
        _bodies.Drain();
        ulong before = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        submit();
        _bodies.Drain();
        return Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - before;
    }

    private static unsafe ulong Counter(aclsimCounter counter)
    {
        ulong value;
        Assert.Equal(0, AclSim.aclsimGetCounter(counter, &value));
        return value;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ascend.Interop.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Ascend.Interop.sln above {AppContext.BaseDirectory}.");
    }
}
