using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>Comparisons of TorchSharp tensors that report where and by how much they differ.</summary>
internal static class TorchAssert
{
    /// <summary>Same shape and type, and |actual - expected| &lt;= atol + rtol x |expected| everywhere (compared in float64).</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol, double atol)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var e = expected.to_type(ScalarType.Float64);
        var a = actual.to_type(ScalarType.Float64);
        var diff = (a - e).abs();
        var excess = diff - (e.abs() * rtol + atol);
        double worst = excess.max().item<double>();
        if (worst > 0 || double.IsNaN(worst) || a.isnan().any().item<bool>() != e.isnan().any().item<bool>())
        {
            long at = excess.flatten().argmax().item<long>();
            double got = a.flatten()[at].item<double>(), want = e.flatten()[at].item<double>();
            Assert.Fail($"tensors differ beyond rtol {rtol}, atol {atol}: max |diff| {diff.max().item<double>():G6}; " +
                $"at flat index {at} expected {want:G9}, got {got:G9} (shape [{string.Join(", ", expected.shape)}])");
        }
    }

    /// <summary>Same shape, type and every element equal.</summary>
    public static void Equal(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var mismatch = expected.ne(actual).flatten();
        if (mismatch.any().item<bool>())
        {
            long count = mismatch.sum().item<long>();
            long at = mismatch.to_type(ScalarType.Int32).argmax().item<long>();
            Assert.Fail($"{count} of {expected.numel()} elements differ; first at flat index {at}: expected {expected.flatten()[at].ToString(global::TorchSharp.TensorStringStyle.Julia)}, got {actual.flatten()[at].ToString(global::TorchSharp.TensorStringStyle.Julia)}");
        }
    }

    /// <summary>A random tensor of any bridged type: normal floats, integers across a range, or random booleans.</summary>
    public static Tensor Random(ScalarType type, params long[] shape) => type switch
    {
        ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 => randn(shape, type),
        ScalarType.BFloat16 => randn(shape).to_type(ScalarType.BFloat16),
        ScalarType.Int8 => randint(-128, 128, shape, ScalarType.Int8),
        ScalarType.Byte => randint(0, 256, shape, ScalarType.Byte),
        ScalarType.Int32 => randint(-1_000_000, 1_000_000, shape, ScalarType.Int32),
        ScalarType.Int64 => randint(-1_000_000_000_000L, 1_000_000_000_000L, shape, ScalarType.Int64),
        ScalarType.Bool => rand(shape).gt(0.5),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a bridged type"),
    };
}
