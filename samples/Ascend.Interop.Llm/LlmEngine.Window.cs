namespace Ascend.Interop.Llm;

// The window mode's step (DecodeMode.Window): attention over lengths rounded up to AttentionWindow, the inputs
// advanced on the device, so a step that follows the previous one submits the replay alone.
public sealed partial class LlmEngine
{
    /// <summary>The steps captured for <see cref="DecodeMode.Window"/> per bucket (masked attention over window lengths), in the pool of <see cref="Buckets"/>.</summary>
    public NpuGraphBuckets WindowBuckets { get; }

    /// <summary>The default <see cref="AttentionWindow"/>.</summary>
    public const int DefaultAttentionWindow = 64;

    /// <summary><see cref="DecodeMode.Window"/>: the attention lengths are rounded up to a multiple of this (capped at the context).</summary>
    public int AttentionWindow { get; }

    /// <summary>
    /// The attention length window mode uses for a sequence at <paramref name="position"/>: position + 1 rounded up to
    /// a multiple of <see cref="AttentionWindow"/>, at most the context. Positions past position are masked.
    /// </summary>
    public long WindowLength(long position)
    {
        long needed = position + 1, window = AttentionWindow;
        return Math.Min((needed + window - 1) / window * window, _model.Config.Context);
    }

    /// <summary>
    /// Whether the device's step inputs already are <paramref name="positions"/>: the last input write was a window
    /// step's for this many rows (so for this bucket, with its padding rows), and every window replay since advanced
    /// each row by one, to exactly these positions. Any other write of the inputs, or a bare window replay, clears it.
    /// </summary>
    private bool HoldsWindowInputs(ReadOnlySpan<long> positions) =>
        _windowHeldRows == positions.Length && positions.SequenceEqual(_windowHeldPositions.AsSpan(0, positions.Length));

    /// <summary>
    /// The window mode's captured step: the masked step over the window's lengths, the inputs advanced on the device
    /// (<see cref="LlmModel.StepAdvance"/> holds 1 for live rows), and the tokens copied into the pinned buffer the host
    /// reads (<see cref="LastTokens"/>). The warm-up before the capture skips that copy: it would overwrite the last
    /// step's tokens (its advance is 0 everywhere, so it moves nothing).
    /// </summary>
    private void CaptureWindowStep(NpuStream stream, int size)
    {
        _model.Step(stream, 0, size, _windowCaptureLengths.AsSpan(0, size), masked: true);
        _model.AdvanceInputs(stream);
        if (stream.CapturingGraph is not null) _model.Tokens.EnqueueCopyTo(stream, _tokens);
    }
}
