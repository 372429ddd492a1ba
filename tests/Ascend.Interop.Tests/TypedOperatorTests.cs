using System.Reflection;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// The generated typed entry points (AclnnOperators for our headers, SyntheticCannOperators for the synthetic CANN set
/// bound like an installed CANN): the same values, graph records, errors and allocation as the declared operators.
/// </summary>
[Collection("Npu")]
public sealed class TypedOperatorTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Values(int n, float scale, float start) => Enumerable.Range(0, n).Select(i => start + i * scale).ToArray();

    private static int[] Bits(NpuTensor tensor) => tensor.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    private NpuTensor Empty(NpuStream stream, TensorShape shape, NpuDataType type = NpuDataType.Float32) => NpuTensor.Empty(stream, shape, type);

    [Fact]
    public void Typed_calls_equal_the_declared_operators_bit_for_bit()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(12, 0.37f, -2), [3, 4]);
        using var b = NpuTensor.FromArray(stream, Values(4, 1.1f, 0.5f), [4]);
        using var declared = Empty(stream, [3, 4]);
        using var typed = Empty(stream, [3, 4]);

        // A tensor-tensor operator with an aclScalar (Add's alpha is a float for float tensors, as the declaration makes it).
        Ops.Add(stream, a, b, declared, alpha: 0.75);
        AclnnOperators.Add(stream, a, b, 0.75f, typed);
        Assert.Equal(Bits(declared), Bits(typed));

        // Two scalars.
        Ops.Adds(stream, a, 1.25, declared, alpha: -3);
        AclnnOperators.Adds(stream, a, 1.25f, -3f, typed);
        Assert.Equal(Bits(declared), Bits(typed));

        // An int array, a bool and a data type.
        using var sumDeclared = Empty(stream, [4]);
        using var sumTyped = Empty(stream, [4]);
        Ops.ReduceSum(stream, a, [0], false, sumDeclared);
        AclnnOperators.ReduceSum(stream, a, [0], false, NpuDataType.Float32, sumTyped);
        Assert.Equal(Bits(sumDeclared), Bits(sumTyped));

        // A double, two outputs.
        using var gamma = NpuTensor.FromArray(stream, new[] { 0.5f, 1, 2, -1 });
        using var yDeclared = Empty(stream, [3, 4]);
        using var rstdDeclared = Empty(stream, [3, 1]);
        using var yTyped = Empty(stream, [3, 4]);
        using var rstdTyped = Empty(stream, [3, 1]);
        Ops.RmsNorm(stream, a, gamma, 1e-5, yDeclared, rstdDeclared);
        AclnnOperators.RmsNorm(stream, a, gamma, 1e-5, yTyped, rstdTyped);
        Assert.Equal(Bits(yDeclared), Bits(yTyped));
        Assert.Equal(Bits(rstdDeclared), Bits(rstdTyped));

        // An int array with an optional tensor left out (null) and optional outputs left out.
        Ops.LayerNorm(stream, a, [4], null, gamma, 1e-6, declared);
        AclnnOperators.LayerNorm(stream, a, [4], null, gamma, 1e-6, typed, null, null);
        Assert.Equal(Bits(declared), Bits(typed));

        // A tensor list and an int64 dimension.
        using var catDeclared = Empty(stream, [6, 4]);
        using var catTyped = Empty(stream, [6, 4]);
        Ops.Cat(stream, [a, yTyped], 0, catDeclared);
        AclnnOperators.Cat(stream, [a, yTyped], 0, catTyped);
        Assert.Equal(Bits(catDeclared), Bits(catTyped));

        // An int8 enum value (cubeMathType), a workspace.
        using var m = NpuTensor.FromArray(stream, Values(8, -0.3f, 1), [4, 2]);
        using var productDeclared = Empty(stream, [3, 2]);
        using var productTyped = Empty(stream, [3, 2]);
        Ops.MatMul(stream, a, m, productDeclared);
        AclnnOperators.Matmul(stream, a, m, productTyped, (sbyte)CubeMathType.KeepDtype);
        Assert.Equal(Bits(productDeclared), Bits(productTyped));

        // An aclDataType.
        using var halfDeclared = Empty(stream, [3, 4], NpuDataType.Float16);
        using var halfTyped = Empty(stream, [3, 4], NpuDataType.Float16);
        Ops.Cast(stream, a, halfDeclared);
        AclnnOperators.Cast(stream, a, NpuDataType.Float16, halfTyped);
        Assert.Equal(halfDeclared.ToArray<Half>().Select(BitConverter.HalfToInt16Bits), halfTyped.ToArray<Half>().Select(BitConverter.HalfToInt16Bits));
    }

    [Fact]
    public void A_typed_attention_call_with_lists_a_string_and_null_optionals_equals_the_declared_one()
    {
        const int H = 2, D = 8, S = 3;
        using var stream = Device.CreateStream();
        Half[] Halves(int n, float scale, float start) => Values(n, scale, start).Select(v => (Half)MathF.Sin(v)).ToArray();
        using var q = NpuTensor.FromArray(stream, Halves(2 * H * D, 0.9f, 0.3f), [2, H, 1, D]);
        using var k0 = NpuTensor.FromArray(stream, Halves(H * S * D, 0.5f, 0.1f), [1, H, S, D]);
        using var k1 = NpuTensor.FromArray(stream, Halves(H * S * D, 0.7f, 0.2f), [1, H, S, D]);
        using var v0 = NpuTensor.FromArray(stream, Halves(H * S * D, 0.8f, 0.7f), [1, H, S, D]);
        using var v1 = NpuTensor.FromArray(stream, Halves(H * S * D, 0.3f, 0.9f), [1, H, S, D]);
        using var mask = NpuTensor.FromArray(stream, new byte[] { 1, 0, 0, 0, 0, 1 }, [2, 1, 1, S]);
        var options = new IncreFlashAttentionOptions(H, D) { Layout = AttentionLayout.Bnsd };
        using var declared = Empty(stream, [2, H, 1, D], NpuDataType.Float16);
        using var typed = Empty(stream, [2, H, 1, D], NpuDataType.Float16);

        foreach (long[] lengths in new[] { Array.Empty<long>(), [2, 3] })
        {
            Ops.IncreFlashAttention(stream, q, [k0, k1], [v0, v1], mask, lengths, options, declared);
            // Every optional tensor the simulator leaves out passed as null, the layout as a char* string; actualSeqLengths
            // is optional by the header's @param comment (no Optional suffix): empty passes null, as the declaration does.
            AclnnOperators.IncreFlashAttentionV4(stream, q, [k0, k1], [v0, v1], null, mask, lengths, null, null, null, null, null, null, null,
                null, null, options.NumHeads, options.ScaleValue, "BNSD", options.NumKeyValueHeads, 0, options.InnerPrecise, typed);
            Assert.Equal(declared.ToArray<Half>().Select(BitConverter.HalfToInt16Bits), typed.ToArray<Half>().Select(BitConverter.HalfToInt16Bits));
        }

        // attentionOut is required by the header's comment: null is refused in managed code, naming it.
        Assert.Equal("attentionOut", Assert.Throws<ArgumentNullException>(() => AclnnOperators.IncreFlashAttentionV4(stream, q, [k0, k1], [v0, v1],
            null, mask, [], null, null, null, null, null, null, null, null, null, H, 0.5, "BNSD", H, 0, 0, null!)).ParamName);

        // A layout the runtime refuses is its to explain.
        var layout = Assert.Throws<AclException>(() => AclnnOperators.IncreFlashAttentionV4(stream, q, [k0, k1], [v0, v1], null, mask, [], null, null,
            null, null, null, null, null, null, null, H, 0.5, "NOPE", H, 0, 0, typed));
        Assert.Equal("aclnnIncreFlashAttentionV4GetWorkspaceSize", layout.Function);
    }

    [Fact]
    public void Typed_calls_are_captured_and_replayed_like_declared_ones()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Values(8, 0.25f, -1), [2, 4]);
        using var gamma = NpuTensor.FromArray(stream, new[] { 1f, 0.5f, 2, 1 });
        using var sumDeclared = Empty(stream, [2, 4]);
        using var sumTyped = Empty(stream, [2, 4]);
        using var yDeclared = Empty(stream, [2, 4]);
        using var yTyped = Empty(stream, [2, 4]);
        using var rstdDeclared = Empty(stream, [2, 1]);
        using var rstdTyped = Empty(stream, [2, 1]);
        using var reducedDeclared = Empty(stream, [2]);
        using var reducedTyped = Empty(stream, [2]);

        using var declared = NpuGraph.Capture(stream, s =>
        {
            Ops.Add(s, x, gamma, sumDeclared, alpha: 2);
            Ops.RmsNorm(s, sumDeclared, gamma, 1e-6, yDeclared, rstdDeclared);
            Ops.ReduceSum(s, yDeclared, [1], false, reducedDeclared);
        }, warmup: 0);
        using var typed = NpuGraph.Capture(stream, s =>
        {
            AclnnOperators.Add(s, x, gamma, 2f, sumTyped);
            AclnnOperators.RmsNorm(s, sumTyped, gamma, 1e-6, yTyped, rstdTyped);
            AclnnOperators.ReduceSum(s, yTyped, [1], false, NpuDataType.Float32, reducedTyped);
        }, warmup: 0);

        // The same record: names, and what each operation reads and writes (the typed one's own output tensors).
        Assert.Equal(declared.Operations.Select(o => o.Name), typed.Operations.Select(o => o.Name));
        Assert.Equal(["aclnnAdd", "aclnnRmsNorm", "aclnnReduceSum"], typed.Operations.Select(o => o.Name));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(declared.Operations[i].Inputs.Count, typed.Operations[i].Inputs.Count);
            Assert.Equal(declared.Operations[i].Outputs.Count, typed.Operations[i].Outputs.Count);
        }
        Assert.Equal([yTyped.DataPointer, rstdTyped.DataPointer], typed.Operations[1].Outputs.Select(o => o.Address));
        Assert.Equal([sumTyped.DataPointer, gamma.DataPointer], typed.Operations[1].Inputs.Select(o => o.Address));

        // Nothing ran at capture; a replay computes what the eager calls compute, again after the input changes.
        for (int round = 0; round < 2; round++)
        {
            x.CopyFrom(stream, (ReadOnlySpan<float>)Values(8, 0.5f + round, -3 + round));
            declared.Replay();
            typed.Replay();
            stream.Synchronize();
            Assert.Equal(Bits(reducedDeclared), Bits(reducedTyped));
            Assert.Equal(Bits(yDeclared), Bits(yTyped));
            Assert.Equal(Bits(rstdDeclared), Bits(rstdTyped));
        }
        using var eager = Empty(stream, [2]);
        AclnnOperators.Add(stream, x, gamma, 2f, sumTyped);
        AclnnOperators.RmsNorm(stream, sumTyped, gamma, 1e-6, yTyped, rstdTyped);
        AclnnOperators.ReduceSum(stream, yTyped, [1], false, NpuDataType.Float32, eager);
        Assert.Equal(Bits(eager), Bits(reducedTyped));
    }

    [Fact]
    public void A_task_group_update_reissues_typed_calls_and_refuses_another_operator()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new[] { 1f, 2, 3 });
        using var y = NpuTensor.FromArray(stream, new[] { 10f, 20, 30 });
        using var output = Empty(stream, [3]);
        using var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup("bias"))
        {
            AclnnOperators.Add(stream, x, y, 1f, output);
            group = scope.Group;
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([11f, 22, 33], output.ToArray<float>());

        graph.Update(updater, group, s => AclnnOperators.Add(s, x, y, 2f, output));
        graph.ReplayAndWait();
        Assert.Equal([21f, 42, 63], output.ToArray<float>());

        // Typed and declared calls are one kind of work: a declared Add re-issues the typed one...
        graph.Update(updater, group, s => Ops.Add(s, y, x, output, alpha: 3));
        graph.ReplayAndWait();
        Assert.Equal([13f, 26, 39], output.ToArray<float>());
        // ...and a typed Mul is refused like a declared one, the group unchanged.
        var wrongKind = Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s => AclnnOperators.Mul(s, x, y, output)));
        Assert.Equal(107033, wrongKind.Code);
        Assert.Contains("aclnnMul", wrongKind.Message);
        graph.ReplayAndWait();
        Assert.Equal([13f, 26, 39], output.ToArray<float>());
    }

    [Fact]
    public void Errors_are_the_declared_operators_explained_exceptions()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(6, 1, 0), [2, 3]);
        using var output = Empty(stream, [2, 3]);
        var live = LiveCounts.Read();

        // Null and disposed stream.
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => AclnnOperators.Add(null!, a, a, 1f, output)).ParamName);
        var closed = Device.CreateStream();
        closed.Dispose();
        Assert.Contains("AclnnOperators.Add: argument 'stream' has been disposed",
            Assert.Throws<ObjectDisposedException>(() => AclnnOperators.Add(closed, a, a, 1f, output)).Message);

        // A disposed tensor: the declared operator's exception and text, with the typed entry point's name.
        var gone = NpuTensor.FromArray(stream, Values(6, 1, 0), [2, 3]);
        gone.Dispose();
        var declaredGone = Assert.Throws<ObjectDisposedException>(() => Ops.Add(stream, a, gone, output));
        var typedGone = Assert.Throws<ObjectDisposedException>(() => AclnnOperators.Add(stream, a, gone, 1f, output));
        Assert.Equal(declaredGone.Message.Replace("Ops.Add", "AclnnOperators.Add"), typedGone.Message);
        Assert.Contains("AclnnOperators.Add: argument 'other' has been disposed", typedGone.Message);

        // A tensor of another device.
        using (var device1 = NpuDevice.Open(1))
        using (var stream1 = device1.CreateStream())
        using (var elsewhere = NpuTensor.FromArray(stream1, Values(6, 1, 0), [2, 3]))
        {
            var declaredDevice = Assert.Throws<ArgumentException>(() => Ops.Add(stream, a, a, elsewhere));
            var typedDevice = Assert.Throws<ArgumentException>(() => AclnnOperators.Add(stream, a, a, 1f, elsewhere));
            Assert.Equal("out", typedDevice.ParamName);
            Assert.Equal(declaredDevice.Message.Replace("Ops.Add", "AclnnOperators.Add").Replace("'output'", "'out'"), typedDevice.Message);
            stream1.Synchronize();
        }

        // A data type the runtime refuses (the declared Add checks it no further in managed code either): the same
        // AclException from phase 1, with the runtime's code and message.
        using var doubles = NpuTensor.FromArray(stream, new double[] { 1, 2, 3 });
        using var doublesOut = Empty(stream, [3], NpuDataType.Float64);
        var declaredType = Assert.Throws<AclException>(() => Ops.Add(stream, doubles, doubles, doublesOut));
        var typedType = Assert.Throws<AclException>(() => AclnnOperators.Add(stream, doubles, doubles, 1.0, doublesOut));
        Assert.Equal("aclnnAddGetWorkspaceSize", typedType.Function);
        Assert.Equal(declaredType.Function, typedType.Function);
        Assert.Equal(declaredType.Code, typedType.Code);
        Assert.Contains("AclnnOperators.Add", typedType.Message);

        // Shapes are the runtime's to refuse: [2, 3] + [4].
        using var four = NpuTensor.FromArray(stream, Values(4, 1, 0), [4]);
        var shape = Assert.Throws<AclException>(() => AclnnOperators.Add(stream, a, four, 1f, output));
        Assert.Equal("aclnnAddGetWorkspaceSize", shape.Function);

        // A null tensor is passed through for the runtime to judge (our headers do not say which are required).
        var missing = Assert.Throws<AclException>(() => AclnnOperators.Add(stream, a, null, 1f, output));
        Assert.Equal("aclnnAddGetWorkspaceSize", missing.Function);

        // Nothing left behind, and the stream still works.
        stream.Synchronize();
        Assert.Equal(live.AclnnObjects, LiveCounts.Read().AclnnObjects);
        Assert.Equal(live.Executors, LiveCounts.Read().Executors);
        AclnnOperators.Add(stream, a, a, 1f, output);
        Assert.Equal([0f, 2, 4, 6, 8, 10], output.ToArray<float>());
    }

    [Fact]
    public void A_refused_typed_call_fails_the_capture_like_a_declared_one()
    {
        using var stream = Device.CreateStream();
        using var doubles = NpuTensor.FromArray(stream, new double[] { 1, 2, 3 });
        using var output = Empty(stream, [3], NpuDataType.Float64);

        NpuCaptureException EndAfterRefusal(Action<NpuStream> refused)
        {
            using var graph = stream.BeginCapture();
            var failure = Assert.Throws<AclException>(() => refused(stream));
            var error = Assert.Throws<NpuCaptureException>(graph.EndCapture);
            Assert.Same(failure, error.InnerException);    // the capture is discarded, naming the failed call
            Assert.False(stream.IsCapturing);
            return error;
        }

        var declared = EndAfterRefusal(s => Ops.Add(s, doubles, doubles, output));
        var typed = EndAfterRefusal(s => AclnnOperators.Add(s, doubles, doubles, 1.0, output));
        Assert.Equal(declared.Code, typed.Code);
        Assert.Equal("aclnnAddGetWorkspaceSize", ((AclException)typed.InnerException!).Function);
        Assert.Contains("AclnnOperators.Add", typed.InnerException!.Message);
    }

    [Fact]
    public void Steady_state_typed_calls_allocate_no_managed_memory()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(64, 0.01f, 0), [8, 8]);
        using var b = NpuTensor.FromArray(stream, Values(8, 0.1f, 0), [8]);
        using var gamma = NpuTensor.FromArray(stream, Values(8, 0.1f, 1), [8]);
        using var sum = Empty(stream, [8, 8]);
        using var y = Empty(stream, [8, 8]);
        using var rstd = Empty(stream, [8, 1]);
        using var reduced = Empty(stream, [8]);
        using var cat = Empty(stream, [16, 8]);
        using var half = Empty(stream, [8, 8], NpuDataType.Float16);

        void Step()
        {
            AclnnOperators.Add(stream, a, b, 0.5f, sum);                                   // a scalar
            AclnnOperators.RmsNorm(stream, sum, gamma, 1e-6, y, rstd);                     // a double, two outputs
            AclnnOperators.ReduceSum(stream, y, [0], false, NpuDataType.Float32, reduced);  // an int array
            AclnnOperators.Cat(stream, [sum, y], 0, cat);                                 // a tensor list
            AclnnOperators.Softmax(stream, y, -1, sum);                                   // a workspace
            AclnnOperators.Cast(stream, sum, NpuDataType.Float16, half);                  // a data type
        }

        for (int i = 0; i < 5; i++) Step();
        stream.Synchronize();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stream.Synchronize();
        Assert.Equal(0, allocated);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Typed_operators_of_a_CANN_binding_the_simulator_lacks_fail_as_not_simulated()
    {
        using var stream = Device.CreateStream();
        using var q = NpuTensor.FromArray(stream, Values(8, 1, 0), [1, 1, 8]);
        using var k = NpuTensor.FromArray(stream, Values(32, 1, 0), [1, 4, 8]);
        using var output = Empty(stream, [1, 1, 8]);
        var live = LiveCounts.Read();

        var scale = Assert.Throws<NotSupportedException>(() => SyntheticCannOperators.FakeScale(stream, q, 2.0, [0], true, output));
        Assert.Contains("SyntheticCannOperators.FakeScale: aclnnFakeScale is not simulated", scale.Message);
        var attention = Assert.Throws<NotSupportedException>(() =>
            SyntheticCannOperators.FakeAttention(stream, q, [k], [k], null, [4], 0.5, 1, "BSH", NpuDataType.Float32, output));
        Assert.Contains("aclnnFakeAttention is not simulated", attention.Message);
        Assert.Equal(live.AclnnObjects, LiveCounts.Read().AclnnObjects);
        Assert.Equal(live.Executors, LiveCounts.Read().Executors);

        // The stream comes first.
        Assert.Throws<ArgumentNullException>(() => SyntheticCannOperators.FakeScale(null!, q, 2.0, [0], true, output));
    }

    [Fact]
    public void CANN_structures_map_to_typed_parameters()
    {
        static Type[] Parameters(string method) =>
            typeof(SyntheticCannOperators).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.GetParameters().Select(p => p.ParameterType).ToArray();

        // Tensor lists, an int array, a double, an int64, a string, a data type.
        Assert.Equal([typeof(NpuStream), typeof(NpuTensor), typeof(ReadOnlySpan<NpuTensor>), typeof(ReadOnlySpan<NpuTensor>), typeof(NpuTensor),
            typeof(ReadOnlySpan<long>), typeof(double), typeof(long), typeof(string), typeof(NpuDataType), typeof(NpuTensor)], Parameters("FakeAttention"));
        // An aclScalar and a C bool.
        Assert.Equal([typeof(NpuStream), typeof(NpuTensor), typeof(NpuScalar), typeof(ReadOnlySpan<long>), typeof(bool), typeof(NpuTensor)], Parameters("FakeScale"));
        // Enums an operator header declares stay nested in the raw class, colliding ones renamed.
        Assert.Equal(typeof(SyntheticCannOps.Reduction), Parameters("FakeLossEx")[3]);
        Assert.Equal(typeof(SyntheticCannOps.Reduction_fake_loss_legacy), Parameters("FakeLossLegacy")[2]);
        Assert.Equal(typeof(SyntheticCannOps.FakeActType), Parameters("FakeGroupedMatmulOld")[3]);

        // Left out, with the reason in the binding's summary: an aclScalarList, a raw pointer type, a reference
        // parameter, a phase 1 without a launch.
        foreach (string leftOut in new[] { "FakeGroupedMatmul", "FakeText", "FakeTextProbe", "InnerFake" })
            Assert.Null(typeof(SyntheticCannOperators).GetMethod(leftOut));
        Assert.Equal(9, typeof(SyntheticCannOperators).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Length);

        // Our headers: every phase 1 with its launch has its entry point, by its name without "aclnn", and nothing else.
        var phase1 = typeof(AclnnOps).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name.EndsWith("GetWorkspaceSize", StringComparison.Ordinal)).Select(m => m.Name[..^"GetWorkspaceSize".Length]).ToList();
        Assert.All(phase1, name => Assert.NotNull(typeof(AclnnOps).GetMethod(name)));
        Assert.Equal(phase1.Select(n => n["aclnn".Length..]).Order(StringComparer.Ordinal),
            typeof(AclnnOperators).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NpuScalar_keeps_the_type_it_was_made_in()
    {
        Assert.Equal(NpuDataType.Float64, ((NpuScalar)1.5).DataType);
        Assert.Equal(NpuDataType.Float32, ((NpuScalar)1.5f).DataType);
        Assert.Equal(NpuDataType.Float16, ((NpuScalar)(Half)1.5).DataType);
        Assert.Equal(NpuDataType.BFloat16, ((NpuScalar)(NpuBFloat16)1.5f).DataType);
        Assert.Equal(NpuDataType.Int64, ((NpuScalar)3L).DataType);
        Assert.Equal(NpuDataType.Int32, ((NpuScalar)3).DataType);
        Assert.Equal(NpuDataType.Bool, ((NpuScalar)true).DataType);
        Assert.False(default(NpuScalar).HasValue);
        Assert.Throws<InvalidOperationException>(() => default(NpuScalar).DataType);

        Assert.Equal((NpuScalar)(float)0.1, NpuScalar.Create(0.1, NpuDataType.Float32));
        Assert.Equal(-2.0, NpuScalar.Create(-2, NpuDataType.Int8).ToDouble());
        Assert.Equal(1.5, NpuScalar.Create(1.5, NpuDataType.BFloat16).ToDouble());
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuScalar.Create(2.5, NpuDataType.Int32));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuScalar.Create(300, NpuDataType.UInt8));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuScalar.Create(2, NpuDataType.Bool));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuScalar.Create(double.NaN, NpuDataType.Int64));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuScalar.Create(1, (NpuDataType)99));
        Assert.Equal("0.5 (Float32)", ((NpuScalar)0.5f).ToString());
    }

    [Fact]
    public void A_default_AclnnCall_explains_itself()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var call = default(AclnnCall);
            try { call.Submit(); }
            finally { call.Dispose(); }
        });
        Assert.Contains("new AclnnCall(stream, function)", error.Message);
    }
}
