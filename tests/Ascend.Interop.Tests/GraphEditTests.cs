using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>In-place editing (CANN 9.1.0): disable a task, set kernel parameters, apply; READY / UPDATING / FAULT.</summary>
[Collection("Npu")]
public sealed class GraphEditTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Disabled_task_is_skipped_after_ApplyEdits_and_the_graph_cannot_replay_while_UPDATING()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.InPlaceUpdate, "in-place editing needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 }, new TensorShape(4));
        using var a = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Neg(stream, x, a);
        Ops.Relu(stream, a, y);
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal(new float[] { 1, 0, 3, 0 }, y.ToArray<float>(stream));

        var relu = graph.Tasks.Single(t => t.Operation?.Name == "aclnnRelu");
        for (int i = 0; i < 5; i++) graph.Replay();   // queued replays: Disable waits for them
        relu.Disable();
        Assert.Equal(NpuGraphState.Updating, graph.Status);
        Assert.True(relu.IsDisablePending);
        Assert.False(relu.IsDisabled);
        var refused = Assert.Throws<NpuCaptureException>(() => graph.Replay());
        Assert.Equal(NpuGraph.ModelNotReadyCode, refused.Code);
        Assert.Contains("ApplyEdits", refused.Message);
        Assert.Equal(6, graph.ReplayCount);

        graph.ApplyEdits();
        Assert.Equal(NpuGraphState.Ready, graph.Status);
        Assert.True(relu.IsDisabled);
        Assert.Contains("(disabled)", graph.Describe());
        y.CopyFrom<float>(stream, new float[] { 9, 9, 9, 9 });
        x.CopyFrom<float>(stream, new float[] { 5, 6, 7, 8 });
        graph.ReplayAndWait();
        Assert.Equal(new float[] { -5, -6, -7, -8 }, a.ToArray<float>(stream));   // Neg still runs
        Assert.Equal(new float[] { 9, 9, 9, 9 }, y.ToArray<float>(stream));       // Relu no longer does
        relu.Disable();                                                             // already disabled: nothing staged
        Assert.Equal(NpuGraphState.Ready, graph.Status);
        graph.ApplyEdits();                                                         // nothing staged: no-op
    }

    [Fact]
    public void A_DEFAULT_task_is_refused_before_the_runtime_and_the_graph_stays_READY()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.InPlaceUpdate, "in-place editing needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var pinned = PinnedBuffer<float>.Allocate(Device, 2);
        using var x = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        pinned.Span[0] = -3;
        pinned.Span[1] = 3;
        using var graph = stream.BeginCapture();
        x.EnqueueCopyFrom(stream, pinned);
        Ops.Relu(stream, x, y);
        graph.EndCapture();
        var copy = graph.Tasks.First(t => t.Type == NpuGraphTaskType.Default);
        var e = Assert.Throws<NpuCaptureException>(copy.Disable);
        Assert.Equal(Acl.ACL_ERROR_RT_PARAM_INVALID, e.Code);
        Assert.Equal("NpuGraphTask.Disable", e.Operation);
        Assert.Contains("DEFAULT task", e.Rule);
        Assert.Equal(NpuGraphState.Ready, graph.Status);
        graph.ReplayAndWait();
        Assert.Equal(new float[] { 0, 3 }, y.ToArray<float>(stream));
    }

    [Fact]
    public void Setting_a_kernel_its_own_parameters_round_trips()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.InPlaceUpdate, "in-place editing needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 }, new TensorShape(2));
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        graph.EndCapture();
        var relu = graph.Tasks.Single(t => t.Type == NpuGraphTaskType.Kernel);
        relu.DangerousSetKernelParameters(relu.Kernel!);
        Assert.Equal(NpuGraphState.Updating, graph.Status);
        graph.ApplyEdits();
        Assert.Equal(NpuGraphState.Ready, graph.Status);
        graph.ReplayAndWait();
        Assert.Equal(new float[] { 0, 2 }, y.ToArray<float>(stream));
    }

    [Fact]
    public void A_refused_kernel_edit_makes_the_graph_FAULT_for_good()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.InPlaceUpdate, "in-place editing needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        if (!NpuFixture.OnSimulator) return;   // the simulator cannot run another argument block: its refusal is the fault
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 }, new TensorShape(2));
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        graph.EndCapture();
        var relu = graph.Tasks.Single(t => t.Type == NpuGraphTaskType.Kernel);
        byte[] other = (byte[])relu.Kernel!.Arguments.Clone();
        other[0] ^= 0x40;
        var e = Assert.Throws<NpuCaptureException>(() => relu.DangerousSetKernelParameters(relu.Kernel with { Arguments = other }));
        Assert.Equal(Acl.ACL_ERROR_RT_FEATURE_NOT_SUPPORT, e.Code);
        Assert.Contains("FAULT", e.Rule);
        Assert.Equal(NpuGraphState.Fault, graph.Status);
        Assert.Contains("aclmdlRITaskSetParams", graph.FaultReason);

        var replay = Assert.Throws<NpuCaptureException>(() => graph.Replay());
        Assert.Equal(NpuGraph.ModelNotReadyCode, replay.Code);
        Assert.Contains("FAULT", replay.Message);
        var apply = Assert.Throws<NpuCaptureException>(graph.ApplyEdits);
        Assert.Equal(Acl.ACL_ERROR_RT_MODEL_UPDATE_FAILED, apply.Code);
        var disable = Assert.Throws<NpuCaptureException>(relu.Disable);
        Assert.Equal(Acl.ACL_ERROR_RT_MODEL_UPDATE_FAILED, disable.Code);
        Assert.Equal(0, graph.ReplayCount);
    }
}
