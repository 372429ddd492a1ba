using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class OpsTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Iota(int n, float scale = 1, float start = 0) =>
        Enumerable.Range(0, n).Select(i => start + i * scale).ToArray();

    private static void Near(float[] expected, float[] actual, float relative = 1e-5f, float absolute = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = absolute + relative * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }

    /// <summary>Reference matrix product of row-major [batch, m, k] x [batch, k, n].</summary>
    private static float[] MatMulReference(float[] a, float[] b, int batch, int m, int k, int n, bool broadcastB = false)
    {
        var c = new float[batch * m * n];
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                        sum += a[t * m * k + i * k + p] * b[(broadcastB ? 0 : t * k * n) + p * n + j];
                    c[t * m * n + i * n + j] = (float)sum;
                }
        return c;
    }

    [Fact]
    public void Add_Sub_Mul_broadcast_like_numpy()
    {
        using var stream = Device.CreateStream();
        float[] av = Iota(6), bv = [10, 20, 30];
        using var a = NpuTensor.FromArray(stream, av, [2, 3]);
        using var b = NpuTensor.FromArray(stream, bv, [3]);

        using var sum = Ops.Add(stream, a, b, alpha: 2);
        Assert.Equal(new TensorShape(2, 3), sum.Shape);
        Assert.Same(stream, sum.Stream);
        Near(av.Select((x, i) => x + 2 * bv[i % 3]).ToArray(), sum.ToArray<float>());

        using var difference = Ops.Sub(stream, b, a);                        // [3] - [2,3]
        Near(av.Select((x, i) => bv[i % 3] - x).ToArray(), difference.ToArray<float>());

        using var column = NpuTensor.FromArray(stream, new float[] { 1, -2 }, [2, 1]);
        using var row = NpuTensor.FromArray(stream, new float[] { 3, 4, 5 }, [1, 3]);
        using var outer = Ops.Mul(stream, column, row);
        Assert.Equal(new TensorShape(2, 3), outer.Shape);
        Near([3, 4, 5, -6, -8, -10], outer.ToArray<float>());

        using var ia = NpuTensor.FromArray(stream, new[] { 1, 2, 3, int.MaxValue });
        using var ib = NpuTensor.FromArray(stream, new[] { 5, 5, 5, 1 });
        using var isum = Ops.Add(stream, ia, ib, alpha: 3);
        Assert.Equal(new[] { 16, 17, 18, int.MinValue + 2 }, isum.ToArray<int>());  // integer wrap-around
        Ops.Sub(stream, ia, ib, isum);
        Assert.Equal(new[] { -4, -3, -2, int.MaxValue - 1 }, isum.ToArray<int>());
    }

    [Fact]
    public void MatMul_broadcasts_batches_and_handles_vectors()
    {
        using var stream = Device.CreateStream();
        float[] av = Iota(12, 0.5f, -2), bv = Iota(12, 0.25f, 1);
        using var a = NpuTensor.FromArray(stream, av, [2, 2, 3]);
        using var b = NpuTensor.FromArray(stream, bv, [3, 4]);
        using var c = Ops.MatMul(stream, a, b);
        Assert.Equal(new TensorShape(2, 2, 4), c.Shape);
        Near(MatMulReference(av, bv, 2, 2, 3, 4, broadcastB: true), c.ToArray<float>());

        using var v = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var vb = Ops.MatMul(stream, v, b);                           // [3] @ [3,4] -> [4]
        Assert.Equal(new TensorShape(4), vb.Shape);
        Near(MatMulReference([1, 2, 3], bv, 1, 1, 3, 4), vb.ToArray<float>());

        using var m = NpuTensor.FromArray(stream, av[..6], [2, 3]);
        using var mv = Ops.MatMul(stream, m, v);                           // [2,3] @ [3] -> [2]
        Assert.Equal(new TensorShape(2), mv.Shape);
        Near(MatMulReference(av[..6], [1, 2, 3], 1, 2, 3, 1), mv.ToArray<float>());

        using var mm = Ops.Mm(stream, m, b);
        Near(MatMulReference(av[..6], bv, 1, 2, 3, 4), mm.ToArray<float>());
    }

    [Fact]
    public void Strided_views_are_valid_operands()
    {
        using var stream = Device.CreateStream();
        float[] baseValues = Iota(6, 1, 1);                                // [[1,2,3],[4,5,6]]
        using var t = NpuTensor.FromArray(stream, baseValues, [2, 3]);
        using var tt = t.Transpose(0, 1);                                   // [[1,4],[2,5],[3,6]]
        using var w = NpuTensor.FromArray(stream, new float[] { 1, 0, 0, 1 }, [2, 2]);
        using var product = Ops.Mm(stream, tt, w);
        Near([1, 4, 2, 5, 3, 6], product.ToArray<float>());

        using var column = t.Slice(1, 1, 1);                                // [[2],[5]]
        Assert.Throws<InvalidOperationException>(() => column.Reshape(2)); // a column is not contiguous
        using var columnCopy = column.Contiguous();
        using var columnVector = columnCopy.Reshape(2);
        using var sum = Ops.Add(stream, tt, columnVector);                  // [3,2] + [2]
        Near([3, 9, 4, 10, 5, 11], sum.ToArray<float>());

        using var target = NpuTensor.Zeros(stream, [3, 2], NpuDataType.Float32);
        using var targetT = target.Transpose(0, 1);                        // write through a strided output
        Ops.Relu(stream, t, targetT);
        Near([1, 4, 2, 5, 3, 6], target.ToArray<float>());
    }

    [Fact]
    public void Activations_softmax_and_rms_norm_match_references()
    {
        using var stream = Device.CreateStream();
        float[] xv = [-2, -0.5f, 0, 0.5f, 1, 3, -1, 2];
        using var x = NpuTensor.FromArray(stream, xv, [2, 4]);

        using var relu = Ops.Relu(stream, x);
        Near(xv.Select(v => Math.Max(v, 0)).ToArray(), relu.ToArray<float>());
        using var silu = Ops.Silu(stream, x);
        Near(xv.Select(v => (float)(v / (1 + Math.Exp(-v)))).ToArray(), silu.ToArray<float>());

        using var ints = NpuTensor.FromArray(stream, new[] { -3, 0, 7 });
        using var reluInts = Ops.Relu(stream, ints);
        Assert.Equal(new[] { 0, 0, 7 }, reluInts.ToArray<int>());

        using var softmaxRows = Ops.Softmax(stream, x, -1);
        using var softmaxColumns = Ops.Softmax(stream, x, 0);
        var rows = new float[8];
        var columns = new float[8];
        for (int r = 0; r < 2; r++)
        {
            double total = 0;
            for (int c = 0; c < 4; c++) total += Math.Exp(xv[r * 4 + c]);
            for (int c = 0; c < 4; c++) rows[r * 4 + c] = (float)(Math.Exp(xv[r * 4 + c]) / total);
        }
        for (int c = 0; c < 4; c++)
        {
            double total = Math.Exp(xv[c]) + Math.Exp(xv[4 + c]);
            columns[c] = (float)(Math.Exp(xv[c]) / total);
            columns[4 + c] = (float)(Math.Exp(xv[4 + c]) / total);
        }
        Near(rows, softmaxRows.ToArray<float>());
        Near(columns, softmaxColumns.ToArray<float>());

        float[] gv = [1, 0.5f, 2, -1];
        using var gamma = NpuTensor.FromArray(stream, gv);
        var (y, rstd) = Ops.RmsNorm(stream, x, gamma, 1e-5);
        using (y)
        using (rstd)
        {
            Assert.Equal(new TensorShape(2, 1), rstd.Shape);
            Assert.Equal(NpuDataType.Float32, rstd.DataType);
            var expectedY = new float[8];
            var expectedR = new float[2];
            for (int r = 0; r < 2; r++)
            {
                double ms = 0;
                for (int c = 0; c < 4; c++) ms += xv[r * 4 + c] * xv[r * 4 + c];
                double inv = 1 / Math.Sqrt(ms / 4 + 1e-5);
                expectedR[r] = (float)inv;
                for (int c = 0; c < 4; c++) expectedY[r * 4 + c] = (float)(xv[r * 4 + c] * inv * gv[c]);
            }
            Near(expectedY, y.ToArray<float>());
            Near(expectedR, rstd.ToArray<float>());
        }
    }

    [Fact]
    public void Half_precision_types_compute_within_tolerance()
    {
        using var stream = Device.CreateStream();
        float[] av = Iota(12, 0.37f, -2), bv = Iota(12, -0.21f, 1.5f);
        using var a32 = NpuTensor.FromArray(stream, av, [3, 4]);
        using var b32 = NpuTensor.FromArray(stream, bv, [4, 3]);

        using var a16 = Ops.Cast(stream, a32, NpuDataType.Float16);
        Assert.Equal(NpuDataType.Float16, a16.DataType);
        Assert.Equal(av.Select(v => (Half)v).ToArray(), a16.ToArray<Half>());     // round to nearest even, as Half does
        using var b16 = NpuTensor.FromArray(stream, bv.Select(v => (Half)v).ToArray(), [4, 3]);
        using var c16 = Ops.MatMul(stream, a16, b16);
        var reference = MatMulReference(av.Select(v => (float)(Half)v).ToArray(), bv.Select(v => (float)(Half)v).ToArray(), 1, 3, 4, 3);
        Near(reference, c16.ToArray<Half>().Select(h => (float)h).ToArray(), relative: 2e-3f, absolute: 2e-3f);

        using var abf = Ops.Cast(stream, a32, NpuDataType.BFloat16);
        Assert.Equal(av.Select(v => ((NpuBFloat16)v).Bits).ToArray(), abf.ToArray<NpuBFloat16>().Select(v => v.Bits).ToArray());
        using var bbf = NpuTensor.FromArray(stream, av.Select(v => (NpuBFloat16)(v * 0.5f)).ToArray(), [3, 4]);
        using var sumBf = Ops.Add(stream, abf, bbf);
        var expected = av.Select(v => (float)(NpuBFloat16)((float)(NpuBFloat16)v + (float)(NpuBFloat16)(v * 0.5f))).ToArray();
        Near(expected, sumBf.ToArray<NpuBFloat16>().Select(v => (float)v).ToArray(), relative: 8e-3f, absolute: 1e-3f);

        using var back = Ops.Cast(stream, a16, NpuDataType.Float32);
        Near(av, back.ToArray<float>(), relative: 1e-3f, absolute: 1e-3f);
        using var truncated = Ops.Cast(stream, a32, NpuDataType.Int32);
        Assert.Equal(av.Select(v => (int)v).ToArray(), truncated.ToArray<int>());  // toward zero
    }

    [Fact]
    public void Copy_broadcasts_and_converts()
    {
        using var stream = Device.CreateStream();
        using var source = NpuTensor.FromArray(stream, new[] { 1.9f, -2.5f, 3 });
        using var destination = NpuTensor.Zeros(stream, [2, 3], NpuDataType.Int32);
        Ops.Copy(stream, source, destination);
        Assert.Equal(new[] { 1, -2, 3, 1, -2, 3 }, destination.ToArray<int>());
        using var wrong = NpuTensor.FromArray(stream, new[] { 1f, 2f });
        Assert.Throws<ArgumentException>(() => Ops.Copy(stream, wrong, destination));
    }

    [Fact]
    public void Argument_errors_name_the_operator_and_argument()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        using var b = NpuTensor.FromArray(stream, Iota(4), [4]);
        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2, 3 });
        using var output = NpuTensor.Empty(stream, [2, 2], NpuDataType.Float32);

        var nullArg = Assert.Throws<ArgumentNullException>(() => Ops.Add(stream, a, null!));
        Assert.Equal("other", nullArg.ParamName);
        Assert.Contains("Ops.Add", nullArg.Message);
        Assert.Throws<ArgumentNullException>(() => Ops.Relu(null!, a));

        var shapes = Assert.Throws<ArgumentException>(() => Ops.Add(stream, a, b));
        Assert.Contains("Ops.Add", shapes.Message);
        Assert.Contains("[2, 3]", shapes.Message);
        Assert.Contains("[4]", shapes.Message);

        var types = Assert.Throws<ArgumentException>(() => Ops.Mul(stream, a, ints));
        Assert.Equal("other", types.ParamName);
        Assert.Contains("Int32", types.Message);

        var outShape = Assert.Throws<ArgumentException>(() => Ops.Relu(stream, a, output));
        Assert.Equal("output", outShape.ParamName);
        Assert.Contains("Ops.Relu", outShape.Message);

        Assert.Throws<ArgumentException>(() => Ops.MatMul(stream, a, a));         // inner dims 3 vs 2
        Assert.Throws<ArgumentException>(() => Ops.Mm(stream, b, a));             // not 2-D
        Assert.Throws<ArgumentException>(() => Ops.Silu(stream, ints));           // needs floating point
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Softmax(stream, a, 2));
        Assert.Throws<ArgumentException>(() => Ops.RmsNorm(stream, a, b));        // gamma must match trailing dims
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.RmsNorm(stream, a, a, -1));
        var alpha = Assert.Throws<ArgumentException>(() => Ops.Add(stream, ints, ints, alpha: 0.5));
        Assert.Equal("alpha", alpha.ParamName);

        var disposed = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        disposed.Dispose();
        var gone = Assert.Throws<ObjectDisposedException>(() => Ops.Add(stream, a, disposed));
        Assert.Contains("Ops.Add", gone.Message);
        Assert.Contains("'other'", gone.Message);

        var deadStream = Device.CreateStream();
        deadStream.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Ops.Relu(deadStream, a));
    }

    [Fact]
    public void Tensors_of_another_device_are_refused()
    {
        if (NpuDevice.Count < 2) Assert.Skip("needs two devices");
        using var device1 = NpuDevice.Open(1);
        using var stream1 = device1.CreateStream();
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Iota(3));
        using (var remote = NpuTensor.FromArray(stream1, Iota(3)))
        {
            var e = Assert.Throws<ArgumentException>(() => Ops.Add(stream, a, remote));
            Assert.Equal("other", e.ParamName);
            Assert.Contains("device 1", e.Message);
        }
        stream1.Synchronize();
        device1.MemoryPool.Trim();
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Native_refusals_become_AclExceptions_and_release_everything()
    {
        using var stream = Device.CreateStream();
        using var doubles = NpuTensor.FromArray(stream, new[] { -1.0, 2.0 });
        long inUse = Device.MemoryPool.InUseBytes;
        ulong executors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);

        // The simulator's Relu takes no float64: phase 1 refuses it.
        var refused = Assert.Throws<AclException>(() => Ops.Relu(stream, doubles));
        Assert.Equal(161002, refused.Code);
        Assert.Equal("aclnnReluGetWorkspaceSize", refused.Function);
        Assert.Equal("ACLNN_ERR_PARAM_INVALID", refused.CodeName);
        Assert.False(string.IsNullOrEmpty(refused.RuntimeMessage));
        Assert.Contains("Ops.Relu", refused.Message);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);                // the inferred output went back
        Assert.Equal(executors, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void A_failure_between_the_phases_releases_the_executor()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Iota(300_000, 1e-5f), [1, 300_000]);
        using var y = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float32);
        stream.Synchronize();
        Device.MemoryPool.Trim();
        long inUse = Device.MemoryPool.InUseBytes;
        ulong executors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);

        // Renting the 1.2 MB workspace fails after phase 1: the SDK destroys the executor.
        SimControl.InjectFault("aclrtMalloc", 1, 107000);
        var rent = Assert.Throws<AclException>(() => Ops.Softmax(stream, x, -1, y));
        Assert.Equal("aclrtMalloc", rent.Function);
        Assert.Equal(executors, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);

        SimControl.ClearFaults();
        Ops.Softmax(stream, x, -1, y);                                       // and the operator still works
        var values = y.ToArray<float>();
        Assert.Equal(1.0, values.Sum(v => (double)v), 3);
    }

    [Fact]
    public void Steady_state_eager_operators_allocate_no_managed_memory()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Iota(64, 0.01f), [8, 8]);
        using var b = NpuTensor.FromArray(stream, Iota(8, 0.1f), [8]);
        using var sum = NpuTensor.Empty(stream, [8, 8], NpuDataType.Float32);
        using var product = NpuTensor.Empty(stream, [8, 8], NpuDataType.Float32);
        using var probabilities = NpuTensor.Empty(stream, [8, 8], NpuDataType.Float32);
        using var aT = a.Transpose(0, 1);

        void Step()
        {
            Ops.Add(stream, a, b, sum, alpha: 0.5);
            Ops.MatMul(stream, sum, aT, product);                              // workspace from the pool
            Ops.Softmax(stream, product, -1, probabilities);                   // workspace from the pool
            Ops.Relu(stream, probabilities, sum);
        }

        for (int i = 0; i < 5; i++) Step();
        stream.Synchronize();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stream.Synchronize();
        Assert.Equal(0, allocated);
    }
}
