using System.Globalization;
using System.Numerics.Tensors;

namespace Ascend.Interop.FrameworkSample;

/// <summary>The sample's run: a few forward passes through <see cref="DenseLayer"/>, each checked against the host.</summary>
internal static class FrameworkSampleRun
{
    public const int InFeatures = 16;
    public const int OutFeatures = 8;

    /// <summary>Runs <paramref name="steps"/> passes (alternating the two forward styles); returns the largest error.</summary>
    public static async Task<double> RunAsync(TextWriter output, int steps, int batch, CancellationToken cancellationToken)
    {
        using var runtime = NpuRuntime.Initialize();
        using var device = NpuDevice.Open(0);
        using var stream = device.CreateStream();

        var random = new Random(42);
        var weights = Tensor.Create(Values(random, InFeatures * OutFeatures), [InFeatures, OutFeatures]);
        var bias = Tensor.Create(Values(random, OutFeatures), [OutFeatures]);
        using var layer = new DenseLayer(stream, weights, bias, batch);
        output.WriteLine($"framework-sample: backend={(NpuRuntime.IsSimulator ? "simulator" : "cann")} batch={batch} in={InFeatures} out={OutFeatures} graph=[{string.Join(", ", layer.Operations)}]");

        double worst = 0;
        var result = Tensor.Create(new float[batch * OutFeatures], [batch, OutFeatures]);
        for (int step = 0; step < steps; step++)
        {
            var input = Tensor.Create(Values(random, batch * InFeatures), [batch, InFeatures]);
            Tensor<float> y;
            if (step % 2 == 0)
            {
                await layer.ForwardAsync(input, result, cancellationToken);
                y = result;
            }
            else
            {
                y = await layer.ForwardQueuedAsync(input, cancellationToken);
            }
            double error = MaxError(y, Reference(input, weights, bias));
            worst = Math.Max(worst, error);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"framework-sample: step={step} style={(step % 2 == 0 ? "ReplayAsync" : "SynchronizeAsync")} max_abs_err={error:E2}"));
        }
        string check = worst <= 1e-4 ? "ok" : "FAILED";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"framework-sample: check={check} steps={steps} replays={layer.Replays} max_abs_err={worst:E2}"));
        return worst;
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>relu(x · W + b) on the host, in double.</summary>
    internal static Tensor<float> Reference(Tensor<float> x, Tensor<float> w, Tensor<float> b)
    {
        int rows = (int)x.Lengths[0], inner = (int)x.Lengths[1], cols = (int)w.Lengths[1];
        var result = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double sum = b[c];
                for (int k = 0; k < inner; k++) sum += (double)x[r, k] * w[k, c];
                result[r * cols + c] = (float)Math.Max(sum, 0);
            }
        }
        return Tensor.Create(result, [rows, cols]);
    }

    private static double MaxError(Tensor<float> actual, Tensor<float> expected)
    {
        var a = actual.ToArray();
        var e = expected.ToArray();
        if (a.Length != e.Length) return double.PositiveInfinity;
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - e[i]));
        return worst;
    }
}
