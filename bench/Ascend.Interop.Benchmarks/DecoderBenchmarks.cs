using Ascend.Interop.Llm;
using BenchmarkDotNet.Attributes;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// The LLM sample's decode step (samples/Ascend.Interop.Llm: 4 layers, hidden 256, vocab 4096) for 8 sequences,
/// prefilled once: an eager step (its 95 operator launches and two copies), a graph step with per-step updates (input
/// copy, one task-group update per layer for the attention lengths, the replay, the token copy), a window step
/// (W = 64: input copy, the replay of the step captured with the device attention mask, the token copy; no update
/// inside a window) and the bare replay. The graph and window steps alternate positions 3 and 4, so every per-step
/// update changes the lengths as in a real decode (the SDK skips an update that changes nothing); queued without
/// waiting, a step may read the next one's inputs, which changes values, not work. Used by
/// <see cref="DecoderEnqueueBenchmarks"/> (host submission only) and <see cref="DecoderStepBenchmarks"/> (with the wait).
/// The C++ baseline making the same C calls is bench/native/decoder_bench.cpp; both check the counts below.
/// </summary>
public sealed class DecoderBenchmarkBodies : IDisposable
{
    public const int Batch = 8;

    /// <summary>Steps queued per timed batch by the enqueue benchmarks (C++: kEnqueueBatch).</summary>
    public const int EnqueueBatch = 16;

    /// <summary>Operators one step launches (LlmModel.OperatorsPerStep; C++: kOperatorsPerStep).</summary>
    public const int OperatorsPerStep = 95;

    /// <summary>Simulator tasks (ACLSIM_COUNT_TASKS_EXECUTED) of one eager step: the operators and the two copies (C++: kExpectedEagerStepTasks).</summary>
    public const int EagerStepTasks = OperatorsPerStep + 2;

    /// <summary>Simulator tasks of one bare replay: the captured operators (C++: kExpectedReplayTasks).</summary>
    public const int ReplayTasks = OperatorsPerStep;

    /// <summary>Simulator tasks of one graph step: the replay and the two copies; event records/waits and task-group updates are not counted as tasks (C++: kExpectedGraphStepTasks).</summary>
    public const int GraphStepTasks = ReplayTasks + 2;

    /// <summary>Simulator tasks of one window step: the replay and the two copies, as a graph step.</summary>
    public const int WindowStepTasks = ReplayTasks + 2;

    /// <summary>The window mode's attention window (C++: kWindow).</summary>
    public const int Window = 64;

    private readonly NpuRuntime _runtime;
    private readonly NpuDevice _device;
    private readonly LlmModel _model;
    private readonly LlmEngine _engine;
    private readonly long[] _positions, _nextPositions;
    private int _graphSteps, _windowSteps;

    public DecoderBenchmarkBodies()
    {
        _runtime = NpuRuntime.Initialize();
        _device = NpuDevice.Open(0);
        Stream = _device.CreateStream();
        // A shorter context than the demo's keeps the KV cache small; the step's work does not depend on it.
        var config = new LlmConfig { Context = 64, MaxBatch = Batch };
        _model = new LlmModel(Stream, config, LlmWeights.Create(config));
        _engine = new LlmEngine(_model, [Batch], attentionWindow: Window);
        var prompts = new int[Batch][];
        for (int i = 0; i < Batch; i++) prompts[i] = [i + 1, 2 * i + 3, 5 * i + 7];
        _engine.Generate(prompts, 1, DecodeMode.Eager);     // prefill: every row holds 3 positions
        _positions = [3, 3, 3, 3, 3, 3, 3, 3];
        _nextPositions = [4, 4, 4, 4, 4, 4, 4, 4];
        _engine.CaptureBucket(Batch);
        _engine.CaptureBucket(Batch, DecodeMode.Window);
        Stream.Synchronize();
    }

    public NpuStream Stream { get; }

    public LlmEngine Engine => _engine;

    /// <summary>The captured step of the batch (bucket <see cref="Batch"/>).</summary>
    public NpuGraph Graph => _engine.Buckets.TryGet(Batch, out var graph) ? graph : throw new InvalidOperationException("The decode step is not captured.");

    /// <summary>The window mode's captured step of the batch.</summary>
    public NpuGraph WindowGraph => _engine.WindowBuckets.TryGet(Batch, out var graph) ? graph : throw new InvalidOperationException("The window step is not captured.");

