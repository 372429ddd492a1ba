using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>NPU (simulator) operators against TorchSharp's own CPU results, on random inputs.</summary>
public sealed class OperatorTests(NpuFixture npu)
{
    private readonly NpuStream _stream = npu.Stream;

    [TorchTheory]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 3, 1 }, 0.5)]
    [InlineData(new long[] { 4, 1, 5 }, new long[] { 1, 6, 5 }, 1.0)]
    [InlineData(new long[] { 7 }, new long[] { 2, 3, 7 }, -2.25)]
    [InlineData(new long[] { 3, 4 }, new long[] { 3, 4 }, 0.0)]
    public void Add_broadcasts_and_scales_by_alpha_like_torch(long[] selfShape, long[] otherShape, double alpha)
    {
        manual_seed(101);
        using var scope = NewDisposeScope();
        var a = randn(selfShape);
        var b = randn(otherShape);
        using var na = a.ToNpu(_stream);
        using var nb = b.ToNpu(_stream);
        using var nc = Ops.Add(_stream, na, nb, alpha);
        TorchAssert.Close(a.add(b, alpha), nc.ToTorch(_stream), rtol: 1e-6, atol: 1e-6);
    }

    [TorchTheory]
    // Half types: torch rounds a + alpha*b once, an NPU kernel may round alpha*b first; allow one ulp of the
    // inputs (|x| < 4 here: 2^-8 for float16, 2^-5 for bfloat16).
    [InlineData(ScalarType.Float16, 0.75, 4e-3)]
    [InlineData(ScalarType.BFloat16, 0.75, 3.2e-2)]
    [InlineData(ScalarType.Int32, 3.0, 0.0)]
    [InlineData(ScalarType.Int64, -2.0, 0.0)]
    public void Add_in_other_types_matches_torch(ScalarType type, double alpha, double tolerance)
    {
        manual_seed(102);
        using var scope = NewDisposeScope();
        double scale = type is ScalarType.Int32 or ScalarType.Int64 ? 100 : 1;
        var a = (randn(new long[] { 3, 8 }).clamp(-3.9, 3.9) * scale).to_type(type);
        var b = (randn(new long[] { 8 }).clamp(-3.9, 3.9) * scale).to_type(type);
        using var na = a.ToNpu(_stream);
        using var nb = b.ToNpu(_stream);
        using var nc = Ops.Add(_stream, na, nb, alpha);
        var expected = type is ScalarType.Int32 or ScalarType.Int64 ? a.add(b, (long)alpha) : a.add(b, alpha);
        TorchAssert.Close(expected, nc.ToTorch(_stream), rtol: tolerance, atol: tolerance);
    }

    [TorchTheory]
    [InlineData(new long[] { 2, 1, 3, 4 }, new long[] { 5, 4, 6 })]   // batch dims broadcast: [2, 5, 3, 6]
    [InlineData(new long[] { 3, 4, 5 }, new long[] { 5, 2 })]         // matrix broadcast over the batch
    [InlineData(new long[] { 6, 7 }, new long[] { 7, 3 })]            // plain 2-D
    [InlineData(new long[] { 4 }, new long[] { 2, 4, 5 })]            // vector @ batched matrices
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 4 })]            // batched matrices @ vector
    public void MatMul_broadcasts_batches_like_torch(long[] selfShape, long[] otherShape)
    {
        manual_seed(103);
        using var scope = NewDisposeScope();
        var a = randn(selfShape);
        var b = randn(otherShape);
        using var na = a.ToNpu(_stream);
        using var nb = b.ToNpu(_stream);
        using var nc = Ops.MatMul(_stream, na, nb);
        TorchAssert.Close(matmul(a, b), nc.ToTorch(_stream), rtol: 1e-5, atol: 1e-5);
    }

    [TorchTheory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void Softmax_matches_torch(int dim)
    {
        manual_seed(104);
        using var scope = NewDisposeScope();
        var x = randn(3, 5, 7) * 4;
        using var nx = x.ToNpu(_stream);
        using var ny = Ops.Softmax(_stream, nx, dim);
        var got = ny.ToTorch(_stream);
        TorchAssert.Close(F.softmax(x, dim), got, rtol: 1e-5, atol: 1e-6);
        TorchAssert.Close(ones(1), got.sum(dim).max().reshape(1), rtol: 0, atol: 1e-5); // rows sum to 1
    }

    [TorchFact]
    public void Silu_matches_torch()
    {
        manual_seed(105);
        using var scope = NewDisposeScope();
        var x = randn(4, 33) * 6;
        using var nx = x.ToNpu(_stream);
        using var ny = Ops.Silu(_stream, nx);
        TorchAssert.Close(F.silu(x), ny.ToTorch(_stream), rtol: 1e-5, atol: 1e-6);
    }

    [TorchTheory]
    [InlineData(new long[] { 4, 6, 8 }, new long[] { 8 }, 1e-6)]
    [InlineData(new long[] { 3, 5, 16 }, new long[] { 5, 16 }, 1e-5)]
    [InlineData(new long[] { 2, 64 }, new long[] { 64 }, 0.1)]
    public void RmsNorm_matches_the_formula_computed_by_torch(long[] xShape, long[] gammaShape, double epsilon)
    {
        manual_seed(106);
        using var scope = NewDisposeScope();
        var x = randn(xShape);
        var gamma = randn(gammaShape);
        // rstd = 1 / sqrt(mean(x^2) + eps) over gamma's (trailing) dimensions; y = x * rstd * gamma.
        var normalized = Enumerable.Range(xShape.Length - gammaShape.Length, gammaShape.Length).Select(i => (long)i).ToArray();
        var rstd = (x.pow(2).mean(normalized, keepdim: true) + epsilon).rsqrt();
        var y = x * rstd * gamma;
        using var nx = x.ToNpu(_stream);
        using var ng = gamma.ToNpu(_stream);
        var (ny, nr) = Ops.RmsNorm(_stream, nx, ng, epsilon);
        using (ny)
        using (nr)
        {
            TorchAssert.Close(y, ny.ToTorch(_stream), rtol: 1e-5, atol: 1e-5);
            TorchAssert.Close(rstd, nr.ToTorch(_stream), rtol: 1e-5, atol: 1e-6);
        }
    }

    public static TheoryData<ScalarType, ScalarType> Casts => new()
    {
        { ScalarType.Float32, ScalarType.Float16 },
        { ScalarType.Float32, ScalarType.BFloat16 },
        { ScalarType.Float32, ScalarType.Float64 },
        { ScalarType.Float64, ScalarType.Float32 },
        { ScalarType.Float16, ScalarType.Float32 },
        { ScalarType.BFloat16, ScalarType.Float32 },
        { ScalarType.Float32, ScalarType.Int32 },
        { ScalarType.Float32, ScalarType.Int64 },
        { ScalarType.Int32, ScalarType.Float32 },
        { ScalarType.Int64, ScalarType.Int32 },
        { ScalarType.Int32, ScalarType.Int8 },
        { ScalarType.Byte, ScalarType.Int32 },
        { ScalarType.Float32, ScalarType.Bool },
        { ScalarType.Bool, ScalarType.Float32 },
        { ScalarType.Int8, ScalarType.Float16 },
    };

    [TorchTheory]
    [MemberData(nameof(Casts))]
    public void Cast_matches_torch(ScalarType from, ScalarType to)
    {
        manual_seed(107);
        using var scope = NewDisposeScope();
        var source = from switch
        {
            // Spread floats over a range where every target type can hold the truncated value, plus exact zeros.
            ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16 =>
                (randn(6, 9) * 50).where(rand(6, 9).gt(0.2), zeros(6, 9)).to_type(from),
            ScalarType.Int32 when to == ScalarType.Int8 => randint(-100, 100, new long[] { 6, 9 }, ScalarType.Int32),
            _ => TorchAssert.Random(from, 6, 9),
        };
        using var ns = source.ToNpu(_stream);
        using var nc = Ops.Cast(_stream, ns, to.ToNpuDataType());
        TorchAssert.Equal(source.to_type(to), nc.ToTorch(_stream));
    }
}
