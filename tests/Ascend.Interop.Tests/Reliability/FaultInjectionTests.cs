using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Faults injected into the simulator (aclsimInjectFault) at every layer the SDK crosses. Each
/// test asserts the exception, that no native object leaked (live counts back to the baseline,
/// allowing for the events the device pool caches), that the pools' books balance, and that the
/// next operation succeeds.
/// </summary>
[Collection("Npu")]
[Trait("Category", "SimulatorOnly")]
public sealed class FaultInjectionTests : IDisposable
{
    private readonly NpuFixture _fixture;
    private readonly NativeBaseline _baseline;

    public FaultInjectionTests(NpuFixture fixture)
    {
        _fixture = fixture;
        Assert.True(NpuFixture.OnSimulator, "fault injection needs the simulator");
        Sim.Clear();
        _baseline = NativeBaseline.Take(Device);
    }

    private NpuDevice Device => _fixture.Device;

    public void Dispose()
    {
        Assert.Equal(0u, Sim.Clear());                            // every armed fault fired
        _baseline.AssertUnchanged();
    }

    private static AclException AclThrows(Action action, int code, string function)
    {
        var error = Assert.ThrowsAny<AclException>(action);
        Assert.Equal(code, error.Code);
        Assert.Equal(function, error.Function);
        Assert.Contains("injected fault", error.RuntimeMessage);
        return error;
    }

    // ---- allocation ------------------------------------------------------------------------------

    [Fact]
    public void Device_malloc_failure_through_DeviceBuffer()
    {
        ulong allocations = Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS);
        Sim.Inject("aclrtMalloc", 207001);
        var error = AclThrows(() => DeviceBuffer.Allocate(Device, 4096), 207001, "aclrtMalloc");
        Assert.Equal("ACL_ERROR_RT_MEMORY_ALLOCATION", error.CodeName);
        Assert.Contains("allocating 4096 bytes on device 0", error.Message);
        Assert.Equal(allocations, Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        using var buffer = DeviceBuffer.Allocate(Device, 4096);
        buffer.Fill(3);
        Assert.Equal(3, buffer.ToArray<byte>()[4095]);
    }

    [Fact]
    public void Device_malloc_failure_once_is_absorbed_by_the_pool_retry()
    {
        using var stream = Device.CreateStream();
        var pool = Device.MemoryPool;
        long misses = pool.Misses;
        Sim.Inject("aclrtMalloc", 207001);                         // the pool trims and retries once
        using (var t = NpuTensor.Empty(stream, new TensorShape(3 << 20), NpuDataType.Float32))
            Assert.Equal(12L << 20, t.StorageByteLength);
        Assert.Equal(misses + 1, pool.Misses);
    }

    [Fact]
    public void Device_malloc_failure_through_tensors_keeps_the_pool_exact()
    {
        using var stream = Device.CreateStream();
        var pool = Device.MemoryPool;
        var stats = pool.GetStatistics();
        Sim.Inject("aclrtMalloc", 107000);                         // not an out-of-memory: no retry
        var error = AclThrows(() => NpuTensor.Empty(stream, new TensorShape(3 << 20), NpuDataType.Float32), 107000, "aclrtMalloc");
        Assert.Contains("segment for the memory pool of NPU device 0", error.Message);
        var after = pool.GetStatistics();
        Assert.Equal(stats.InUseBytes, after.InUseBytes);
        Assert.Equal(stats.ReservedBytes, after.ReservedBytes);
        Assert.Equal(stats.RentedBlocks, after.RentedBlocks);
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        Assert.Equal([1f, 2], t.ToArray<float>(stream));
    }

