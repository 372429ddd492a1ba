using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// CsCheck properties of the element-wise operators: random shapes up to rank 4, numpy broadcasting, strided
/// operands (transposed, sliced, expanded views) and outputs, and float32/float16/bfloat16/int32 data,
/// compared with a double-precision reference computed here from the values the tensors hold.
/// </summary>
/// <remarks>
/// Tolerance: the operators compute in float (or double) and round once to the output type, so a result
/// is within one unit in the last place of that type of the exact value: half an ulp from the final
/// rounding, plus float-intermediate error far below an ulp of float16/bfloat16 (and at most half an ulp
/// for float32, whose rounding is the final one). Integer results are exact (wrapping as the SDK documents).
/// </remarks>
[Collection("Npu")]
public sealed class ElementwisePropertyTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private const int Iterations = 150;

    private static readonly NpuDataType[] FloatTypes = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16];
    private static readonly NpuDataType[] AllTypes = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Int32];

    private static readonly RandomOperands Operands = new() { FloatValue = random => random.NextDouble() * 8 - 4 };

    // ---- generators -----------------------------------------------------------------------

    /// <summary>Two shapes that broadcast: the second drops leading dimensions and turns some to 1 (randomly swapped).</summary>
    private static readonly Gen<(long[] A, long[] B)> BroadcastGen = RandomOperands.ShapeGen.SelectMany(a =>
        Gen.Select(Gen.Int[0, a.Length], Gen.Bool.Array[a.Length], Gen.Bool, (drop, ones, swap) =>
        {
            var b = a[drop..].ToArray();
            for (int i = 0; i < b.Length; i++) if (ones[i + drop]) b[i] = 1;
            return swap ? (b, a) : (a, b);
        }));

    private static readonly Gen<OperandView> ViewGen = Gen.Enum<OperandView>();

    // ---- tensors --------------------------------------------------------------------------

    /// <summary>An output of <paramref name="shape"/>: contiguous, or a transposed view when <paramref name="strided"/> (rank 2+).</summary>
    private static NpuTensor Output(NpuStream stream, NpuDataType type, long[] shape, bool strided, List<NpuTensor> owned)
    {
        int rank = shape.Length;
        if (!strided || rank < 2)
        {
            var plain = NpuTensor.Empty(stream, new TensorShape(shape), type);
            owned.Add(plain);
            return plain;
        }
        var swapped = shape.ToArray();
        (swapped[^1], swapped[^2]) = (swapped[^2], swapped[^1]);
        var storage = NpuTensor.Empty(stream, new TensorShape(swapped), type);
        owned.Add(storage);
        var view = storage.Transpose(rank - 2, rank - 1);
        owned.Add(view);
        return view;
    }

    /// <summary>Row-major index into a tensor of <paramref name="shape"/> broadcast to <paramref name="target"/>.</summary>
    private static long SourceIndex(long[] shape, long[] target, long flat)
    {
        long index = 0, stride = 1;
        for (int i = target.Length - 1, j = shape.Length - 1; i >= 0; i--, j--)
        {
            long coordinate = flat % target[i];
            flat /= target[i];
            if (j < 0) continue;
            if (shape[j] != 1) index += coordinate * stride;
            stride *= shape[j];
        }
        return index;
    }

    private static long[] BroadcastShape(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            int ia = a.Length - rank + i, ib = b.Length - rank + i;
            result[i] = Math.Max(ia >= 0 ? a[ia] : 1, ib >= 0 ? b[ib] : 1);
        }
        return result;
    }

    // ---- comparison -----------------------------------------------------------------------

    private static double RoundTo(NpuDataType type, double value) => type switch
    {
        NpuDataType.Float32 => (float)value,
        NpuDataType.Float16 => (double)(Half)value,
        NpuDataType.BFloat16 => (float)(NpuBFloat16)(float)value,
        _ => value,
    };

    private static void Close(double[] expected, double[] actual, NpuDataType type, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e))
            {
                Assert.True(double.IsNaN(a), $"{what}, element {i}: expected NaN, got {a}");
                continue;
            }
            if (a == RoundTo(type, e)) continue;
            double bound = TensorValues.Ulp(type, e);
            Assert.True(Math.Abs(a - e) <= bound, $"{what} ({type}), element {i}: expected {e}, got {a} (bound {bound})");
        }
    }

    // ---- properties -----------------------------------------------------------------------

    [Fact]
    public void Binary_operators_broadcast_over_views_like_the_reference()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(BroadcastGen, Gen.OneOf(AllTypes), Gen.Int[0, 2], ViewGen, ViewGen, Gen.Int[0, 2], Gen.Int);
        gen.Sample((shapes, type, op, viewA, viewB, outputKind, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            var a = Operands.Operand(stream, type, shapes.A, viewA, random, owned);
            var b = Operands.Operand(stream, type, shapes.B, viewB, random, owned);
            var shape = BroadcastShape(shapes.A, shapes.B);
            bool integralDiv = op == 0 && type == NpuDataType.Int32;
            var outputType = integralDiv ? NpuDataType.Float32 : type;
            NpuTensor result;
            if (outputKind == 0)
            {
                result = op switch { 0 => Ops.Div(stream, a, b), 1 => Ops.Maximum(stream, a, b), _ => Ops.Minimum(stream, a, b) };
                owned.Add(result);
            }
            else
            {
                result = Output(stream, outputType, shape, strided: outputKind == 2, owned);
                if (op == 0) Ops.Div(stream, a, b, result);
                else if (op == 1) Ops.Maximum(stream, a, b, result);
                else Ops.Minimum(stream, a, b, result);
            }
            Assert.Equal(new TensorShape(shape), result.Shape);
            Assert.Equal(outputType, result.DataType);
            double[] av = TensorValues.Download(a), bv = TensorValues.Download(b);
            var expected = new double[RandomOperands.Count(shape)];
            for (long i = 0; i < expected.Length; i++)
            {
                double x = av[SourceIndex(shapes.A, shape, i)], y = bv[SourceIndex(shapes.B, shape, i)];
                expected[i] = op switch
                {
                    0 => x / y,
                    1 => double.IsNaN(x) || double.IsNaN(y) ? double.NaN : Math.Max(x, y),
                    _ => double.IsNaN(x) || double.IsNaN(y) ? double.NaN : Math.Min(x, y),
                };
            }
            Close(expected, TensorValues.Download(result), outputType, op switch { 0 => "Div", 1 => "Maximum", _ => "Minimum" });
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Unary_operators_match_the_reference_on_views()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(RandomOperands.ShapeGen, Gen.OneOf(AllTypes), Gen.Int[0, 6], ViewGen, Gen.Bool, Gen.Int);
        gen.Sample((shape, type, op, view, explicitOutput, seed) =>
        {
            // Gelu, Sigmoid and Exp take no int32; use float32 for them.
            if (type == NpuDataType.Int32 && op is 1 or 5 or 6) type = NpuDataType.Float32;
            using var owned = new OwnedTensors();
            var x = Operands.Operand(stream, type, shape, view, new Random(seed), owned);
            var outputType = type == NpuDataType.Int32 && op != 0 ? NpuDataType.Float32 : type;
            NpuTensor result;
            if (explicitOutput)
            {
                result = Output(stream, outputType, shape, strided: seed % 2 == 0, owned);
                switch (op)
                {
                    case 0: Ops.Neg(stream, x, result); break;
                    case 1: Ops.Exp(stream, x, result); break;
                    case 2: Ops.Sqrt(stream, x, result); break;
                    case 3: Ops.Rsqrt(stream, x, result); break;
                    case 4: Ops.Tanh(stream, x, result); break;
                    case 5: Ops.Sigmoid(stream, x, result); break;
                    default: Ops.Gelu(stream, x, result); break;
                }
            }
            else
            {
                result = op switch
                {
                    0 => Ops.Neg(stream, x),
                    1 => Ops.Exp(stream, x),
                    2 => Ops.Sqrt(stream, x),
                    3 => Ops.Rsqrt(stream, x),
                    4 => Ops.Tanh(stream, x),
                    5 => Ops.Sigmoid(stream, x),
                    _ => Ops.Gelu(stream, x),
                };
                owned.Add(result);
            }
            Assert.Equal(outputType, result.DataType);
            Assert.Equal(x.Shape, result.Shape);
            Func<double, double> reference = op switch
            {
                0 => v => -v,
                1 => Math.Exp,
                2 => Math.Sqrt,
                3 => v => 1 / Math.Sqrt(v),
                4 => Math.Tanh,
                5 => v => 1 / (1 + Math.Exp(-v)),
                _ => v => 0.5 * v * (1 + Math.Tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))),
            };
            Close(TensorValues.Download(x).Select(reference).ToArray(), TensorValues.Download(result), outputType, $"unary {op}");
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Scalar_operators_match_the_reference_on_views()
    {
        using var stream = Device.CreateStream();
        // Scalars are small multiples of 1/4, so alpha x other is exact in float: one rounding remains.
        var gen = Gen.Select(RandomOperands.ShapeGen, Gen.OneOf(AllTypes), Gen.Bool, ViewGen, Gen.Int[-12, 12], Gen.Int[-8, 8], Gen.Int);
        gen.Sample((shape, type, multiply, view, otherQuarters, alphaQuarters, seed) =>
        {
            using var owned = new OwnedTensors();
            var x = Operands.Operand(stream, type, shape, view, new Random(seed), owned);
            bool integral = type == NpuDataType.Int32;
            double other = integral ? otherQuarters : otherQuarters / 4.0;
            double alpha = integral ? alphaQuarters : alphaQuarters / 4.0;
            var result = multiply ? Ops.Muls(stream, x, other) : Ops.Adds(stream, x, other, alpha);
            owned.Add(result);
            Assert.Equal(type, result.DataType);
            var xv = TensorValues.Download(x);
            double[] expected = integral
                ? xv.Select(v => (double)unchecked(multiply ? (int)v * (int)other : (int)v + (int)alpha * (int)other)).ToArray()
                : xv.Select(v => multiply ? v * other : v + alpha * other).ToArray();
            Close(expected, TensorValues.Download(result), type, multiply ? $"Muls {other}" : $"Adds {other} x {alpha}");
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Where_and_MaskedFill_select_exactly_on_views()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(BroadcastGen, Gen.OneOf(AllTypes), ViewGen, ViewGen, Gen.Int);
        gen.Sample((shapes, type, viewSelf, viewOther, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            var shape = BroadcastShape(shapes.A, shapes.B);
            // condition of shape B, self of shape A, other of the broadcast shape.
            var conditionValues = Enumerable.Range(0, (int)RandomOperands.Count(shapes.B)).Select(_ => random.Next(2) == 1).ToArray();
            var condition = NpuTensor.FromArray(stream, conditionValues, new TensorShape(shapes.B));
            owned.Add(condition);
            var self = Operands.Operand(stream, type, shapes.A, viewSelf, random, owned);
            var other = Operands.Operand(stream, type, shape, viewOther, random, owned);
            var picked = Ops.Where(stream, condition, self, other);
            owned.Add(picked);
            double[] sv = TensorValues.Download(self), ov = TensorValues.Download(other);
            var expected = new double[RandomOperands.Count(shape)];
            for (long i = 0; i < expected.Length; i++)
                expected[i] = conditionValues[SourceIndex(shapes.B, shape, i)] ? sv[SourceIndex(shapes.A, shape, i)] : ov[i];
            Assert.Equal(expected, TensorValues.Download(picked));

            // MaskedFill in place on the (possibly strided) other, with a mask that broadcasts to it.
            double value = type == NpuDataType.Int32 ? random.Next(-9, 10) : -0.5 * random.Next(1, 9);
            var before = TensorValues.Download(other);
            if (viewOther == OperandView.Expanded) return;       // an expanded view aliases its elements: not a fill target
            Ops.InplaceMaskedFill(stream, other, condition, value);
            for (long i = 0; i < expected.Length; i++)
                expected[i] = conditionValues[SourceIndex(shapes.B, shape, i)] ? value : before[i];
            Assert.Equal(expected, TensorValues.Download(other));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void SwiGlu_matches_the_reference_for_any_dimension()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(RandomOperands.ShapeGen.Where(s => s.Length > 0), Gen.OneOf(FloatTypes), Gen.Int[0, 3], Gen.Int);
        gen.Sample((shape, type, dimPick, seed) =>
        {
            using var owned = new OwnedTensors();
            int dim = dimPick % shape.Length;
            var full = shape.ToArray();
            full[dim] *= 2;
            var x = Operands.Upload(stream, type, full, new Random(seed), owned);
            var result = Ops.SwiGlu(stream, x, dim - shape.Length);          // negative form of the same dimension
            owned.Add(result);
            Assert.Equal(new TensorShape(shape), result.Shape);
            var xv = TensorValues.Download(x);
            long inner = 1;
            for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
            long half = shape[dim], outer = RandomOperands.Count(shape) / (half * inner);
            var expected = new double[RandomOperands.Count(shape)];
            for (long o = 0; o < outer; o++)
                for (long j = 0; j < half; j++)
                    for (long i = 0; i < inner; i++)
                    {
                        double g = xv[(o * 2 * half + j) * inner + i], u = xv[(o * 2 * half + j + half) * inner + i];
                        expected[(o * half + j) * inner + i] = g / (1 + Math.Exp(-g)) * u;
                    }
            Close(expected, TensorValues.Download(result), type, $"SwiGlu dim {dim}");
        }, iter: Iterations, threads: 1);
    }
}
