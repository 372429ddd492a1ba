using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// Property tests of the matrix-product family (Ops.MatMul, Ops.Mm, Ops.BatchMatMul): random shapes, batch
/// broadcasting, transposed views and float32/float16/bfloat16 against a double-precision reference written here.
/// Tolerance per element: <c>rel(dtype) * |ref| + 2^-20 * sum_k |a_ik * b_kj| + 1e-7</c>, where rel is twice the
/// half-ulp of one rounding into the output type (float32 2^-23, float16 2^-10, bfloat16 2^-7) and the second term
/// bounds float32 accumulation over at most 8 products (k * 2^-24 with k &lt;= 8 is below 2^-20); 1e-7 covers
/// float16's subnormal spacing. The reference reads the operands back, so it sees exactly the stored values.
/// </summary>
[Collection("Npu")]
public sealed class MatMulPropertyTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly NpuDataType[] FloatTypes = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16];

    /// <summary>One random case: operand shapes, which operands are stored transposed, the type and a data seed.</summary>
    public sealed record MatCase(NpuDataType Type, long[] ShapeA, long[] ShapeB, bool TransposeA, bool TransposeB, int Seed)
    {
        public override string ToString() =>
            $"{Type} a{TensorShape.Format(ShapeA)}{(TransposeA ? "ᵀ-view" : "")} b{TensorShape.Format(ShapeB)}{(TransposeB ? "ᵀ-view" : "")} seed {Seed}";
    }

    private static readonly RandomOperands Operands = new() { FloatValue = random => random.NextDouble() * 4 - 2 };

    private static readonly Gen<NpuDataType> TypeGen = Gen.Int[0, 2].Select(i => FloatTypes[i]);

    /// <summary>torch.matmul cases: 1-D operands, batch dimensions of different rank broadcasting with ones.</summary>
    private static readonly Gen<MatCase> MatMulCases =
        from type in TypeGen
        from m in Gen.Int[1, 5]
        from k in Gen.Int[1, 8]
        from n in Gen.Int[1, 5]
        from batch in Gen.Int[1, 3].Array[0, 2]
        from onesA in Gen.Bool.Array[2]
        from onesB in Gen.Bool.Array[2]
        from dropB in Gen.Int[0, 2]
        from vector in Gen.Int[0, 5]          // 0: a is 1-D, 1: b is 1-D, otherwise matrices
        from ta in Gen.Bool
        from tb in Gen.Bool
        from seed in Gen.Int
        select Build(type, m, k, n, batch, onesA, onesB, dropB, vector, ta, tb, seed);

    private static MatCase Build(NpuDataType type, int m, int k, int n, int[] batch, bool[] onesA, bool[] onesB, int dropB,
        int vector, bool ta, bool tb, int seed)
    {
        var batchA = batch.Select((s, i) => onesA[i] ? 1L : s).ToList();
        var batchB = batch.Select((s, i) => onesB[i] ? 1L : s).Skip(Math.Min(dropB, batch.Length)).ToList();
        long[] a = vector == 0 ? [k] : [.. batchA, m, k];
        long[] b = vector == 1 ? [k] : [.. batchB, k, n];
        return new MatCase(type, a, b, ta && a.Length >= 2, tb && b.Length >= 2, seed);
    }

    private static readonly Gen<MatCase> MmCases =
        from type in TypeGen
        from m in Gen.Int[1, 6]
        from k in Gen.Int[1, 8]
        from n in Gen.Int[1, 6]
        from ta in Gen.Bool
        from tb in Gen.Bool
        from seed in Gen.Int
        select new MatCase(type, [m, k], [k, n], ta, tb, seed);

    private static readonly Gen<MatCase> BatchMatMulCases =
        from type in TypeGen
        from batch in Gen.Int[1, 4]
        from broadcast in Gen.Int[0, 3]       // 0: self batch 1, 1: mat2 batch 1, otherwise equal
        from m in Gen.Int[1, 5]
        from k in Gen.Int[1, 8]
        from n in Gen.Int[1, 5]
        from ta in Gen.Bool
        from tb in Gen.Bool
        from seed in Gen.Int
        select new MatCase(type, [broadcast == 0 ? 1 : batch, m, k], [broadcast == 1 ? 1 : batch, k, n], ta, tb, seed);

    [Fact]
    public void MatMul_matches_a_double_reference_for_random_shapes_broadcasts_views_and_types() =>
        MatMulCases.Sample(c => Check(c, (s, a, b) => Ascend.Interop.Ops.MatMul(s, a, b)), iter: 60, threads: 1);

    [Fact]
    public void Mm_matches_a_double_reference_for_random_shapes_views_and_types() =>
        MmCases.Sample(c => Check(c, (s, a, b) => Ascend.Interop.Ops.Mm(s, a, b)), iter: 40, threads: 1);

    [Fact]
    public void BatchMatMul_matches_a_double_reference_for_random_shapes_broadcasts_views_and_types() =>
        BatchMatMulCases.Sample(c => Check(c, (s, a, b) => Ascend.Interop.Ops.BatchMatMul(s, a, b)), iter: 40, threads: 1);

    private void Check(MatCase c, Func<NpuStream, NpuTensor, NpuTensor, NpuTensor> op)
    {
        var random = new Random(c.Seed);
        using var stream = Device.CreateStream();
        using var owned = new OwnedTensors();
        var a = Operands.Operand(stream, c.Type, c.ShapeA, c.TransposeA ? OperandView.Transposed : OperandView.Contiguous, random, owned);
        var b = Operands.Operand(stream, c.Type, c.ShapeB, c.TransposeB ? OperandView.Transposed : OperandView.Contiguous, random, owned);
        using var result = op(stream, a, b);
        double[] av = TensorValues.Download(a, stream), bv = TensorValues.Download(b, stream);
        var (expected, magnitude, shape) = Reference(av, c.ShapeA, bv, c.ShapeB);
        Assert.Equal(new TensorShape(shape), result.Shape);
        Assert.Equal(c.Type, result.DataType);
        double[] actual = TensorValues.Download(result, stream);
        double rel = c.Type switch { NpuDataType.Float32 => Math.Pow(2, -23), NpuDataType.Float16 => Math.Pow(2, -10), _ => Math.Pow(2, -7) };
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = rel * Math.Abs(expected[i]) + Math.Pow(2, -20) * magnitude[i] + 1e-7;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{c}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
        }
    }

    /// <summary>torch.matmul in double: values, the sum of |products| per element, and the result shape.</summary>
    private static (double[] Values, double[] Magnitude, long[] Shape) Reference(double[] a, long[] sa, double[] b, long[] sb)
    {
        bool vecA = sa.Length == 1, vecB = sb.Length == 1;
        long[] ma = vecA ? [1, sa[0]] : sa, mb = vecB ? [sb[0], 1] : sb;
        long m = ma[^2], k = ma[^1], n = mb[^1];
        long[] ba = ma[..^2], bb = mb[..^2];
        int rank = Math.Max(ba.Length, bb.Length);
        var batch = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i - (rank - ba.Length) >= 0 ? ba[i - (rank - ba.Length)] : 1;
            long y = i - (rank - bb.Length) >= 0 ? bb[i - (rank - bb.Length)] : 1;
            batch[i] = Math.Max(x, y);
        }
        long batches = batch.Aggregate(1L, (x, y) => x * y);
        var values = new double[batches * m * n];
        var magnitude = new double[values.Length];
        var index = new long[rank];
        for (long t = 0; t < batches; t++)
        {
            long rem = t;
            for (int i = rank - 1; i >= 0; i--) { index[i] = rem % batch[i]; rem /= batch[i]; }
            long offA = BatchOffset(index, ba) * m * k, offB = BatchOffset(index, bb) * k * n;
            for (long i = 0; i < m; i++)
                for (long j = 0; j < n; j++)
                {
                    double sum = 0, mag = 0;
                    for (long p = 0; p < k; p++)
                    {
                        double prod = a[offA + i * k + p] * b[offB + p * n + j];
                        sum += prod;
                        mag += Math.Abs(prod);
                    }
                    values[(t * m + i) * n + j] = sum;
                    magnitude[(t * m + i) * n + j] = mag;
                }
        }
        var shape = new List<long>(batch);
        if (!vecA) shape.Add(m);
        if (!vecB) shape.Add(n);
        return (values, magnitude, shape.ToArray());
    }

    /// <summary>Row-major batch index into an operand whose batch dims (right-aligned) may be 1 (broadcast).</summary>
    private static long BatchOffset(long[] index, long[] dims)
    {
        long off = 0;
        int shift = index.Length - dims.Length;
        for (int i = 0; i < dims.Length; i++) off = off * dims[i] + (dims[i] == 1 ? 0 : index[i + shift]);
        return off;
    }
}
