using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>What a capture records about its operations, and how its refusals name the runtime call they stand for.</summary>
[Collection("Npu")]
public sealed class CaptureRecordTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Each_recorded_operation_names_the_stream_it_was_captured_on()
    {
        using var origin = Device.CreateStream();
        using var side = Device.CreateStream();
        using var fork = Device.CreateEvent(timing: false);
        using var join = Device.CreateEvent(timing: false);
        using var a = NpuTensor.FromArray(origin, new float[] { -1, 2 });
        using var b = NpuTensor.Empty(origin, new TensorShape(2), NpuDataType.Float32);
        using var c = NpuTensor.Empty(origin, new TensorShape(2), NpuDataType.Float32);

        using var graph = origin.BeginCapture();
        Ops.Relu(origin, a, b);
        fork.Record(origin);
        side.Wait(fork);
        Ops.Relu(side, b, c);
        join.Record(side);
        origin.Wait(join);
        graph.EndCapture();

        var relus = graph.Operations.Where(o => o.Name == "aclnnRelu").ToArray();
        Assert.Equal(2, relus.Length);
        Assert.Equal(origin.ToString(), relus[0].Stream);
        Assert.Equal(side.ToString(), relus[1].Stream);
        Assert.All(graph.Operations, o => Assert.NotEqual(string.Empty, o.Stream));
        graph.Replay();
        origin.Synchronize();
        Assert.Equal([0f, 2], c.ToArray<float>(origin));
    }

    [Fact]
    public void Refusals_on_a_capturing_stream_name_the_runtime_call_they_stand_for()
    {
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);

        var sync = Assert.Throws<NpuCaptureException>(() => stream.Synchronize());
        Assert.Equal(Acl.ACL_ERROR_RT_STREAM_CAPTURED, sync.Code);
        Assert.Equal(nameof(Acl.aclrtSynchronizeStream), sync.Function);

        var timed = Assert.Throws<NpuCaptureException>(() => stream.Synchronize(TimeSpan.FromSeconds(1)));
        Assert.Equal(Acl.ACL_ERROR_RT_STREAM_CAPTURED, timed.Code);
        Assert.Equal(nameof(Acl.aclrtSynchronizeStreamWithTimeout), timed.Function);

        var query = Assert.Throws<NpuCaptureException>(() => stream.Query());
        Assert.Equal(Acl.ACL_ERROR_RT_STREAM_CAPTURED, query.Code);
        Assert.Equal(nameof(Acl.aclrtStreamQuery), query.Function);
        Assert.Equal("NpuStream.Query", query.Operation);

        graph.EndCapture();
        stream.Synchronize();
    }
}
