using System.Diagnostics;

namespace Ascend.Interop.Llm;

// The loop mode's launches (DecodeMode.Loop): up to LoopSteps decode steps inside one WHILE launch.
public sealed partial class LlmEngine
{
    /// <summary>
    /// Runs one launch of the loop mode for the rows 0..positions.Length-1 at <paramref name="positions"/> (their
    /// tokens in <see cref="LlmModel.Tokens"/>) and waits for it: at most min(<see cref="LoopSteps"/>,
    /// <paramref name="budget"/>) steps, fewer when every row not <paramref name="ended"/> emits
    /// <paramref name="endToken"/>. The timing's <see cref="DecodeStepTiming.Steps"/> is the number of steps run, and
    /// <see cref="LoopTokens"/> holds their tokens. Batches larger than the largest bucket run eagerly, one step.
    /// </summary>
    public DecodeStepTiming DecodeLoop(ReadOnlySpan<long> positions, int budget, ReadOnlySpan<bool> ended = default, int? endToken = null)
    {
        var timing = SubmitDecodeLoop(positions, budget, ended, endToken);
        long submitted = Stopwatch.GetTimestamp();
        Stream.Synchronize();
        long waited = Stopwatch.GetTimestamp() - submitted;
        if (timing.Bucket == 0)
        {
            // Ran eagerly (no bucket fits the batch): one step, its tokens copied into the ring's first row.
            var tokens = _tokens.Span;
            var output = _loopOutput.Span;
            output[0] = 1;
            for (int i = 0; i < positions.Length; i++) output[1 + i] = tokens[i];
            return timing with { WaitTicks = waited, Bucket = positions.Length };
        }
        return timing with { WaitTicks = waited, Steps = (int)_loopOutput.Span[0] };
    }

    /// <summary>
    /// <see cref="DecodeLoop"/> without the wait: writes the control block and the step inputs, queues the launch of the
    /// loop captured for the batch's bucket (capturing it first if needed) and the copy of the ring back to the host.
    /// The returned timing's <see cref="DecodeStepTiming.Steps"/> is the most steps the launch may run; the steps it ran
    /// and their tokens are in <see cref="LoopTokens"/> once the stream has finished.
    /// </summary>
    public DecodeStepTiming SubmitDecodeLoop(ReadOnlySpan<long> positions, int budget, ReadOnlySpan<bool> ended = default, int? endToken = null)
    {
        int n = positions.Length;
        var config = _model.Config;
        if (n < 1 || n > config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(positions), n, $"A decode loop has 1 to {config.MaxBatch} rows.");
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        if (!ended.IsEmpty && ended.Length != n)
            throw new ArgumentException($"{ended.Length} ended flags for {n} rows.", nameof(ended));
        int steps = Math.Min(budget, LoopSteps);
        foreach (long p in positions)
            if (p < 0 || p + steps > config.Context)
                throw new ArgumentOutOfRangeException(nameof(positions), p, $"A loop of {steps} steps from position {p} passes the context ({config.Context}).");
        if (endToken is { } end && (end < 0 || end >= config.Vocab))
            throw new ArgumentOutOfRangeException(nameof(endToken), end, $"Token ids are 0..{config.Vocab - 1}.");
        var stream = Stream;
        if (!LoopBuckets.TrySelect(n, out var bucket))
        {
            // No bucket this large: one eager step (the caller sees Steps = 1).
            var eager = SubmitDecodeStep(positions, DecodeMode.Eager);
            return eager with { Bucket = 0 };
        }
        bool captured = false;
        if (!LoopBuckets.TryGet(n, out _))
        {
            CaptureBucket(bucket.Size, DecodeMode.Loop);
            captured = true;
        }
        long start = Stopwatch.GetTimestamp();
        var graph = LoopBuckets.GetOrCapture(stream, n, _loopCaptureBody, out _);
        WriteInputs(0, positions, bucket.Size);
        WriteLoopControl(n, bucket.Size, steps, ended, endToken ?? -1);
        graph.Replay(stream);
        _loop.Output.EnqueueCopyTo(stream, _loopOutput);
        return new DecodeStepTiming(n, bucket.Size, Stopwatch.GetTimestamp() - start, 0, captured, 0, 0, steps, HostCopies: 3);
    }

    /// <summary>
    /// The loop's control block: rows [0, <paramref name="live"/>) advance and are live unless ended, padding rows up to
    /// <paramref name="rows"/> (and beyond) neither; the end token (-1: none), the step limit, the counter 0.
    /// </summary>
    private void WriteLoopControl(int live, int rows, int limit, ReadOnlySpan<bool> ended, long endToken)
    {
        int b = _model.Config.MaxBatch;
        var control = _loopControl.Span;
        control.Clear();
        for (int i = 0; i < live; i++)
        {
            control[i] = control[b + i] = control[2 * b + i] = 1;      // position, cache slot, mask slot + 1 per step
            control[3 * b + i] = !ended.IsEmpty && ended[i] ? 0 : 1;
        }
        control[4 * b] = endToken;
        control[4 * b + 1] = limit;
        control[4 * b + 2] = 0;
        _loop.Control.EnqueueCopyFrom(Stream, _loopControl);
    }

    /// <summary>
    /// After <see cref="DecodeLoop"/> (or once the stream finished a <see cref="SubmitDecodeLoop"/>): the steps the last
    /// launch ran, then per step the tokens of every row ([steps x MaxBatch], row-major).
    /// </summary>
    public ReadOnlySpan<long> LoopTokens => _loopOutput.Span;
}
