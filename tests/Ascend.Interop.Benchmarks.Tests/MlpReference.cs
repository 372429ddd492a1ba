namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>The benchmark MLP computed on the CPU in double precision, from the same inputs.</summary>
internal static class MlpReference
{
    public static double[] Compute()
    {
        const int B = BenchmarkShapes.Batch, W = BenchmarkShapes.Width, L = BenchmarkShapes.Layers;
        float[] x = BenchmarkData.MlpInput(), gamma = BenchmarkData.MlpGamma();
        var h = new double[B * W];
        for (int r = 0; r < B; r++)
        {
            double sum = 0;
            for (int c = 0; c < W; c++) sum += (double)x[r * W + c] * x[r * W + c];
            double rstd = 1 / Math.Sqrt(sum / W + BenchmarkShapes.RmsEpsilon);
            for (int c = 0; c < W; c++) h[r * W + c] = x[r * W + c] * rstd * gamma[c];
        }
        for (int l = 0; l < L; l++)
        {
            float[] weight = BenchmarkData.MlpWeight(l), bias = BenchmarkData.MlpBias(l);
            var next = new double[B * W];
            for (int r = 0; r < B; r++)
            {
                for (int c = 0; c < W; c++)
                {
                    double acc = bias[c];
                    for (int k = 0; k < W; k++) acc += h[r * W + k] * weight[k * W + c];
                    next[r * W + c] = l < L - 1 ? acc / (1 + Math.Exp(-acc)) : acc; // Silu on all but the last layer
                }
            }
            h = next;
        }
        for (int r = 0; r < B; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < W; c++) max = Math.Max(max, h[r * W + c]);
            for (int c = 0; c < W; c++) sum += Math.Exp(h[r * W + c] - max);
            for (int c = 0; c < W; c++) h[r * W + c] = Math.Exp(h[r * W + c] - max) / sum;
        }
        return h;
    }
}
