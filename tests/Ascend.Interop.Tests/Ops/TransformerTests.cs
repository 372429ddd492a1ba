namespace Ascend.Interop.Tests;

/// <summary>
/// Ops.BatchMatMul, Ops.RotaryPositionEmbedding, Ops.InplaceIndexCopy / Ops.IndexCopy and Ops.IncreFlashAttention:
/// values against double references written here, argument errors, and capture/replay, including attention's
/// host-side actual sequence lengths being fixed at capture time until a task-group update.
/// </summary>
[Collection("Npu")]
public sealed class TransformerTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static double[] Values(int n, double a, double b) =>
        Enumerable.Range(0, n).Select(i => Math.Round(Math.Sin(a * i + b) * 1024) / 1024).ToArray();

    private static void Near(double[] expected, double[] actual, double relative, double absolute)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + relative * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }

    // ---- BatchMatMul ----------------------------------------------------------------------

    [Fact]
    public void BatchMatMul_broadcasts_a_batch_of_one_into_a_given_output()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, [1, 2, 3]);
        using var b = NpuTensor.FromArray(stream, new float[] { 1, 0, 0, 1, 1, 1, 2, 0, 0, 2, -1, -1 }, [2, 3, 2]);
        using var c = NpuTensor.Empty(stream, new TensorShape(2, 2, 2), NpuDataType.Float32);
        Ops.BatchMatMul(stream, a, b, c);
        Assert.Equal([4f, 5, 10, 11, -1, 1, 2, 4], c.ToArray<float>(stream));

        using var inferred = Ops.BatchMatMul(stream, a, b);
        Assert.Equal(new TensorShape(2, 2, 2), inferred.Shape);
        Assert.Equal(c.ToArray<float>(stream), inferred.ToArray<float>(stream));
    }

    [Fact]
    public void BatchMatMul_rejects_bad_arguments_naming_them()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.Zeros(stream, new TensorShape(2, 3, 4), NpuDataType.Float32);
        using var b = NpuTensor.Zeros(stream, new TensorShape(2, 4, 5), NpuDataType.Float32);
        using var flat = NpuTensor.Zeros(stream, new TensorShape(3, 4), NpuDataType.Float32);
        using var wrongK = NpuTensor.Zeros(stream, new TensorShape(2, 3, 5), NpuDataType.Float32);
        using var batch3 = NpuTensor.Zeros(stream, new TensorShape(3, 4, 5), NpuDataType.Float32);
        using var ints = NpuTensor.Zeros(stream, new TensorShape(2, 3, 4), NpuDataType.Int32);
        using var badOut = NpuTensor.Zeros(stream, new TensorShape(2, 5, 3), NpuDataType.Float32);

        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(stream, flat, b)).ParamName);
        Assert.Equal("mat2", Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(stream, a, wrongK)).ParamName);
        var batch = Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(stream, a, batch3));
        Assert.Contains("neither is 1", batch.Message);
        Assert.Equal("self", Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(stream, ints, b)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(stream, a, b, badOut)).ParamName);
        Assert.Equal("mat2", Assert.Throws<ArgumentNullException>(() => Ops.BatchMatMul(stream, a, null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.BatchMatMul(stream, a, b, (CubeMathType)9));
    }

    [Fact]
    public void BatchMatMul_captured_replay_equals_eager_bit_for_bit()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(2 * 3 * 7, 0.7, 0.1).Select(v => (float)v).ToArray(), [2, 3, 7]);
        using var storage = NpuTensor.FromArray(stream, Values(2 * 5 * 7, 0.3, 0.9).Select(v => (float)v).ToArray(), [2, 5, 7]);
        using var b = storage.Transpose(1, 2);                // [2, 7, 5] view
        using var eager = Ops.BatchMatMul(stream, a, b);
        using var replayed = NpuTensor.Empty(stream, new TensorShape(2, 3, 5), NpuDataType.Float32);
        using (var graph = stream.BeginCapture())
        {
            Ops.BatchMatMul(stream, a, b, replayed);
            graph.EndCapture();
            graph.Replay();
        }
        Assert.Equal(eager.ToArray<float>(stream), replayed.ToArray<float>(stream));
    }

    // ---- RotaryPositionEmbedding ----------------------------------------------------------

    /// <summary>Rotary reference over rows of D: cosAt/sinAt give the broadcast cos/sin element of (row, i).</summary>
    private static double[] Rope(double[] x, int d, RotaryMode mode, Func<int, int, double> cosAt, Func<int, int, double> sinAt)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
            for (int i = 0; i < d; i++)
            {
                double v = x[r * d + i];
                double rot = mode == RotaryMode.Half
                    ? (i < d / 2 ? -x[r * d + i + d / 2] : x[r * d + i - d / 2])
                    : (i % 2 == 0 ? -x[r * d + i + 1] : x[r * d + i - 1]);
                y[r * d + i] = v * cosAt(r, i) + rot * sinAt(r, i);
            }
        return y;
    }

    [Theory]
    [InlineData(RotaryMode.Half, NpuDataType.Float32)]
    [InlineData(RotaryMode.Interleave, NpuDataType.Float32)]
    [InlineData(RotaryMode.Half, NpuDataType.Float16)]
    [InlineData(RotaryMode.Interleave, NpuDataType.BFloat16)]
    public void RotaryPositionEmbedding_matches_a_double_reference(RotaryMode mode, NpuDataType type)
    {
        const int B = 2, S = 3, N = 2, D = 8;
        using var stream = Device.CreateStream();
        double[] x = Values(B * S * N * D, 0.37, 0.2).Select(v => TensorValues.Round(type, v * 2)).ToArray();
        double[] cos = new double[S * D], sin = new double[S * D];
        for (int s = 0; s < S; s++)
            for (int i = 0; i < D; i++)
            {
                double theta = s / Math.Pow(10000, 2.0 * (mode == RotaryMode.Half ? i % (D / 2) : i / 2) / D);
                cos[s * D + i] = TensorValues.Round(type, Math.Cos(theta));
                sin[s * D + i] = TensorValues.Round(type, Math.Sin(theta));
            }
        using var tx = TensorValues.Upload(stream, type, x, new TensorShape(B, S, N, D));
        using var tc = TensorValues.Upload(stream, type, cos, new TensorShape(1, S, 1, D));
        using var ts = TensorValues.Upload(stream, type, sin, new TensorShape(1, S, 1, D));
        using var y = Ops.RotaryPositionEmbedding(stream, tx, tc, ts, mode);
        Assert.Equal(tx.Shape, y.Shape);
        double[] expected = Rope(x, D, mode, (r, i) => cos[(r / N % S) * D + i], (r, i) => sin[(r / N % S) * D + i]);
        // One rounding into the output type (half-ulp: float32 2^-24, float16 2^-11, bfloat16 2^-8), doubled.
        double rel = type switch { NpuDataType.Float32 => 1e-6, NpuDataType.Float16 => 1.0 / 1024, _ => 1.0 / 128 };
        Near(expected, TensorValues.Download(y, stream), rel, 1e-6);
    }

    [Fact]
    public void RotaryPositionEmbedding_rejects_bad_arguments_naming_them()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.Zeros(stream, new TensorShape(1, 2, 2, 4), NpuDataType.Float32);
        using var cos = NpuTensor.Zeros(stream, new TensorShape(1, 2, 1, 4), NpuDataType.Float32);
        using var wide = NpuTensor.Zeros(stream, new TensorShape(1, 3, 1, 4), NpuDataType.Float32);
        using var half = NpuTensor.Zeros(stream, new TensorShape(1, 2, 1, 4), NpuDataType.Float16);
        using var flat = NpuTensor.Zeros(stream, new TensorShape(2, 4), NpuDataType.Float32);
        Assert.Equal("cos", Assert.Throws<ArgumentException>(() => Ops.RotaryPositionEmbedding(stream, x, wide, wide)).ParamName);
        Assert.Equal("sin", Assert.Throws<ArgumentException>(() => Ops.RotaryPositionEmbedding(stream, x, cos, wide)).ParamName);
        Assert.Equal("cos", Assert.Throws<ArgumentException>(() => Ops.RotaryPositionEmbedding(stream, x, half, half)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Ops.RotaryPositionEmbedding(stream, flat, flat, flat)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.RotaryPositionEmbedding(stream, x, cos, cos, (RotaryMode)7)).ParamName);
        // Quarter mode exists in CANN's API but Atlas A2/A3 (and the simulator) refuse it in phase 1.
        var refused = Assert.Throws<AclException>(() => Ops.RotaryPositionEmbedding(stream, x, cos, cos, RotaryMode.Quarter));
        Assert.Equal(161002, refused.Code);
        Assert.Contains("aclnnRotaryPositionEmbeddingGetWorkspaceSize", refused.Message);
    }

    // ---- InplaceIndexCopy / IndexCopy -----------------------------------------------------

    [Fact]
    public void InplaceIndexCopy_writes_rows_of_a_kv_cache_at_device_positions()
    {
        using var stream = Device.CreateStream();
        using var cache = NpuTensor.Zeros(stream, new TensorShape(1, 4, 3), NpuDataType.Float32);
        using var positions = NpuTensor.FromArray(stream, new long[] { 2, 0 });
        using var rows = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, [1, 2, 3]);
        Ops.InplaceIndexCopy(stream, cache, 1, positions, rows);
        Assert.Equal([4f, 5, 6, 0, 0, 0, 1, 2, 3, 0, 0, 0], cache.ToArray<float>(stream));

        using var index32 = NpuTensor.FromArray(stream, new[] { 3 });
        using var row = NpuTensor.FromArray(stream, new float[] { 7, 8, 9 }, [1, 1, 3]);
        using var copy = Ops.IndexCopy(stream, cache, -2, index32, row);
        Assert.Equal([4f, 5, 6, 0, 0, 0, 1, 2, 3, 7, 8, 9], copy.ToArray<float>(stream));
        Assert.Equal([4f, 5, 6, 0, 0, 0, 1, 2, 3, 0, 0, 0], cache.ToArray<float>(stream));  // self untouched
    }

    [Fact]
    public void InplaceIndexCopy_captured_writes_where_the_device_position_points_at_each_replay()
    {
        using var stream = Device.CreateStream();
        using var cache = NpuTensor.Zeros(stream, new TensorShape(4, 2), NpuDataType.Float32);
        using var position = NpuTensor.Zeros(stream, new TensorShape(1), NpuDataType.Int64);
        using var row = NpuTensor.Zeros(stream, new TensorShape(1, 2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.InplaceIndexCopy(stream, cache, 0, position, row);
        graph.EndCapture();
        for (int step = 0; step < 4; step++)
        {
            position.CopyFrom<long>(stream, [step]);
            row.CopyFrom<float>(stream, [10 * step + 1, 10 * step + 2]);
            graph.Replay();
        }
        Assert.Equal([1f, 2, 11, 12, 21, 22, 31, 32], cache.ToArray<float>(stream));
    }

    [Fact]
    public void InplaceIndexCopy_rejects_bad_arguments_naming_them()
    {
        using var stream = Device.CreateStream();
        using var cache = NpuTensor.Zeros(stream, new TensorShape(4, 3), NpuDataType.Float32);
        using var index = NpuTensor.FromArray(stream, new long[] { 1, 2 });
        using var floatIndex = NpuTensor.Zeros(stream, new TensorShape(2), NpuDataType.Float32);
        using var rows = NpuTensor.Zeros(stream, new TensorShape(2, 3), NpuDataType.Float32);
        using var wrong = NpuTensor.Zeros(stream, new TensorShape(2, 4), NpuDataType.Float32);
        using var halfRows = NpuTensor.Zeros(stream, new TensorShape(2, 3), NpuDataType.Float16);
        Assert.Equal("index", Assert.Throws<ArgumentException>(() => Ops.InplaceIndexCopy(stream, cache, 0, floatIndex, rows)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => Ops.InplaceIndexCopy(stream, cache, 0, index, wrong)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => Ops.InplaceIndexCopy(stream, cache, 0, index, halfRows)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.InplaceIndexCopy(stream, cache, 2, index, rows)).ParamName);
        Assert.Equal("selfRef", Assert.Throws<ArgumentNullException>(() => Ops.InplaceIndexCopy(stream, null!, 0, index, rows)).ParamName);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void InplaceIndexCopy_out_of_range_position_fails_the_stream_and_writes_nothing()
    {
        using var stream = Device.CreateStream();
        using var cache = NpuTensor.FromArray(stream, new float[] { 5, 5, 5, 5 }, [2, 2]);
        using var index = NpuTensor.FromArray(stream, new long[] { 2 });
        using var row = NpuTensor.FromArray(stream, new float[] { 1, 1 }, [1, 2]);
        Ops.InplaceIndexCopy(stream, cache, 0, index, row);
        var failure = Assert.Throws<AclException>(() => stream.Synchronize());
        Assert.Equal(507015, failure.Code);  // ACL_ERROR_RT_AICORE_EXCEPTION, as a kernel fault on the device
        Assert.Contains("index[0] = 2 is out of range", failure.Message);
        Assert.Equal([5f, 5, 5, 5], cache.ToArray<float>(stream));
    }

    // ---- IncreFlashAttention --------------------------------------------------------------

    /// <summary>Attention in double: q [B, H, D], k/v logical [B, S, KV, D], per-batch lengths.</summary>
    private static double[] Attention(double[] q, double[] k, double[] v, int b, int h, int kv, int d, int s, long[] lengths, double scale)
    {
        var output = new double[b * h * d];
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
            {
                int g = hi / (h / kv);
                var scores = new double[lengths[bi]];
                for (int p = 0; p < lengths[bi]; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += q[(bi * h + hi) * d + i] * k[((bi * s + p) * kv + g) * d + i];
                    scores[p] = dot * scale;
                }
                if (scores.Length == 0) continue;
                double max = scores.Max(), sum = 0;
                for (int p = 0; p < scores.Length; p++) sum += scores[p] = Math.Exp(scores[p] - max);
                for (int p = 0; p < scores.Length; p++)
                    for (int i = 0; i < d; i++) output[(bi * h + hi) * d + i] += scores[p] / sum * v[((bi * s + p) * kv + g) * d + i];
            }
        return output;
    }

    [Theory]
    [InlineData(NpuDataType.Float16)]
    [InlineData(NpuDataType.BFloat16)]
    public void IncreFlashAttention_bsh_with_gqa_and_per_batch_lengths_matches_a_double_reference(NpuDataType type)
    {
        const int B = 2, H = 4, KV = 2, D = 8, S = 6;
        using var stream = Device.CreateStream();
        double[] q = Values(B * H * D, 1.3, 0.2).Select(x => TensorValues.Round(type, x)).ToArray();
        double[] k = Values(B * S * KV * D, 0.71, 1.0).Select(x => TensorValues.Round(type, 1.5 * x)).ToArray();
        double[] v = Values(B * S * KV * D, 0.37, -1.0).Select(x => TensorValues.Round(type, 2 * x)).ToArray();
        using var tq = TensorValues.Upload(stream, type, q, new TensorShape(B, 1, H * D));
        using var tk = TensorValues.Upload(stream, type, k, new TensorShape(B, S, KV * D));
        using var tv = TensorValues.Upload(stream, type, v, new TensorShape(B, S, KV * D));
        var options = new IncreFlashAttentionOptions(H, D) { NumKeyValueHeads = KV };
        long[] lengths = [4, 6];
        using var output = Ops.IncreFlashAttention(stream, tq, [tk], [tv], null, lengths, options);
        Assert.Equal(tq.Shape, output.Shape);
        Assert.Equal(type, output.DataType);
        double rel = type == NpuDataType.Float16 ? 1.0 / 1024 : 1.0 / 128;  // one output rounding, doubled
        Near(Attention(q, k, v, B, H, KV, D, S, lengths, 1 / Math.Sqrt(D)), TensorValues.Download(output, stream), rel, 1e-5);
    }

    [Fact]
    public void IncreFlashAttention_masks_positions_and_bnsd_per_batch_lists_work()
    {
        const int H = 2, D = 4, S = 3;
        using var stream = Device.CreateStream();
        double[] q = Values(2 * H * D, 0.9, 0.3).Select(x => TensorValues.Round(NpuDataType.Float16, x)).ToArray();
        double[] k = Values(2 * S * H * D, 0.5, 0.1).Select(x => TensorValues.Round(NpuDataType.Float16, x)).ToArray();
        double[] v = Values(2 * S * H * D, 0.8, 0.7).Select(x => TensorValues.Round(NpuDataType.Float16, x)).ToArray();
        double[] Bnsd(double[] x, int b) // logical [B, S, H, D] -> batch b as [1, H, S, D]
        {
            var r = new double[H * S * D];
            for (int s = 0; s < S; s++)
                for (int h = 0; h < H; h++)
                    for (int i = 0; i < D; i++) r[(h * S + s) * D + i] = x[((b * S + s) * H + h) * D + i];
            return r;
        }
        using var tq = TensorValues.Upload(stream, NpuDataType.Float16, q, new TensorShape(2, H, 1, D));
        using var k0 = TensorValues.Upload(stream, NpuDataType.Float16, Bnsd(k, 0), new TensorShape(1, H, S, D));
        using var k1 = TensorValues.Upload(stream, NpuDataType.Float16, Bnsd(k, 1), new TensorShape(1, H, S, D));
        using var v0 = TensorValues.Upload(stream, NpuDataType.Float16, Bnsd(v, 0), new TensorShape(1, H, S, D));
        using var v1 = TensorValues.Upload(stream, NpuDataType.Float16, Bnsd(v, 1), new TensorShape(1, H, S, D));
        // Masking position 0 of batch 0 and position 2 of batch 1 equals attending over what remains.
        using var mask = NpuTensor.FromArray(stream, new byte[] { 1, 0, 0, 0, 0, 1 }, [2, 1, 1, S]);
        var options = new IncreFlashAttentionOptions(H, D) { Layout = AttentionLayout.Bnsd };
        using var output = Ops.IncreFlashAttention(stream, tq, [k0, k1], [v0, v1], mask, default, options);
        double[] got = TensorValues.Download(output, stream);
        double scale = 1 / Math.Sqrt(D);
        // batch 0 over positions {1, 2}: shift its cache by one position; batch 1 over {0, 1}: length 2.
        double[] k0s = k[(1 * H * D)..(S * H * D)], v0s = v[(1 * H * D)..(S * H * D)];
        double[] e0 = Attention(q[..(H * D)], k0s, v0s, 1, H, H, D, S - 1, [2], scale);
        double[] e1 = Attention(q[(H * D)..], k[(S * H * D)..], v[(S * H * D)..], 1, H, H, D, S, [2], scale);
        Near([.. e0, .. e1], got, 1.0 / 1024, 1e-5);
    }

    [Fact]
    public void IncreFlashAttention_rejects_bad_arguments_naming_them()
    {
        using var stream = Device.CreateStream();
        using var q = NpuTensor.Zeros(stream, new TensorShape(1, 1, 8), NpuDataType.Float16);
        using var q32 = NpuTensor.Zeros(stream, new TensorShape(1, 1, 8), NpuDataType.Float32);
        using var k = NpuTensor.Zeros(stream, new TensorShape(1, 4, 8), NpuDataType.Float16);
        using var kShort = NpuTensor.Zeros(stream, new TensorShape(1, 4, 4), NpuDataType.Float16);
        using var floatMask = NpuTensor.Zeros(stream, new TensorShape(1, 4), NpuDataType.Float16);
        var options = new IncreFlashAttentionOptions(2, 4);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q32, [k], [k], null, [4], options)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [kShort], [kShort], null, [4], options)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [k], [k, k], null, [4], options)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [], [], null, [4], options)).ParamName);
        Assert.Equal("attenMask", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], floatMask, [4], options)).ParamName);
        Assert.Equal("actualSeqLengths", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [5], options)).ParamName);
        Assert.Equal("actualSeqLengths", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4, 4], options)).ParamName);
        Assert.Equal("numHeads", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { NumHeads = 0 })).ParamName);
        Assert.Equal("numKeyValueHeads", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { NumKeyValueHeads = 3 })).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { NumHeads = 3 })).ParamName);
        Assert.Equal("scaleValue", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { ScaleValue = double.NaN })).ParamName);
        Assert.Equal("innerPrecise", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { InnerPrecise = 2 })).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => Ops.IncreFlashAttention(stream, q, [k], [k], null, [4], options with { Layout = AttentionLayout.Bnsd })).ParamName);
    }

    /// <summary>
    /// Issue 14 item 3: the actual sequence lengths are host values copied when the launch is recorded. (a) A replay
    /// without update attends over the capture-time length although the caller now has a longer sequence: its output
    /// differs from an eager launch with the new length. (b) After a task-group update with the new length, the replay
    /// equals that eager launch bit for bit.
    /// </summary>
    [Fact]
    public void IncreFlashAttention_replay_keeps_capture_time_lengths_until_a_task_group_update()
    {
        const int H = 2, D = 4, S = 8;
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var q = TensorValues.Upload(stream, NpuDataType.Float16, Values(H * D, 1.1, 0.4), new TensorShape(1, 1, H * D));
        using var k = TensorValues.Upload(stream, NpuDataType.Float16, Values(S * H * D, 0.61, 0.2), new TensorShape(1, S, H * D));
        using var v = TensorValues.Upload(stream, NpuDataType.Float16, Values(S * H * D, 0.23, 1.7), new TensorShape(1, S, H * D));
        var options = new IncreFlashAttentionOptions(H, D);
        using var eager3 = Ops.IncreFlashAttention(stream, q, [k], [v], null, [3], options);
        using var eager6 = Ops.IncreFlashAttention(stream, q, [k], [v], null, [6], options);
        Half[] expected3 = eager3.ToArray<Half>(stream), expected6 = eager6.ToArray<Half>(stream);
        Assert.NotEqual(expected3, expected6);

        using var output = NpuTensor.Empty(stream, q.Shape, NpuDataType.Float16);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup("attention"))
        {
            Ops.IncreFlashAttention(stream, q, [k], [v], null, [3], options, output);
            group = scope.Group;
        }
        graph.EndCapture();

        // (a) The decoder has moved on to length 6, but the graph still attends over 3 positions.
        graph.Replay();
        Half[] replayed = output.ToArray<Half>(stream);
        Assert.Equal(expected3, replayed);
        Assert.NotEqual(expected6, replayed);

        // (b) Re-issuing the launch with the new lengths in the task group updates the graph.
        graph.Update(updater, group, s => Ops.IncreFlashAttention(s, q, [k], [v], null, [6], options, output));
        for (int i = 0; i < 2; i++)
        {
            graph.Replay();
            Assert.Equal(expected6, output.ToArray<Half>(stream));
        }
        updater.Synchronize();
    }
}
