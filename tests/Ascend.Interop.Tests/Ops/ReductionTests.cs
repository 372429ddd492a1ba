using System.Runtime.InteropServices;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// The reduction, indexing and normalization operators (ReduceSum, Mean, Amax, ArgMax, TopK, LayerNorm, Cat,
/// IndexSelect, Embedding): values against references written here, both overloads, dtypes, strided views,
/// argument errors, index faults at synchronization, capture + replay.
/// </summary>
[Collection("Npu")]
public sealed class ReductionTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Iota(int n, float scale = 1, float start = 0) => Enumerable.Range(0, n).Select(i => start + i * scale).ToArray();

    // ---- ReduceSum / Mean / Amax ----------------------------------------------------------

    [Fact]
    public void ReduceSum_over_dims_keepdims_all_and_views()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Iota(24), [2, 3, 4]);          // x[i,j,k] = 12i + 4j + k
        using var keep = Ops.ReduceSum(stream, x, [0, -1], keepDim: true);
        Assert.Equal(new TensorShape(1, 3, 1), keep.Shape);
        Assert.Equal(new float[] { 60, 92, 124 }, keep.ToArray<float>());
        using var all = Ops.ReduceSum(stream, x, []);
        Assert.Equal(0, all.Rank);
        Assert.Equal(276f, all.ToArray<float>()[0]);

        using var t = x.Transpose(0, 2);                                          // [4,3,2]
        using var output = NpuTensor.Empty(stream, [4], NpuDataType.Float32);
        Ops.ReduceSum(stream, t, [1, 2], keepDim: false, output);                // sum over j, i for each k
        Assert.Equal(new float[] { 60, 66, 72, 78 }, output.ToArray<float>());

        using var ints = NpuTensor.FromArray(stream, new[] { int.MaxValue, 1, 5, -7 }, [2, 2]);
        using var wide = Ops.ReduceSum(stream, ints, [1]);                       // torch.sum: int64 by default
        Assert.Equal(NpuDataType.Int64, wide.DataType);
        Assert.Equal(new long[] { 2147483648L, -2 }, wide.ToArray<long>());
        using var narrow = Ops.ReduceSum(stream, ints, [1], dataType: NpuDataType.Int32);
        Assert.Equal(new[] { int.MinValue, -2 }, narrow.ToArray<int>());

        using var halves = NpuTensor.FromArray(stream, new[] { (Half)2048, (Half)1, (Half)1 });
        using var halfSum = Ops.ReduceSum(stream, halves, [0]);                  // float accumulator, rounded once
        Assert.Equal((Half)2050, halfSum.ToArray<Half>()[0]);
    }

    [Fact]
    public void Mean_and_Amax_match_references()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var mean = Ops.Mean(stream, x, [1], keepDim: true);
        Assert.Equal(new TensorShape(2, 1), mean.Shape);
        Assert.Equal(new float[] { 2, 5 }, mean.ToArray<float>());
        using var longs = NpuTensor.FromArray(stream, new long[] { 1, 2, 3, 5 });
        using var halfMean = Ops.Mean(stream, longs, [], dataType: NpuDataType.Float16);
        Assert.Equal((Half)2.75, halfMean.ToArray<Half>()[0]);

        using var y = NpuTensor.FromArray(stream, new float[] { 1, 7, -3, 2, float.NaN, 5 }, [2, 3]);
        using var max = Ops.Amax(stream, y, [1]);
        var m = max.ToArray<float>();
        Assert.Equal(7f, m[0]);
        Assert.True(float.IsNaN(m[1]));
        using var columns = NpuTensor.Empty(stream, [1, 3], NpuDataType.Float32);
        Ops.Amax(stream, x, [0], keepDim: true, columns);
        Assert.Equal(new float[] { 4, 5, 6 }, columns.ToArray<float>());
        using var whole = Ops.Amax(stream, x, []);
        Assert.Equal(6f, whole.ToArray<float>()[0]);
    }

    [Fact]
    public void Reduction_argument_errors_name_operator_and_argument()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2 });
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ReduceSum(stream, x, [2]));
        Assert.Equal("dims", range.ParamName);
        Assert.StartsWith("Ops.ReduceSum", range.Message);
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => Ops.ReduceSum(stream, x, [1, -1])).ParamName);
        using var wrongShape = NpuTensor.Empty(stream, [2, 1], NpuDataType.Float32);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.ReduceSum(stream, x, [1], false, wrongShape)).ParamName);
        Assert.Equal("dataType", Assert.Throws<ArgumentException>(() => Ops.Mean(stream, ints, [0])).ParamName);
        using var intOut = NpuTensor.Empty(stream, [2], NpuDataType.Int32);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Mean(stream, x, [1], false, intOut)).ParamName);
        using var bools = NpuTensor.FromArray(stream, new[] { true, false });
        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.Amax(stream, bools, [0])).ParamName);
        using var empty = NpuTensor.Empty(stream, [0, 3], NpuDataType.Float32);
        var none = Assert.Throws<ArgumentException>(() => Ops.Amax(stream, empty, [0]));
        Assert.Contains("size 0", none.Message);
        Assert.Equal("self", Assert.Throws<ArgumentNullException>(() => Ops.ReduceSum(stream, null!, [])).ParamName);
        Assert.Throws<ArgumentNullException>(() => Ops.Mean(null!, x, [0]));
    }

    // ---- ArgMax / TopK --------------------------------------------------------------------

    [Fact]
    public void ArgMax_returns_the_first_maximum_and_NaN()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 3, 1, 3, 0, 2, float.NaN, 5, float.NaN }, [2, 4]);
        using var rows = Ops.ArgMax(stream, x, -1);
        Assert.Equal(NpuDataType.Int64, rows.DataType);
        Assert.Equal(new long[] { 0, 1 }, rows.ToArray<long>());
        using var columns = NpuTensor.Empty(stream, [1, 4], NpuDataType.Int64);
        Ops.ArgMax(stream, x, 0, keepDim: true, columns);
        Assert.Equal(new long[] { 0, 1, 1, 1 }, columns.ToArray<long>());
        using var t = x.Transpose(0, 1);                                          // [4,2]
        using var viaView = Ops.ArgMax(stream, t, 0);
        Assert.Equal(new long[] { 0, 1 }, viaView.ToArray<long>());

        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ArgMax(stream, x, 2)).ParamName);
        using var floatOut = NpuTensor.Empty(stream, [2], NpuDataType.Float32);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.ArgMax(stream, x, 1, false, floatOut)).ParamName);
        using var empty = NpuTensor.Empty(stream, [2, 0], NpuDataType.Float32);
        Assert.Equal("dim", Assert.Throws<ArgumentException>(() => Ops.ArgMax(stream, empty, 1)).ParamName);
    }

    [Fact]
    public void TopK_sorts_values_with_stable_ties_and_int64_indices()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 5, 1, 5, 3, float.NaN, 2, 0, 0, 0, 9, -1, 0 }, [2, 6]);
        var (values, indices) = Ops.TopK(stream, x, 3);
        using (values)
        using (indices)
        {
            Assert.Equal(new TensorShape(2, 3), values.Shape);
            Assert.Equal(NpuDataType.Int64, indices.DataType);
            var v = values.ToArray<float>();
            Assert.True(float.IsNaN(v[0]));
            Assert.Equal(new float[] { 5, 5, 9, 0, 0 }, v[1..]);
            Assert.Equal(new long[] { 4, 0, 2, 3, 0, 1 }, indices.ToArray<long>());
        }
        using var smallest = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);
        using var where = NpuTensor.Empty(stream, [2, 3], NpuDataType.Int64);
        Ops.TopK(stream, x, 3, 1, largest: false, smallest, where);
        Assert.Equal(new float[] { 1, 2, 3, -1, 0, 0 }, smallest.ToArray<float>());
        Assert.Equal(new long[] { 1, 5, 3, 4, 0, 1 }, where.ToArray<long>());

        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.TopK(stream, x, 7)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.TopK(stream, x, -1)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.TopK(stream, x, 1, 2)).ParamName);
        using var intIndices = NpuTensor.Empty(stream, [2, 3], NpuDataType.Int32);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Ops.TopK(stream, x, 3, 1, true, smallest, intIndices)).ParamName);
        using var scalar = NpuTensor.FromArray(stream, new float[] { 1 }, []);
        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.TopK(stream, scalar, 1, 0)).ParamName);
    }

    // ---- LayerNorm ------------------------------------------------------------------------

    [Fact]
    public void LayerNorm_matches_a_double_reference_with_and_without_statistics()
    {
        using var stream = Device.CreateStream();
        float[] xv = [1, 2, 3, 4, -1, 0.5f, 8, 2, 0, 0, 0, 1];
        float[] gv = [1, 0.5f, -2, 3], bv = [0, 1, 0.25f, -1];
        using var x = NpuTensor.FromArray(stream, xv, [3, 4]);
        using var g = NpuTensor.FromArray(stream, gv, [4]);
        using var b = NpuTensor.FromArray(stream, bv, [4]);
        const double eps = 1e-5;
        var (y, mean, rstd) = Ops.LayerNormWithStatistics(stream, x, [4], g, b, eps);
        using (y)
        using (mean)
        using (rstd)
        {
            Assert.Equal(new TensorShape(3, 1), mean.Shape);
            float[] yo = y.ToArray<float>(), mo = mean.ToArray<float>(), ro = rstd.ToArray<float>();
            for (int r = 0; r < 3; r++)
            {
                double m = 0, v = 0;
                for (int j = 0; j < 4; j++) m += xv[r * 4 + j];
                m /= 4;
                for (int j = 0; j < 4; j++) v += (xv[r * 4 + j] - m) * (xv[r * 4 + j] - m);
                double rs = 1 / Math.Sqrt(v / 4 + eps);
                Assert.Equal(m, mo[r], 1e-6);
                Assert.Equal(rs, ro[r], 1e-5 * rs);
                for (int j = 0; j < 4; j++) Assert.Equal((xv[r * 4 + j] - m) * rs * gv[j] + bv[j], yo[r * 4 + j], 1e-5);
            }
            using var plain = Ops.LayerNorm(stream, x, [4], g, b, eps);
            Assert.Equal(yo, plain.ToArray<float>());
        }
        // no weight/bias, two normalized dimensions, float16
        using var h = NpuTensor.FromArray(stream, new Half[] { (Half)1, (Half)3, (Half)5, (Half)7 }, [1, 2, 2]);
        using var hy = NpuTensor.Empty(stream, [1, 2, 2], NpuDataType.Float16);
        Ops.LayerNorm(stream, h, [2, 2], null, null, 0, hy);
        double s5 = Math.Sqrt(5);
        Assert.Equal(new[] { (Half)(-3 / s5), (Half)(-1 / s5), (Half)(1 / s5), (Half)(3 / s5) }, hy.ToArray<Half>());
    }

    [Fact]
    public void LayerNorm_argument_errors()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.Empty(stream, [2, 4], NpuDataType.Float16);
        using var w32 = NpuTensor.Empty(stream, [4], NpuDataType.Float32);
        using var b16 = NpuTensor.Empty(stream, [4], NpuDataType.Float16);
        using var w3 = NpuTensor.Empty(stream, [3], NpuDataType.Float16);
        using var ints = NpuTensor.Empty(stream, [2, 4], NpuDataType.Int32);
        Assert.Equal("normalizedShape", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, x, [2])).ParamName);
        Assert.Equal("normalizedShape", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, x, [])).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, x, [4], w32, b16)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, x, [4], w3)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, ints, [4])).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LayerNorm(stream, x, [4], epsilon: -1)).ParamName);
        using var statsWrong = NpuTensor.Empty(stream, [2], NpuDataType.Float16);
        using var y = NpuTensor.Empty(stream, [2, 4], NpuDataType.Float16);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(stream, x, [4], null, null, 1e-5, y, statsWrong, statsWrong)).ParamName);
    }

    // ---- Cat / IndexSelect / Embedding ----------------------------------------------------

    [Fact]
    public void Cat_concatenates_views_along_any_dim()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 }, [2, 1]);
        using var bBase = NpuTensor.FromArray(stream, new float[] { 10, 20, 30, 40 }, [2, 2]);
        using var b = bBase.Transpose(0, 1);                                     // rows (10,30), (20,40)
        using var c = NpuTensor.Empty(stream, [2, 0], NpuDataType.Float32);
        using var joined = Ops.Cat(stream, [a, b, c], -1);
        Assert.Equal(new TensorShape(2, 3), joined.Shape);
        Assert.Equal(new float[] { 1, 10, 30, 2, 20, 40 }, joined.ToArray<float>());
        using var rows = NpuTensor.Empty(stream, [4, 2], NpuDataType.Float32);
        Ops.Cat(stream, [bBase, b], 0, rows);
        Assert.Equal(new float[] { 10, 20, 30, 40, 10, 30, 20, 40 }, rows.ToArray<float>());

        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2 }, [1, 2]);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Ops.Cat(stream, [bBase, ints])).ParamName);  // no promotion
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Ops.Cat(stream, [a, bBase], 0)).ParamName);    // [2,1] vs [2,2]
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Cat(stream, [a, a], 2)).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Ops.Cat(stream, [])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Cat(stream, [a, a], 0, rows)).ParamName);
    }

    [Fact]
    public void IndexSelect_and_Embedding_gather_rows()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Iota(9, 1, 1), [3, 3]);
        using var index = NpuTensor.FromArray(stream, new long[] { 2, 2, 0 });
        using var picked = Ops.IndexSelect(stream, x, 1, index);
        Assert.Equal(new float[] { 3, 3, 1, 6, 6, 4, 9, 9, 7 }, picked.ToArray<float>());
        using var index32 = NpuTensor.FromArray(stream, new[] { 1, 0 });
        using var rows = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);
        Ops.IndexSelect(stream, x, 0, index32, rows);
        Assert.Equal(new float[] { 4, 5, 6, 1, 2, 3 }, rows.ToArray<float>());

        using var weight = NpuTensor.FromArray(stream, Iota(8, 0.5f), [4, 2]);
        using var ids = NpuTensor.FromArray(stream, new[] { 3, 0, 3, 1 }, [2, 2]);
        using var embedded = Ops.Embedding(stream, weight, ids);
        Assert.Equal(new TensorShape(2, 2, 2), embedded.Shape);
        Assert.Equal(new float[] { 3, 3.5f, 0, 0.5f, 3, 3.5f, 1, 1.5f }, embedded.ToArray<float>());

        using var floatIndex = NpuTensor.FromArray(stream, new float[] { 0 });
        Assert.Equal("index", Assert.Throws<ArgumentException>(() => Ops.IndexSelect(stream, x, 0, floatIndex)).ParamName);
        using var index2d = NpuTensor.FromArray(stream, new long[] { 0, 1 }, [1, 2]);
        Assert.Equal("index", Assert.Throws<ArgumentException>(() => Ops.IndexSelect(stream, x, 0, index2d)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndexSelect(stream, x, 2, index)).ParamName);
        using var flat = x.Reshape(9);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Ops.Embedding(stream, flat, ids)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Ops.Embedding(stream, weight, floatIndex)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentNullException>(() => Ops.Embedding(stream, weight, null!)).ParamName);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Out_of_range_indices_fail_at_synchronize_without_writing()
    {
        using var stream = Device.CreateStream();
        using var weight = NpuTensor.FromArray(stream, Iota(8), [4, 2]);
        using var ids = NpuTensor.FromArray(stream, new long[] { 0, 4, 1 });
        using var output = NpuTensor.FromArray(stream, Enumerable.Repeat(-1f, 6).ToArray(), [3, 2]);
        Ops.Embedding(stream, weight, ids, output);                               // the launch is asynchronous
        var fault = Assert.Throws<AclException>(() => stream.Synchronize());
        Assert.Equal(507015, fault.Code);
        Assert.Equal("ACL_ERROR_RT_AICORE_EXCEPTION", fault.CodeName);
        Assert.Contains("aclnnEmbedding", fault.RuntimeMessage);
        Assert.Contains("indices element 1 is 4", fault.RuntimeMessage);
        Assert.Equal(Enumerable.Repeat(-1f, 6).ToArray(), output.ToArray<float>());

        using var x = NpuTensor.FromArray(stream, Iota(6), [3, 2]);
        using var negative = NpuTensor.FromArray(stream, new[] { -1 });
        using var picked = NpuTensor.Empty(stream, [1, 2], NpuDataType.Float32);
        Ops.IndexSelect(stream, x, 0, negative, picked);
        var selectFault = Assert.Throws<AclException>(() => stream.Synchronize());
        Assert.Contains("aclnnIndexSelect", selectFault.RuntimeMessage);
        Assert.Contains("is -1", selectFault.RuntimeMessage);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Simulator_refusals_become_AclExceptions()
    {
        using var stream = Device.CreateStream();
        using var doubles = NpuTensor.FromArray(stream, new[] { 1.0, 2.0 });
        var refused = Assert.Throws<AclException>(() => Ops.ReduceSum(stream, doubles, [0]));
        Assert.Equal(161002, refused.Code);
        Assert.Equal("aclnnReduceSumGetWorkspaceSize", refused.Function);
        Assert.Contains("self dtype DOUBLE", refused.RuntimeMessage);
        ulong executors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);
        Assert.Throws<AclException>(() => Ops.ArgMax(stream, doubles, 0));
        Assert.Equal(executors, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
    }

    // ---- capture + replay -----------------------------------------------------------------

    private static void Chain(NpuStream s, NpuTensor weight, NpuTensor ids, NpuTensor gamma, NpuTensor e, NpuTensor both, NpuTensor normed,
        NpuTensor sums, NpuTensor means, NpuTensor maxes, NpuTensor arg, NpuTensor top, NpuTensor topIndex, NpuTensor picked)
    {
        Ops.Embedding(s, weight, ids, e);                                         // [3,4]
        Ops.Cat(s, [e, e], 1, both);                                              // [3,8]
        Ops.LayerNorm(s, both, [8], gamma, null, 1e-5, normed);
        Ops.ReduceSum(s, normed, [1], false, sums);
        Ops.Mean(s, both, [0], false, means);
        Ops.Amax(s, both, [1], false, maxes);
        Ops.ArgMax(s, both, 1, false, arg);
        Ops.TopK(s, both, 2, 1, true, top, topIndex);
        Ops.IndexSelect(s, both, 1, ids, picked);                                 // [3,3]
    }

    [Fact]
    public void Replay_equals_eager_bit_for_bit_with_new_inputs()
    {
        using var stream = Device.CreateStream();
        var random = new Random(11);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var weight = NpuTensor.FromArray(stream, Values(20), [5, 4]);
        using var ids = NpuTensor.FromArray(stream, new long[] { 4, 0, 2 });
        using var gamma = NpuTensor.FromArray(stream, Values(8), [8]);
        NpuTensor F(params long[] shape) => NpuTensor.Empty(stream, new TensorShape(shape), NpuDataType.Float32);
        NpuTensor L(params long[] shape) => NpuTensor.Empty(stream, new TensorShape(shape), NpuDataType.Int64);
        var eager = new[] { F(3, 4), F(3, 8), F(3, 8), F(3), F(8), F(3), L(3), F(3, 2), L(3, 2), F(3, 3) };
        var captured = new[] { F(3, 4), F(3, 8), F(3, 8), F(3), F(8), F(3), L(3), F(3, 2), L(3, 2), F(3, 3) };
        try
        {
            void Run(NpuTensor[] o) => Chain(stream, weight, ids, gamma, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9]);
            byte[][] Snapshot(NpuTensor[] o) => o.Select(t => t.DataType == NpuDataType.Int64
                ? MemoryMarshal.AsBytes<long>(t.ToArray<long>(stream)).ToArray()
                : MemoryMarshal.AsBytes<float>(t.ToArray<float>(stream)).ToArray()).ToArray();

            Run(eager);
            var expected = Snapshot(eager);
            using var graph = stream.BeginCapture();
            Run(captured);
            graph.EndCapture();
            Assert.Equal(9, graph.Operations.Count);
            graph.Replay();
            stream.Synchronize();
            Assert.Equal(expected, Snapshot(captured));

            weight.CopyFrom<float>(stream, Values(20));
            ids.CopyFrom<long>(stream, [1, 3, 3]);
            Run(eager);
            var next = Snapshot(eager);
            Assert.NotEqual(expected[0], next[0]);
            graph.Replay();
            stream.Synchronize();
            Assert.Equal(next, Snapshot(captured));
        }
        finally
        {
            foreach (var t in eager.Concat(captured)) t.Dispose();
        }
    }
}
