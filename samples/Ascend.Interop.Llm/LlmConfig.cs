namespace Ascend.Interop.Llm;

/// <summary>
/// The shape of the decoder: a LLaMA-style stack (RmsNorm, Q/K/V projections, rotary embedding, attention over a
/// KV cache, output projection, SwiGLU MLP, residuals), float32 except the float16 KV cache and attention.
/// </summary>
public sealed record LlmConfig
{
    /// <summary>Decoder layers.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Hidden width.</summary>
    public int Hidden { get; init; } = 256;

    /// <summary>Attention heads (the key/value heads are as many).</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Width of the SwiGLU MLP's gate and up projections.</summary>
    public int Intermediate { get; init; } = 512;

    /// <summary>Vocabulary size.</summary>
    public int Vocab { get; init; } = 4096;

    /// <summary>Positions a sequence may hold (prompt + generated tokens).</summary>
    public int Context { get; init; } = 512;

    /// <summary>Sequences decoded at once at most: the KV cache has a row per sequence, the static step buffers as many entries.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>RmsNorm epsilon.</summary>
    public double RmsEpsilon { get; init; } = 1e-5;

    /// <summary>Rotary embedding base.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Seed of the weights.</summary>
    public int Seed { get; init; } = 20261203;

    /// <summary>Width of one head.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>The attention scale 1/sqrt(head width).</summary>
    public double Scale => 1.0 / Math.Sqrt(HeadDim);

    /// <summary>Bytes of the KV cache (keys and values of every layer, every row, every position).</summary>
    public long KvCacheBytes => 2L * Layers * MaxBatch * Context * Hidden * 2;

    /// <summary>Checks the sizes fit together.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Layers, 1, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfLessThan(Heads, 1, nameof(Heads));
        ArgumentOutOfRangeException.ThrowIfLessThan(Vocab, 2, nameof(Vocab));
        ArgumentOutOfRangeException.ThrowIfLessThan(Context, 2, nameof(Context));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, nameof(MaxBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(Intermediate, 1, nameof(Intermediate));
        if (Hidden % Heads != 0 || HeadDim % 2 != 0)
            throw new ArgumentException($"Hidden ({Hidden}) must be a multiple of Heads ({Heads}) with an even head width.");
    }

    /// <summary>One line for reports.</summary>
    public override string ToString() =>
        $"LLaMA-style decoder: {Layers} layers, hidden {Hidden}, {Heads} heads of {HeadDim}, SwiGLU {Intermediate}, vocab {Vocab}, context {Context}, float32 with a float16 KV cache, seed {Seed}";
}
