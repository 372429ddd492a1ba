using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// Ops.Invoke: any two-phase operator by its C name from raw bindings — the project's own (AclnnOps) and the
/// synthetic CANN header set bound through the generator's --cann-include path (SyntheticCannOps).
/// </summary>
[Collection("Npu")]
public sealed class OpsInvokeTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Values(int n, float scale, float start) => Enumerable.Range(0, n).Select(i => start + i * scale).ToArray();

    [Fact]
    public void Invoke_of_the_projects_own_operators_equals_the_declared_ones()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(6, 0.37f, -1), [2, 3]);
        using var b = NpuTensor.FromArray(stream, Values(3, 1.1f, 0.5f), [3]);

        using var declared = Ops.Add(stream, a, b, alpha: 2);
        using var invoked = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);
        Ops.Invoke(stream, "aclnnAdd", a, b, 2f, invoked);
        Assert.Equal(declared.ToArray<float>(), invoked.ToArray<float>());

        using var gamma = NpuTensor.FromArray(stream, new[] { 0.5f, 1, 2 });
        var (y, rstd) = Ops.RmsNorm(stream, a, gamma, 1e-5);
        using (y)
        using (rstd)
        {
            using var y2 = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);
            using var rstd2 = NpuTensor.Empty(stream, [2, 1], NpuDataType.Float32);
            Ops.Invoke(stream, "aclnnRmsNorm", a, gamma, 1e-5, y2, rstd2);      // two outputs, a double, a workspace
            Assert.Equal(y.ToArray<float>(), y2.ToArray<float>());
            Assert.Equal(rstd.ToArray<float>(), rstd2.ToArray<float>());
        }

        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2, 3 });
        using var doubled = NpuTensor.Empty(stream, [3], NpuDataType.Float32);
        Ops.Invoke(stream, "aclnnCast", ints, NpuDataType.Float32, doubled);    // an enum parameter
        Assert.Equal(new[] { 1f, 2, 3 }, doubled.ToArray<float>());
    }

    [Fact]
    public void Invoke_is_captured_and_replayed_like_a_declared_operator()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Values(8, 0.25f, -1), [2, 4]);
        using var eager = Ops.Softmax(stream, x, -1);
        using var output = NpuTensor.Empty(stream, [2, 4], NpuDataType.Float32);

        using var graph = NpuGraph.Capture(stream, s => Ops.Invoke(s, "aclnnSoftmax", x, -1L, output), warmup: 0);
        Assert.Equal("aclnnSoftmax", Assert.Single(graph.Operations).Name);
        graph.Replay();
        Assert.Equal(eager.ToArray<float>(), output.ToArray<float>());

        // The graph record tells reads from writes, also where CANN's header marks an output const (yOut, rstdOut).
        using var gamma = NpuTensor.FromArray(stream, new[] { 1f, 1, 1, 1 });
        using var y = NpuTensor.Empty(stream, [2, 4], NpuDataType.Float32);
        using var rstd = NpuTensor.Empty(stream, [2, 1], NpuDataType.Float32);
        using var norm = NpuGraph.Capture(stream, s => Ops.Invoke(s, "aclnnRmsNorm", x, gamma, 1e-6, y, rstd), warmup: 0);
        var operation = Assert.Single(norm.Operations);
        Assert.Equal(2, operation.Inputs.Count);
        Assert.Equal(new[] { y.DataPointer, rstd.DataPointer }, operation.Outputs.Select(o => o.Address));
    }

    [Fact]
    public void Arguments_are_checked_and_runtime_refusals_name_the_C_function()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Values(6, 1, 0), [2, 3]);
        using var b = NpuTensor.FromArray(stream, Values(4, 1, 0), [4]);
        using var output = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);

        var arity = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnAdd", a, b, output));
        Assert.Contains("Ops.Invoke(aclnnAdd): 3 arguments given, the C function takes 4", arity.Message);
        var type = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnAdd", a, "b", 1.0, output));
        Assert.Equal("other", type.ParamName);
        Assert.Contains("needs an NpuTensor", type.Message);
        Assert.Throws<ArgumentNullException>(() => Ops.Invoke(null!, "aclnnAdd", a, b, 1.0, output));
        var unknown = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnNoSuchOperator", a));
        Assert.Contains("--cann-include", unknown.Message);

        var refused = Assert.Throws<AclException>(() => Ops.Invoke(stream, "aclnnAdd", a, b, 1f, output));  // [2,3] + [4]
        Assert.Equal("aclnnAddGetWorkspaceSize", refused.Function);
        Assert.Contains("Ops.Invoke(aclnnAdd)", refused.Message);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Operators_of_a_CANN_header_set_the_simulator_lacks_fail_as_not_simulated()
    {
        using var stream = Device.CreateStream();
        using var q = NpuTensor.FromArray(stream, Values(8, 1, 0), [1, 1, 8]);
        using var k = NpuTensor.FromArray(stream, Values(32, 1, 0), [1, 4, 8]);
        using var output = NpuTensor.Empty(stream, [1, 1, 8], NpuDataType.Float32);
        ulong executors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);

        var scale = Assert.Throws<NotSupportedException>(() =>
            Ops.Invoke(stream, typeof(SyntheticCannOps), "aclnnFakeScale", q, 2.0, new long[] { 0 }, true, output));
        Assert.Contains("aclnnFakeScale is not simulated", scale.Message);

        var attention = Assert.Throws<NotSupportedException>(() =>
            Ops.Invoke(stream, typeof(SyntheticCannOps), "aclnnFakeAttention", q, new[] { k }, new[] { k }, null, new[] { 4 }, 0.5, 1L, "BSH", NpuDataType.Float32, output));
        Assert.Contains("aclnnFakeAttention is not simulated", attention.Message);
        Assert.Equal(executors, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));

        // Managed checks still come first: a list of the wrong type names its parameter.
        var list = Assert.Throws<ArgumentException>(() =>
            Ops.Invoke(stream, typeof(SyntheticCannOps), "aclnnFakeAttention", q, k, new[] { k }, null, new[] { 4 }, 0.5, 1L, "BSH", NpuDataType.Float32, output));
        Assert.Equal("key", list.ParamName);

        // By name, once the class is registered.
        Ops.RegisterOperatorBindings(typeof(SyntheticCannOps));
        Assert.Throws<NotSupportedException>(() => Ops.Invoke(stream, "aclnnFakeScale", q, 2.0, new long[] { 0 }, true, output));
    }

    // #24 item 1: Ops.Invoke refuses the outputs the declared operators refuse, naming the C parameter.

    [Fact]
    public void Invoke_refuses_a_broadcast_or_self_overlapping_output_naming_the_parameter()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, new TensorShape(2, 3));
        using var row = NpuTensor.FromArray(stream, new float[] { 7, 8, 9 }, new TensorShape(1, 3));
        using var broadcast = row.Expand(new TensorShape(2, 3));
        var error = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnAdd", a, a, 1f, broadcast));
        Assert.Equal("out", error.ParamName);
        Assert.StartsWith("Ops.Invoke(aclnnAdd): argument 'out' is a broadcast view (shape [2, 3], strides [0, 1])", error.Message);
        Assert.Equal([7f, 8, 9], row.ToArray<float>(stream));

        using var buffer = DeviceBuffer.Allocate(Device, 64);
        buffer.Fill(0);
        using var overlapping = NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [1, 1]);
        using var b = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        error = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnMul", b, b, overlapping));
        Assert.Equal("out", error.ParamName);
        Assert.Contains("argument 'out' (shape [2, 2], strides [1, 1]) overlaps itself", error.Message);
        Assert.All(buffer.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Invoke_refuses_an_output_overlapping_an_input_it_must_not_alias()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5 });
        using var head = t.Slice(0, 0, 4);
        using var tail = t.Slice(0, 1, 4);
        var error = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnAdd", head, head, 1f, tail));
        Assert.Equal("out", error.ParamName);
        Assert.Contains("output 'out' (NpuTensor(Float32[4] offset 1, device 0)) overlaps input 'self'", error.Message);
        Assert.Equal([1f, 2, 3, 4, 5], t.ToArray<float>(stream));
        // The very same view is in place, which an element-wise operator allows.
        Ops.Invoke(stream, "aclnnAdd", head, head, 1f, head);
        Assert.Equal([2f, 4, 6, 8, 5], t.ToArray<float>(stream));

        // A matrix product reads its operands while it writes: never into one of them.
        using var m = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        error = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnMatmul", m, m, m, 0));
        Assert.Equal("out", error.ParamName);
        Assert.Contains("Ops.Invoke(aclnnMatmul) reads its inputs while it writes", error.Message);
        Assert.Equal([1f, 2, 3, 4], m.ToArray<float>(stream));

        // Two outputs of one call never share memory.
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, new TensorShape(2, 3));
        using var gamma = NpuTensor.FromArray(stream, new[] { 1f, 1, 1 });
        using var results = DeviceBuffer.Allocate(Device, 64);
        results.Fill(0);
        using var y = NpuTensor.FromBuffer(results, new TensorShape(2, 3), NpuDataType.Float32);
        using var rstd = NpuTensor.FromBuffer(results, new TensorShape(2, 1), NpuDataType.Float32, offset: 4);
        error = Assert.Throws<ArgumentException>(() => Ops.Invoke(stream, "aclnnRmsNorm", x, gamma, 1e-6, y, rstd));
        Assert.Equal("rstdOut", error.ParamName);
        Assert.Contains("outputs 'yOut' and 'rstdOut' share memory", error.Message);
        Assert.All(results.ToArray<float>(), v => Assert.Equal(0f, v));
    }
}
