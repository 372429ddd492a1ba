using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// The element-wise operators (Neg, Exp, Sqrt, Rsqrt, Tanh, Gelu, Sigmoid, SwiGlu, Div, Maximum, Minimum,
/// Adds, Muls, Where, MaskedFill): values against double references written here, both overloads,
/// dtypes, broadcasting, strided views, argument errors, capture + replay and native refusals.
/// </summary>
[Collection("Npu")]
public sealed class ElementwiseTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly float[] Inputs = [-6.5f, -2f, -0.75f, -1e-3f, 0f, 0.3f, 1f, 2.5f, 9f];

    private static double GeluReference(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    private static double SigmoidReference(double x) => 1 / (1 + Math.Exp(-x));

    private static void Near(double[] expected, float[] actual, double relative = 2e-7, double absolute = 1e-7)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i])) { Assert.True(float.IsNaN(actual[i]), $"element {i}: expected NaN, got {actual[i]}"); continue; }
            if (double.IsInfinity(expected[i])) { Assert.Equal(expected[i], actual[i]); continue; }
            double tolerance = absolute + relative * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }

    // ---- unary ----------------------------------------------------------------------------

    [Fact]
    public void Unary_float32_operators_match_double_references_in_both_overloads()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Inputs, [3, 3]);
        var cases = new (Func<NpuTensor> create, Action<NpuTensor> run, Func<double, double> reference)[]
        {
            (() => Ops.Neg(stream, x), o => Ops.Neg(stream, x, o), v => -v),
            (() => Ops.Exp(stream, x), o => Ops.Exp(stream, x, o), Math.Exp),
            (() => Ops.Tanh(stream, x), o => Ops.Tanh(stream, x, o), Math.Tanh),
            (() => Ops.Gelu(stream, x), o => Ops.Gelu(stream, x, o), GeluReference),
            (() => Ops.Sigmoid(stream, x), o => Ops.Sigmoid(stream, x, o), SigmoidReference),
            (() => Ops.Sqrt(stream, x), o => Ops.Sqrt(stream, x, o), Math.Sqrt),
            (() => Ops.Rsqrt(stream, x), o => Ops.Rsqrt(stream, x, o), v => 1 / Math.Sqrt(v)),
        };
        foreach (var (create, run, reference) in cases)
        {
            var expected = Inputs.Select(v => reference(v)).ToArray();
            using var created = create();
            Assert.Equal(x.Shape, created.Shape);
            Assert.Equal(NpuDataType.Float32, created.DataType);
            Near(expected, created.ToArray<float>());
            using var output = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float32);
            run(output);
            Assert.Equal(created.ToArray<float>(), output.ToArray<float>());
        }
    }

    [Fact]
    public void Integer_inputs_follow_torch_result_types()
    {
        using var stream = Device.CreateStream();
        using var ints = NpuTensor.FromArray(stream, new[] { 5, -7, 0, int.MinValue, int.MaxValue });
        using var negated = Ops.Neg(stream, ints);
        Assert.Equal(NpuDataType.Int32, negated.DataType);
        Assert.Equal(new[] { -5, 7, 0, int.MinValue, -int.MaxValue }, negated.ToArray<int>());  // wraps

        using var squares = NpuTensor.FromArray(stream, new[] { 0, 1, 4, 9, 2 });
        using var roots = Ops.Sqrt(stream, squares);
        Assert.Equal(NpuDataType.Float32, roots.DataType);
        Assert.Equal(new[] { 0f, 1f, 2f, 3f, (float)Math.Sqrt(2) }, roots.ToArray<float>());

        using var longs = NpuTensor.FromArray(stream, new long[] { 0, 1, 3 });
        using var e = Ops.Exp(stream, longs);
        Assert.Equal(NpuDataType.Float32, e.DataType);
        Near([1, Math.E, Math.Exp(3)], e.ToArray<float>());

        using var flags = NpuTensor.FromArray(stream, new[] { false, true });
        using var t = Ops.Tanh(stream, flags);
        Near([0, Math.Tanh(1)], t.ToArray<float>());

        using var a = NpuTensor.FromArray(stream, new[] { 7, -7, 1, 6 });
        using var b = NpuTensor.FromArray(stream, new[] { 2, 2, 3, 0 });
        using var quotient = Ops.Div(stream, a, b);                                   // true division
        Assert.Equal(NpuDataType.Float32, quotient.DataType);
        Assert.Equal(new[] { 3.5f, -3.5f, (float)(1.0 / 3), float.PositiveInfinity }, quotient.ToArray<float>());

        // An integer input needs a float32 output.
        using var intOut = NpuTensor.Empty(stream, a.Shape, NpuDataType.Int32);
        var wrongOut = Assert.Throws<ArgumentException>(() => Ops.Div(stream, a, b, intOut));
        Assert.Equal("output", wrongOut.ParamName);
        Assert.Contains("Float32", wrongOut.Message);
        // Exp of int32 is not in aclnnExp's list.
        var exp32 = Assert.Throws<ArgumentException>(() => Ops.Exp(stream, a));
        Assert.Equal("self", exp32.ParamName);
        Assert.StartsWith("Ops.Exp:", exp32.Message);
        // Gelu and Sigmoid are floating only.
        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.Gelu(stream, a)).ParamName);
        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.Sigmoid(stream, a)).ParamName);
    }

    [Fact]
    public void Half_and_bfloat16_round_once_from_float()
    {
        using var stream = Device.CreateStream();
        float[] values = [-3.3f, -1f, -0.1f, 0f, 0.7f, 1.9f, 5.5f];
        var halves = values.Select(v => (Half)v).ToArray();
        var brains = values.Select(v => (NpuBFloat16)v).ToArray();
        using var h = NpuTensor.FromArray(stream, halves);
        using var b = NpuTensor.FromArray(stream, brains);

        using var gelu = Ops.Gelu(stream, h);
        Assert.Equal(NpuDataType.Float16, gelu.DataType);
        Assert.Equal(halves.Select(v => (Half)(float)GeluReference((float)v)).ToArray(), gelu.ToArray<Half>());

        using var sigmoid = Ops.Sigmoid(stream, b);
        Assert.Equal(NpuDataType.BFloat16, sigmoid.DataType);
        Assert.Equal(brains.Select(v => ((NpuBFloat16)(float)SigmoidReference(v)).Bits).ToArray(), sigmoid.ToArray<NpuBFloat16>().Select(v => v.Bits).ToArray());

        using var two = NpuTensor.FromArray(stream, new[] { (Half)3f });
        using var ratio = Ops.Div(stream, h, two);                                    // [7] / [1]
        Assert.Equal(halves.Select(v => (Half)((float)v / 3f)).ToArray(), ratio.ToArray<Half>());
    }

    [Fact]
    public void Strided_views_are_read_and_written_in_place()
    {
        using var stream = Device.CreateStream();
        float[] values = [0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f];
        using var storage = NpuTensor.FromArray(stream, values, [3, 2]);
        using var transposed = storage.Transpose(0, 1);                               // [[0.1,0.3,0.5],[-0.2,-0.4,-0.6]]
        using var target = NpuTensor.Zeros(stream, [3, 2], NpuDataType.Float32);
        using var targetT = target.Transpose(0, 1);
        Ops.Tanh(stream, transposed, targetT);
        Near(values.Select(v => Math.Tanh(v)).ToArray(), target.ToArray<float>());

        using var wide = NpuTensor.FromArray(stream, Enumerable.Range(0, 12).Select(i => 0.25f * i - 1.5f).ToArray(), [3, 4]);
        using var slice = wide.Slice(1, 1, 2);                                         // columns 1..2: offset 1, strides (4, 1)
        float[] column = [0.1f, 0.3f, 0.5f];
        using var columnTensor = NpuTensor.FromArray(stream, column, [3, 1]);
        using var expanded = columnTensor.Expand(new TensorShape(3, 2));              // stride 0
        using var max = Ops.Maximum(stream, slice, expanded);
        var sliceValues = slice.ToArray<float>();
        Assert.Equal(new TensorShape(3, 2), max.Shape);
        Assert.Equal(sliceValues.Select((v, i) => Math.Max(v, column[i / 2])).ToArray(), max.ToArray<float>());
    }

    // ---- SwiGlu ---------------------------------------------------------------------------

    [Fact]
    public void SwiGlu_splits_the_given_dimension()
    {
        using var stream = Device.CreateStream();
        var x = Enumerable.Range(0, 24).Select(i => -3f + 0.27f * i).ToArray();
        using var t = NpuTensor.FromArray(stream, x, [2, 3, 4]);
        using var last = Ops.SwiGlu(stream, t);                                          // dim -1
        Assert.Equal(new TensorShape(2, 3, 2), last.Shape);
        var expected = new double[12];
        for (int r = 0; r < 6; r++)
            for (int j = 0; j < 2; j++)
            {
                double g = x[r * 4 + j], u = x[r * 4 + j + 2];
                expected[r * 2 + j] = g * SigmoidReference(g) * u;
            }
        Near(expected, last.ToArray<float>(), 1e-6, 1e-6);

        using var first = NpuTensor.Empty(stream, [1, 3, 4], NpuDataType.Float32);
        Ops.SwiGlu(stream, t, 0, first);
        Near(Enumerable.Range(0, 12).Select(i => x[i] * SigmoidReference(x[i]) * x[i + 12]).ToArray(), first.ToArray<float>(), 1e-6, 1e-6);

        var odd = Assert.Throws<ArgumentException>(() => Ops.SwiGlu(stream, t, 1));
        Assert.Equal("x", odd.ParamName);
        Assert.Contains("must be even", odd.Message);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SwiGlu(stream, t, 3)).ParamName);
        using var strided = t.Transpose(0, 2);                                            // [4,3,2]
        var view = Assert.Throws<ArgumentException>(() => Ops.SwiGlu(stream, strided, 0));
        Assert.Contains("contiguous", view.Message);
        using var wrongShape = NpuTensor.Empty(stream, [2, 3, 4], NpuDataType.Float32);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.SwiGlu(stream, t, -1, wrongShape)).ParamName);
        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2 });
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Ops.SwiGlu(stream, ints)).ParamName);
    }

    // ---- binary and scalar ----------------------------------------------------------------

    [Fact]
    public void Maximum_Minimum_broadcast_and_propagate_NaN()
    {
        using var stream = Device.CreateStream();
        float[] a = [-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f];
        float[] b = [0f, -1f, 1f, float.NaN];
        using var ta = NpuTensor.FromArray(stream, a, [2, 1, 3]);
        using var tb = NpuTensor.FromArray(stream, b, [4, 1]);
        using var max = Ops.Maximum(stream, ta, tb);
        using var min = NpuTensor.Empty(stream, [2, 4, 3], NpuDataType.Float32);
        Ops.Minimum(stream, ta, tb, min);
        Assert.Equal(new TensorShape(2, 4, 3), max.Shape);
        var mx = max.ToArray<float>();
        var mn = min.ToArray<float>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                {
                    int e = (i * 4 + j) * 3 + k;
                    float x = a[i * 3 + k], y = b[j];
                    if (float.IsNaN(y)) { Assert.True(float.IsNaN(mx[e]) && float.IsNaN(mn[e])); continue; }
                    Assert.Equal(x > y ? x : y, mx[e]);
                    Assert.Equal(x < y ? x : y, mn[e]);
                }

        using var la = NpuTensor.FromArray(stream, new[] { 1L << 40, -5, 0 });
        using var lb = NpuTensor.FromArray(stream, new[] { 3L, -(1L << 40), 0 });
        using var lmax = Ops.Maximum(stream, la, lb);
        Assert.Equal(new[] { 1L << 40, -5, 0 }, lmax.ToArray<long>());
        using var i32 = NpuTensor.FromArray(stream, new[] { 1, 2, 3 });
        var mixed = Assert.Throws<ArgumentException>(() => Ops.Minimum(stream, la, i32));
        Assert.Equal("other", mixed.ParamName);                                           // the SDK does not promote
    }

    [Fact]
    public void Div_broadcasts_and_divides_by_zero_like_ieee()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, -2, 3, 0, 5, -6 }, [2, 3]);
        using var b = NpuTensor.FromArray(stream, new float[] { 4, 0, -3 }, [3]);
        using var q = Ops.Div(stream, a, b);
        Assert.Equal(new[] { 0.25f, float.NegativeInfinity, -1f, 0f, float.PositiveInfinity, 2f }, q.ToArray<float>());
        using var bad = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => Ops.Div(stream, a, bad)).ParamName);
    }

    [Fact]
    public void Adds_and_Muls_keep_the_tensor_type()
    {
        using var stream = Device.CreateStream();
        float[] av = [1f, -2.5f, 3.25f, 0f];
        using var a = NpuTensor.FromArray(stream, av, [2, 2]);
        using var sum = Ops.Adds(stream, a, 1.5, alpha: -2);
        Assert.Equal(av.Select(v => v - 3f).ToArray(), sum.ToArray<float>());
        using var product = NpuTensor.Empty(stream, a.Shape, NpuDataType.Float32);
        Ops.Muls(stream, a, 1.5, product);
        Assert.Equal(av.Select(v => v * 1.5f).ToArray(), product.ToArray<float>());
        using var into = NpuTensor.Empty(stream, a.Shape, NpuDataType.Float32);
        Ops.Adds(stream, a, 0.5, into);
        Assert.Equal(av.Select(v => v + 0.5f).ToArray(), into.ToArray<float>());

        using var ints = NpuTensor.FromArray(stream, new[] { 1, -5, int.MaxValue });
        using var isum = Ops.Adds(stream, ints, 3, alpha: 2);
        Assert.Equal(new[] { 7, 1, int.MinValue + 5 }, isum.ToArray<int>());            // wraps
        using var iprod = Ops.Muls(stream, ints, -3);
        Assert.Equal(new[] { -3, 15, unchecked(int.MaxValue * -3) }, iprod.ToArray<int>());
        var fractional = Assert.Throws<ArgumentException>(() => Ops.Muls(stream, ints, 0.5));
        Assert.Equal("other", fractional.ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Ops.Adds(stream, ints, 1, alpha: 0.5)).ParamName);

        using var halves = NpuTensor.FromArray(stream, new[] { (Half)1000f, (Half)0.3f, (Half)(-7f) });
        using var third = Ops.Muls(stream, halves, 1.0 / 3);
        Assert.Equal(NpuDataType.Float16, third.DataType);
        Assert.Equal(new[] { (Half)1000f, (Half)0.3f, (Half)(-7f) }.Select(v => (Half)((float)v * (float)(1.0 / 3))).ToArray(), third.ToArray<Half>());
    }

    // ---- Where / MaskedFill ---------------------------------------------------------------

    [Fact]
    public void Where_broadcasts_condition_self_and_other()
    {
        using var stream = Device.CreateStream();
        using var condition = NpuTensor.FromArray(stream, new[] { true, false }, [2, 1]);
        using var self = NpuTensor.FromArray(stream, new[] { 1.5f, -2f, 3f }, [1, 3]);
        using var other = NpuTensor.FromArray(stream, new[] { -9f }, []);
        using var picked = Ops.Where(stream, condition, self, other);
        Assert.Equal(new TensorShape(2, 3), picked.Shape);
        Assert.Equal(new[] { 1.5f, -2f, 3f, -9f, -9f, -9f }, picked.ToArray<float>());

        using var bytes = NpuTensor.FromArray(stream, new byte[] { 0, 7, 1 });
        using var ia = NpuTensor.FromArray(stream, new[] { 1L, 2, 3 });
        using var ib = NpuTensor.FromArray(stream, new[] { -1L, -2, -3 });
        using var output = NpuTensor.Empty(stream, [3], NpuDataType.Int64);
        Ops.Where(stream, bytes, ia, ib, output);
        Assert.Equal(new[] { -1L, 2, 3 }, output.ToArray<long>());

        var floatCondition = Assert.Throws<ArgumentException>(() => Ops.Where(stream, self, self, self));
        Assert.Equal("condition", floatCondition.ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => Ops.Where(stream, condition, self, ia)).ParamName);
        using var wrong = NpuTensor.FromArray(stream, new bool[6], [3, 2]);
        var shapes = Assert.Throws<ArgumentException>(() => Ops.Where(stream, wrong, self, self));
        Assert.Equal("self", shapes.ParamName);
        Assert.Contains("cannot broadcast", shapes.Message);
        using var wrongOutput = NpuTensor.Empty(stream, [3, 3], NpuDataType.Float32);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Where(stream, condition, self, other, wrongOutput)).ParamName);
    }

    [Fact]
    public void MaskedFill_writes_a_causal_mask_in_place()
    {
        using var stream = Device.CreateStream();
        const int B = 2, N = 3;
        var scores = Enumerable.Range(0, B * N * N).Select(i => 0.5f * i).ToArray();
        var mask = new bool[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) mask[i * N + j] = j > i;
        using var s = NpuTensor.FromArray(stream, scores, [B, N, N]);
        using var m = NpuTensor.FromArray(stream, mask, [N, N]);
        Ops.InplaceMaskedFill(stream, s, m, double.NegativeInfinity);
        var result = s.ToArray<float>();
        for (int e = 0; e < result.Length; e++)
            Assert.Equal(mask[e % (N * N)] ? float.NegativeInfinity : scores[e], result[e]);

        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2, 3, 4, 5, 6 });
        using var pairs = ints.Reshape(3, 2);
        using var everyOther = pairs.Slice(1, 0, 1);                                  // elements 0, 2, 4
        using var all = NpuTensor.FromArray(stream, new[] { true }, [1]);
        Ops.InplaceMaskedFill(stream, everyOther, all, 9);
        Assert.Equal(new[] { 9, 2, 9, 4, 9, 6 }, ints.ToArray<int>());

        Assert.Equal("value", Assert.Throws<ArgumentException>(() => Ops.InplaceMaskedFill(stream, ints, all, 0.5)).ParamName);
        using var byteMask = NpuTensor.FromArray(stream, new byte[] { 1 });
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => Ops.InplaceMaskedFill(stream, ints, byteMask, 1)).ParamName);
        using var big = NpuTensor.FromArray(stream, new bool[12], [2, 6]);
        var broadcast = Assert.Throws<ArgumentException>(() => Ops.InplaceMaskedFill(stream, ints, big, 1));
        Assert.Equal("mask", broadcast.ParamName);
        Assert.Contains("does not broadcast", broadcast.Message);
        using var flags = NpuTensor.FromArray(stream, new[] { true });
        Assert.Equal("selfRef", Assert.Throws<ArgumentException>(() => Ops.InplaceMaskedFill(stream, flags, all, 1)).ParamName);
    }

    // ---- common argument errors -----------------------------------------------------------

    [Fact]
    public void Argument_errors_name_the_operator_and_argument()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var out2 = NpuTensor.Empty(stream, [2], NpuDataType.Float32);
        using var out16 = NpuTensor.Empty(stream, [3], NpuDataType.Float16);

        var nullStream = Assert.Throws<ArgumentNullException>(() => Ops.Neg(null!, x));
        Assert.Equal("stream", nullStream.ParamName);
        var nullSelf = Assert.Throws<ArgumentNullException>(() => Ops.Exp(stream, null!));
        Assert.Equal("self", nullSelf.ParamName);
        Assert.StartsWith("Ops.Exp:", nullSelf.Message);
        Assert.Equal("self", Assert.Throws<ArgumentNullException>(() => Ops.Div(stream, null!, x)).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => Ops.Maximum(stream, x, null!)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentNullException>(() => Ops.InplaceMaskedFill(stream, x, null!, 1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Sigmoid(stream, x, out2)).ParamName);
        var type = Assert.Throws<ArgumentException>(() => Ops.Tanh(stream, x, out16));
        Assert.Equal("output", type.ParamName);
        Assert.StartsWith("Ops.Tanh:", type.Message);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Adds(stream, x, 1, out2)).ParamName);

        var disposed = NpuTensor.FromArray(stream, new float[] { 1 });
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Ops.Gelu(stream, disposed));
        Assert.Throws<ObjectDisposedException>(() => Ops.Muls(stream, disposed, 2));
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Simulator_refusals_become_AclExceptions_and_release_everything()
    {
        using var stream = Device.CreateStream();
        using var doubles = NpuTensor.FromArray(stream, new[] { -1.0, 2.0 });
        using var bools = NpuTensor.FromArray(stream, new[] { true, false });
        long inUse = Device.MemoryPool.InUseBytes;
        ulong executors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);
        // CANN's Neg takes float64; the simulator does not.
        var refused = Assert.Throws<AclException>(() => Ops.Neg(stream, doubles));
        Assert.Equal(161002, refused.Code);
        Assert.Equal("aclnnNegGetWorkspaceSize", refused.Function);
        Assert.Contains("Ops.Neg", refused.Message);
        Assert.Contains("self dtype DOUBLE", refused.RuntimeMessage);
        var max = Assert.Throws<AclException>(() => Ops.Maximum(stream, bools, bools));
        Assert.Equal("aclnnMaximumGetWorkspaceSize", max.Function);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);
        Assert.Equal(executors, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
    }

    [Fact]
    public void Steady_state_output_overloads_allocate_no_managed_memory()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Enumerable.Range(0, 64).Select(i => 0.01f * i - 0.3f).ToArray(), [8, 8]);
        using var gate = NpuTensor.FromArray(stream, Enumerable.Range(0, 128).Select(i => 0.01f * i).ToArray(), [8, 16]);
        using var ints = NpuTensor.FromArray(stream, Enumerable.Range(0, 8).ToArray());
        using var mask = NpuTensor.FromArray(stream, Enumerable.Range(0, 8).Select(i => i % 2 == 0).ToArray(), [8]);
        using var h = NpuTensor.Empty(stream, [8, 8], NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, [8, 8], NpuDataType.Float32);
        using var q = NpuTensor.Empty(stream, [8], NpuDataType.Float32);

        void Step()
        {
            Ops.SwiGlu(stream, gate, -1, h);
            Ops.Gelu(stream, x, y);
            Ops.Adds(stream, y, 1, y, alpha: 0.5);
            Ops.Muls(stream, y, 2, y);
            Ops.Div(stream, y, h, y);
            Ops.Exp(stream, y, y);
            Ops.Maximum(stream, y, h, y);
            Ops.InplaceMaskedFill(stream, y, mask, double.NegativeInfinity);
            Ops.Where(stream, mask, y, h, y);
            Ops.Div(stream, ints, ints, q);                                   // the integer declaration
        }

        for (int i = 0; i < 5; i++) Step();
        stream.Synchronize();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stream.Synchronize();
        Assert.Equal(0, allocated);
    }

    // ---- capture + replay -----------------------------------------------------------------

    /// <summary>A decoder-like chain of every element-wise operator.</summary>
    private static void Chain(NpuStream s, NpuTensor x, NpuTensor gate, NpuTensor mask, NpuTensor h, NpuTensor g, NpuTensor y, NpuTensor z)
    {
        Ops.SwiGlu(s, gate, -1, g);                 // [4,8] -> [4,4]
        Ops.Gelu(s, x, h);
        Ops.Muls(s, h, 0.5, h);
        Ops.Adds(s, h, 1, h, alpha: 0.25);
        Ops.Mul(s, h, g, h);
        Ops.Sigmoid(s, h, y);
        Ops.Div(s, y, h, y);
        Ops.Maximum(s, y, g, y);
        Ops.Minimum(s, y, h, y);
        Ops.Tanh(s, y, y);
        Ops.Exp(s, y, y);
        Ops.Rsqrt(s, y, y);
        Ops.Sqrt(s, y, y);
        Ops.Neg(s, y, y);
        Ops.InplaceMaskedFill(s, y, mask, double.NegativeInfinity);
        Ops.Where(s, mask, y, h, z);
    }

    [Fact]
    public void Replay_equals_eager_bit_for_bit_with_new_inputs()
    {
        using var stream = Device.CreateStream();
        var random = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var x = NpuTensor.FromArray(stream, Values(16), [4, 4]);
        using var gate = NpuTensor.FromArray(stream, Values(32), [4, 8]);
        using var mask = NpuTensor.FromArray(stream, Enumerable.Range(0, 16).Select(i => i % 4 > i / 4).ToArray(), [4, 4]);
        using var h = NpuTensor.Empty(stream, [4, 4], NpuDataType.Float32);
        using var g = NpuTensor.Empty(stream, [4, 4], NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, [4, 4], NpuDataType.Float32);
        using var eager = NpuTensor.Empty(stream, [4, 4], NpuDataType.Float32);
        using var replayed = NpuTensor.Empty(stream, [4, 4], NpuDataType.Float32);

        Chain(stream, x, gate, mask, h, g, y, eager);
        var expected = eager.ToArray<float>(stream);
        Assert.Contains(expected, float.IsNegativeInfinity);

        using var graph = stream.BeginCapture();
        Chain(stream, x, gate, mask, h, g, y, replayed);
        graph.EndCapture();
        Assert.Equal(16, graph.Operations.Count);
        graph.Replay();
        stream.Synchronize();
        Assert.Equal(expected, replayed.ToArray<float>(stream));

        x.CopyFrom<float>(stream, Values(16));
        gate.CopyFrom<float>(stream, Values(32));
        Chain(stream, x, gate, mask, h, g, y, eager);
        var next = eager.ToArray<float>(stream);
        Assert.NotEqual(expected, next);
        graph.Replay();
        stream.Synchronize();
        Assert.Equal(next, replayed.ToArray<float>(stream));
    }
}
