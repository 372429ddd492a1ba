namespace Ascend.Interop.Llm;

/// <summary>
/// The device state of the loop decode mode (<see cref="DecodeMode.Loop"/>) and the body of its captured graph: up
/// to K decode steps inside one WHILE node. Each iteration runs the model's step (masked attention over the whole
/// context, so no length ever changes), writes the step's tokens into row [counter] of a device ring, advances the
/// positions, cache slots and mask slots of the live rows, clears the live flag of every sequence that emitted the end
/// token, and writes (counter &lt; limit) AND (some sequence live) into the condition word through its tensor view.
/// The host writes the control block before a launch and reads the ring and the counter after it: one launch and
/// three copies per K tokens.
/// </summary>
internal sealed class DecodeLoop : IDisposable
{
    private readonly LlmModel _model;
    private readonly long[] _lengths;
    private readonly NpuTensor _state, _flags;

    /// <summary>Allocates the control block, the ring and the flags for loops of at most <paramref name="steps"/> steps.</summary>
    public DecodeLoop(LlmModel model, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        _model = model;
        Steps = steps;
        var config = model.Config;
        int b = config.MaxBatch;
        var stream = model.Stream;
        // One int64 tensor: advance [3B] | live [B] | end token | limit | counter | ring [K x B]. The host writes the
        // prefix up to the counter and reads the counter and the ring back, one copy each way.
        ControlLength = 4 * b + 3;
        OutputLength = 1 + steps * b;
        _state = NpuTensor.Zeros(stream, new TensorShape(4L * b + 2 + OutputLength), NpuDataType.Int64);
        _flags = NpuTensor.Zeros(stream, new TensorShape(b + 3L), NpuDataType.Int64);
        try
        {
            Control = _state.Slice(0, 0, ControlLength);
            Output = _state.Slice(0, 4L * b + 2, OutputLength);
            Advance = _state.Slice(0, 0, 3L * b);
            Live = _state.Slice(0, 3L * b, b);
            EndToken = _state.Slice(0, 4L * b, 1);
            Limit = _state.Slice(0, 4L * b + 1, 1);
            Counter = _state.Slice(0, 4L * b + 2, 1);
            using (var ring = _state.Slice(0, 4L * b + 3, (long)steps * b)) Ring = ring.Reshape(steps, b);
            TokenRow = model.Tokens.Reshape(1, b);
            NotEnded = _flags.Slice(0, 0, b);
            AnyLive = _flags.Slice(0, b, 1);
            UnderLimit = _flags.Slice(0, b + 1L, 1);
            Scratch = _flags.Slice(0, b + 2L, 1);
        }
        catch
        {
            Dispose();
            throw;
        }
        _lengths = new long[b];
        Array.Fill(_lengths, (long)config.Context);
    }

    /// <summary>K: the most steps one launch runs.</summary>
    public int Steps { get; }

    /// <summary>Elements of <see cref="Control"/>: advance, live flags, end token, limit, counter.</summary>
    public int ControlLength { get; }

    /// <summary>Elements of <see cref="Output"/>: the counter (steps run), then the ring.</summary>
    public int OutputLength { get; }

    /// <summary>What the host writes before a launch.</summary>
    public NpuTensor Control { get; } = null!;

    /// <summary>What the host reads after a launch: the steps run, then the ring [K, MaxBatch].</summary>
    public NpuTensor Output { get; } = null!;

    private NpuTensor Advance { get; } = null!;
    private NpuTensor Live { get; } = null!;
    private NpuTensor EndToken { get; } = null!;
    private NpuTensor Limit { get; } = null!;
    private NpuTensor Counter { get; } = null!;
    private NpuTensor Ring { get; } = null!;
    private NpuTensor TokenRow { get; } = null!;
    private NpuTensor NotEnded { get; } = null!;
    private NpuTensor AnyLive { get; } = null!;
    private NpuTensor UnderLimit { get; } = null!;
    private NpuTensor Scratch { get; } = null!;

    /// <summary>Operators one iteration launches besides the model's step.</summary>
    public const int OperatorsPerIteration = 8;

    /// <summary>Operators the graph launches before its WHILE node (the first condition).</summary>
    public const int OperatorsBeforeLoop = 3;

    /// <summary>
    /// The body given to <see cref="NpuGraphBuckets"/> for a bucket of <paramref name="rows"/> rows. Capturing: the
    /// first condition, then the WHILE node whose body is one iteration. Eager (the warm-up before a capture): one
    /// iteration, its condition written to scratch.
    /// </summary>
    public void Capture(NpuStream stream, int rows)
    {
        if (stream.CapturingGraph is not { } graph)
        {
            Condition(stream, Scratch);
            Iteration(stream, rows, Scratch);
            return;
        }
        // Computed on the device like every later one: a launch whose limit is 0, or whose sequences all ended, runs no step.
        var condition = graph.CreateCondition(defaultValue: 0);
        using (var word = condition.AsTensor()) Condition(stream, word);
        using var body = graph.BeginWhile(condition);
        using var bodyWord = condition.AsTensor();
        Iteration(body.Stream, rows, bodyWord);
    }

    /// <summary>word = (counter &lt; limit) AND (some row live).</summary>
    private void Condition(NpuStream stream, NpuTensor word)
    {
        Ops.Amax(stream, Live, [0], true, AnyLive);
        Ops.Lt(stream, Counter, Limit, UnderLimit);
        Ops.LogicalAnd(stream, UnderLimit, AnyLive, word);
    }

    /// <summary>One decode step of the rows [0, rows) and the loop's bookkeeping, all on the device.</summary>
    private void Iteration(NpuStream stream, int rows, NpuTensor word)
    {
        _model.Step(stream, 0, rows, _lengths.AsSpan(0, rows), masked: true, attentionGroups: false);
        Ops.InplaceIndexCopy(stream, Ring, 0, Counter, TokenRow);          // ring[counter, :] = tokens
        Ops.Adds(stream, Counter, 1.0, Counter);
        Ops.Add(stream, _model.StepInputs, Advance, _model.StepInputs);    // positions, slots, mask slots + 1 (live rows)
        Ops.Ne(stream, _model.Tokens, EndToken, NotEnded);
        Ops.InplaceLogicalAnd(stream, Live, NotEnded);
        Condition(stream, word);
    }

    public void Dispose()
    {
        foreach (var t in new[] { Control, Output, Advance, Live, EndToken, Limit, Counter, Ring, TokenRow, NotEnded, AnyLive, UnderLimit, Scratch })
            t?.Dispose();
        _flags?.Dispose();
        _state?.Dispose();
    }
}
