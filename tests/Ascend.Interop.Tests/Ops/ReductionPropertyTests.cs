using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// CsCheck properties of the reduction family (ReduceSum, Mean, Amax, ArgMax, TopK): random shapes up to rank 4,
/// random dimension sets (negative spellings included, empty = all), keepDim, float32/float16/bfloat16/int32
/// data and contiguous, transposed or sliced operands, against a double-precision reference computed here from
/// the values the tensors hold.
/// </summary>
/// <remarks>
/// Tolerance: sums and means accumulate in at least float32 precision and are rounded once to the result type,
/// so a result is within one unit in the last place of that type of the exact value (half an ulp from the final
/// rounding, plus accumulation error bounded here by 2^-20 of the sum of magnitudes, which covers a float32
/// accumulator over at most 256 elements). Maxima, arg-maxima and top-k values are exact; integer sums are exact
/// (int64 results).
/// </remarks>
[Collection("Npu")]
public sealed class ReductionPropertyTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private const int Iterations = 120;

    private static readonly NpuDataType[] Types = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Int32];

    /// <summary>Few distinct values, so ties (and the first-occurrence rules) are common; views stride the outer axes.</summary>
    private static readonly RandomOperands Operands = new()
    {
        FloatValue = random => random.Next(-12, 13) * 0.375 + (random.Next(4) == 0 ? random.NextDouble() : 0),
        IntValue = random => random.Next(-9, 10),
        TransposedAxes = (0, -1),
        SlicedAxis = -1,
        SliceStart = 2,
    };

    private static readonly Gen<OperandView> ViewGen = Gen.OneOf(OperandView.Contiguous, OperandView.Transposed, OperandView.Sliced);

    // ---- reference ------------------------------------------------------------------------

    /// <summary>For each element of <paramref name="shape"/> (row-major), the row-major index of its output element when <paramref name="reduced"/> axes collapse.</summary>
    private static long[] OutputIndex(long[] shape, bool[] reduced)
    {
        var result = new long[RandomOperands.Count(shape)];
        for (long flat = 0; flat < result.Length; flat++)
        {
            long rest = flat, index = 0, stride = 1;
            for (int axis = shape.Length - 1; axis >= 0; axis--)
            {
                long coordinate = rest % shape[axis];
                rest /= shape[axis];
                if (reduced[axis]) continue;
                index += coordinate * stride;
                stride *= shape[axis];
            }
            result[flat] = index;
        }
        return result;
    }

    private static long[] ReducedShape(long[] shape, bool[] reduced, bool keep) => keep
        ? shape.Select((d, i) => reduced[i] ? 1L : d).ToArray()
        : shape.Where((_, i) => !reduced[i]).ToArray();

    // ---- properties -----------------------------------------------------------------------

    [Fact]
    public void Sum_mean_and_amax_match_the_reference_over_random_dims_and_views()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(RandomOperands.ShapeGen, Gen.OneOf(Types), Gen.Int[0, 2], ViewGen, Gen.Bool, Gen.Bool.Array[4], Gen.Bool, Gen.Int);
        gen.Sample((shape, type, op, view, keep, pick, explicitOutput, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            int rank = shape.Length;
            var reduced = new bool[rank];
            var dims = new List<long>();
            for (int i = 0; i < rank; i++)
            {
                if (!pick[i]) continue;
                reduced[i] = true;
                dims.Add(random.Next(2) == 0 ? i : i - rank);                  // both spellings
            }
            if (dims.Count == 0) Array.Fill(reduced, true);                     // empty = every dimension
            var x = Operands.Operand(stream, type, shape, view, random, owned);
            var outShape = ReducedShape(shape, reduced, keep);
            var resultType = op switch
            {
                0 => type == NpuDataType.Int32 ? NpuDataType.Int64 : type,
                1 => type == NpuDataType.Int32 ? NpuDataType.Float32 : type,
                _ => type,
            };
            NpuTensor result;
            if (explicitOutput)
            {
                result = NpuTensor.Empty(stream, new TensorShape(outShape), resultType);
                owned.Add(result);
                if (op == 0) Ops.ReduceSum(stream, x, dims.ToArray(), keep, result);
                else if (op == 1) Ops.Mean(stream, x, dims.ToArray(), keep, result);
                else Ops.Amax(stream, x, dims.ToArray(), keep, result);
            }
            else
            {
                result = op switch
                {
                    0 => Ops.ReduceSum(stream, x, dims.ToArray(), keep),
                    1 => Ops.Mean(stream, x, dims.ToArray(), keep, resultType),
                    _ => Ops.Amax(stream, x, dims.ToArray(), keep),
                };
                owned.Add(result);
            }
            Assert.Equal(new TensorShape(outShape), result.Shape);
            Assert.Equal(resultType, result.DataType);

            double[] xv = TensorValues.Download(x);
            var slot = OutputIndex(shape, reduced);
            long n = RandomOperands.Count(outShape);
            var sum = new double[n];
            var magnitude = new double[n];
            var max = Enumerable.Repeat(double.NegativeInfinity, (int)n).ToArray();
            var count = new long[n];
            for (long i = 0; i < xv.Length; i++)
            {
                long o = slot[i];
                sum[o] += xv[i];
                magnitude[o] += Math.Abs(xv[i]);
                max[o] = Math.Max(max[o], xv[i]);
                count[o]++;
            }
            double[] actual = TensorValues.Download(result);
            for (long o = 0; o < n; o++)
            {
                double expected = op switch { 0 => sum[o], 1 => sum[o] / count[o], _ => max[o] };
                double scale = op == 1 ? 1.0 / count[o] : 1.0;
                if (op == 2 || resultType == NpuDataType.Int64)
                {
                    Assert.Equal(expected, actual[o]);
                    continue;
                }
                double bound = TensorValues.Ulp(resultType, expected) + Math.ScaleB(magnitude[o] * scale, -20);
                Assert.True(Math.Abs(actual[o] - expected) <= bound,
                    $"op {op} ({type} -> {resultType}) shape [{string.Join(",", shape)}] dims [{string.Join(",", dims)}] keep {keep} view {view}, element {o}: expected {expected}, got {actual[o]} (bound {bound})");
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void ArgMax_and_TopK_match_a_stable_reference()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(RandomOperands.ShapeGen.Where(s => s.Length >= 1), Gen.OneOf(Types), ViewGen, Gen.Bool, Gen.Bool, Gen.Int);
        gen.Sample((shape, type, view, keep, largest, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            int rank = shape.Length;
            int axis = random.Next(rank);
            int dim = random.Next(2) == 0 ? axis : axis - rank;
            long k = random.Next((int)shape[axis] + 1);
            var x = Operands.Operand(stream, type, shape, view, random, owned);
            var arg = Ops.ArgMax(stream, x, dim, keep);
            owned.Add(arg);
            var (values, indices) = Ops.TopK(stream, x, k, dim, largest);
            owned.Add(values);
            owned.Add(indices);

            double[] xv = TensorValues.Download(x), av = TensorValues.Download(arg), tv = TensorValues.Download(values), ti = TensorValues.Download(indices);
            long inner = 1;
            for (int i = axis + 1; i < rank; i++) inner *= shape[i];
            long len = shape[axis], outer = RandomOperands.Count(shape) / (len * inner);
            for (long a = 0; a < outer; a++)
            {
                for (long i = 0; i < inner; i++)
                {
                    double At(long j) => xv[(a * len + j) * inner + i];
                    long best = 0;
                    for (long j = 1; j < len; j++) if (At(j) > At(best)) best = j;
                    Assert.Equal(best, (long)av[a * inner + i]);
                    // Stable order: by value (descending for largest), then by index.
                    var order = Enumerable.Range(0, (int)len).Select(j => (long)j)
                        .OrderBy(j => largest ? -At(j) : At(j)).ThenBy(j => j).ToArray();
                    for (long j = 0; j < k; j++)
                    {
                        long at = (a * k + j) * inner + i;
                        Assert.Equal(order[j], (long)ti[at]);
                        Assert.Equal(At(order[j]), tv[at]);
                    }
                }
            }
        }, iter: Iterations, threads: 1);
    }
}
