namespace Ascend.Interop;

/// <summary>
/// The attributes of <see cref="Ops.IncreFlashAttention(NpuStream, NpuTensor, ReadOnlySpan{NpuTensor}, ReadOnlySpan{NpuTensor}, NpuTensor?, ReadOnlySpan{long}, in IncreFlashAttentionOptions, NpuTensor)"/>
/// (aclnnIncreFlashAttentionV4's numHeads, scaleValue, inputLayout, numKeyValueHeads and innerPrecise).
/// </summary>
public readonly record struct IncreFlashAttentionOptions
{
    /// <summary>Number of query heads (1..256).</summary>
    public required long NumHeads { get; init; }

    /// <summary>Scale of q·k before the softmax, usually 1/sqrt(headDim).</summary>
    public required double ScaleValue { get; init; }

    /// <summary>Layout of query, key, value and the output (default BSH).</summary>
    public AttentionLayout Layout { get; init; }

    /// <summary>Number of key/value heads: 0 (the default) means <see cref="NumHeads"/>; smaller divisors give grouped-query attention.</summary>
    public long NumKeyValueHeads { get; init; }

    /// <summary>CANN's innerPrecise: 0 high precision (the default here), 1 high performance (CANN's recommendation).</summary>
    public long InnerPrecise { get; init; }

    /// <summary>Options with <paramref name="numHeads"/> heads and the scale 1/sqrt(<paramref name="headDim"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public IncreFlashAttentionOptions(long numHeads, long headDim)
    {
        NumHeads = numHeads;
        ScaleValue = 1.0 / Math.Sqrt(headDim);
    }
}
