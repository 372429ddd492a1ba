namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// <paramref name="output"/> = <paramref name="x"/> x <paramref name="cos"/> + rotate(<paramref name="x"/>) x <paramref name="sin"/>
    /// over the last dimension (aclnnRotaryPositionEmbedding). <paramref name="cos"/> and <paramref name="sin"/> have one shape of
    /// <paramref name="x"/>'s rank that broadcasts to it (e.g. [1, S, 1, D] for x [B, S, N, D]); gather their rows for the current
    /// positions on the device (Ops.IndexSelect) so a captured graph follows the position.
    /// </summary>
    public static void RotaryPositionEmbedding(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, RotaryMode mode, NpuTensor output) =>
        Operators.RotaryPositionEmbedding.Run(stream, [x, cos, sin, output], [OperatorValue.Enum(mode)]);

    /// <summary>A new tensor holding the rotary position embedding of <paramref name="x"/> (see the output overload).</summary>
    public static NpuTensor RotaryPositionEmbedding(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, RotaryMode mode = RotaryMode.Half) =>
        Operators.RotaryPositionEmbedding.Create(stream, [x, cos, sin], [OperatorValue.Enum(mode)]);

    /// <summary>
    /// Incremental (decode) attention of a one-token <paramref name="query"/> over a padded key/value cache
    /// (aclnnIncreFlashAttentionV4): per head, softmax(scale x q·kᵀ) over the first <paramref name="actualSeqLengths"/>[b]
    /// cache positions of batch b (positions where <paramref name="attenMask"/> is 1 excluded), times v.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="query">[B, 1, H] (BSH), [B, 1, N, D] (BSND) or [B, N, 1, D] (BNSD); float16 or bfloat16 (CANN has no float32 form).</param>
    /// <param name="key">The key cache: one tensor of batch B, or B tensors of batch 1, in the query's layout with the key/value head count.</param>
    /// <param name="value">The value cache, shaped as <paramref name="key"/>.</param>
    /// <param name="attenMask">Optional bool/int8/uint8 mask [B, S], [B, 1, S] or [B, 1, 1, S]: 1 = not attended.</param>
    /// <param name="actualSeqLengths">
    /// Per batch, how many cache positions are valid (empty: all). These are HOST values, copied when the launch is
    /// recorded: a captured graph keeps them on every replay. Re-issue the launch in a task group
    /// (<c>NpuGraph.Update</c>) to change them, or mask with a device tensor instead (docs/graph-mode.md).
    /// </param>
    /// <param name="options">Head counts, scale, layout and precision mode.</param>
    /// <param name="output">The result, shaped and typed as <paramref name="query"/>.</param>
    public static void IncreFlashAttention(NpuStream stream, NpuTensor query, ReadOnlySpan<NpuTensor> key, ReadOnlySpan<NpuTensor> value,
        NpuTensor? attenMask, ReadOnlySpan<long> actualSeqLengths, in IncreFlashAttentionOptions options, NpuTensor output) =>
        Operators.IncreFlashAttention.Run(stream, [query, attenMask, output],
            [options.NumHeads, options.ScaleValue, Operators.LayoutText(options.Layout), options.NumKeyValueHeads, options.InnerPrecise],
            ints: actualSeqLengths, list: key, list2: value);

    /// <summary>A new tensor holding the incremental attention of <paramref name="query"/> (see the output overload).</summary>
    public static NpuTensor IncreFlashAttention(NpuStream stream, NpuTensor query, ReadOnlySpan<NpuTensor> key, ReadOnlySpan<NpuTensor> value,
        NpuTensor? attenMask, ReadOnlySpan<long> actualSeqLengths, in IncreFlashAttentionOptions options) =>
        Operators.IncreFlashAttention.Create(stream, [query, attenMask],
            [options.NumHeads, options.ScaleValue, Operators.LayoutText(options.Layout), options.NumKeyValueHeads, options.InnerPrecise],
            ints: actualSeqLengths, list: key, list2: value);
}
