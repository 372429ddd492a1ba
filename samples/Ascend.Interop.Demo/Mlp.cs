namespace Ascend.Interop.Demo;

/// <summary>
/// A small multi-layer perceptron with random weights: <c>Layers</c> x (MatMul, Add bias, Relu or Silu
/// alternating), then RmsNorm and Softmax over the last dimension. Written as ordinary eager code with the
/// SDK's allocating operators: the same <see cref="Forward"/> runs eagerly and inside a capture, where its
/// temporaries come from the graph's pool.
/// </summary>
internal sealed class Mlp : IDisposable
{
    private readonly NpuTensor[] _weights;
    private readonly NpuTensor[] _biases;
    private readonly NpuTensor _gamma;

    public Mlp(NpuStream stream, int width, int layers, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        Width = width;
        Layers = layers;
        _weights = new NpuTensor[layers];
        _biases = new NpuTensor[layers];
        float scale = 1.0f / MathF.Sqrt(width);
        try
        {
            for (int l = 0; l < layers; l++)
            {
                _weights[l] = NpuTensor.FromArray(stream, RandomValues(random, width * width, scale), new TensorShape(width, width));
                _biases[l] = NpuTensor.FromArray(stream, RandomValues(random, width, 0.1f), new TensorShape(width));
            }
            var gamma = new float[width];
            for (int i = 0; i < width; i++) gamma[i] = 1.0f + 0.1f * (float)(random.NextDouble() * 2 - 1);
            _gamma = NpuTensor.FromArray(stream, gamma, new TensorShape(width));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Width { get; }

    public int Layers { get; }

    /// <summary>Operators one forward pass submits.</summary>
    public int OperatorCount => Layers * 3 + 2;

    /// <summary>A one-line description of the layers.</summary>
    public string Description =>
        $"{Layers} x (MatMul {Width}x{Width} + Add bias + {string.Join("/", Enumerable.Range(0, Math.Min(2, Layers)).Select(ActivationName))}), RmsNorm, Softmax: {OperatorCount} operators per forward, float32";

    private static string ActivationName(int layer) => layer % 2 == 0 ? "Relu" : "Silu";

    /// <summary>Queues one forward pass of <paramref name="x"/> ([batch, Width]) on <paramref name="stream"/>; returns the output (caller disposes).</summary>
    public NpuTensor Forward(NpuStream stream, NpuTensor x)
    {
        NpuTensor h = x;
        try
        {
            for (int l = 0; l < Layers; l++)
            {
                using var product = Ops.MatMul(stream, h, _weights[l]);
                using var biased = Ops.Add(stream, product, _biases[l]);
                var activated = l % 2 == 0 ? Ops.Relu(stream, biased) : Ops.Silu(stream, biased);
                if (!ReferenceEquals(h, x)) h.Dispose();
                h = activated;
            }
            var (normed, rstd) = Ops.RmsNorm(stream, h, _gamma, 1e-6);
            rstd.Dispose();
            using (normed)
            {
                return Ops.Softmax(stream, normed, -1);
            }
        }
        finally
        {
            if (!ReferenceEquals(h, x)) h.Dispose();
        }
    }

    /// <summary>Uniform values in [-scale, scale).</summary>
    public static float[] RandomValues(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public void Dispose()
    {
        foreach (var w in _weights) w?.Dispose();
        foreach (var b in _biases) b?.Dispose();
        _gamma?.Dispose();
    }
}
