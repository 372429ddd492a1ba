namespace Ascend.Interop.Tests.Graphs;

/// <summary>
/// Gaps closed in issue 26's last pieces: open branch scopes at Dispose, one event recorded and waited externally in one
/// graph, kernel argument blocks read from the runtime's device copy, error-code names of the built-graph codes.
/// </summary>
[Collection("Npu")]
public sealed class GraphGapTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Disposing_a_graph_with_open_branches_releases_their_streams_and_the_scopes_then_do_nothing()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.ConditionalNodes, "conditional nodes need CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        var graph = stream.BeginCapture();
        var outer = graph.BeginIf(graph.CreateCondition(1));
        Ops.Add(outer.Stream, x, x, x);
        var inner = graph.BeginWhile(graph.CreateCondition(0));
        Assert.Equal(2, graph.OpenBranchCount);
        graph.Dispose();
        Assert.Equal(0, graph.OpenBranchCount);
        Assert.True(inner.IsEnded && outer.IsEnded);
        Assert.True(inner.Stream.IsDisposed && outer.Stream.IsDisposed);
        inner.Dispose();   // harmless now
        outer.Dispose();
        Assert.False(stream.IsCapturing);
        Ops.Add(stream, x, x, x);   // the stream runs eagerly again
        Assert.Equal(new float[] { 2, 4 }, x.ToArray<float>(stream));
    }

    [Fact]
    public void An_EndCapture_that_fails_with_a_branch_open_releases_the_branch()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.ConditionalNodes, "conditional nodes need CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        var branch = graph.BeginIf(graph.CreateCondition(1));
        Assert.ThrowsAny<Exception>(() => graph.EndCapture());
        Assert.Equal(NpuGraphState.CaptureFailed, graph.Status);
        Assert.True(branch.Stream.IsDisposed);
        branch.Dispose();
    }

    [Fact]
    public void One_event_cannot_be_both_recorded_and_waited_externally_in_one_graph()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.ExternalEvents, "external events need CANN 9.2.0-beta.1; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var evt = Device.CreateEvent(timing: false);
        using var other = Device.CreateEvent(timing: false);
        using var graph = stream.BeginCapture();
        graph.RecordExternal(evt);
        graph.RecordExternal(evt);   // recorded twice: allowed
        var e = Assert.Throws<InvalidOperationException>(() => graph.WaitExternal(evt));
        Assert.Contains("recorded", e.Message);
        graph.WaitExternal(other);
        Assert.Throws<InvalidOperationException>(() => graph.RecordExternal(other));
        graph.EndCapture();   // the refusals did not poison the capture
        Assert.True(graph.IsReady);
    }

    [Fact]
    public void Kernel_arguments_come_from_the_runtimes_device_copy_and_hold_the_buffer_addresses()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 });
        using var y = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        graph.EndCapture();
        var relu = graph.Tasks.Single(t => t.Type == NpuGraphTaskType.Kernel);
        var args = relu.Kernel!.Arguments;
        var addresses = Enumerable.Range(0, args.Length / 8).Select(i => (nint)BitConverter.ToInt64(args, i * 8)).ToList();
        if (NpuFixture.OnSimulator) Assert.Equal([x.DataPointer, y.DataPointer], addresses);
    }

    [Theory]
    [InlineData(107004, "ACL_ERROR_RT_MODEL_CONTEXT")]
    [InlineData(107005, "ACL_ERROR_RT_STREAM_MODEL")]
    [InlineData(107017, "ACL_ERROR_RT_INVALID_HANDLE")]
    [InlineData(507011, "ACL_ERROR_RT_MODEL_EXECUTE")]
    public void Built_graph_codes_have_CANNs_names_and_an_explanation(int code, string name)
    {
        Assert.Equal(name, AclErrorCodes.NameOf(code));
        Assert.NotEmpty(AclErrorCodes.ExplanationOf(code));
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public async Task A_replay_failure_that_Dispose_waited_through_is_reported_by_the_streams_next_synchronize()
    {
        var ct = TestContext.Current.CancellationToken;
        using var stream = Device.CreateStream();
        using var weight = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var ids = NpuTensor.FromArray(stream, new long[] { 0, 1 });
        using var output = NpuTensor.Empty(stream, [2, 2], NpuDataType.Float32);
        void ReplayFailingGraphAndDisposeIt()
        {
            ids.CopyFrom<long>(stream, new long[] { 0, 1 });
            var graph = stream.BeginCapture();
            Ops.Embedding(stream, weight, ids, output);
            graph.EndCapture();
            ids.CopyFrom<long>(stream, new long[] { 0, 5 });   // out of range for the replay's kernel
            graph.Replay();
            graph.Dispose();                                   // waits for the replay, which fails
        }

        // The runtime reports the failure at one synchronize only: Dispose's wait saw it, the stream's user gets it.
        ReplayFailingGraphAndDisposeIt();
        var fault = Assert.Throws<AclException>(() => stream.Synchronize());
        Assert.Equal(507015, fault.Code);
        Assert.Contains("aclnnEmbedding", fault.RuntimeMessage);
        Assert.Contains("NpuGraph.Dispose", fault.Message);
        Assert.IsType<AclException>(fault.InnerException);
        stream.Synchronize();                                  // reported once
        await stream.SynchronizeAsync(ct);

        ReplayFailingGraphAndDisposeIt();
        var asyncFault = await Assert.ThrowsAsync<AclException>(() => stream.SynchronizeAsync(ct));
        Assert.Equal(507015, asyncFault.Code);
        Assert.Contains("NpuGraph.Dispose", asyncFault.Message);
        Assert.True(stream.Synchronize(TimeSpan.FromSeconds(30)));

        // A kept failure and a new one: the older first, the newer at the synchronize after it; neither is dropped.
        ReplayFailingGraphAndDisposeIt();
        using var badIds = NpuTensor.FromArray(stream, new long[] { 7 });
        using var row = NpuTensor.Empty(stream, [1, 2], NpuDataType.Float32);
        Ops.Embedding(stream, weight, badIds, row);
        Assert.Contains("NpuGraph.Dispose", Assert.Throws<AclException>(() => stream.Synchronize()).Message);
        var newer = Assert.Throws<AclException>(() => stream.Synchronize());
        Assert.Contains("is 7", newer.RuntimeMessage);
        Assert.Contains("older failure first", newer.Message);
        stream.Synchronize();
    }
}
