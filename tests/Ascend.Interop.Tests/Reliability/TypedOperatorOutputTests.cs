using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 1 for the generated typed operators (<see cref="AclnnOperators"/>): the output rules of the declared
/// operators (LayoutArithmeticTests L3-L7) hold for them too. A broadcast or self-overlapping written tensor, two
/// written tensors sharing memory, or a written tensor overlapping part of a read one is an
/// <see cref="ArgumentException"/> naming the operation and the C parameter, before anything is queued; the very same
/// view read and written by an element-wise (or <c>Inplace*</c>) operator stays allowed. The base class checks that
/// no native object (descriptor, scalar, list, executor) or device byte is left behind.
/// </summary>
[Collection("Npu")]
public sealed class TypedOperatorOutputTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    /// <summary>The call throws <see cref="ArgumentException"/> with <paramref name="fragment"/> and ParamName <paramref name="argument"/>, and runs no task.</summary>
    private static void Refused(NpuStream stream, Action call, string fragment, string argument)
    {
        stream.Synchronize();
        ulong tasks = NpuFixture.OnSimulator ? Sim.Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) : 0;
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Contains(fragment, error.Message);
        Assert.Equal(argument, error.ParamName);
        stream.Synchronize();
        if (NpuFixture.OnSimulator) Assert.Equal(tasks, Sim.Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED));
    }

    [Fact]
    public void A_broadcast_output_of_a_typed_operator_is_refused_naming_the_argument()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, new TensorShape(2, 3));
        using var row = NpuTensor.FromArray(stream, new float[] { 7, 8, 9 }, new TensorShape(1, 3));
        using var broadcast = row.Expand(new TensorShape(2, 3));
        Refused(stream, () => AclnnOperators.Add(stream, a, a, 1f, broadcast),
            "AclnnOperators.Add: argument 'out' is a broadcast view (shape [2, 3], strides [0, 1]): dimension 0 of size 2 has stride 0", "out");
        // A tensor read and written in place (selfRef) is written too.
        Refused(stream, () => AclnnOperators.InplaceCopy(stream, broadcast, a), "AclnnOperators.InplaceCopy: argument 'selfRef' is a broadcast view", "selfRef");
        Assert.Equal([7f, 8, 9], row.ToArray<float>(stream));
        // A broadcast input is fine.
        using var sum = NpuTensor.Empty(stream, new TensorShape(2, 3), NpuDataType.Float32);
        AclnnOperators.Add(stream, a, broadcast, 1f, sum);
        Assert.Equal([8f, 10, 12, 11, 13, 15], sum.ToArray<float>(stream));
    }

    [Fact]
    public void A_self_overlapping_output_of_a_typed_operator_is_refused()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);
        buffer.Fill(0);
        // Strides [1, 1]: elements (0, 1) and (1, 0) are one place.
        using var overlapping = NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [1, 1]);
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        Refused(stream, () => AclnnOperators.Mul(stream, a, a, overlapping), "AclnnOperators.Mul: argument 'out' (shape [2, 2], strides [1, 1]) overlaps itself", "out");
        Assert.All(buffer.ToArray<float>(), v => Assert.Equal(0f, v));
        // Strides that interleave without meeting ([3, 2] over shape [2, 2]: elements 0, 2, 3, 5) are accepted.
        using var interleaved = NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [3, 2]);
        AclnnOperators.Mul(stream, a, a, interleaved);
        stream.Synchronize();
        var values = buffer.ToArray<float>();
        Assert.Equal([1f, 0, 4, 9, 0, 16], values[..6]);
        Assert.All(values[6..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_typed_operator_output_overlapping_an_input_or_another_output_is_refused()
    {
        using var stream = Device.CreateStream();
        // Five values and a canary of three after them, in one buffer.
        float[] initial = [1, 2, 3, 4, 5, -7, -7, -7];
        using var buffer = DeviceBuffer.Allocate(Device, initial.Length * sizeof(float));
        buffer.CopyFrom<float>(initial);
        using var t = NpuTensor.FromBuffer(buffer, new TensorShape(5), NpuDataType.Float32);
        using var head = t.Slice(0, 0, 4);
        using var tail = t.Slice(0, 1, 4);
        Refused(stream, () => AclnnOperators.Add(stream, head, head, 1f, tail),
            "AclnnOperators.Add: output 'out' (NpuTensor(Float32[4] offset 1, device 0)) overlaps input 'self'", "out");
        Refused(stream, () => AclnnOperators.InplaceCopy(stream, tail, head), "AclnnOperators.InplaceCopy: output 'selfRef' (NpuTensor(Float32[4] offset 1, device 0)) overlaps input 'src'", "selfRef");
        using var index = NpuTensor.FromArray(stream, new long[] { 0 });
        using var source = t.Slice(0, 1, 1);
        Refused(stream, () => AclnnOperators.InplaceIndexCopy(stream, head, 0, index, source), "AclnnOperators.InplaceIndexCopy: output 'selfRef'", "selfRef");

        // Not element-wise: even the very same view is refused (the kernel reads while it writes).
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        using var b = NpuTensor.FromArray(stream, new float[] { 1, 0, 0, 1 }, new TensorShape(2, 2));
        Refused(stream, () => AclnnOperators.Matmul(stream, a, b, a, 0),
            "AclnnOperators.Matmul: output 'out' (NpuTensor(Float32[2, 2], device 0)) overlaps input 'self' (NpuTensor(Float32[2, 2], device 0)); AclnnOperators.Matmul reads its inputs while it writes", "out");
        // A tensor-list element.
        using var flat = b.Reshape(4);
        using var whole = NpuTensor.FromBuffer(buffer, new TensorShape(8), NpuDataType.Float32);
        Refused(stream, () => AclnnOperators.Cat(stream, [head, flat], 0, whole), "AclnnOperators.Cat: output 'out' (NpuTensor(Float32[8], device 0)) overlaps input 'tensors'", "out");
        // Two outputs of one call.
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new TensorShape(2, 4));
        using var gamma = NpuTensor.FromArray(stream, new float[] { 1, 1, 1, 1 });
        using var y = NpuTensor.FromBuffer(buffer, new TensorShape(2, 4), NpuDataType.Float32);
        using var rstd = NpuTensor.FromBuffer(buffer, new TensorShape(2, 1), NpuDataType.Float32, offset: 6);
        Refused(stream, () => AclnnOperators.RmsNorm(stream, x, gamma, 1e-6, y, rstd), "AclnnOperators.RmsNorm: outputs 'yOut' and 'rstdOut' share memory", "rstdOut");

        // Nothing was written: the values and the canary after them.
        Assert.Equal(initial, buffer.ToArray<float>());
        Assert.Equal([1f, 2, 3, 4], a.ToArray<float>(stream));
    }

    [Fact]
    public void A_refused_output_during_capture_leaves_the_capture_intact()
    {
        // The rules are checked before anything reaches the stream: the capture goes on, as after a declared
        // operator's argument error (docs/graph-mode.md), and records only the calls that were accepted.
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var row = NpuTensor.FromArray(stream, new float[] { 5 }, new TensorShape(1));
        using var broadcast = row.Expand(new TensorShape(3));
        using var sum = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        var error = Assert.Throws<ArgumentException>(() => AclnnOperators.Add(stream, a, a, 1f, broadcast));
        Assert.Equal("out", error.ParamName);
        Assert.True(stream.IsCapturing);
        AclnnOperators.Add(stream, a, a, 1f, sum);
        graph.EndCapture();
        Assert.Equal(["aclnnAdd"], graph.Operations.Select(o => o.Name));
        Assert.Equal([sum.DataPointer], graph.Operations[0].Outputs.Select(o => o.Address));
        graph.ReplayAndWait(stream);
        Assert.Equal([2f, 4, 6], sum.ToArray<float>(stream));
        Assert.Equal([5f], row.ToArray<float>(stream));
    }

    [Fact]
    public void The_very_same_view_read_and_written_in_place_is_allowed()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5 });
        using var head = t.Slice(0, 0, 4);
        // An element-wise operator into one of its inputs.
        AclnnOperators.Add(stream, head, head, 1f, head);
        Assert.Equal([2f, 4, 6, 8, 5], t.ToArray<float>(stream));
        // aclnnInplace*: selfRef read and written, also as its own other operand.
        AclnnOperators.InplaceCopy(stream, head, head);
        Assert.Equal([2f, 4, 6, 8, 5], t.ToArray<float>(stream));
        using var flags = NpuTensor.FromArray(stream, new float[] { 3, 0, -1 });
        AclnnOperators.InplaceEqTensor(stream, flags, flags);
        Assert.Equal([1f, 1, 1], flags.ToArray<float>(stream));
        // selfRef and outRef, both read and written, the same view: in place.
        using var cache = NpuTensor.FromArray(stream, new float[] { 0, 0, 0, 0, 0, 0 }, new TensorShape(3, 2));
        using var index = NpuTensor.FromArray(stream, new long[] { 2 });
        using var row = NpuTensor.FromArray(stream, new float[] { 7, 8 }, new TensorShape(1, 2));
        AclnnOperators.IndexCopy(stream, cache, 0, index, row, cache);
        Assert.Equal([0f, 0, 0, 0, 7, 8], cache.ToArray<float>(stream));
    }
}
