using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// The misuse catalogue (docs/reliability.md): each test breaks one rule, asserts the exact
/// exception and message, then shows the objects involved (or the device) still work.
/// </summary>
[Collection("Npu")]
public sealed class MisuseTests(NpuFixture fixture)
{
    private NpuDevice Device => fixture.Device;

    /// <summary>The device still runs work: a new stream adds two tensors correctly.</summary>
    internal static void AssertUsable(NpuDevice device)
    {
        using var stream = device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var sum = Ops.Add(stream, a, a);
        Assert.Equal([2f, 4, 6], sum.ToArray<float>(stream));
    }

    private static T Throws<T>(Action action, string fragment) where T : Exception
    {
        var error = Assert.Throws<T>(action);
        Assert.Contains(fragment, error.Message);
        return error;
    }

    // ---- use after dispose ----------------------------------------------------------------------

    [Fact]
    public void Stream_used_after_dispose()
    {
        var stream = Device.CreateStream();
        stream.Dispose();
        Throws<ObjectDisposedException>(() => stream.Synchronize(), "NpuStream");
        Throws<ObjectDisposedException>(() => stream.Query(), "NpuStream");
        Throws<ObjectDisposedException>(() => stream.LaunchHostCallback(() => { }), "NpuStream");
        Throws<ObjectDisposedException>(() => _ = stream.Handle, "NpuStream");
        Throws<ObjectDisposedException>(() => stream.BeginCapture(), "Cannot capture on a disposed stream");
        using var evt = Device.CreateEvent();
        Throws<ObjectDisposedException>(() => evt.Record(stream), "NpuStream");
        AssertUsable(Device);
    }

    [Fact]
    public void Event_used_after_dispose()
    {
        using var stream = Device.CreateStream();
        var evt = Device.CreateEvent();
        evt.Dispose();
        Throws<ObjectDisposedException>(() => evt.Record(stream), "NpuEvent");
        Throws<ObjectDisposedException>(() => evt.Synchronize(), "NpuEvent");
        Throws<ObjectDisposedException>(() => _ = evt.IsCompleted, "NpuEvent");
        Throws<ObjectDisposedException>(() => stream.Wait(evt), "NpuEvent");
        using var live = Device.CreateEvent();
        Throws<ObjectDisposedException>(() => NpuEvent.ElapsedTime(evt, live), "NpuEvent");
        live.Record(stream);
        live.Synchronize();
        Assert.True(live.IsCompleted);
    }

    [Fact]
    public void DeviceBuffer_used_after_dispose()
    {
        using var stream = Device.CreateStream();
        var buffer = DeviceBuffer.Allocate(Device, 64);
        buffer.Dispose();
        Throws<ObjectDisposedException>(() => buffer.CopyFrom<byte>(new byte[4]), "DeviceBuffer");
        Throws<ObjectDisposedException>(() => buffer.ToArray<byte>(), "DeviceBuffer");
        Throws<ObjectDisposedException>(() => buffer.Fill(1), "DeviceBuffer");
        Throws<ObjectDisposedException>(() => buffer.EnqueueFill(stream, 1), "DeviceBuffer");
        Throws<ObjectDisposedException>(() => _ = buffer.Pointer, "DeviceBuffer");
        Throws<ObjectDisposedException>(() => NpuTensor.FromBuffer(buffer, new TensorShape(4), NpuDataType.Float32), "DeviceBuffer");
        using var other = DeviceBuffer.Allocate(Device, 64);
        other.Fill(7);
        Assert.All(other.ToArray<byte>(), b => Assert.Equal(7, b));
    }

