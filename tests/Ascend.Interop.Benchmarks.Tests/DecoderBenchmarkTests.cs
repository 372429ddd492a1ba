using System.Diagnostics;
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

        // The window step (masked attention over 64 positions, no update): the same logits and tokens, bit for bit.
        bodies.SetTokens(start);
        ulong windowTasks = TasksOf(bodies.WindowStepSubmit);
        Assert.Equal((ulong)DecoderBenchmarkBodies.WindowStepTasks, windowTasks);
        Assert.Equal(eager, bodies.ReadLogits());
        Assert.Equal(eagerTokens, bodies.Engine.LastTokens[..DecoderBenchmarkBodies.Batch].ToArray());
        Assert.All(bodies.WindowGraph.TaskGroups, g => Assert.Equal(0, g.UpdateCount));

        // The bare replay keeps the last update's attention lengths: the same step again.
        bodies.SetTokens(start);
        ulong replayTasks = TasksOf(bodies.ReplaySubmit);
        Assert.Equal((ulong)DecoderBenchmarkBodies.ReplayTasks, replayTasks);
        Assert.Equal(eager, bodies.ReadLogits());
        bodies.SetTokens(start);
    }

    [Fact]
    public void Enqueue_bodies_queue_whole_steps_that_drain_completes()
    {
        var bodies = _bodies;
        int n = DecoderBenchmarkBodies.EnqueueBatch;
        bodies.Drain();
        long[] start = CurrentTokens();
        foreach (var (body, tasksPerStep, replays) in new (Action, int, int)[]
                 {
                     (bodies.EagerStepSubmit, DecoderBenchmarkBodies.EagerStepTasks, 0),
                     (bodies.GraphStepSubmit, DecoderBenchmarkBodies.GraphStepTasks, 1),
                     (bodies.WindowStepSubmit, DecoderBenchmarkBodies.WindowStepTasks, 1),
                     (bodies.ReplaySubmit, DecoderBenchmarkBodies.ReplayTasks, 1),
                 })
        {
            ulong tasks = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
            ulong executions = Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
            for (int i = 0; i < n; i++) body();
            bodies.Drain();
            Assert.Equal((ulong)(n * tasksPerStep), Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasks);
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
        Assert.Equal(DecoderBenchmarkBodies.ReplayTasks, tasks["replay"]);
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
