using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Graphs;

/// <summary>Graphs built on persistent streams (CANN 9.0+): build, Execute(timeout), Replay, Abort, names, ids, destroy callbacks, misuse.</summary>
[Collection("Npu")]
public sealed class BuiltGraphTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    private void RequireBuiltGraphs() =>
        Assert.SkipUnless(Fixture.Runtime.Features.BuiltGraphs, "built graphs need CANN 9.0; the loaded library is " + Fixture.Runtime.Features);

    [Fact]
    public void Work_on_the_graph_stream_runs_only_when_the_graph_executes_and_every_execution_reruns_it()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 });
        using var y = NpuTensor.FromArray(stream, new float[] { 1, 1, 1, 1 });
        using var sum = NpuTensor.FromArray(stream, new float[] { 7, 7, 7, 7 });
        using var z = NpuTensor.FromArray(stream, new float[] { 7, 7, 7, 7 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        Assert.True(built.IsBuilding);
        Assert.True(built.Stream.IsCapturing);
        Assert.Null(built.Stream.CapturingGraph);   // the graph underneath is never handed out
        Ops.Add(built.Stream, x, y, sum);
        Ops.Relu(built.Stream, sum, z);
        Assert.Equal(new float[] { 7, 7, 7, 7 }, z.ToArray<float>(stream));   // joined the graph, did not run
        built.EndBuild();
        Assert.True(built.IsReady);
        Assert.False(built.IsBuilding);
        Assert.Equal(["aclnnAdd", "aclnnRelu"], built.Operations.Select(o => o.Name));
        Assert.Contains("built on persistent streams", built.Describe());

        built.Execute();
        Assert.Equal(new float[] { 0, 3, 0, 5 }, z.ToArray<float>(stream));
        x.CopyFrom<float>(stream, new float[] { 1, -5, 2, 0 });
        stream.Synchronize();
        Assert.True(built.Execute(TimeSpan.FromSeconds(30)));
        Assert.Equal(new float[] { 2, 0, 3, 1 }, z.ToArray<float>(stream));
        Assert.Equal(2, built.ExecutionCount);
    }

    [Fact]
    public async Task Replay_queues_it_on_another_stream_and_ReplayAsync_awaits_it()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        Ops.Add(built.Stream, x, y, y);   // y += x at every run
        built.EndBuild();
        built.Replay(stream);
        built.Replay(stream);
        built.ReplayAndWait(stream);
        Assert.Equal(new float[] { 3, 6 }, y.ToArray<float>(stream));
        await built.ReplayAsync(stream, TestContext.Current.CancellationToken);
        Assert.Equal(new float[] { 4, 8 }, y.ToArray<float>(stream));
        Assert.Equal(4, built.ExecutionCount);
    }

    [Fact]
    public void Two_bound_streams_ordered_by_events_run_as_one_graph()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var a = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        using var b = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        using var c = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        using var fork = Device.CreateEvent(timing: false);
        using var join = Device.CreateEvent(timing: false);
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        var side = built.AddStream();
        Assert.Equal([built.Stream, side], built.Streams);
        Ops.Add(built.Stream, x, x, a);           // a = 2x
        built.Stream.Record(fork);
        side.Wait(fork);
        Ops.Add(side, a, x, b);                   // b = 3x
        side.Record(join);
        built.Stream.Wait(join);
        Ops.Add(built.Stream, a, b, c);           // c = 5x
        built.EndBuild();
        built.Execute();
        Assert.Equal(new float[] { 5, 10 }, c.ToArray<float>(stream));
    }

    [Fact]
    public void The_graph_holds_what_its_work_uses_and_gives_it_back_when_disposed()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        var x = NpuTensor.FromArray(stream, new float[] { -4, 4 });
        stream.Synchronize();
        using (var built = NpuBuiltGraph.Begin(Device))
        {
            Ops.Relu(built.Stream, x, y);
            built.EndBuild();
            x.Dispose();                           // the graph still holds its memory
            built.Execute();
            Assert.Equal(new float[] { 0, 4 }, y.ToArray<float>(stream));
        }
    }

    [Fact]
    public void Misuse_is_explained_before_the_runtime()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        Ops.Relu(built.Stream, x, y);

        var early = Assert.Throws<InvalidOperationException>(() => built.Execute());
        Assert.Contains("still being built", early.Message);
        Assert.Throws<InvalidOperationException>(() => built.Replay(stream));

        // A graph cannot be launched on a stream bound to a built graph (CANN: 107000).
        using (var other = NpuBuiltGraph.Begin(Device))
        {
            Ops.Relu(other.Stream, x, y);
            other.EndBuild();
            var onBound = Assert.Throws<NpuCaptureException>(() => other.Replay(built.Stream));
            Assert.Equal(Acl.ACL_ERROR_RT_PARAM_INVALID, onBound.Code);
            Assert.Contains("bound to a built graph", onBound.Message);
        }

        built.EndBuild();
        Assert.Contains("already ended", Assert.Throws<InvalidOperationException>(() => built.EndBuild()).Message);
        Assert.Contains("already ended", Assert.Throws<InvalidOperationException>(() => built.AddStream()).Message);
        // CANN: tasks launched after BuildEnd break later runs; the SDK refuses them.
        var late = Assert.Throws<InvalidOperationException>(() => Ops.Relu(built.Stream, x, y));
        Assert.Contains("build has ended", late.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => built.Execute(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => built.Execute(TimeSpan.FromMilliseconds(-5)));

        // A replay on a capturing stream: 107027, as for a captured graph.
        using (var capture = stream.BeginCapture())
        {
            var capturing = Assert.Throws<NpuCaptureException>(() => built.Replay(stream));
            Assert.Equal(Acl.ACL_ERROR_RT_STREAM_CAPTURED, capturing.Code);
        }
        built.Execute();   // still usable after the refusals
        Assert.Equal(new float[] { 1, 2 }, y.ToArray<float>(stream));
        built.Dispose();
        Assert.True(built.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => built.Execute());
        built.Dispose();   // twice: harmless
    }

    [Fact]
    public void A_failed_operation_while_building_discards_the_graph_at_EndBuild()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var wrong = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        Ops.Relu(built.Stream, x, y);
        Assert.ThrowsAny<Exception>(() => Ops.Add(built.Stream, x, wrong, y));   // refused before any submission
        Ops.Relu(built.Stream, x, y);
        Assert.SkipUnless(NpuFixture.OnSimulator, "a launch that fails while building is injected through the simulator");
        SimControl.InjectFault("aclnnAdd", 1, 561000);
        Assert.ThrowsAny<AclException>(() => Ops.Add(built.Stream, x, x, y));     // failed at its launch: the graph lacks it
        var e = Assert.Throws<InvalidOperationException>(() => built.EndBuild());
        Assert.NotNull(e.InnerException);
        Assert.Equal(NpuGraphState.CaptureFailed, built.Status);
        Assert.Contains("build failed", Assert.Throws<InvalidOperationException>(() => built.Execute()).Message);
    }

    [Fact]
    public void Disposing_a_bound_stream_discards_a_build_or_faults_a_built_graph()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using (var building = NpuBuiltGraph.Begin(Device))
        {
            var side = building.AddStream();
            side.Dispose();
            Assert.Equal(NpuGraphState.CaptureFailed, building.Status);
            Assert.Empty(building.Streams);
        }
        using var built = NpuBuiltGraph.Begin(Device);
        var second = built.AddStream();
        Ops.Relu(built.Stream, x, y);
        built.EndBuild();
        second.Dispose();
        Assert.Equal(NpuGraphState.Fault, built.Status);
        Assert.Contains("was disposed", built.FaultReason);
        var refused = Assert.Throws<NpuCaptureException>(() => built.Execute());
        Assert.Equal(NpuGraph.ModelNotReadyCode, refused.Code);
        Assert.Contains("build again", refused.Message);
    }

    [Fact]
    public void Names_reach_the_runtime_and_the_id_needs_CANN_9_1()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        built.Name = "built-relu";
        Assert.Equal("built-relu", built.RuntimeName);
        Ops.Relu(built.Stream, x, y);
        built.EndBuild();
        Assert.Equal("built-relu", built.RuntimeName);
        Assert.Contains("built-relu", built.ToString());
        if (Fixture.Runtime.Features.Introspection)
        {
            using var other = NpuBuiltGraph.Begin(Device);
            other.EndBuild();
            Assert.NotEqual(built.Id, other.Id);
        }
        else
        {
            var e = Assert.Throws<NotSupportedException>(() => built.Id);
            Assert.Contains("aclmdlRIGetId", e.Message);
        }
    }

    [Fact]
    public void On_CANN_9_0_a_graph_builds_and_runs_and_the_9_1_id_is_refused_with_its_version()
    {
        if (!NpuFixture.OnSimulator) return;
        using var version = new CannVersionScope("9.0");
        Assert.True(Fixture.Runtime.Features.BuiltGraphs);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var built = NpuBuiltGraph.Begin(Device);
        Ops.Relu(built.Stream, x, y);
        built.EndBuild();
        built.Execute();
        Assert.Equal(new float[] { 0, 3 }, y.ToArray<float>(stream));
        var e = Assert.Throws<NotSupportedException>(() => built.Id);
        Assert.Contains("aclmdlRIGetId", e.Message);
        Assert.Contains("9.1.0", e.Message);
        Assert.Contains("9.0.0", e.Message);
    }

    [Fact]
    public void Destroy_callbacks_run_in_order_at_Dispose_and_removed_ones_do_not()
    {
        RequireBuiltGraphs();
        var ran = new List<string>();
        Action first = () => ran.Add("first"), second = () => ran.Add("second"), removed = () => ran.Add("removed");
        var built = NpuBuiltGraph.Begin(Device);
        built.AddDestroyCallback(first);
        built.AddDestroyCallback(removed);
        built.AddDestroyCallback(second);
        Assert.True(built.RemoveDestroyCallback(removed));
        Assert.False(built.RemoveDestroyCallback(removed));
        built.EndBuild();
        Assert.Empty(ran);
        built.Dispose();
        Assert.Equal(["first", "second"], ran);

        // A captured graph has them too; one removed to none unregisters the native callback.
        using var stream = Device.CreateStream();
        var graph = stream.BeginCapture();
        graph.EndCapture();
        Assert.Throws<ArgumentNullException>(() => graph.AddDestroyCallback(null!));
        graph.AddDestroyCallback(removed);
        Assert.True(graph.RemoveDestroyCallback(removed));
        graph.AddDestroyCallback(first);
        ran.Clear();
        graph.Dispose();
        Assert.Equal(["first"], ran);
    }

    [Fact]
    public void A_throwing_destroy_callback_surfaces_from_Dispose_after_the_graph_is_released()
    {
        RequireBuiltGraphs();
        var built = NpuBuiltGraph.Begin(Device);
        built.EndBuild();
        built.AddDestroyCallback(() => throw new InvalidDataException("callback failed"));
        var e = Assert.Throws<AggregateException>(() => built.Dispose());
        Assert.IsType<InvalidDataException>(e.InnerExceptions.Single());
        Assert.True(built.IsDisposed);
    }

    [Fact]
    public void Execute_with_a_timeout_returns_false_while_the_run_is_held_and_Abort_ends_it()
    {
        RequireBuiltGraphs();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var gate = new ManualResetEventSlim(false);
        using var built = NpuBuiltGraph.Begin(Device);
        built.Stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(30)));
        Ops.Relu(built.Stream, x, y);
        built.EndBuild();
        Assert.False(built.Execute(TimeSpan.FromMilliseconds(50)));
        gate.Set();
        built.Abort();   // waits for the run (the callback returns now), then the graph can run again
        gate.Reset();
        gate.Set();
        Assert.True(built.Execute(TimeSpan.FromSeconds(30)));
        Assert.Equal(new float[] { 0, 3 }, y.ToArray<float>(stream));
    }

    [Fact]
    public void Execute_in_a_shared_pool_runs_after_the_pools_replay_on_another_stream()
    {
        // Graphs of a shared pool never run at once (their intermediates may overlap): the pool orders a replay after
        // the previous one on another stream. Execute runs on the device's default stream and must be ordered too.
        RequireBuiltGraphs();
        using var pool = new NpuGraphPool(Device);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        stream.Synchronize();
        using var gate = new ManualResetEventSlim(false);
        using var first = NpuBuiltGraph.Begin(Device, pool);
        first.Stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(30)));
        Ops.Add(first.Stream, x, x, y);                 // y = 2x, once the gate opens
        first.EndBuild();
        using var second = NpuBuiltGraph.Begin(Device, pool);
        Ops.Add(second.Stream, y, x, y);                // y += x
        second.EndBuild();

        first.Replay(stream);                           // held at the gate on `stream`
        using var opener = new Timer(_ => gate.Set(), null, dueTime: 200, period: Timeout.Infinite);
        Assert.True(second.Execute(TimeSpan.FromSeconds(30)));
        stream.Synchronize();
        // In pool order: y = 2x, then y += x. Run at once, the second graph's result would be overwritten: y = 2x.
        Assert.Equal(new float[] { 3, 6 }, y.ToArray<float>(stream));
    }
}
