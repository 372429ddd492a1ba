namespace Ascend.Interop.Llm;

/// <summary>One decoder layer's weights on the host; matrices are [in, out] row-major (y = x @ W).</summary>
public sealed class LayerWeights
{
    /// <summary>RmsNorm gamma before attention [Hidden].</summary>
    public required float[] AttentionNorm { get; init; }
    /// <summary>Query projection [Hidden, Hidden].</summary>
    public required float[] Wq { get; init; }
    /// <summary>Key projection [Hidden, Hidden].</summary>
    public required float[] Wk { get; init; }
    /// <summary>Value projection [Hidden, Hidden].</summary>
    public required float[] Wv { get; init; }
    /// <summary>Output projection [Hidden, Hidden].</summary>
    public required float[] Wo { get; init; }
    /// <summary>RmsNorm gamma before the MLP [Hidden].</summary>
    public required float[] MlpNorm { get; init; }
    /// <summary>Gate projection [Hidden, Intermediate].</summary>
    public required float[] WGate { get; init; }
    /// <summary>Up projection [Hidden, Intermediate].</summary>
    public required float[] WUp { get; init; }
    /// <summary>Down projection [Intermediate, Hidden].</summary>
    public required float[] WDown { get; init; }
}

/// <summary>
/// The model's weights, made from <see cref="LlmConfig.Seed"/> in a fixed order (so the device model, the double
/// reference and the TorchSharp reference all load the same numbers): embedding, then per layer attention norm,
/// Wq, Wk, Wv, Wo, MLP norm, gate, up, down, then the final norm and the LM head. Matrices are uniform in
/// [-1/sqrt(in), 1/sqrt(in)), the embedding in [-1, 1), norm gammas in [0.9, 1.1).
/// </summary>
public sealed class LlmWeights
{
    /// <summary>Token embedding [Vocab, Hidden].</summary>
    public required float[] Embedding { get; init; }
    /// <summary>Per-layer weights.</summary>
    public required LayerWeights[] Layers { get; init; }
    /// <summary>Final RmsNorm gamma [Hidden].</summary>
    public required float[] FinalNorm { get; init; }
    /// <summary>LM head [Hidden, Vocab].</summary>
    public required float[] LmHead { get; init; }

    /// <summary>Makes the weights of <paramref name="config"/> from its seed.</summary>
    public static LlmWeights Create(LlmConfig config)
    {
        config.Validate();
        var random = new Random(config.Seed);
        int h = config.Hidden, m = config.Intermediate;
        float[] Matrix(int rows, int cols) => Uniform(random, rows * cols, 1.0 / Math.Sqrt(rows));
        float[] Gamma()
        {
            var g = new float[h];
            for (int i = 0; i < h; i++) g[i] = (float)(1.0 + 0.1 * (random.NextDouble() * 2 - 1));
            return g;
        }
        var embedding = Uniform(random, config.Vocab * h, 1.0);
        var layers = new LayerWeights[config.Layers];
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l] = new LayerWeights
            {
                AttentionNorm = Gamma(),
                Wq = Matrix(h, h),
                Wk = Matrix(h, h),
                Wv = Matrix(h, h),
                Wo = Matrix(h, h),
                MlpNorm = Gamma(),
                WGate = Matrix(h, m),
                WUp = Matrix(h, m),
                WDown = Matrix(m, h),
            };
        }
        var finalNorm = Gamma();
        // The head is scaled up so the greedy choice has clear margins (random weights give flat logits otherwise).
        var head = Uniform(random, h * config.Vocab, 4.0 / Math.Sqrt(h));
        return new LlmWeights { Embedding = embedding, Layers = layers, FinalNorm = finalNorm, LmHead = head };
    }

    /// <summary>The rotary tables [Context, HeadDim]: cos and sin of position x inverse frequency, each half repeated (GPT-NeoX / LLaMA layout).</summary>
    public static (float[] Cos, float[] Sin) RotaryTables(LlmConfig config)
    {
        int d = config.HeadDim, half = d / 2;
        var cos = new float[config.Context * d];
        var sin = new float[config.Context * d];
        for (int p = 0; p < config.Context; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * RotaryFrequency(config, i);
                cos[p * d + i] = cos[p * d + i + half] = (float)Math.Cos(angle);
                sin[p * d + i] = sin[p * d + i + half] = (float)Math.Sin(angle);
            }
        }
        return (cos, sin);
    }

    /// <summary>Inverse frequency of rotary pair <paramref name="i"/>: theta^(-2i/HeadDim).</summary>
    public static double RotaryFrequency(LlmConfig config, int i) => Math.Pow(config.RopeTheta, -2.0 * i / config.HeadDim);

    private static float[] Uniform(Random random, int count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }
}