    /// <summary>
    /// The next graph and window steps run at position 3 (then 4, 3, ...), over the prefill's attention mask: positions
    /// 0-2 attended, 3 and later masked. A step unmasks its own position and the mask keeps it, so after a step at
    /// position 4 a window step at 3 would also attend position 4 (and differ from the eager step, which reads only the
    /// actual lengths); re-masking makes the comparison independent of what ran before.
    /// </summary>
    public void ResetPositions()
    {
        _graphSteps = _windowSteps = 0;
        int context = _model.Config.Context;
        var mask = new byte[Batch * context];
        Array.Fill(mask, (byte)1);
        for (int row = 0; row < Batch; row++)
            mask.AsSpan(row * context, (int)_positions[row]).Clear();
        using var rows = _model.AttentionMask.Slice(0, 0, Batch);
        rows.CopyFrom<byte>(Stream, mask);
    }

    /// <summary>The token ids the next step reads (the model's static token buffer), written synchronously.</summary>
    public void SetTokens(ReadOnlySpan<long> tokens) => _model.Tokens.CopyFrom(Stream, tokens);

    /// <summary>The logits of the last step, [Batch x Vocab].</summary>
    public float[] ReadLogits() => _engine.ReadLogits(Batch);

    /// <summary>Queues one eager decode step (the same inputs every time, so repeats are idempotent).</summary>
    public void EagerStepSubmit() => _engine.SubmitDecodeStep(_positions, DecodeMode.Eager);

    /// <summary>Queues one graph decode step at position 3 or 4 in turn: input copies, four task-group updates, the replay, the token copy.</summary>
    public void GraphStepSubmit() => _engine.SubmitDecodeStep((_graphSteps++ & 1) == 0 ? _positions : _nextPositions, DecodeMode.Graph);

    /// <summary>Queues one window decode step at position 3 or 4 in turn: input copies, the replay, the token copy (no update: both in the first window).</summary>
    public void WindowStepSubmit() => _engine.SubmitDecodeStep((_windowSteps++ & 1) == 0 ? _positions : _nextPositions, DecodeMode.Window);

    /// <summary>Queues the bare replay of the captured step.</summary>
    public void ReplaySubmit() => _engine.SubmitReplayOnly(Batch);

    public void Drain() => Stream.Synchronize();

    public void Dispose()
    {
        _engine.Dispose();
        _model.Dispose();
        Stream.Dispose();
        _device.Dispose();
        _runtime.Dispose();
    }
}

/// <summary>
/// Host submission of one decode step, without waiting: each iteration queues 16 steps and the stream is drained
/// after the iteration, untimed. Baseline: the eager step.
/// </summary>
[InvocationCount(16)]
public class DecoderEnqueueBenchmarks
{
    private DecoderBenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new DecoderBenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [IterationCleanup]
    public void Drain() => _bodies.Drain();

    [Benchmark(Baseline = true)]
    public void EagerDecodeEnqueue() => _bodies.EagerStepSubmit();

    [Benchmark]
    public void GraphDecodeEnqueue() => _bodies.GraphStepSubmit();

    [Benchmark]
    public void WindowDecodeEnqueue() => _bodies.WindowStepSubmit();

    [Benchmark]
    public void ReplayDecodeEnqueue() => _bodies.ReplaySubmit();
}

/// <summary>One decode step including the wait for the device. Baseline: the eager step.</summary>
public class DecoderStepBenchmarks
{
    private DecoderBenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new DecoderBenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [Benchmark(Baseline = true)]
    public void EagerDecodeStep()
    {
        _bodies.EagerStepSubmit();
        _bodies.Drain();
    }

    [Benchmark]
    public void GraphDecodeStep()
    {
        _bodies.GraphStepSubmit();
        _bodies.Drain();
    }

    [Benchmark]
    public void WindowDecodeStep()
    {
        _bodies.WindowStepSubmit();
        _bodies.Drain();
    }

    /// <summary>The bare replay and the wait: splits the graph step into the replay and the rest (copies, updates).</summary>
    [Benchmark]
    public void ReplayDecodeStep()
    {
        _bodies.ReplaySubmit();
        _bodies.Drain();
    }
}