    [Fact]
    public void PinnedBuffer_used_after_dispose()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        var pinned = PinnedBuffer<int>.Allocate(Device, 4);
        pinned.Dispose();
        Throws<ObjectDisposedException>(() => _ = pinned.Span.Length, "PinnedBuffer");
        Throws<ObjectDisposedException>(() => buffer.EnqueueCopyFrom(stream, pinned), "PinnedBuffer");
        using var tensor = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Int32);
        Throws<ObjectDisposedException>(() => tensor.EnqueueCopyTo(stream, pinned), "PinnedBuffer");
        using var live = PinnedBuffer<int>.Allocate(Device, 4);
        live.Span.Fill(5);
        buffer.EnqueueCopyFrom(stream, live);
        stream.Synchronize();
        Assert.Equal([5, 5, 5, 5], buffer.ToArray<int>());
    }

    [Fact]
    public void Tensor_used_by_an_operator_after_dispose()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        var b = NpuTensor.FromArray(stream, new float[] { 3, 4 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        b.Dispose();
        Throws<ObjectDisposedException>(() => Ops.Add(stream, a, b, output), "Ops.Add: argument 'other' has been disposed");
        Throws<ObjectDisposedException>(() => Ops.Relu(stream, b), "Ops.Relu");
        Throws<ObjectDisposedException>(() => b.Slice(0, 0, 1), "NpuTensor");
        Ops.Add(stream, a, a, output);
        Assert.Equal([2f, 4], output.ToArray<float>(stream));
    }

    [Fact]
    public void Tensor_over_a_disposed_buffer()
    {
        using var stream = Device.CreateStream();
        var buffer = DeviceBuffer.Allocate(Device, 16);
        using var view = NpuTensor.FromBuffer(buffer, new TensorShape(4), NpuDataType.Float32);
        buffer.Dispose();
        Throws<ObjectDisposedException>(() => view.ToArray<float>(stream), "DeviceBuffer");
        Throws<ObjectDisposedException>(() => Ops.Relu(stream, view), "DeviceBuffer");
        AssertUsable(Device);
    }

    [Fact]
    public void Device_object_used_after_dispose()
    {
        var device = NpuDevice.Open(0);
        device.Dispose();
        Throws<ObjectDisposedException>(() => device.CreateStream(), "NpuDevice");
        Throws<ObjectDisposedException>(() => device.CreateEvent(), "NpuDevice");
        Throws<ObjectDisposedException>(() => _ = device.DefaultStream, "NpuDevice");
        Throws<ObjectDisposedException>(() => _ = device.MemoryPool, "NpuDevice");
        Throws<ObjectDisposedException>(() => DeviceBuffer.Allocate(device, 16), "NpuDevice");
        Throws<ObjectDisposedException>(() => device.Synchronize(), "NpuDevice");
        // The fixture's object of the same id is untouched.
        AssertUsable(Device);
    }

    [Fact]
    public void Runtime_object_used_after_dispose()
    {
        var runtime = NpuRuntime.Initialize();
        runtime.Dispose();
        Throws<ObjectDisposedException>(() => _ = runtime.AclVersion, "NpuRuntime");
        Throws<ObjectDisposedException>(() => _ = runtime.SocName, "NpuRuntime");
        Assert.True(NpuRuntime.IsInitialized);
        Assert.Equal(fixture.Runtime.AclVersion.Major, fixture.Runtime.AclVersion.Major);
        AssertUsable(Device);
    }

    [Fact]
    public void Memory_pool_used_after_dispose()
    {
        using var stream = Device.CreateStream();
        var pool = new DeviceMemoryPool(Device);
        pool.Dispose();
        Throws<ObjectDisposedException>(() => pool.Rent(stream, 512), "DeviceMemoryPool");
        Throws<ObjectDisposedException>(() => pool.Trim(), "DeviceMemoryPool");
        Assert.True(pool.IsDisposed);
        AssertUsable(Device);
    }

    [Fact]
    public void Graph_replayed_and_updated_after_dispose()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup("add")) { Ops.Add(stream, a, a, output); group = scope.Group; }
        graph.EndCapture();
        graph.Dispose();
        Throws<ObjectDisposedException>(() => graph.Replay(), "NpuGraph.Replay: the graph has been disposed");
        Throws<ObjectDisposedException>(() => graph.Update(stream, group, s => Ops.Add(s, a, a, output)), "NpuGraph.Update: the graph has been disposed");
        Throws<ObjectDisposedException>(() => graph.DumpJson("x.json"), "NpuGraph.DumpJson");
        Assert.False(stream.IsCapturing);
        using var again = NpuGraph.Capture(stream, s => Ops.Add(s, a, a, output), warmup: 0);
        again.ReplayAndWait();
        Assert.Equal([2f, 4], output.ToArray<float>(stream));
    }

    [Fact]
    public void Graph_cache_used_after_dispose()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1 });
        var cache = new NpuGraphCache<int>(2);
        var graph = cache.GetOrCapture(stream, 1, s => Ops.Relu(s, a, a), warmup: 0);
        cache.Dispose();
        Assert.False(graph.IsReady);                              // the cache disposed what it owned
        Throws<ObjectDisposedException>(() => cache.GetOrCapture(stream, 1, s => Ops.Relu(s, a, a)), "NpuGraphCache");
        Throws<ObjectDisposedException>(() => cache.TryGet(1, out _), "NpuGraphCache");
        AssertUsable(Device);
    }

    [Fact]
    public void Graph_pool_used_for_a_capture_after_dispose()
    {
        using var stream = Device.CreateStream();
        var pool = new NpuGraphPool(Device);
        pool.Dispose();
        int graphsBefore = Device.StreamBudget.Graphs;
        Throws<ObjectDisposedException>(() => stream.BeginCapture(pool: pool), "The graph pool has been disposed");
        Assert.False(stream.IsCapturing);
        Assert.Equal(graphsBefore, Device.StreamBudget.Graphs);
        using var graph = stream.BeginCapture();
        graph.EndCapture();
        Assert.True(graph.IsReady);
    }

    [Fact]
    public void Replay_of_a_graph_whose_capture_was_abandoned()
    {
        using var a = NpuTensor.FromArray(Device.DefaultStream, new float[] { 1 });
        var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, a, a);
        stream.Dispose();                                         // disposing a capturing stream abandons the capture
        Assert.False(graph.IsCapturing);
        Throws<InvalidOperationException>(() => graph.Replay(), "the capture failed (The capture was abandoned");
        Throws<InvalidOperationException>(() => graph.EndCapture(), "was disposed while capturing");
        AssertUsable(Device);
    }

    // ---- double dispose -------------------------------------------------------------------------

    [Theory]
    [InlineData("NpuStream")]
    [InlineData("NpuEvent")]
    [InlineData("DeviceBuffer")]
    [InlineData("PinnedBuffer")]
    [InlineData("NpuTensor")]
    [InlineData("NpuGraph")]
    [InlineData("DeviceMemoryPool")]
    [InlineData("NpuGraphPool")]
    [InlineData("NpuGraphCache")]
    [InlineData("NpuDevice")]
    [InlineData("NpuRuntime")]
    [InlineData("NpuTaskGroupScope")]
    public void Double_dispose_is_a_no_op(string type)
    {
        bool sim = NpuFixture.OnSimulator;
        var before = sim ? NativeBaseline.Take(Device) : default;
        using (var stream = Device.CreateStream())
        {
            IDisposable target = Create(type, stream);
            target.Dispose();
            target.Dispose();
            Assert.Null(Record.Exception(target.Dispose));
        }
        if (sim) before.AssertUnchanged();
        AssertUsable(Device);
    }

    private IDisposable Create(string type, NpuStream stream)
    {
        switch (type)
        {
            case "NpuStream": return Device.CreateStream();
            case "NpuEvent": return Device.CreateEvent();
            case "DeviceBuffer": return DeviceBuffer.Allocate(Device, 64);
            case "PinnedBuffer": return PinnedBuffer<float>.Allocate(Device, 16);
            case "NpuTensor": return NpuTensor.FromArray(stream, new float[] { 1, 2 });
            case "NpuGraph":
            {
                var graph = stream.BeginCapture();
                graph.EndCapture();
                graph.Replay();
                return graph;
            }
            case "DeviceMemoryPool":
            {
                var pool = new DeviceMemoryPool(Device);
                pool.Return(stream, pool.Rent(stream, 1024));
                return pool;
            }
            case "NpuGraphPool": return new NpuGraphPool(Device);
            case "NpuGraphCache":
            {
                var cache = new NpuGraphCache<int>(2);
                cache.GetOrCapture(stream, 1, _ => { }, warmup: 0);
                return cache;
            }
            case "NpuDevice": return NpuDevice.Open(0);
            case "NpuRuntime": return NpuRuntime.Initialize();
            case "NpuTaskGroupScope":
            {
                var graph = stream.BeginCapture();
                var scope = graph.BeginTaskGroup();
                return new Composite(scope, () => { graph.EndCapture(); graph.Dispose(); });
            }
            default: throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>Disposes <paramref name="target"/> (every call), then runs <paramref name="after"/> once.</summary>
    private sealed class Composite(IDisposable target, Action after) : IDisposable
    {
        private bool _after;
        public void Dispose()
        {
            target.Dispose();
            if (_after) return;
            _after = true;
            after();
        }
    }

    // ---- dispose order ----------------------------------------------------------------------------

    [Fact]
    public void Device_disposed_before_its_children_leaves_them_working()
    {
        var before = NpuFixture.OnSimulator ? LiveCounts.Read() : default;
        var device = NpuDevice.Open(1);
        var stream = device.CreateStream();
        var evt = device.CreateEvent();
        var buffer = DeviceBuffer.Allocate(device, 16);
        var tensor = NpuTensor.FromArray(stream, new float[] { -1, 2 });
        var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        device.Dispose();                                          // parent first

        buffer.CopyFrom<int>(new[] { 1, 2, 3, 4 });
        Assert.Equal([1, 2, 3, 4], buffer.ToArray<int>());
        Ops.Relu(stream, tensor, output);                          // preallocated output: no new memory
        evt.Record(stream);
        evt.Synchronize();
        stream.Synchronize();
        Assert.Equal([0f, 2], output.ToArray<float>(stream));

        output.Dispose();
        tensor.Dispose();
        buffer.Dispose();
        evt.Dispose();
        stream.Dispose();
        if (NpuFixture.OnSimulator) Assert.Equal(before, LiveCounts.Read());
    }

    [Fact]
    public void Device_disposed_before_its_stream_the_stream_runs_queued_work_but_cannot_allocate()
    {
        var device = NpuDevice.Open(1);
        using var stream = device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { -1, 2 });
        using var b = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        device.Dispose();
        // Work that needs no new memory still runs, and the stream synchronizes.
        Ops.Relu(stream, a, b);
        stream.Synchronize();
        Assert.Equal([0f, 2], b.ToArray<float>(stream));
        // New memory would come from the device's pool, which went with the device.
        var error = Assert.Throws<ObjectDisposedException>(() => Ops.Relu(stream, a));
        Assert.Contains("was disposed, and with it its memory pool", error.Message);
        using var again = NpuDevice.Open(1);
        using var other = again.CreateStream();
        using var c = Ops.Relu(other, NpuTensor.FromArray(other, new float[] { 3 }));
        Assert.Equal([3f], c.ToArray<float>(other));
    }

    [Fact]
    public void All_runtime_objects_disposed_while_a_device_is_open()
    {
        int references = RuntimeLifetime.References;
        var runtime = NpuRuntime.Initialize();
        var device = NpuDevice.Open(1);
        Assert.True(RuntimeLifetime.References > references + 1);  // the device's context holds the runtime too
        runtime.Dispose();
        // The runtime is not finalized under the device: it keeps working.
        Assert.True(NpuRuntime.IsInitialized);
        AssertUsable(device);
        Throws<ObjectDisposedException>(() => _ = runtime.AclVersion, "NpuRuntime");
        device.Dispose();
        Assert.Equal(references, RuntimeLifetime.References);     // the device's references went with it
        runtime.Dispose();
        Assert.Equal(references, RuntimeLifetime.References);     // a second Dispose takes nothing more
    }

    [Fact]
    public void Stream_disposed_before_its_graph()
    {
        var before = NpuFixture.OnSimulator ? NativeBaseline.Take(Device) : default;
        using (var a = NpuTensor.FromArray(Device.DefaultStream, new float[] { 1, 2 }))
        using (var output = NpuTensor.Empty(Device.DefaultStream, new TensorShape(2), NpuDataType.Float32))
        {
            var stream = Device.CreateStream();
            var graph = NpuGraph.Capture(stream, s => Ops.Add(s, a, a, output), warmup: 0);
            graph.Replay();
            stream.Dispose();
            Throws<ObjectDisposedException>(() => graph.Replay(), "NpuStream");   // the default replay stream is gone
            using (var other = Device.CreateStream())
            {
                graph.ReplayAndWait(other);                                      // any other stream still works
                Assert.Equal([2f, 4], output.ToArray<float>(other));
            }
            graph.Dispose();
        }
        if (NpuFixture.OnSimulator) before.AssertUnchanged();
    }

    [Fact]
    public void Graph_pool_disposed_before_its_graphs()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        var pool = new NpuGraphPool(Device);
        NpuTensor? inner = null;
        var graph = NpuGraph.Capture(stream, s => { inner = Ops.Add(s, a, a); }, warmup: 0, pool: pool);
        Assert.True(pool.ReservedBytes > 0);
        pool.Dispose();                                            // the graph still holds the memory
        graph.ReplayAndWait();
        Assert.Equal([2f, 4], inner!.ToArray<float>(stream));
        inner.Dispose();
        graph.Dispose();
        Assert.Equal(0, pool.ReservedBytes);                       // released with the last graph
        Assert.Equal(0, pool.GraphCount);
    }

    [Fact]
    public void Event_disposed_while_a_stream_waits_on_it()
    {
        using var producer = Device.CreateStream();
        using var consumer = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);
        if (NpuFixture.OnSimulator) Sim.TaskDelay(20_000);
        try
        {
            var evt = Device.CreateEvent();
            buffer.EnqueueFill(producer, 9);
            evt.Record(producer);
            consumer.Wait(evt);
            evt.Dispose();                                         // destroyed while the wait is queued
            buffer.EnqueueFill(consumer, 1, 0, 8);
            Assert.True(consumer.Synchronize(TimeSpan.FromSeconds(30)));
            producer.Synchronize();
        }
        finally
        {
            if (NpuFixture.OnSimulator) Sim.TaskDelay(0);
        }
        var bytes = buffer.ToArray<byte>();
        Assert.All(bytes[..8], b => Assert.Equal(1, b));           // the consumer's fill ran after the producer's
        Assert.All(bytes[8..], b => Assert.Equal(9, b));
    }

    // ---- wrong device / stream pairing ------------------------------------------------------------

    [Fact]
    public void Stream_waits_on_an_event_of_another_device()
    {
        using var device1 = NpuDevice.Open(1);
        using var stream = Device.CreateStream();
        using var evt1 = device1.CreateEvent();
        var error = Throws<ArgumentException>(() => stream.Wait(evt1), "The event belongs to NPU device 1 but the stream to device 0");
        Assert.Equal("evt", error.ParamName);
        Throws<ArgumentException>(() => evt1.Record(stream), "The event belongs to NPU device 1 but the stream to device 0");
        evt1.Record(device1.DefaultStream);
        evt1.Synchronize();
        AssertUsable(device1);
    }

    [Fact]
    public void Graph_replayed_or_updated_on_a_stream_of_another_device()
    {
        using var device1 = NpuDevice.Open(1);
        using var stream = Device.CreateStream();
        using var stream1 = device1.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1 });
        using var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup()) { Ops.Relu(stream, a, a); group = scope.Group; }
        graph.EndCapture();
        Throws<ArgumentException>(() => graph.Replay(stream1), "captured on NPU device 0 and cannot be replayed on a stream of device 1");
        Throws<ArgumentException>(() => graph.Update(stream1, group, s => Ops.Relu(s, a, a)), "The update stream belongs to NPU device 1");
        Assert.Equal(0, graph.ReplayCount);
        graph.ReplayAndWait();
        Assert.Equal(1, graph.ReplayCount);
    }

    [Fact]
    public void Capture_with_a_graph_pool_of_another_device()
    {
        using var device1 = NpuDevice.Open(1);
        using var pool1 = new NpuGraphPool(device1);
        using var stream = Device.CreateStream();
        Throws<ArgumentException>(() => stream.BeginCapture(pool: pool1), "The graph pool belongs to NPU device 1 but the stream to device 0");
        Assert.False(stream.IsCapturing);
        Assert.Equal(0, pool1.GraphCount);
        using var graph = stream.BeginCapture();
        graph.EndCapture();
    }

    [Fact]
    public void Async_buffer_copy_on_a_stream_of_another_device()
    {
        using var device1 = NpuDevice.Open(1);
        using var stream1 = device1.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        using var pinned = PinnedBuffer<int>.Allocate(Device, 4);
        Throws<ArgumentException>(() => buffer.EnqueueCopyFrom(stream1, pinned), "device 1");
        Throws<ArgumentException>(() => buffer.EnqueueCopyTo(stream1, pinned), "device 1");
        Throws<ArgumentException>(() => buffer.EnqueueFill(stream1, 0), "device 1");
        stream1.Synchronize();
    }

    [Fact]
    public void Operator_output_on_another_device()
    {
        using var device1 = NpuDevice.Open(1);
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output1 = NpuTensor.Empty(device1, new TensorShape(2), NpuDataType.Float32);
        var error = Throws<ArgumentException>(() => Ops.Add(stream, a, a, output1), "Ops.Add: argument 'output' is on NPU device 1 but the stream is on device 0");
        Assert.Equal("output", error.ParamName);
        AssertUsable(Device);
    }

    // ---- shapes and types -------------------------------------------------------------------------

    [Fact]
    public void Operator_output_of_the_wrong_shape()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[6], new TensorShape(2, 3));
        using var wrong = NpuTensor.Empty(stream, new TensorShape(3, 2), NpuDataType.Float32);
        Throws<ArgumentException>(() => Ops.Add(stream, a, a, wrong), "argument 'output' has shape [3, 2] but must have shape [2, 3]");
        Throws<ArgumentException>(() => Ops.Relu(stream, a, wrong), "Ops.Relu");
        AssertUsable(Device);
    }

    [Fact]
    public void Operands_that_do_not_broadcast()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[6], new TensorShape(2, 3));
        using var b = NpuTensor.FromArray(stream, new float[2], new TensorShape(2));
        Throws<ArgumentException>(() => Ops.Add(stream, a, b), "cannot broadcast");
        Throws<ArgumentException>(() => Ops.Mul(stream, a, b), "Ops.Mul");
        using var ok = Ops.Add(stream, a, a);
        Assert.Equal(new TensorShape(2, 3), ok.Shape);
    }

    [Fact]
    public void Mixed_element_types()
    {
        using var stream = Device.CreateStream();
        using var f = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var i = NpuTensor.FromArray(stream, new[] { 1, 2 });
        Throws<ArgumentException>(() => Ops.Add(stream, f, i), "holds Int32 but 'self' holds Float32; the SDK does not promote");
        using var cast = Ops.Cast(stream, i, NpuDataType.Float32);
        using var sum = Ops.Add(stream, f, cast);
        Assert.Equal([2f, 4], sum.ToArray<float>(stream));
    }

    [Fact]
    public void Matrix_product_with_mismatched_inner_dimensions_or_ranks()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[6], new TensorShape(2, 3));
        using var b = NpuTensor.FromArray(stream, new float[8], new TensorShape(2, 4));
        using var batch = NpuTensor.FromArray(stream, new float[12], new TensorShape(1, 3, 4));
        using var ints = NpuTensor.FromArray(stream, new int[6], new TensorShape(2, 3));
        Throws<ArgumentException>(() => Ops.MatMul(stream, a, b), "inner dimensions differ");
        Throws<ArgumentException>(() => Ops.Mm(stream, a, batch), "both operands must be 2-D matrices");
        Throws<ArgumentException>(() => Ops.MatMul(stream, ints, ints), "needs a floating-point type");
        using var c = NpuTensor.FromArray(stream, new float[12], new TensorShape(3, 4));
        using var product = Ops.Mm(stream, a, c);
        Assert.Equal(new TensorShape(2, 4), product.Shape);
    }

    [Fact]
    public void Host_copy_of_the_wrong_element_type_or_length()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        Throws<ArgumentException>(() => t.CopyFrom<int>(stream, new[] { 1, 2, 3 }), "the tensor holds Float32 elements, not Int32");
        Throws<ArgumentException>(() => t.CopyFrom<float>(stream, new float[] { 1, 2 }), "2 values given for a tensor of 3 elements");
        Throws<ArgumentException>(() => t.CopyTo<float>(stream, new float[4]), "the destination holds 4 values");
        Throws<ArgumentException>(() => NpuTensor.FromArray(stream, new float[5], new TensorShape(2, 3)), "5 values do not fill shape [2, 3]");
        Assert.Equal([1f, 2, 3], t.ToArray<float>(stream));
    }

    [Fact]
    public void Views_that_do_not_fit()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[6], new TensorShape(2, 3));
        Throws<ArgumentException>(() => t.Reshape(new TensorShape(4, 2)), "has 8 elements but the tensor [2, 3] has 6");
        using var transposed = t.Transpose(0, 1);
        Throws<InvalidOperationException>(() => transposed.Reshape(new TensorShape(6)), "is not contiguous");
        Throws<ArgumentException>(() => t.Expand(new TensorShape(2, 4)), "cannot expand");
        Throws<ArgumentOutOfRangeException>(() => t.Slice(1, 2, 2), "is outside dimension 1 of size 3");
        Throws<ArgumentException>(() => t.Permute(0, 0), "appears twice");
        using var flat = t.Reshape(-1);
        Assert.Equal(new TensorShape(6), flat.Shape);
    }

    [Fact]
    public void Tensor_over_a_buffer_too_small_for_its_shape()
    {
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        Throws<ArgumentOutOfRangeException>(() => NpuTensor.FromBuffer(buffer, new TensorShape(5), NpuDataType.Float32), "reaches element 4, beyond the DeviceBuffer of 16 bytes");
        Throws<ArgumentOutOfRangeException>(() => NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Float32, offset: 3), "reaches element 4");
        Throws<ArgumentOutOfRangeException>(() => NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Float32, offset: -1), "must not be negative");
        using var fits = NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Float32, offset: 2);
        Assert.Equal(2, fits.ElementCount);
    }

    [Fact]
    public void Integer_add_with_a_fractional_alpha()
    {
        using var stream = Device.CreateStream();
        using var i = NpuTensor.FromArray(stream, new[] { 1, 2 });
        Throws<ArgumentException>(() => Ops.Add(stream, i, i, alpha: 0.5), "alpha 0.5 is not an integer");
        using var sum = Ops.Add(stream, i, i, alpha: 3);
        Assert.Equal([4, 8], sum.ToArray<int>(stream));
    }

    // ---- out-of-range copies ------------------------------------------------------------------------

    [Fact]
    public void Buffer_copies_outside_the_buffer()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        using var pinned = PinnedBuffer<int>.Allocate(Device, 4);
        Throws<ArgumentOutOfRangeException>(() => buffer.CopyFrom<byte>(new byte[1], offsetBytes: 16), "Copying 1 bytes at offset 16 does not fit");
        Throws<ArgumentOutOfRangeException>(() => buffer.CopyFrom<byte>(new byte[1], offsetBytes: -1), "must not be negative");
        Throws<ArgumentOutOfRangeException>(() => buffer.EnqueueCopyFrom(stream, pinned, offsetBytes: 4), "Copying 16 bytes at offset 4");
        Throws<ArgumentOutOfRangeException>(() => buffer.EnqueueCopyTo(stream, pinned, offsetBytes: 8), "Copying 16 bytes at offset 8");
        Throws<ArgumentOutOfRangeException>(() => buffer.Fill(0, offsetBytes: 8, count: 9), "Copying 9 bytes at offset 8");
        Throws<ArgumentOutOfRangeException>(() => buffer.EnqueueFill(stream, 0, offsetBytes: 0, count: 17), "Copying 17 bytes");
        buffer.CopyFrom<byte>(new byte[] { 5 }, offsetBytes: 15);
        Assert.Equal(5, buffer.ToArray<byte>()[15]);
    }

    [Fact]
    public void Allocation_sizes_that_are_not_positive()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        Throws<ArgumentOutOfRangeException>(() => DeviceBuffer.Allocate(Device, 0), "bytes");
        Throws<ArgumentOutOfRangeException>(() => PinnedBuffer<int>.Allocate(Device, -1), "length");
        Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, 0), "bytes");
        Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, 1L << 47), "A pool block holds at most");
        Throws<ArgumentOutOfRangeException>(() => new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { MaxReservedBytes = -1 }), "MaxReservedBytes must be 0");
        Assert.Equal(0, pool.RentedBlockCount);
        pool.Return(stream, pool.Rent(stream, 1));
        Assert.Equal(0, pool.InUseBytes);
    }

    // ---- null and empty ----------------------------------------------------------------------------

    [Fact]
    public void Null_arguments_are_named()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1 });
        Assert.Equal("stream", Throws<ArgumentNullException>(() => Ops.Add(null!, a, a), "Ops.Add: argument 'stream' is null").ParamName);
        Assert.Equal("other", Throws<ArgumentNullException>(() => Ops.Add(stream, a, null!), "Ops.Add: argument 'other' is null").ParamName);
        Assert.Equal("evt", Assert.Throws<ArgumentNullException>(() => stream.Wait(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => stream.LaunchHostCallback(null!)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => NpuTensor.FromArray<float>(stream, null!)).ParamName);
        Assert.Equal("device", Assert.Throws<ArgumentNullException>(() => DeviceBuffer.Allocate(null!, 4)).ParamName);
        Assert.Equal("body", Assert.Throws<ArgumentNullException>(() => NpuGraph.Capture(stream, null!)).ParamName);
        Assert.False(stream.IsCapturing);
        using var r = Ops.Relu(stream, a);
        Assert.Equal([1f], r.ToArray<float>(stream));
    }

    [Fact]
    public void Empty_spans_and_empty_tensors()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        buffer.CopyFrom(ReadOnlySpan<byte>.Empty, offsetBytes: 16);   // empty at the end: allowed, no native call
        buffer.CopyTo(Span<float>.Empty);
        buffer.Fill(1, offsetBytes: 16, count: 0);
        using var empty = NpuTensor.Empty(stream, new TensorShape(0, 3), NpuDataType.Float32);
        empty.CopyFrom(stream, ReadOnlySpan<float>.Empty);
        Assert.Empty(empty.ToArray<float>(stream));
        using var sum = Ops.Add(stream, empty, empty);
        Assert.Equal(new TensorShape(0, 3), sum.Shape);
        Assert.Equal(0, empty.StorageByteLength);
        using var three = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        Throws<ArgumentException>(() => three.CopyFrom(stream, ReadOnlySpan<float>.Empty), "0 values given for a tensor of 3 elements");
        Assert.Equal([1f, 2, 3], three.ToArray<float>(stream));
    }

    // ---- pool misuse ------------------------------------------------------------------------------

    [Fact]
    public void Pool_block_returned_twice_or_to_another_pool()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { Name = "pool A" });
        using var other = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { Name = "pool B" });
        var block = pool.Rent(stream, 4096);
        var copy = block;
        Throws<InvalidOperationException>(() => other.Return(stream, block), "was rented from the pool A, not from the pool B");
        pool.Return(stream, block);
        Throws<InvalidOperationException>(() => pool.Return(stream, copy), "was already returned to the pool A (double return)");
        Throws<InvalidOperationException>(() => default(PoolBlock).Return(stream), "never rented");
        Throws<InvalidOperationException>(() => pool.Return(stream, default), "never rented");
        Assert.Equal(0, pool.InUseBytes);
        Assert.Equal(0, pool.RentedBlockCount);
        var again = pool.Rent(stream, 4096);
        Assert.Equal(block.Pointer, again.Pointer);                // the block was reused, once
        pool.Return(stream, again);
    }

    [Fact]
    public void Stale_copy_of_a_block_returned_after_the_memory_was_rented_again()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var first = pool.Rent(stream, 2048);
        pool.Return(stream, first);
        var second = pool.Rent(stream, 2048);
        Assert.Equal(first.Pointer, second.Pointer);
        Throws<InvalidOperationException>(() => pool.Return(stream, first), "double return");
        Assert.Equal(1, pool.RentedBlockCount);                    // the new rental is untouched
        pool.Return(stream, second);
        Assert.Equal(0, pool.RentedBlockCount);
    }

    [Fact]
    public void Rent_for_a_disposed_stream()
    {
        using var pool = new DeviceMemoryPool(Device);
        var stream = Device.CreateStream();
        stream.Dispose();
        Throws<ObjectDisposedException>(() => pool.Rent(stream, 512), "NpuStream");
        Throws<ObjectDisposedException>(() => NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32), "NpuStream");
        Assert.Equal(0, pool.RentedBlockCount);
    }

    // ---- capture rules ----------------------------------------------------------------------------

    [Fact]
    public void Pageable_copy_on_another_stream_during_a_global_capture()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var t = NpuTensor.FromArray(other, new float[] { 1, 2 });
        using (var graph = stream.BeginCapture(CaptureMode.Global))
        {
            var here = Throws<NpuCaptureException>(() => t.CopyFrom<float>(other, new float[] { 3, 4 }), "capturing thread");
            Assert.Equal(107041, here.Code);
            Assert.Equal("ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC", here.CodeName);
            var elsewhere = Assert.IsType<NpuCaptureException>(Bounded.OnThread(() => t.ToArray<float>(other)));
            Assert.Equal(107041, elsewhere.Code);
            Assert.Contains("another thread", elsewhere.Message);
            graph.EndCapture();
            Assert.Empty(graph.Operations);
        }
        t.CopyFrom<float>(other, new float[] { 3, 4 });
        Assert.Equal([3f, 4], t.ToArray<float>(other));
    }

    [Fact]
    public void Pageable_copy_on_another_stream_from_another_thread_during_a_thread_local_capture()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var t = NpuTensor.FromArray(other, new float[] { 1, 2 });
        using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);
        float[]? read = null;
        Assert.Null(Bounded.OnThread(() => read = t.ToArray<float>(other)));
        Assert.Equal([1f, 2], read!);
        Assert.Equal(107041, Assert.Throws<NpuCaptureException>(() => t.ToArray<float>(other)).Code); // but not on the capturing thread
        graph.EndCapture();
    }

    [Fact]
    public void Managed_array_copy_on_the_capturing_stream()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        foreach (var mode in new[] { CaptureMode.Global, CaptureMode.ThreadLocal, CaptureMode.Relaxed })
        {
            using var graph = stream.BeginCapture(mode);
            var error = Throws<NpuCaptureException>(() => t.CopyFrom<float>(stream, new float[] { 3, 4 }), "managed (pageable) host memory cannot be copied on a capturing stream");
            Assert.Equal(107000, error.Code);
            Assert.Equal("NpuTensor.CopyFrom", error.Operation);
            Assert.Equal(mode, error.Mode);
            Assert.Equal(107000, Assert.Throws<NpuCaptureException>(() => t.ToArray<float>(stream)).Code);
            Assert.True(graph.IsCapturing);                      // refused before the runtime: the capture goes on
            graph.EndCapture();
            Assert.True(graph.IsReady);
        }
        Assert.Equal([1f, 2], t.ToArray<float>(stream));
    }

    [Fact]
    public void Pinned_copy_on_the_capturing_stream_is_captured()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var pinned = PinnedBuffer<float>.Allocate(Device, 2);
        using var graph = stream.BeginCapture();
        t.EnqueueCopyFrom(stream, pinned);
        graph.EndCapture();
        Assert.Equal("aclrtMemcpyAsync", Assert.Single(graph.Operations).Name);
        pinned.Span[0] = 7; pinned.Span[1] = 8;
        graph.ReplayAndWait();                                    // the graph reads the pinned memory at replay
        Assert.Equal([7f, 8], t.ToArray<float>(stream));
    }

    [Fact]
    public void Device_synchronize_during_a_capture()
    {
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture(CaptureMode.Relaxed);
        var error = Assert.ThrowsAny<AclException>(() => Device.Synchronize());
        Assert.Equal(107027, error.Code);
        Assert.Equal("aclrtSynchronizeDevice", error.Function);
        Assert.Contains("capturing", error.Message);
        graph.EndCapture();
        Device.Synchronize();
    }

    [Fact]
    public void Event_timing_across_a_capture()
    {
        using var stream = Device.CreateStream();
        using var start = Device.CreateEvent();
        using var end = Device.CreateEvent();
        start.Record(stream);
        using var graph = stream.BeginCapture();
        end.Record(stream);
        var error = Throws<NpuCaptureException>(() => NpuEvent.ElapsedTime(start, end), "recorded inside a capture");
        Assert.Equal(107028, error.Code);
        Assert.Equal("NpuEvent.ElapsedTime", error.Operation);
        graph.EndCapture();
        end.Record(stream);
        end.Synchronize();
        Assert.True(NpuEvent.ElapsedTime(start, end) >= TimeSpan.Zero);
    }

    [Fact]
    public void Task_groups_nested_left_open_or_begun_after_the_capture()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1 });
        var graph = stream.BeginCapture();
        var outer = graph.BeginTaskGroup("outer");
        Throws<InvalidOperationException>(() => graph.BeginTaskGroup("inner"), "Task group 'outer' is still open; task groups do not nest");
        Ops.Relu(stream, a, a);
        Throws<InvalidOperationException>(() => graph.EndCapture(), "Task group 'outer' is still open: dispose its scope before EndCapture");
        Assert.True(graph.IsCapturing);
        outer.Dispose();
        graph.EndCapture();
        Throws<InvalidOperationException>(() => graph.BeginTaskGroup(), "NpuGraph.BeginTaskGroup: the capture has already ended");
        Assert.Single(graph.TaskGroups);
        graph.ReplayAndWait();
        graph.Dispose();
    }

    [Fact]
    public void Capture_mode_out_of_range()
    {
        using var stream = Device.CreateStream();
        Assert.Equal("mode", Throws<ArgumentOutOfRangeException>(() => stream.BeginCapture((CaptureMode)7), "Not a CaptureMode").ParamName);
        Throws<ArgumentOutOfRangeException>(() => NpuGraph.ExchangeThreadCaptureMode((CaptureMode)(-1)), "Not a CaptureMode");
        Assert.False(stream.IsCapturing);
        Assert.Equal(CaptureMode.Global, NpuGraph.ThreadCaptureMode);
    }

    [Fact]
    public void Capture_mode_scopes_disposed_out_of_order()
    {
        try
        {
            var outer = NpuGraph.ExchangeThreadCaptureMode(CaptureMode.Relaxed);
            var inner = NpuGraph.ExchangeThreadCaptureMode(CaptureMode.ThreadLocal);
            outer.Dispose();                                        // out of order
            inner.Dispose();
            // The thread must not be left in a weaker mode than it started with.
            Assert.Equal(CaptureMode.Global, NpuGraph.ThreadCaptureMode);
            using var stream = Device.CreateStream();
            using var buffer = DeviceBuffer.Allocate(Device, 16);
            using var graph = stream.BeginCapture(CaptureMode.Global);
            Assert.Equal(107030, Assert.Throws<NpuCaptureException>(() => buffer.Fill(1)).Code);
            graph.EndCapture();
        }
        finally
        {
            NpuGraph.ExchangeThreadCaptureMode(CaptureMode.Global);    // never leave the test thread relaxed
        }
    }

    [Fact]
    public void Graph_cache_capture_body_that_throws()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { -1, 1 });
        using var cache = new NpuGraphCache<int>(2);
        int graphs = Device.StreamBudget.Graphs;
        var error = Assert.Throws<InvalidDataException>(() => cache.GetOrCapture(stream, 1, s =>
        {
            Ops.Relu(s, a, a);
            if (s.IsCapturing) throw new InvalidDataException("model code failed mid-capture");
        }));
        Assert.Equal("model code failed mid-capture", error.Message);
        Assert.Equal(0, cache.Count);
        Assert.False(stream.IsCapturing);
        Assert.Equal(graphs, Device.StreamBudget.Graphs);
        var graph = cache.GetOrCapture(stream, 1, s => Ops.Relu(s, a, a), warmup: 0);
        graph.ReplayAndWait();
        Assert.Equal([0f, 1], a.ToArray<float>(stream));
        Assert.Equal(2, cache.Statistics.Misses);
    }

    [Fact]
    public void Pinned_copy_of_the_wrong_length_or_into_a_strided_view()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[6], new TensorShape(2, 3));
        using var pinned = PinnedBuffer<float>.Allocate(Device, 5);
        using var pinnedInts = PinnedBuffer<int>.Allocate(Device, 6);
        using var transposed = t.Transpose(0, 1);
        Throws<ArgumentException>(() => t.EnqueueCopyFrom(stream, pinned), "the pinned buffer holds 5 values but the tensor has 6 elements");
        Throws<ArgumentException>(() => t.EnqueueCopyTo(stream, pinnedInts), "the tensor holds Float32 elements, not Int32");
        using var six = PinnedBuffer<float>.Allocate(Device, 6);
        Throws<InvalidOperationException>(() => transposed.EnqueueCopyFrom(stream, six), "is not contiguous");
        Throws<ArgumentNullException>(() => t.EnqueueCopyFrom(null!, six), "'stream'");
        Throws<ArgumentNullException>(() => t.EnqueueCopyTo(null!, six), "'stream'");
        six.Span.Fill(2);
        t.EnqueueCopyFrom(stream, six);
        stream.Synchronize();
        Assert.All(t.ToArray<float>(stream), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void Views_of_one_storage_disposed_from_eight_threads()
    {
        using var stream = Device.CreateStream();
        var pool = Device.MemoryPool;
        stream.Synchronize();
        long inUse = pool.InUseBytes;
        for (int round = 0; round < 20; round++)
        {
            var tensor = NpuTensor.FromArray(stream, new float[64], new TensorShape(8, 8));
            var views = new NpuTensor[8];
            for (int i = 0; i < views.Length; i++) views[i] = tensor.Slice(0, i, 1);
            tensor.Dispose();
            Assert.Empty(Bounded.Together(8, i => views[i].Dispose()));
            Assert.Equal(inUse, pool.InUseBytes);                  // returned exactly once
        }
        AssertUsable(Device);
    }

    // ---- task-group updates -----------------------------------------------------------------------

    private static (NpuGraph Graph, NpuTaskGroup Group) AddGraph(NpuStream stream, NpuTensor x, NpuTensor y, NpuTensor output)
    {
        var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup("add")) { Ops.Add(stream, x, y, output); group = scope.Group; }
        graph.EndCapture();
        return (graph, group);
    }

    [Fact]
    public void Update_that_issues_too_few_operations()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 10, 20 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        var (graph, group) = AddGraph(stream, x, y, output);
        using (graph)
        {
            var error = Throws<NpuCaptureException>(() => graph.Update(updater, group, _ => { }), "The update re-issued 0 operation(s) but task group 'add' has 1 (aclnnAdd)");
            Assert.Equal(107033, error.Code);
            Assert.Equal(0, group.UpdateCount);
            graph.ReplayAndWait();
            Assert.Equal([11f, 22], output.ToArray<float>(stream));   // unchanged group
            graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 2));
            graph.ReplayAndWait();
            Assert.Equal([21f, 42], output.ToArray<float>(stream));
        }
    }

    [Fact]
    public void Update_of_a_group_of_another_graph_or_on_a_capturing_stream()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var output = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        var (first, firstGroup) = AddGraph(stream, x, x, output);
        var (second, _) = AddGraph(stream, x, x, output);
        using (first)
        using (second)
        {
            first.ReplayAndWait();                                 // (a first replay after an update is another case)
            Throws<ArgumentException>(() => second.Update(other, firstGroup, s => Ops.Add(s, x, x, output)), "Task group 'add' belongs to another graph");
            using (var capturing = other.BeginCapture())
            {
                Throws<InvalidOperationException>(() => first.Update(other, firstGroup, s => Ops.Add(s, x, x, output)), "is capturing or already updating");
                capturing.EndCapture();
            }
            first.Update(other, firstGroup, s => Ops.Add(s, x, x, output, alpha: 3));
            first.ReplayAndWait();
            Assert.Equal([4f], output.ToArray<float>(stream));
        }
    }

    [Fact]
    public void First_replay_on_a_stream_after_an_update_waits_for_the_update()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var slow = DeviceBuffer.Allocate(Device, 64);
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var output = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        var (graph, group) = AddGraph(stream, x, x, output);
        using (graph)
        {
            if (NpuFixture.OnSimulator) Sim.TaskDelay(20_000);
            try
            {
                slow.EnqueueFill(updater, 1);                            // the update queues behind slow work
                slow.EnqueueFill(updater, 2);
                graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 3));
                graph.Replay();                                        // this stream's first replay: after the update
                Assert.True(stream.Synchronize(TimeSpan.FromSeconds(30)));
                Assert.True(updater.Synchronize(TimeSpan.FromSeconds(30)));
            }
            finally
            {
                if (NpuFixture.OnSimulator) Sim.TaskDelay(0);
            }
            Assert.Equal([4f], output.ToArray<float>(stream));
        }
    }

    [Fact]
    public void Update_body_that_throws()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var output = NpuTensor.Empty(stream, new TensorShape(1), NpuDataType.Float32);
        var (graph, group) = AddGraph(stream, x, x, output);
        using (graph)
        {
            var error = Assert.Throws<FormatException>(() => graph.Update(updater, group, _ => throw new FormatException("user code")));
            Assert.Equal("user code", error.Message);
            Assert.False(updater.IsCapturing);
            Assert.Equal(0, group.UpdateCount);
            graph.ReplayAndWait();                                 // unchanged (and registers the replay stream: see the known bug above)
            Assert.Equal([2f], output.ToArray<float>(stream));
            graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 4));
            graph.ReplayAndWait();
            Assert.Equal([5f], output.ToArray<float>(stream));
        }
    }

    // ---- host callbacks ----------------------------------------------------------------------------

    [Fact]
    public void Callback_exceptions_are_drained_once_and_stay_on_their_stream()
    {
        using var stream = Device.CreateStream();
        using var bystander = Device.CreateStream();
        int ran = 0;
        stream.LaunchHostCallback(() => throw new InvalidDataException("first"));
        bystander.LaunchHostCallback(() => Interlocked.Increment(ref ran));
        stream.LaunchHostCallback(() => throw new InvalidDataException("second"));
        stream.LaunchHostCallback(() => Interlocked.Increment(ref ran));   // later work still runs
        bystander.Synchronize();                                            // not this stream's errors
        var error = Assert.Throws<AggregateException>(() => stream.Synchronize());
        Assert.Contains("2 host callback(s)", error.Message);
        Assert.Equal(["first", "second"], error.InnerExceptions.Select(e => e.Message));
        stream.Synchronize();                                               // drained: the next wait is clean
        Assert.Equal(2, ran);
    }

    [Fact]
    public void Callback_that_synchronizes_its_own_stream()
    {
        using var stream = Device.CreateStream();
        Exception? inside = null;
        bool? completed = null;
        stream.LaunchHostCallback(() =>
        {
            try { completed = stream.Synchronize(TimeSpan.FromMilliseconds(500)); }
            catch (Exception e) { inside = e; }
        });
        Assert.True(stream.Synchronize(TimeSpan.FromSeconds(30)));
        Assert.Null(completed);
        Assert.IsType<InvalidOperationException>(inside);
    }

    [Fact]
    public void Callback_captured_into_a_graph_throws_at_every_replay()
    {
        using var stream = Device.CreateStream();
        int runs = 0;
        using var graph = stream.BeginCapture();
        stream.LaunchHostCallback(() =>
        {
            Interlocked.Increment(ref runs);
            throw new InvalidDataException("replayed callback");
        });
        graph.EndCapture();
        for (int i = 0; i < 3; i++)
        {
            graph.Replay();
            var error = Assert.Throws<AggregateException>(() => stream.Synchronize());
            Assert.Equal("replayed callback", Assert.Single(error.InnerExceptions).Message);
        }
        Assert.Equal(3, runs);
        stream.Synchronize();
    }

    // ---- concurrent dispose ------------------------------------------------------------------------

    [Theory]
    [InlineData("NpuStream")]
    [InlineData("NpuEvent")]
    [InlineData("DeviceBuffer")]
    [InlineData("NpuTensor")]
    [InlineData("NpuGraph")]
    [InlineData("DeviceMemoryPool")]
    [InlineData("NpuGraphPool")]
    [InlineData("NpuDevice")]
    public void Concurrent_dispose_of_one_object_from_eight_threads(string type)
    {
        bool sim = NpuFixture.OnSimulator;
        var before = sim ? NativeBaseline.Take(Device) : default;
        using (var stream = Device.CreateStream())
        {
            for (int round = 0; round < 20; round++)
            {
                var target = Create(type, stream);
                var errors = Bounded.Together(8, _ => target.Dispose());
                Assert.Empty(errors);
            }
        }
        if (sim) before.AssertUnchanged();
        AssertUsable(Device);
    }

    [Fact]
    public void Dispose_racing_with_use_of_a_stream()
    {
        for (int round = 0; round < 20; round++)
        {
            var stream = Device.CreateStream();
            using var buffer = DeviceBuffer.Allocate(Device, 64);
            var errors = Bounded.Together(2, index =>
            {
                if (index == 0) { stream.Dispose(); return; }
                for (int i = 0; i < 50; i++)
                {
                    buffer.EnqueueFill(stream, (byte)i);
                    stream.Synchronize();
                }
            });
            // The user thread either finished first or saw the disposal, nothing else.
            Assert.All(errors, e => Assert.IsType<ObjectDisposedException>(e));
            Assert.True(stream.IsDisposed);
        }
        AssertUsable(Device);
    }
}
