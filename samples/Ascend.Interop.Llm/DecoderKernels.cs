namespace Ascend.Interop.Llm;

/// <summary>
/// The operators the decoder needs beyond the MLP set, in one place: each is one SDK <see cref="Ops"/> call
/// with the decoder's fixed choices (rotary mode, attention layout, argmax dimension).
/// </summary>
internal static class DecoderKernels
{
    /// <summary>output[i, :] = weight[indices[i], :] (aclnnEmbedding; the indices live on the device).</summary>
    public static void Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices, NpuTensor output) =>
        Ops.Embedding(stream, weight, indices, output);

    /// <summary>output = x * cos + rotate_half(x) * sin over the last dimension (GPT-NeoX / LLaMA half rotation).</summary>
    public static void Rotary(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, NpuTensor output) =>
        Ops.RotaryPositionEmbedding(stream, x, cos, sin, RotaryMode.Half, output);

    /// <summary>cache[slots[i], :] = source[i, :] (aclnnInplaceIndexCopy; the slots live on the device).</summary>
    public static void WriteCache(NpuStream stream, NpuTensor cache, NpuTensor slots, NpuTensor source) =>
        Ops.InplaceIndexCopy(stream, cache, 0, slots, source);

    /// <summary>
    /// Incremental attention (aclnnIncreFlashAttentionV4, BSH layout): query [B, 1, H] over keys/values [B, S, H], row b
    /// attending to its first <paramref name="lengths"/>[b] positions, except those <paramref name="mask"/> [B, S] marks 1
    /// (when given). The lengths are host values: captured by value; the mask is device memory: read at every replay.
    /// </summary>
    public static void Attention(NpuStream stream, NpuTensor query, NpuTensor keys, NpuTensor values, NpuTensor? mask, ReadOnlySpan<long> lengths,
        in IncreFlashAttentionOptions options, NpuTensor output) =>
        Ops.IncreFlashAttention(stream, query, [keys], [values], mask, lengths, options, output);

    /// <summary>output[i] = argmax_j logits[i, j] (aclnnArgMax over the last dimension; int64).</summary>
    public static void ArgMax(NpuStream stream, NpuTensor logits, NpuTensor output) =>
        Ops.ArgMax(stream, logits, -1, false, output);
}
