using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>External events (CANN 9.2.0-beta.1): graph-to-stream ordering across the graph's boundary.</summary>
[Collection("Npu")]
public sealed class GraphExternalEventTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void A_stream_waits_for_the_part_of_a_replay_before_an_external_record()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.ExternalEvents, "external events need CANN 9.2.0-beta.1; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var done = Device.CreateEvent(timing: false);
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 }, new TensorShape(4));
        using var y = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var z = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        graph.RecordExternal(done);
        graph.EndCapture();
        Assert.Contains(graph.Operations, o => o.Name == "aclrtRecordEventWithFlag");
        Assert.Contains(graph.Tasks, t => t.Type == NpuGraphTaskType.EventRecord);

        for (int round = 0; round < 3; round++)
        {
            x.CopyFrom<float>(stream, new float[] { -1 - round, 2 + round, -3, 4 });
            graph.Replay();
            other.Wait(done);            // ordered after the replay's record, not the host
            Ops.Neg(other, y, z);
            other.Synchronize();
            Assert.Equal(new float[] { 0, -(2 + round), 0, -4 }, z.ToArray<float>(other));
        }
    }

    [Fact]
    public void External_calls_outside_a_capture_or_on_an_older_CANN_are_refused()
    {
        using var stream = Device.CreateStream();
        using var evt = Device.CreateEvent(timing: false);
        using var graph = stream.BeginCapture();
        using var idle = Device.CreateStream();
        if (Fixture.Runtime.Features.ExternalEvents)
        {
            var e = Assert.Throws<NpuCaptureException>(() => graph.WaitExternal(idle, evt));
            Assert.Equal(Acl.ACL_ERROR_RT_STREAM_NOT_CAPTURED, e.Code);
            Assert.Equal("NpuGraph.WaitExternal", e.Operation);
        }
        graph.EndCapture();
        if (!NpuFixture.OnSimulator) return;
        using (new CannVersionScope("9.1"))
        {
            using var g2 = stream.BeginCapture();
            var e = Assert.Throws<NotSupportedException>(() => g2.RecordExternal(evt));
            Assert.Contains("aclrtRecordEventWithFlag", e.Message);
            Assert.Contains("9.2.0-beta.1", e.Message);
            g2.EndCapture();
        }
        var after = Assert.Throws<InvalidOperationException>(() => graph.RecordExternal(evt));
        Assert.Contains("capture has already ended", after.Message);
    }
}
