using Ascend.Interop.Llm;
using BenchmarkDotNet.Attributes;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// The LLM sample's decode step (samples/Ascend.Interop.Llm: 4 layers, hidden 256, vocab 4096, context 128) for 8
/// sequences, prefilled once: an eager step (its 95 operator launches and two copies), a graph step with per-step
/// updates (input copy, one task-group update per layer for the attention lengths, the replay, the token copy), a
/// window step (W = 64: the replay of the step captured with the device attention mask, which also advances the
/// inputs on the device and copies the tokens out; an input copy only when the positions jump, a task-group update per
/// layer only when the rounded lengths change), a loop launch (K = 16 steps inside a WHILE node: input and control
/// copies, the launch, the ring copy; reported per decoded token, OperationsPerInvoke = K) and the bare replay. The
/// graph steps alternate positions 3 and 4, so every per-step update changes the lengths as in a real decode (the SDK
/// skips an update that changes nothing); queued without waiting, a graph step may read the next one's inputs, which
/// changes values, not work. The window steps walk positions 3, 4, ..., 127 and start again at 3, as one sequence
/// decoding through the context: per cycle of 125 steps one input copy (the jump back to 3) and two updates of the
/// four groups (entering the second window at 64, the first again at 3), so the row carries the updates amortised
/// over W. Every loop launch runs positions 3..18 again. Used by <see cref="DecoderEnqueueBenchmarks"/> (host
/// submission only) and <see cref="DecoderStepBenchmarks"/> (with the wait).
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

    /// <summary>
    /// Simulator tasks of one window step that copies no inputs: its graph's operators (the step's and the advance of
    /// the inputs) and its token copy (C++: kExpectedWindowStepTasks); a step after a jump adds the input copy.
    /// </summary>
    public const int WindowStepTasks = OperatorsPerStep + 1 + 1;

    /// <summary>The context of the benchmarked model: two windows of <see cref="Window"/> (C++: kContext).</summary>
    public const int Context = 128;

    /// <summary>The window steps' first position (every row holds 3 prefilled positions; C++: kPosition).</summary>
    public const int FirstPosition = 3;

    /// <summary>The window mode's attention window (C++: kWindow).</summary>
    public const int Window = 64;

    /// <summary>The loop mode's K: decode steps per launch (C++: kLoopSteps).</summary>
    public const int LoopSteps = 16;

    /// <summary>
    /// Simulator tasks of one loop launch (C++: kExpectedLoopTasks): the three copies, the first condition (3 operators),
    /// the WHILE node, and K iterations of the step and the loop's 8 bookkeeping operators.
    /// </summary>
    public const int LoopLaunchTasks = 3 + 3 + 1 + LoopSteps * (OperatorsPerStep + 8);

    private readonly NpuRuntime _runtime;
    private readonly NpuDevice _device;
    private readonly LlmModel _model;
    private readonly LlmEngine _engine;
    private readonly long[] _positions, _nextPositions, _windowPositions = new long[Batch];
    private int _graphSteps, _windowSteps;

    public DecoderBenchmarkBodies()
    {
        _runtime = NpuRuntime.Initialize();
        _device = NpuDevice.Open(0);
        Stream = _device.CreateStream();
        // A shorter context than the demo's keeps the KV cache small; two windows, so window steps cross a boundary.
        var config = new LlmConfig { Context = Context, MaxBatch = Batch };
        _model = new LlmModel(Stream, config, LlmWeights.Create(config));
        _engine = new LlmEngine(_model, [Batch], attentionWindow: Window, loopSteps: LoopSteps);
        var prompts = new int[Batch][];
        for (int i = 0; i < Batch; i++) prompts[i] = [i + 1, 2 * i + 3, 5 * i + 7];
        _engine.Generate(prompts, 1, DecodeMode.Eager);     // prefill: every row holds 3 positions
        _positions = [3, 3, 3, 3, 3, 3, 3, 3];
        _nextPositions = [4, 4, 4, 4, 4, 4, 4, 4];
        _engine.CaptureBucket(Batch);
        _engine.CaptureBucket(Batch, DecodeMode.Window);
        _engine.CaptureBucket(Batch, DecodeMode.Loop);
        Stream.Synchronize();
    }

    public NpuStream Stream { get; }

    public LlmEngine Engine => _engine;

    /// <summary>The captured step of the batch (bucket <see cref="Batch"/>).</summary>
    public NpuGraph Graph => _engine.Buckets.TryGet(Batch, out var graph) ? graph : throw new InvalidOperationException("The decode step is not captured.");

    /// <summary>The loop mode's captured graph of the batch (a WHILE node around the step).</summary>
    public NpuGraph LoopGraph => _engine.LoopBuckets.TryGet(Batch, out var graph) ? graph : throw new InvalidOperationException("The loop is not captured.");

    /// <summary>The window mode's captured step of the batch.</summary>
    public NpuGraph WindowGraph => _engine.WindowBuckets.TryGet(Batch, out var graph) ? graph : throw new InvalidOperationException("The window step is not captured.");

    /// <summary>
    /// The next graph and window steps run at position 3 (then 4, 3, ... and 4, 5, ...), over the prefill's attention mask: positions
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

    /// <summary>
    /// Queues one window decode step at the next position of the cycle 3..127: the replay alone, except for the input
    /// copy at the jump back to 3 and the four task-group updates there and on entering the second window (at 64).
    /// </summary>
    public DecodeStepTiming WindowStepSubmit()
    {
        long position = FirstPosition + _windowSteps;
        _windowSteps = (_windowSteps + 1) % (Context - FirstPosition);
        _windowPositions.AsSpan().Fill(position);
        return _engine.SubmitDecodeStep(_windowPositions, DecodeMode.Window);
    }

    /// <summary>Queues one loop launch of K steps from position 3: input and control copies, the launch, the ring copy.</summary>
    public void LoopSubmit() => _engine.SubmitDecodeLoop(_positions, LoopSteps);

    /// <summary>The tokens of the last loop launch (valid after <see cref="Drain"/>): [K x Batch], row-major; its first entry is the steps run.</summary>
    public ReadOnlySpan<long> LoopTokens => _engine.LoopTokens;

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

    /// <summary>One loop launch of K steps, reported per decoded token.</summary>
    [Benchmark(OperationsPerInvoke = DecoderBenchmarkBodies.LoopSteps)]
    public void LoopDecodeEnqueue() => _bodies.LoopSubmit();

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

    /// <summary>One loop launch of K steps and the wait, reported per decoded token.</summary>
    [Benchmark(OperationsPerInvoke = DecoderBenchmarkBodies.LoopSteps)]
    public void LoopDecodeStep()
    {
        _bodies.LoopSubmit();
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
