using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// CsCheck properties of the comparisons and logical operators: random shapes up to rank 4 that broadcast, operands
/// of any two of float32/float16/bfloat16/int32 (mixed: CANN promotes), strided views, scalars, in-place forms and
/// outputs of several types, against a reference computed here from the values the tensors hold.
/// </summary>
/// <remarks>
/// Values come from a small set of halves and NaN, so equal values are frequent and every value, and every scalar,
/// is exact in all the types (the promoted comparison is then exactly the comparison of the doubles).
/// </remarks>
[Collection("Npu")]
public sealed class ComparisonPropertyTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private const int Iterations = 150;

    private static readonly NpuDataType[] Types = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Int32];
    private static readonly NpuDataType[] OutputTypes = [NpuDataType.Bool, NpuDataType.Int64, NpuDataType.Float32, NpuDataType.Int32];

    private static readonly RandomOperands Operands = new()
    {
        FloatValue = random => random.Next(8) == 0 ? double.NaN : random.Next(-3, 4) * 0.5,
        IntValue = random => random.Next(-2, 3),
    };

    private static readonly Gen<(long[] A, long[] B)> BroadcastGen = RandomOperands.ShapeGen.SelectMany(a =>
        Gen.Select(Gen.Int[0, a.Length], Gen.Bool.Array[a.Length], Gen.Bool, (drop, ones, swap) =>
        {
            var b = a[drop..].ToArray();
            for (int i = 0; i < b.Length; i++) if (ones[i + drop]) b[i] = 1;
            return swap ? (b, a) : (a, b);
        }));

    private static readonly Gen<OperandView> ViewGen = Gen.Enum<OperandView>();

    private static bool Holds(int op, double a, double b) => op switch
    {
        0 => a == b,
        1 => a != b,
        2 => a > b,
        3 => a >= b,
        4 => a < b,
        _ => a <= b,
    };

    private static bool Truth(double v) => v != 0 || double.IsNaN(v);

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

    /// <summary>The values of a comparison's result (any type) as 0/1.</summary>
    private static long[] Download01(NpuTensor result, NpuStream stream) => result.DataType switch
    {
        NpuDataType.Bool => result.ToArray<bool>(stream).Select(b => b ? 1L : 0L).ToArray(),
        NpuDataType.Int64 => result.ToArray<long>(stream),
        NpuDataType.Int32 => result.ToArray<int>(stream).Select(v => (long)v).ToArray(),
        NpuDataType.Float32 => result.ToArray<float>(stream).Select(v => (long)v).ToArray(),
        NpuDataType.Float16 => result.ToArray<Half>(stream).Select(v => (long)(float)v).ToArray(),
        NpuDataType.BFloat16 => result.ToArray<NpuBFloat16>(stream).Select(v => (long)(float)v).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    private static void Compare(NpuStream stream, NpuTensor self, NpuTensor other, int op, NpuTensor output)
    {
        switch (op)
        {
            case 0: Ops.Eq(stream, self, other, output); break;
            case 1: Ops.Ne(stream, self, other, output); break;
            case 2: Ops.Gt(stream, self, other, output); break;
            case 3: Ops.Ge(stream, self, other, output); break;
            case 4: Ops.Lt(stream, self, other, output); break;
            default: Ops.Le(stream, self, other, output); break;
        }
    }

    private static NpuTensor Compare(NpuStream stream, NpuTensor self, double other, int op) => op switch
    {
        0 => Ops.Eq(stream, self, other),
        1 => Ops.Ne(stream, self, other),
        2 => Ops.Gt(stream, self, other),
        3 => Ops.Ge(stream, self, other),
        4 => Ops.Lt(stream, self, other),
        _ => Ops.Le(stream, self, other),
    };

    [Fact]
    public void Tensor_comparisons_of_any_two_types_broadcast_over_views_like_the_reference()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(BroadcastGen, Gen.OneOf(Types), Gen.OneOf(Types), Gen.Int[0, 5], ViewGen, ViewGen, Gen.OneOf(OutputTypes), Gen.Int);
        gen.Sample((shapes, typeA, typeB, op, viewA, viewB, outputType, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            var a = Operands.Operand(stream, typeA, shapes.A, viewA, random, owned);
            var b = Operands.Operand(stream, typeB, shapes.B, viewB, random, owned);
            var shape = BroadcastShape(shapes.A, shapes.B);
            NpuTensor result;
            if (outputType == NpuDataType.Bool && seed % 2 == 0)
            {
                result = op switch
                {
                    0 => Ops.Eq(stream, a, b), 1 => Ops.Ne(stream, a, b), 2 => Ops.Gt(stream, a, b),
                    3 => Ops.Ge(stream, a, b), 4 => Ops.Lt(stream, a, b), _ => Ops.Le(stream, a, b),
                };
                owned.Add(result);
            }
            else
            {
                result = NpuTensor.Empty(stream, new TensorShape(shape), outputType);
                owned.Add(result);
                Compare(stream, a, b, op, result);
            }
            Assert.Equal(new TensorShape(shape), result.Shape);
            double[] av = TensorValues.Download(a, stream), bv = TensorValues.Download(b, stream);
            var expected = new long[RandomOperands.Count(shape)];
            for (long i = 0; i < expected.Length; i++)
                expected[i] = Holds(op, av[SourceIndex(shapes.A, shape, i)], bv[SourceIndex(shapes.B, shape, i)]) ? 1 : 0;
            Assert.Equal(expected, Download01(result, stream));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Scalar_and_inplace_comparisons_match_the_reference()
    {
        using var stream = Device.CreateStream();
        var scalars = new[] { -1.5, -1, 0, 0.5, 1, 2, double.NaN };
        var gen = Gen.Select(RandomOperands.ShapeGen, Gen.OneOf(Types), Gen.Int[0, 5], ViewGen, Gen.OneOf(scalars), Gen.Bool, Gen.Int);
        gen.Sample((shape, type, op, view, scalar, inplace, seed) =>
        {
            using var owned = new OwnedTensors();
            var x = Operands.Operand(stream, type, shape, view, new Random(seed), owned);
            double[] xv = TensorValues.Download(x, stream);
            var expected = xv.Select(v => Holds(op, v, scalar) ? 1L : 0L).ToArray();
            if (!inplace)
            {
                var result = Compare(stream, x, scalar, op);
                owned.Add(result);
                Assert.Equal(NpuDataType.Bool, result.DataType);
                Assert.Equal(expected, Download01(result, stream));
                return;
            }
            var selfRef = view == OperandView.Expanded ? Operands.Upload(stream, type, shape, new Random(seed), owned) : x;
            expected = TensorValues.Download(selfRef, stream).Select(v => Holds(op, v, scalar) ? 1L : 0L).ToArray();
            bool integral = scalar == Math.Floor(scalar);
            switch (op)
            {
                case 0: if (integral) Ops.InplaceEq(stream, selfRef, (long)scalar); else Ops.InplaceEq(stream, selfRef, scalar); break;
                case 1: Ops.InplaceNe(stream, selfRef, scalar); break;
                case 2: Ops.InplaceGt(stream, selfRef, scalar); break;
                case 3: Ops.InplaceGe(stream, selfRef, scalar); break;
                case 4: if (integral) Ops.InplaceLt(stream, selfRef, (long)scalar); else Ops.InplaceLt(stream, selfRef, scalar); break;
                default: Ops.InplaceLe(stream, selfRef, scalar); break;
            }
            Assert.Equal(type, selfRef.DataType);
            Assert.Equal(expected, Download01(selfRef, stream));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Logical_operators_of_any_two_types_match_the_reference()
    {
        using var stream = Device.CreateStream();
        var gen = Gen.Select(BroadcastGen, Gen.OneOf(Types), Gen.OneOf(Types), Gen.Int[0, 2], ViewGen, Gen.OneOf(OutputTypes), Gen.Int);
        gen.Sample((shapes, typeA, typeB, op, view, outputType, seed) =>
        {
            using var owned = new OwnedTensors();
            var random = new Random(seed);
            var a = Operands.Operand(stream, typeA, shapes.A, view, random, owned);
            var b = Operands.Operand(stream, typeB, shapes.B, OperandView.Contiguous, random, owned);
            var shape = BroadcastShape(shapes.A, shapes.B);
            double[] av = TensorValues.Download(a, stream), bv = TensorValues.Download(b, stream);
            var result = NpuTensor.Empty(stream, new TensorShape(shape), outputType);
            owned.Add(result);
            if (op == 0) Ops.LogicalAnd(stream, a, b, result);
            else if (op == 1) Ops.LogicalOr(stream, a, b, result);
            else
            {
                result.Dispose();
                owned.Remove(result);
                result = Ops.LogicalNot(stream, a);
                owned.Add(result);
                shape = shapes.A;
            }
            var expected = new long[RandomOperands.Count(shape)];
            for (long i = 0; i < expected.Length; i++)
            {
                bool x = Truth(av[op == 2 ? i : SourceIndex(shapes.A, shape, i)]);
                expected[i] = (op switch { 0 => x && Truth(bv[SourceIndex(shapes.B, shape, i)]), 1 => x || Truth(bv[SourceIndex(shapes.B, shape, i)]), _ => !x }) ? 1 : 0;
            }
            Assert.Equal(expected, Download01(result, stream));
        }, iter: Iterations, threads: 1);
    }
}