    [Fact]
    public void Real_out_of_memory_through_tensors()
    {
        using var stream = Device.CreateStream();
        var (free, _) = Device.GetMemoryInfo();
        long inUse = Device.MemoryPool.InUseBytes;
        var error = Assert.ThrowsAny<AclException>(() => NpuTensor.Empty(stream, new TensorShape(free / 4 + (64 << 20)), NpuDataType.Float32));
        Assert.Equal(207001, error.Code);
        Assert.Equal("aclrtMalloc", error.Function);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);
        Assert.Equal(free, Device.GetMemoryInfo().Free);
        using var t = NpuTensor.FromArray(stream, new float[] { 5 });
        Assert.Equal([5f], t.ToArray<float>(stream));
    }

    [Fact]
    public void Workspace_malloc_failure_inside_a_capture_comes_from_the_graph_pool()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var graph = stream.BeginCapture();
        Sim.Inject("aclrtMalloc", 107000);
        var device = Device.MemoryPool.GetStatistics();
        AclThrows(() => Ops.Add(stream, x, x).Dispose(), 107000, "aclrtMalloc");
        Assert.Equal(0, graph.Pool.InUseBytes);
        Assert.Equal(0, graph.Pool.ReservedBytes);
        Assert.Equal(device, Device.MemoryPool.GetStatistics());   // the device pool was not asked
        Assert.True(graph.IsCapturing);
        graph.EndCapture();                                        // nothing reached the stream: a valid, empty graph
        Assert.Empty(graph.Operations);
    }

    [Fact]
    public void Pinned_malloc_failure()
    {
        ulong pinned = Sim.Counter(aclsimCounter.ACLSIM_LIVE_PINNED_BLOCKS);
        Sim.Inject("aclrtMallocHost", 207001);
        AclThrows(() => PinnedBuffer<float>.Allocate(Device, 16), 207001, "aclrtMallocHost");
        Assert.Equal(pinned, Sim.Counter(aclsimCounter.ACLSIM_LIVE_PINNED_BLOCKS));
        using var buffer = PinnedBuffer<float>.Allocate(Device, 16);
        buffer.Span[15] = 1;
        Assert.Equal(1f, buffer.Span[15]);
    }

    // ---- streams, events, contexts --------------------------------------------------------------

    [Fact]
    public void Stream_creation_failure()
    {
        var budget = Device.StreamBudget;
        Sim.Inject("aclrtCreateStream", 207008);
        var error = AclThrows(() => Device.CreateStream(), 207008, "aclrtCreateStream");
        Assert.Contains("creating a stream on device 0", error.Message);
        Assert.Equal(budget, Device.StreamBudget);
        using var stream = Device.CreateStream();
        Assert.Equal(budget.Streams + 1, Device.StreamBudget.Streams);
        stream.Synchronize();
    }

    [Fact]
    public void Event_creation_failure()
    {
        Sim.Inject("aclrtCreateEventExWithFlag", 207005);
        var error = AclThrows(() => Device.CreateEvent(), 207005, "aclrtCreateEventExWithFlag");
        Assert.Contains("creating an event on device 0", error.Message);
        using var stream = Device.CreateStream();
        using var evt = Device.CreateEvent();
        evt.Record(stream);
        evt.Synchronize();
    }

    [Fact]
    public void Event_creation_failure_in_the_pool_keeps_its_books_exact()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);             // a fresh pool has no spare event
        var block = pool.Rent(stream, 1024);
        // The pool needs an event to tell other streams when the returning stream is done with the
        // block: at the return, or when another stream first asks for the block.
        Sim.Inject("aclrtCreateEventExWithFlag", 207005);
        var error = Record.Exception(() => pool.Return(stream, block));
        if (error is not null)
        {
            var acl = Assert.IsAssignableFrom<AclException>(error);
            Assert.Equal(207005, acl.Code);
            Assert.Equal("aclrtCreateEventExWithFlag", acl.Function);
            Assert.Equal(1, pool.RentedBlockCount);                // nothing changed: still rented
            pool.Return(stream, block);                            // and the retry works
        }
        Assert.Equal(0, pool.InUseBytes);
        var reused = pool.Rent(other, 1024);                       // if the fault is still armed, it fires here
        Assert.Equal(1024, pool.InUseBytes);
        pool.Return(other, reused);
        Assert.Equal(0, pool.InUseBytes);
        Assert.Equal(0, pool.RentedBlockCount);
        Assert.Equal(0u, Sim.Clear());                             // the fault fired on one of the two paths
    }

    [Fact]
    public void Event_record_failure_while_a_tensor_is_disposed_does_not_leak_its_memory()
    {
        using var stream = Device.CreateStream();
        var pool = Device.MemoryPool;
        long inUse = pool.InUseBytes;
        var tensor = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        stream.Synchronize();
        Sim.Inject("aclrtRecordEvent", 107000);
        var error = Record.Exception(tensor.Dispose);
        Assert.True(tensor.IsDisposed);
        // Whatever Dispose reports, the block must not stay rented forever.
        Assert.Equal(inUse, pool.InUseBytes);
        Assert.Null(error);
        // A return records no event (the pool marks a block's last use only when another stream
        // wants it), so the armed fault is still there: another stream's rent meets it and falls
        // back to other memory instead of failing.
        using var other = Device.CreateStream();
        var block = pool.Rent(other, 12);
        pool.Return(other, block);
        Assert.Equal(inUse, pool.InUseBytes);
        Sim.Clear();
    }

    [Fact]
    public void Context_creation_failure_when_opening_a_device()
    {
        Sim.Inject("aclrtCreateContext", 207001);
        var error = AclThrows(() => NpuDevice.Open(1), 207001, "aclrtCreateContext");
        Assert.Contains("opening device 1", error.Message);
        using var device1 = NpuDevice.Open(1);
        MisuseTests.AssertUsable(device1);
    }

    [Fact]
    public void Host_callback_launch_failure()
    {
        using var stream = Device.CreateStream();
        int ran = 0;
        Sim.Inject("aclrtLaunchCallback", 107000);
        AclThrows(() => stream.LaunchHostCallback(() => ran++), 107000, "aclrtLaunchCallback");
        stream.LaunchHostCallback(() => ran += 10);
        stream.Synchronize();
        Assert.Equal(10, ran);
    }

    [Fact]
    public void Synchronize_failure_is_reported_once()
    {
        using var stream = Device.CreateStream();
        Sim.Inject("aclrtSynchronizeStream", 507011);
        AclThrows(() => stream.Synchronize(), 507011, "aclrtSynchronizeStream");
        stream.Synchronize();
        Assert.True(stream.Query());
    }

    [Fact]
    public void A_failed_wait_for_the_replay_streams_in_graph_dispose_falls_back_to_the_device()
    {
        // Found by the soak: NpuGraph.Dispose ignored a failed synchronize of a replay stream and released the
        // graph's memory while its replays were still queued.
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.Zeros(stream, new TensorShape(2), NpuDataType.Float32);
        var graph = stream.BeginCapture();
        using (var shifted = Ops.Adds(stream, x, 1))                 // an intermediate in the graph's own pool
            Ops.Mul(stream, shifted, shifted, y);
        graph.EndCapture();
        stream.Synchronize();
        ulong executions = Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
        Sim.TaskDelay(20_000);
        try
        {
            graph.Replay();
            graph.Replay();
            Sim.Inject("aclrtSynchronizeStream", 507011);
            graph.Dispose();
            // The memory is gone only once the replays are done: the stream has nothing queued any more.
            Assert.True(stream.Query(), "NpuGraph.Dispose returned with replays of the graph still queued");
        }
        finally
        {
            Sim.TaskDelay(0);
        }
        // The failure Dispose's wait saw is not dropped: the stream's next synchronize reports it, once.
        Assert.Equal(507011, Assert.Throws<AclException>(() => stream.Synchronize()).Code);
        stream.Synchronize();
        Assert.Equal(executions + 2, Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        Assert.Equal([4f, 9], y.ToArray<float>(stream));
    }

    // ---- capture ---------------------------------------------------------------------------------

    [Fact]
    public void Stream_exhaustion_at_capture_begin_is_a_budget_exception()
    {
        using var stream = Device.CreateStream();
        var budget = Device.StreamBudget;
        var (simInUse, simLimit) = Sim.Budget(0);
        Sim.Inject("aclmdlRICaptureBegin", 207008);
        var error = Assert.Throws<NpuStreamBudgetException>(() => stream.BeginCapture());
        Assert.Equal(207008, error.Code);
        Assert.Equal("aclmdlRICaptureBegin", error.Function);
        Assert.Equal((int)simLimit, error.Budget.Limit);
        Assert.Equal((int)simInUse, error.Budget.InUse);
        Assert.Equal(budget.Streams, error.Budget.Streams);
        Assert.Equal(budget.Graphs, error.Budget.Graphs);
        Assert.Contains($"{simInUse} of {simLimit} streams in use", error.Message);
        Assert.Contains("Dispose graphs you no longer replay", error.Message);
        Assert.False(stream.IsCapturing);
        Assert.Equal(budget, Device.StreamBudget);
        using var graph = stream.BeginCapture();
        graph.EndCapture();
        graph.ReplayAndWait();
    }

    [Fact]
    public void Resource_allocation_failure_at_capture_begin_with_a_shared_pool()
    {
        using var stream = Device.CreateStream();
        using var pool = new NpuGraphPool(Device);
        Sim.Inject("aclmdlRICaptureBegin", 207005);
        var error = Assert.Throws<NpuStreamBudgetException>(() => stream.BeginCapture(pool: pool));
        Assert.Equal(207005, error.Code);
        Assert.Equal(0, pool.GraphCount);                          // the failed capture gave its hold back
        using var graph = stream.BeginCapture(pool: pool);
        Assert.Equal(1, pool.GraphCount);
        graph.EndCapture();
    }

    [Fact]
    public void Other_capture_begin_failure_is_a_plain_acl_exception()
    {
        using var stream = Device.CreateStream();
        Sim.Inject("aclmdlRICaptureBegin", 107000);
        var error = AclThrows(() => stream.BeginCapture(CaptureMode.ThreadLocal), 107000, "aclmdlRICaptureBegin");
        Assert.IsNotType<NpuStreamBudgetException>(error);
        Assert.Contains("beginning a ThreadLocal capture", error.Message);
        Assert.False(stream.IsCapturing);
        using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);
        graph.EndCapture();
    }

    [Fact]
    public void Capture_end_failure_leaves_the_capture_open_and_end_can_be_retried()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 });
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        Sim.Inject("aclmdlRICaptureEnd", 107000);
        var error = Assert.Throws<NpuCaptureException>(() => graph.EndCapture());
        Assert.Equal(107000, error.Code);
        Assert.Contains("The stream is still capturing", error.Message);
        Assert.True(graph.IsCapturing);
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([0f, 2], y.ToArray<float>(stream));
    }

    [Fact]
    public void Capture_end_failure_then_dispose_releases_everything()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        int graphs = Device.StreamBudget.Graphs;
        var graph = stream.BeginCapture();
        using (var inner = Ops.Add(stream, x, x)) { }             // graph-pool memory
        Sim.Inject("aclmdlRICaptureEnd", 507903);
        Assert.Throws<NpuCaptureException>(() => graph.EndCapture());
        graph.Dispose();
        Assert.False(stream.IsCapturing);
        Assert.Equal(graphs, Device.StreamBudget.Graphs);
        Assert.Equal(0, graph.Pool.ReservedBytes);
        using var sum = Ops.Add(stream, x, x);
        Assert.Equal([2f, 4], sum.ToArray<float>(stream));
    }

    [Fact]
    public void Replay_failure()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var graph = NpuGraph.Capture(stream, s => Ops.Add(s, x, x, y), warmup: 0);
        graph.Name = "doubler";
        Sim.Inject("aclmdlRIExecuteAsync", 507899);
        var error = AclThrows(() => graph.Replay(), 507899, "aclmdlRIExecuteAsync");
        Assert.Contains("replaying graph 'doubler'", error.Message);
        Assert.Equal(0, graph.ReplayCount);
        graph.ReplayAndWait();
        Assert.Equal(1, graph.ReplayCount);
        Assert.Equal([2f, 4], y.ToArray<float>(stream));
    }

    [Fact]
    public void Task_group_update_begin_failure_leaves_the_group_unchanged()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var y = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup()) { Ops.Add(stream, x, x, y); group = scope.Group; }
        graph.EndCapture();
        Sim.Inject("aclmdlRICaptureTaskUpdateBegin", 107033);
        AclThrows(() => graph.Update(updater, group, s => Ops.Add(s, x, x, y, alpha: 5)), 107033, "aclmdlRICaptureTaskUpdateBegin");
        Assert.Equal(0, group.UpdateCount);
        Assert.False(updater.IsCapturing);
        graph.ReplayAndWait();
        Assert.Equal([2f], y.ToArray<float>(stream));
        graph.Update(updater, group, s => Ops.Add(s, x, x, y, alpha: 5));
        graph.ReplayAndWait();
        Assert.Equal([6f], y.ToArray<float>(stream));
    }

    [Fact]
    public void Task_group_update_end_failure_leaves_the_group_unchanged()
    {
        ulong models = Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS);
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var y = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        using (var graph = stream.BeginCapture())
        {
            NpuTaskGroup group;
            using (var scope = graph.BeginTaskGroup()) { Ops.Add(stream, x, x, y); group = scope.Group; }
            graph.EndCapture();
            // The injected failure leaves the runtime in task-update mode on the updater (nothing is applied).
            Sim.Inject("aclmdlRICaptureTaskUpdateEnd", 107033);
            var error = Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s => Ops.Add(s, x, x, y, alpha: 5)));
            Assert.Equal(107033, error.Code);
            Assert.Contains("the group is unchanged", error.Message);
            Assert.Contains("dispose it", error.Message);
            Assert.Equal(0, group.UpdateCount);
            graph.ReplayAndWait();
            Assert.Equal([2f], y.ToArray<float>(stream));

            // The updater is refused, with the reason, for updates and captures (not a raw 107033 from the runtime) ...
            var stuck = Assert.Throws<InvalidOperationException>(() => graph.Update(updater, group, s => Ops.Add(s, x, x, y, alpha: 5)));
            Assert.Contains("aclmdlRICaptureTaskUpdateEnd failed (107033", stuck.Message);
            Assert.Contains("Dispose this stream", stuck.Message);
            Assert.Throws<InvalidOperationException>(() => updater.BeginCapture());
            // ... and so is the group on another stream while the updater may still hold it.
            using var other = Device.CreateStream();
            var held = Assert.Throws<InvalidOperationException>(() => graph.Update(other, group, s => Ops.Add(s, x, x, y, alpha: 5)));
            Assert.Contains("dispose that stream first", held.Message);
            Assert.Equal(0, group.UpdateCount);

            // Disposing the updater discards its unfinished update; the group then updates on another stream.
            updater.Dispose();
            graph.Update(other, group, s => Ops.Add(s, x, x, y, alpha: 5));
            graph.ReplayAndWait();
            Assert.Equal([6f], y.ToArray<float>(stream));
            Assert.Equal(1, group.UpdateCount);
        }
        Assert.Equal(models, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));   // the model was destroyed
    }

    [Fact]
    public void A_graph_disposed_while_an_update_stream_is_stuck_destroys_its_model_and_frees_the_stream()
    {
        ulong models = Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS);
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var y = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup()) { Ops.Add(stream, x, x, y); group = scope.Group; }
        graph.EndCapture();
        Sim.Inject("aclmdlRICaptureTaskUpdateEnd", 107033);
        Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s => Ops.Add(s, x, x, y, alpha: 5)));
        Assert.Equal(models + 1, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));

        graph.Dispose();   // ends the update the runtime kept open, then destroys the model
        Assert.Equal(models, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));

        // The updater left update mode with the graph: it captures and updates again.
        using var second = updater.BeginCapture();
        NpuTaskGroup again;
        using (var scope = second.BeginTaskGroup()) { Ops.Add(updater, x, x, y); again = scope.Group; }
        second.EndCapture();
        second.Update(stream, again, s => Ops.Add(s, x, x, y, alpha: 3));
        second.ReplayAndWait();
        Assert.Equal([4f], y.ToArray<float>(updater));
    }

    [Fact]
    public unsafe void A_model_the_runtime_refuses_to_destroy_is_reported_by_Dispose()
    {
        ulong models = Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 });
        var graph = NpuGraph.Capture(stream, s => Ops.Relu(s, x, x), warmup: 0);
        graph.Name = "kept";
        graph.ReplayAndWait();
        var model = graph.Handle;
        Sim.Inject("aclmdlRIDestroy", 107000);
        var error = AclThrows(() => graph.Dispose(), 107000, "aclmdlRIDestroy");
        Assert.Contains("graph 'kept'", error.Message);
        Assert.Equal(models + 1, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));
        graph.Dispose();                                          // reported once; the graph is disposed
        Assert.Throws<ObjectDisposedException>(() => graph.Replay());
        Assert.Equal([0f, 2], x.ToArray<float>(stream));         // its memory went back and the stream works
        Assert.Equal(0, Acl.aclmdlRIDestroy(model));
        Assert.Equal(models, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));
    }

    // ---- operators -------------------------------------------------------------------------------

    [Fact]
    public void Operator_workspace_size_failure()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        stream.Synchronize();
        long inUse = Device.MemoryPool.InUseBytes;
        ulong executors = Sim.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);
        ulong aclnn = Sim.Counter(aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS);
        Sim.Inject("aclnnAddGetWorkspaceSize", 161002);
        var error = AclThrows(() => Ops.Add(stream, x, x), 161002, "aclnnAddGetWorkspaceSize");
        Assert.Contains("running Ops.Add", error.Message);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);       // the inferred output went back
        Assert.Equal(executors, Sim.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
        Assert.Equal(aclnn, Sim.Counter(aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS)); // the alpha scalar too
        using var sum = Ops.Add(stream, x, x);
        Assert.Equal([2f, 4], sum.ToArray<float>(stream));
    }

    [Fact]
    public void Operator_launch_failure()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        stream.Synchronize();
        long inUse = Device.MemoryPool.InUseBytes;
        ulong executors = Sim.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS);
        ulong aclnn = Sim.Counter(aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS);
        Sim.Inject("aclnnAdd", 561000);
        var error = AclThrows(() => Ops.Add(stream, x, x, y), 561000, "aclnnAdd");
        Assert.Contains("running Ops.Add", error.Message);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);
        Assert.Equal(aclnn, Sim.Counter(aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS));
        Ops.Add(stream, x, x, y);
        Assert.Equal([2f, 4], y.ToArray<float>(stream));
        Assert.Equal(executors, Sim.Counter(aclsimCounter.ACLSIM_LIVE_EXECUTORS)); // the failed launch's executor is gone
    }

    [Fact]
    public void Operator_launch_failure_inside_a_capture_invalidates_it()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        Sim.Inject("aclnnAdd", 561000);
        AclThrows(() => Ops.Add(stream, x, x, y), 561000, "aclnnAdd");
        // A failed submission on a capturing stream invalidates the capture (CANN; sim_core.h):
        // ending it must not produce a graph that silently lacks the failed operator.
        var error = Assert.Throws<NpuCaptureException>(() => graph.EndCapture());
        Assert.Equal(507903, error.Code);
        graph.Dispose();
        Assert.False(stream.IsCapturing);
    }

    [Fact]
    public void Tensor_descriptor_creation_failure()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        ulong tensors = Sim.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS);
        Sim.Inject("aclCreateTensor", 161002);
        var error = Assert.ThrowsAny<AclException>(() => Ops.Relu(stream, x, y));
        Assert.Equal("aclCreateTensor", error.Function);
        Assert.Contains("describing argument 'self'", error.Message);
        Assert.Equal(tensors, Sim.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS));
        Ops.Relu(stream, x, y);
        Assert.Equal([1f, 2], y.ToArray<float>(stream));
    }

    [Fact]
    public void Async_copy_failure()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        Sim.Inject("aclrtMemcpyAsync", 107000);
        AclThrows(() => x.CopyFrom<float>(stream, new float[] { 7, 8 }), 107000, "aclrtMemcpyAsync");
        Assert.Equal([1f, 2], x.ToArray<float>(stream));
        x.CopyFrom<float>(stream, new float[] { 7, 8 });
        Assert.Equal([7f, 8], x.ToArray<float>(stream));
    }
}
