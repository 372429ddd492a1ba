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

    private enum View { Contiguous, Transposed, Sliced }

    private static readonly Gen<long[]> ShapeGen = Gen.Int[1, 4].Array[0, 4].Select(d => d.Select(v => (long)v).ToArray());

    // ---- tensors --------------------------------------------------------------------------

    private static long Count(long[] shape) => shape.Aggregate(1L, (x, y) => x * y);

    private static NpuTensor Upload(NpuStream stream, NpuDataType type, long[] shape, Random random, List<NpuTensor> owned)
    {
        int n = (int)Count(shape);
        var dims = new TensorShape(shape);
        // Few distinct values, so ties (and the first-occurrence rules) are common.
        double Next() => random.Next(-12, 13) * 0.375 + (random.Next(4) == 0 ? random.NextDouble() : 0);
        NpuTensor tensor = type switch
        {
            NpuDataType.Float32 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (float)Next()).ToArray(), dims),
            NpuDataType.Float16 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (Half)Next()).ToArray(), dims),
            NpuDataType.BFloat16 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (BFloat16)(float)Next()).ToArray(), dims),
            NpuDataType.Int32 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => random.Next(-9, 10)).ToArray(), dims),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        owned.Add(tensor);
        return tensor;
    }

    /// <summary>A tensor of logical shape <paramref name="shape"/> with random values, as the requested kind of view.</summary>
    private static NpuTensor Operand(NpuStream stream, NpuDataType type, long[] shape, View view, Random random, List<NpuTensor> owned)
    {
        int rank = shape.Length;
        NpuTensor result;
        switch (view)
        {
            case View.Transposed when rank >= 2:
                var swapped = shape.ToArray();
                (swapped[0], swapped[^1]) = (swapped[^1], swapped[0]);
                result = Upload(stream, type, swapped, random, owned).Transpose(0, rank - 1);
                break;
            case View.Sliced when rank >= 1:
                var wider = shape.ToArray();
                wider[^1] += 3;
                result = Upload(stream, type, wider, random, owned).Slice(rank - 1, 2, shape[^1]);
                break;
            default:
                return Upload(stream, type, shape, random, owned);
        }
        owned.Add(result);
        return result;
    }

    private static double[] Read(NpuTensor tensor) => tensor.DataType switch
    {
        NpuDataType.Float32 => tensor.ToArray<float>().Select(v => (double)v).ToArray(),
        NpuDataType.Float16 => tensor.ToArray<Half>().Select(v => (double)v).ToArray(),
        NpuDataType.BFloat16 => tensor.ToArray<BFloat16>().Select(v => (double)(float)v).ToArray(),
        NpuDataType.Int32 => tensor.ToArray<int>().Select(v => (double)v).ToArray(),
        NpuDataType.Int64 => tensor.ToArray<long>().Select(v => (double)v).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
    };

    // ---- reference ------------------------------------------------------------------------

    /// <summary>For each element of <paramref name="shape"/> (row-major), the row-major index of its output element when <paramref name="reduced"/> axes collapse.</summary>
    private static long[] OutputIndex(long[] shape, bool[] reduced)
    {
        var result = new long[Count(shape)];
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

    private static double Ulp(NpuDataType type, double value)
    {
        (int mantissa, int minExponent) = type switch
        {
            NpuDataType.Float32 => (23, -126),
            NpuDataType.Float16 => (10, -14),
            NpuDataType.BFloat16 => (7, -126),
            _ => (0, 0),
        };
        int exponent = value == 0 ? minExponent : Math.Max(minExponent, (int)Math.Floor(Math.Log2(Math.Abs(value))));
        return Math.ScaleB(1, exponent - mantissa);
    }

    // ---- properties -----------------------------------------------------------------------

    [Fact]
    public void Sum_mean_and_amax_match_the_reference_over_random_dims_and_views()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(ShapeGen, Gen.OneOf(Types), Gen.Int[0, 2], Gen.Enum<View>(), Gen.Bool, Gen.Bool.Array[4], Gen.Bool, Gen.Int);
        gen.Sample((shape, type, op, view, keep, pick, explicitOutput, seed) =>
        {
            var owned = new List<NpuTensor>();
            try
            {
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
                var x = Operand(stream, type, shape, view, random, owned);
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

                double[] xv = Read(x);
                var slot = OutputIndex(shape, reduced);
                long n = Count(outShape);
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
                double[] actual = Read(result);
                for (long o = 0; o < n; o++)
                {
                    double expected = op switch { 0 => sum[o], 1 => sum[o] / count[o], _ => max[o] };
                    double scale = op == 1 ? 1.0 / count[o] : 1.0;
                    if (op == 2 || resultType == NpuDataType.Int64)
                    {
                        Assert.Equal(expected, actual[o]);
                        continue;
                    }
                    double bound = Ulp(resultType, expected) + Math.ScaleB(magnitude[o] * scale, -20);
                    Assert.True(Math.Abs(actual[o] - expected) <= bound,
                        $"op {op} ({type} -> {resultType}) shape [{string.Join(",", shape)}] dims [{string.Join(",", dims)}] keep {keep} view {view}, element {o}: expected {expected}, got {actual[o]} (bound {bound})");
                }
            }
            finally
            {
                for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void ArgMax_and_TopK_match_a_stable_reference()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(ShapeGen.Where(s => s.Length >= 1), Gen.OneOf(Types), Gen.Enum<View>(), Gen.Bool, Gen.Bool, Gen.Int);
        gen.Sample((shape, type, view, keep, largest, seed) =>
        {
            var owned = new List<NpuTensor>();
            try
            {
                var random = new Random(seed);
                int rank = shape.Length;
                int axis = random.Next(rank);
                int dim = random.Next(2) == 0 ? axis : axis - rank;
                long k = random.Next((int)shape[axis] + 1);
                var x = Operand(stream, type, shape, view, random, owned);
                var arg = Ops.ArgMax(stream, x, dim, keep);
                owned.Add(arg);
                var (values, indices) = Ops.TopK(stream, x, k, dim, largest);
                owned.Add(values);
                owned.Add(indices);

                double[] xv = Read(x), av = Read(arg), tv = Read(values), ti = Read(indices);
                long inner = 1;
                for (int i = axis + 1; i < rank; i++) inner *= shape[i];
                long len = shape[axis], outer = Count(shape) / (len * inner);
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
            }
            finally
            {
                for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            }
        }, iter: Iterations, threads: 1);
    }
}
