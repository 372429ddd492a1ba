namespace Ascend.Interop.Llm;

/// <summary>
/// The operators the decoder needs beyond the MLP set, in one place: each is one SDK <see cref="Ops"/> call
/// with the decoder's fixed choices (rotary mode, attention layout, argmax dimension).
/// </summary>
internal static class DecoderKernels
{
    /// <summary>output[i, :] = weight[indices[i], :].</summary>
    public static void Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices, NpuTensor output) =>
        throw new NotImplementedException("Embedding: waiting for Ops.Embedding");

    /// <summary>output = x * cos + rotate_half(x) * sin over the last dimension (GPT-NeoX / LLaMA half rotation).</summary>
    public static void Rotary(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, NpuTensor output) =>
        throw new NotImplementedException("Rotary: waiting for Ops.RotaryPositionEmbedding");

    /// <summary>cache[slots[i], :] = source[i, :] (the KV-cache write; slots live on the device).</summary>
    public static void WriteCache(NpuStream stream, NpuTensor cache, NpuTensor slots, NpuTensor source) =>
        throw new NotImplementedException("WriteCache: waiting for Ops.InplaceIndexCopy");

    /// <summary>
    /// Incremental attention (BSH layout): query [B, 1, H] over keys/values [B, S, H], row b attending to its first
    /// <paramref name="lengths"/>[b] positions. The lengths are host values: captured by value.
    /// </summary>
    public static void Attention(NpuStream stream, NpuTensor query, NpuTensor keys, NpuTensor values, ReadOnlySpan<long> lengths,
        int heads, double scale, NpuTensor output) =>
        throw new NotImplementedException("Attention: waiting for Ops.IncreFlashAttention");

    /// <summary>output[i] = argmax_j logits[i, j] (int64).</summary>
    public static void ArgMax(NpuStream stream, NpuTensor logits, NpuTensor output) =>
        throw new NotImplementedException("ArgMax: waiting for Ops.ArgMax");
}
