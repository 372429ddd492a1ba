namespace Ascend.Interop.Llm;

/// <summary>
/// The decoder in double precision on the CPU, written independently of the device code from the textbook
/// definitions, for tests: one layer at a time (<see cref="Layer"/>) or whole sequences (<see cref="Forward"/>).
/// Like the model, it rounds the attention's query, the cached keys and values and the attention output to
/// float16 (the KV cache's type); everything else is double.
/// </summary>
public sealed class ReferenceDecoder
{
    private readonly LlmConfig _config;
    private readonly LlmWeights _weights;

    /// <summary>A sequence's KV cache: per layer, the rotated key and the value of each position so far.</summary>
    public sealed class Sequence
    {
        internal Sequence(int layers)
        {
            Keys = new List<double[]>[layers];
            Values = new List<double[]>[layers];
            for (int l = 0; l < layers; l++)
            {
                Keys[l] = new List<double[]>();
                Values[l] = new List<double[]>();
            }
        }

        /// <summary>Per layer, the keys of positions 0..Length-1.</summary>
        public List<double[]>[] Keys { get; }

        /// <summary>Per layer, the values of positions 0..Length-1.</summary>
        public List<double[]>[] Values { get; }

        /// <summary>Positions seen.</summary>
        public int Length => Keys[0].Count;
    }

    /// <summary>A reference for <paramref name="config"/> with <paramref name="weights"/>.</summary>
    public ReferenceDecoder(LlmConfig config, LlmWeights weights)
    {
        config.Validate();
        _config = config;
        _weights = weights;
    }

    /// <summary>An empty sequence.</summary>
    public Sequence NewSequence() => new(_config.Layers);

    /// <summary>Feeds <paramref name="token"/> at the sequence's next position; returns the logits.</summary>
    public double[] Forward(Sequence sequence, int token)
    {
        int h = _config.Hidden;
        int position = sequence.Length;
        var x = new double[h];
        for (int i = 0; i < h; i++) x[i] = _weights.Embedding[token * h + i];
        for (int l = 0; l < _config.Layers; l++)
        {
            sequence.Keys[l].Add(null!);
            sequence.Values[l].Add(null!);
            x = Layer(l, x, position, sequence.Keys[l], sequence.Values[l]);
        }
        var normed = RmsNorm(x, _weights.FinalNorm);
        return MatVec(normed, _weights.LmHead, h, _config.Vocab);
    }

    /// <summary>
    /// Decoder layer <paramref name="layer"/> for one token at <paramref name="position"/>: stores its rotated key and
    /// its value at index <paramref name="position"/> of <paramref name="keys"/>/<paramref name="values"/> (which hold
    /// the earlier positions) and attends over positions 0..<paramref name="position"/>.
    /// </summary>
    public double[] Layer(int layer, double[] x, int position, IList<double[]> keys, IList<double[]> values)
    {
        var w = _weights.Layers[layer];
        int h = _config.Hidden, heads = _config.Heads, d = _config.HeadDim, m = _config.Intermediate;
        var a = RmsNorm(x, w.AttentionNorm);
        // The model keeps the cache, the attention's query and its output in float16: rounded here the same way.
        var q = ToHalf(Rotate(MatVec(a, w.Wq, h, h), position));
        keys[position] = ToHalf(Rotate(MatVec(a, w.Wk, h, h), position));
        values[position] = ToHalf(MatVec(a, w.Wv, h, h));

        var attended = new double[h];
        var scores = new double[position + 1];
        for (int head = 0; head < heads; head++)
        {
            int o = head * d;
            double max = double.NegativeInfinity;
            for (int p = 0; p <= position; p++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += q[o + i] * keys[p][o + i];
                scores[p] = dot * _config.Scale;
                max = Math.Max(max, scores[p]);
            }
            double sum = 0;
            for (int p = 0; p <= position; p++)
            {
                scores[p] = Math.Exp(scores[p] - max);
                sum += scores[p];
            }
            for (int p = 0; p <= position; p++)
                for (int i = 0; i < d; i++) attended[o + i] += scores[p] / sum * values[p][o + i];
        }
        var projected = MatVec(ToHalf(attended), w.Wo, h, h);
        var residual = new double[h];
        for (int i = 0; i < h; i++) residual[i] = x[i] + projected[i];

        var b = RmsNorm(residual, w.MlpNorm);
        var gate = MatVec(b, w.WGate, h, m);
        var up = MatVec(b, w.WUp, h, m);
        var product = new double[m];
        for (int i = 0; i < m; i++) product[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
        var down = MatVec(product, w.WDown, m, h);
        var output = new double[h];
        for (int i = 0; i < h; i++) output[i] = residual[i] + down[i];
        return output;
    }

    /// <summary>Rotary embedding (half rotation) of every head of <paramref name="v"/> at <paramref name="position"/>.</summary>
    public double[] Rotate(double[] v, int position)
    {
        int d = _config.HeadDim, half = d / 2;
        var result = new double[v.Length];
        for (int o = 0; o < v.Length; o += d)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = position * LlmWeights.RotaryFrequency(_config, i);
                double c = Math.Cos(angle), s = Math.Sin(angle);
                double x1 = v[o + i], x2 = v[o + i + half];
                result[o + i] = x1 * c - x2 * s;
                result[o + i + half] = x2 * c + x1 * s;
            }
        }
        return result;
    }

    /// <summary>Each value rounded to float16 (to nearest, ties to even) and back.</summary>
    public static double[] ToHalf(double[] v)
    {
        var result = new double[v.Length];
        for (int i = 0; i < v.Length; i++) result[i] = (double)(Half)v[i];
        return result;
    }

    private double[] RmsNorm(double[] x, float[] gamma)
    {
        double sum = 0;
        foreach (double v in x) sum += v * v;
        double scale = 1 / Math.Sqrt(sum / x.Length + _config.RmsEpsilon);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * scale * gamma[i];
        return y;
    }

    private static double[] MatVec(double[] x, float[] w, int rows, int cols)
    {
        var y = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            double xr = x[r];
            int offset = r * cols;
            for (int c = 0; c < cols; c++) y[c] += xr * w[offset + c];
        }
        return y;
    }
}
