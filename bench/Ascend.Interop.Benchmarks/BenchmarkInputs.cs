namespace Ascend.Interop.Benchmarks;

/// <summary>Sizes of the benchmarks; bench/native/bench_main.cpp uses the same constants.</summary>
public static class BenchmarkShapes
{
    /// <summary>Elements of each operand of the single-operator benchmark (Add).</summary>
    public const int AddElements = 1024;
    /// <summary>Rows of the MLP's input.</summary>
    public const int Batch = 8;
    /// <summary>Width of every MLP layer.</summary>
    public const int Width = 256;
    /// <summary>Linear layers: 3 x (MatMul, Add bias, Silu) then (MatMul, Add bias).</summary>
    public const int Layers = 4;
    /// <summary>Operators of one MLP step: RmsNorm, the layers' 4 MatMul + 4 Add + 3 Silu, Softmax.</summary>
    public const int MlpOperators = 1 + Layers * 2 + (Layers - 1) + 1;
    /// <summary>RmsNorm epsilon.</summary>
    public const double RmsEpsilon = 1e-6;
    /// <summary>Submissions per timed batch in the enqueue-only benchmarks (the stream is drained between batches).</summary>
    public const int EnqueueBatch = 64;
    /// <summary>Bytes per pool rent and per raw allocation.</summary>
    public const int PoolBlockBytes = 4096;
}

/// <summary>Deterministic inputs, bit-identical to <c>fill()</c> in bench/native/bench_main.cpp.</summary>
public static class BenchmarkData
{
    /// <summary><paramref name="count"/> values in [-scale/2, scale/2) from a linear congruential sequence seeded by <paramref name="seed"/>.</summary>
    public static float[] Fill(int count, uint seed, float scale)
    {
        var values = new float[count];
        uint state = unchecked(seed * 2654435761u + 12345u);
        for (int i = 0; i < values.Length; i++)
        {
            state = unchecked(state * 1664525u + 1013904223u);
            values[i] = ((state >> 8) / 16777216.0f - 0.5f) * scale;
        }
        return values;
    }

    /// <summary>Input of the MLP, [Batch, Width].</summary>
    public static float[] MlpInput() => Fill(BenchmarkShapes.Batch * BenchmarkShapes.Width, 1, 2.0f);
    /// <summary>RmsNorm's gamma, [Width].</summary>
    public static float[] MlpGamma() => Fill(BenchmarkShapes.Width, 2, 1.0f);
    /// <summary>Weight of layer <paramref name="layer"/>, [Width, Width] row-major.</summary>
    public static float[] MlpWeight(int layer) => Fill(BenchmarkShapes.Width * BenchmarkShapes.Width, (uint)(10 + layer), 0.125f);
    /// <summary>Bias of layer <paramref name="layer"/>, [Width].</summary>
    public static float[] MlpBias(int layer) => Fill(BenchmarkShapes.Width, (uint)(20 + layer), 0.5f);
    /// <summary>Operands of the single-operator Add.</summary>
    public static float[] AddOperand(int which) => Fill(BenchmarkShapes.AddElements, (uint)(3 + which), 1.0f);
}
