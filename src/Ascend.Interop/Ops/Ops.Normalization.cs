namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// <paramref name="y"/> = <paramref name="x"/> / sqrt(mean(x²) + <paramref name="epsilon"/>) x <paramref name="gamma"/>,
    /// normalizing over <paramref name="gamma"/>'s (trailing) dimensions; <paramref name="rstd"/> receives the
    /// reciprocal RMS per row: float32, x's shape with the normalized dimensions set to 1.
    /// </summary>
    public static void RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon, NpuTensor y, NpuTensor rstd) =>
        Operators.RmsNorm.Run(stream, [x, gamma, y, rstd], [epsilon]);

    /// <summary>
    /// <paramref name="output"/> = (input - mean) / sqrt(var + <paramref name="epsilon"/>) x <paramref name="weight"/> +
    /// <paramref name="bias"/> over the trailing dimensions <paramref name="normalizedShape"/> (aclnnLayerNorm;
    /// torch.nn.functional.layer_norm; biased variance). <paramref name="weight"/> and <paramref name="bias"/> are
    /// optional (null: ones and zeros) and hold the input's type or float32.
    /// </summary>
    public static void LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight, NpuTensor? bias,
        double epsilon, NpuTensor output) =>
        Operators.LayerNorm.Run(stream, [input, weight, bias, output], [epsilon], ints: normalizedShape);

    /// <summary>
    /// As the other output overload, also writing each normalized row's <paramref name="mean"/> and reciprocal standard
    /// deviation <paramref name="rstd"/>: the input's type, its shape with the normalized dimensions set to 1.
    /// </summary>
    public static void LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight, NpuTensor? bias,
        double epsilon, NpuTensor output, NpuTensor mean, NpuTensor rstd) =>
        Operators.LayerNormStatistics.Run(stream, [input, weight, bias, output, mean, rstd], [epsilon], ints: normalizedShape);

    /// <summary>A new tensor holding the layer normalization of <paramref name="input"/> (see the output overloads).</summary>
    public static NpuTensor LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight = null,
        NpuTensor? bias = null, double epsilon = 1e-5) =>
        Operators.LayerNorm.Create(stream, [input, weight, bias], [epsilon], ints: normalizedShape);
}
