using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class GraphTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>y = relu(x @ w + b): three operators.</summary>
    private static void Layer(NpuStream stream, NpuTensor x, NpuTensor w, NpuTensor b, NpuTensor h, NpuTensor y)
    {
        Ops.MatMul(stream, x, w, h);
        Ops.Add(stream, h, b, h);
        Ops.Relu(stream, h, y);
    }

    [Fact]
    public void Replay_equals_eager_bit_for_bit_and_tracks_new_inputs()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Random(8 * 32, 1), new TensorShape(8, 32));
        using var w = NpuTensor.FromArray(stream, Random(32 * 16, 2), new TensorShape(32, 16));
        using var b = NpuTensor.FromArray(stream, Random(16, 3), new TensorShape(16));
        using var h = NpuTensor.Empty(stream, new TensorShape(8, 16), NpuDataType.Float32);
        using var eager = NpuTensor.Empty(stream, new TensorShape(8, 16), NpuDataType.Float32);
        using var replayed = NpuTensor.Empty(stream, new TensorShape(8, 16), NpuDataType.Float32);

        Layer(stream, x, w, b, h, eager);
        float[] expected = eager.ToArray<float>(stream);

        using var graph = stream.BeginCapture();
        Assert.True(stream.IsCapturing);
        Layer(stream, x, w, b, h, replayed);
        graph.EndCapture();
        Assert.False(stream.IsCapturing);
        Assert.Equal(3, graph.Operations.Count);

        for (int i = 0; i < 50; i++) graph.Replay();
        stream.Synchronize();
        Assert.Equal(expected, replayed.ToArray<float>(stream));
        Assert.Equal(50, graph.ReplayCount);

        // Static-input pattern: new data into x, replay, same result as eager on the new data.
        x.CopyFrom<float>(stream, Random(8 * 32, 9));
        Layer(stream, x, w, b, h, eager);
        graph.Replay();
        stream.Synchronize();
        Assert.Equal(eager.ToArray<float>(stream), replayed.ToArray<float>(stream));
    }

    [Fact]
    public void Replay_on_another_stream_works()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 });
        using var output = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = NpuGraph.Capture(stream, s => Ops.Add(s, a, a, output, alpha: 2), warmup: 0);
        output.CopyFrom<float>(stream, new float[4]);
        graph.Replay(other);
        other.Synchronize();
        Assert.Equal([3f, 6, 9, 12], output.ToArray<float>(stream));
    }

    [Fact]
    public void An_exception_in_a_capture_scope_leaves_a_usable_stream_and_no_leaks()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using (Ops.Relu(stream, a)) { }   // creates a's cached descriptor before the baseline
        stream.Synchronize();
        var before = NpuFixture.OnSimulator ? LiveCounts.Read() : default;
        var budgetBefore = Device.StreamBudget;
        Assert.Throws<InvalidOperationException>((Action)(() =>
        {
            using var graph = stream.BeginCapture();
            using var tmp = Ops.Relu(stream, a);
            throw new InvalidOperationException("model code failed mid-capture");
        }));
        Assert.False(stream.IsCapturing);
        stream.Synchronize();
        using var after = Ops.Relu(stream, a);
        Assert.Equal([1f, 2], after.ToArray<float>(stream));
        Assert.Equal(budgetBefore.Graphs, Device.StreamBudget.Graphs);
        if (NpuFixture.OnSimulator)
        {
            after.Dispose();
            stream.Synchronize();
            Assert.Equal(before, LiveCounts.Read());
        }
    }

    [Fact]
    public void Synchronize_query_and_replay_on_a_capturing_stream_are_explained()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1 });
        using var other = NpuGraph.Capture(stream, s => Ops.Relu(s, a, a), warmup: 0);
        using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);

        var sync = Assert.Throws<NpuCaptureException>(() => stream.Synchronize());
        Assert.Equal(107027, sync.Code);
        Assert.Equal("NpuStream.Synchronize", sync.Operation);
        Assert.Equal(CaptureMode.ThreadLocal, sync.Mode);
        Assert.Contains("capturing", sync.Message);
        Assert.Equal(107027, Assert.Throws<NpuCaptureException>(() => stream.Query()).Code);
        Assert.Equal(107027, Assert.Throws<NpuCaptureException>(() => other.Replay(stream)).Code);
        graph.EndCapture();
        stream.Synchronize();
    }

    [Fact]
    public void An_event_recorded_in_a_capture_cannot_be_waited_on_by_the_host()
    {
        using var stream = Device.CreateStream();
        using var evt = Device.CreateEvent();
        using var graph = stream.BeginCapture();
        evt.Record(stream);
        var error = Assert.Throws<NpuCaptureException>(() => evt.Synchronize());
        Assert.Equal(107028, error.Code);
        Assert.Equal(107028, Assert.Throws<NpuCaptureException>(() => evt.IsCompleted).Code);
        graph.EndCapture();
    }

    [Fact]
    public void Synchronous_copies_follow_the_capture_mode_rules()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);

        using (var graph = stream.BeginCapture(CaptureMode.Global))
        {
            var here = Assert.Throws<NpuCaptureException>(() => buffer.Fill(1));
            Assert.Equal(107030, here.Code);
            Assert.Contains("capturing thread", here.Message);
            var elsewhere = (OnOtherThread(() => Record(() => buffer.CopyFrom<byte>(new byte[4]))));
            Assert.Equal(107030, Assert.IsType<NpuCaptureException>(elsewhere).Code);
            Assert.Contains("another thread", elsewhere!.Message);
            // A thread switched to Relaxed may copy while the Global capture runs.
            var relaxed = (OnOtherThread(() => Record(() =>
            {
                using var scope = NpuGraph.ExchangeThreadCaptureMode(CaptureMode.Relaxed);
                Assert.Equal(CaptureMode.Global, scope.Previous);
                buffer.CopyFrom<byte>(new byte[4]);
            })));
            Assert.Null(relaxed);
            graph.EndCapture();
        }

        using (var graph = stream.BeginCapture(CaptureMode.ThreadLocal))
        {
            Assert.Equal(107030, Assert.Throws<NpuCaptureException>(() => buffer.CopyTo<byte>(new byte[4])).Code);
            Assert.Null((OnOtherThread(() => Record(() => buffer.Fill(2)))));
            graph.EndCapture();
        }

        using (var graph = stream.BeginCapture(CaptureMode.Relaxed))
        {
            buffer.Fill(3); // runs at once, outside the graph
            graph.EndCapture();
        }
        Assert.All(buffer.ToArray<byte>(), b => Assert.Equal(3, b));
        Assert.Equal(CaptureMode.Global, NpuGraph.ThreadCaptureMode);
    }

    /// <summary>Runs <paramref name="body"/> on a new thread and waits (captures are tied to the test's thread).</summary>
    private static Exception? OnOtherThread(Func<Exception?> body)
    {
        Exception? result = null;
        var thread = new Thread(() => result = body());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the other thread hung");
        return result;
    }

    private static Exception? Record(Action action)
    {
        try { action(); return null; }
        catch (Exception e) { return e; }
    }

    [Fact]
    public void The_default_stream_cannot_capture()
    {
        var error = Assert.Throws<NpuCaptureException>(() => Device.DefaultStream.BeginCapture());
        Assert.Equal(100000, error.Code);
        Assert.Contains("default stream", error.Message);
    }

    [Fact]
    public void EndCapture_from_another_thread_is_refused_in_strict_modes_and_allowed_in_relaxed()
    {
        using var stream = Device.CreateStream();
        var graph = stream.BeginCapture(CaptureMode.ThreadLocal);
        var error = (OnOtherThread(() => Record(graph.EndCapture)));
        Assert.Equal(107038, Assert.IsType<NpuCaptureException>(error).Code);
        Assert.True(graph.IsCapturing);
        graph.EndCapture();
        graph.Dispose();

        var relaxed = stream.BeginCapture(CaptureMode.Relaxed);
        Assert.Null((OnOtherThread(() => Record(relaxed.EndCapture))));
        Assert.True(relaxed.IsReady);
        relaxed.Dispose();
    }

    [Fact]
    public void Capturing_twice_on_one_stream_and_misusing_the_graph_state_are_refused()
    {
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        Assert.Equal(107027, Assert.Throws<NpuCaptureException>(() => stream.BeginCapture()).Code);
        Assert.Throws<InvalidOperationException>(() => graph.Replay());
        graph.EndCapture();
        Assert.Throws<InvalidOperationException>(() => graph.EndCapture());
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(() => graph.Replay());
    }

    [Fact]
    public void A_joined_stream_must_join_back_before_end()
    {
        using var origin = Device.CreateStream();
        using var side = Device.CreateStream();
        using var fork = Device.CreateEvent(timing: false);
        using var join = Device.CreateEvent(timing: false);
        using var a = NpuTensor.FromArray(origin, new float[] { -1, 2 });
        using var b = NpuTensor.Empty(origin, new TensorShape(2), NpuDataType.Float32);

        using (var graph = origin.BeginCapture())
        {
            fork.Record(origin);
            side.Wait(fork);
            Assert.True(side.IsCapturing);
            Ops.Relu(side, a, b);
            var error = Assert.Throws<NpuCaptureException>(graph.EndCapture);
            Assert.Equal(107025, error.Code);
            Assert.Contains("join back", error.Message);
        }
        Assert.False(origin.IsCapturing);
        Assert.False(side.IsCapturing);
        origin.Synchronize();
        side.Synchronize();

        using var joined = origin.BeginCapture();
        fork.Record(origin);
        side.Wait(fork);
        Ops.Relu(side, a, b);
        join.Record(side);
        origin.Wait(join);
        joined.EndCapture();
        joined.Replay();
        origin.Synchronize();
        Assert.Equal([0f, 2], b.ToArray<float>(origin));
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public unsafe void An_invalidated_capture_fails_at_end_and_leaves_the_stream_usable()
    {
        if (!NpuFixture.OnSimulator) Assert.Skip("uses a bogus raw event handle, which only the simulator survives");
        using var stream = Device.CreateStream();
        var graph = stream.BeginCapture();
        // A failing event wait on the capturing stream invalidates the capture (CANN rule).
        int code = Acl.aclrtStreamWaitEvent(stream.Handle, (aclrtEvent)(nint)0x10);
        Assert.NotEqual(0, code);
        var error = Assert.Throws<NpuCaptureException>(graph.EndCapture);
        Assert.Equal(507903, error.Code);
        Assert.Contains("invalidated", error.Message);
        Assert.False(stream.IsCapturing);
        graph.Dispose();
        stream.Synchronize();
    }

    [Fact]
    public void A_shared_pool_holds_less_than_private_pools_for_the_same_graphs()
    {
        using var stream = Device.CreateStream();
        int[] batches = [1, 2, 4, 8];
        using var w = NpuTensor.FromArray(stream, Random(64 * 64, 5), new TensorShape(64, 64));

        long Capture(NpuGraphPool? shared, List<NpuGraph> graphs, List<NpuTensor> tensors)
        {
            foreach (int batch in batches)
            {
                var x = NpuTensor.FromArray(stream, Random(batch * 64, batch), new TensorShape(batch, 64));
                tensors.Add(x);
                var graph = NpuGraph.Capture(stream, s =>
                {
                    using var h1 = Ops.MatMul(s, x, w);
                    using var h2 = Ops.Relu(s, h1);
                    using var h3 = Ops.MatMul(s, h2, w);
                    tensors.Add(Ops.Silu(s, h3));
                }, warmup: 1, pool: shared);
                graphs.Add(graph);
            }
            return shared?.ReservedBytes ?? graphs.Sum(g => g.MemoryBytes);
        }

        var privateGraphs = new List<NpuGraph>();
        var tensors = new List<NpuTensor>();
        long privateBytes = Capture(null, privateGraphs, tensors);
        Assert.All(privateGraphs, g => Assert.True(g.HasPrivatePool && g.MemoryBytes > 0));

        using var pool = new NpuGraphPool(Device);
        var sharedGraphs = new List<NpuGraph>();
        long sharedBytes = Capture(pool, sharedGraphs, tensors);
        Assert.Equal(4, pool.GraphCount);
        // Each graph knows what it needed, independent of segment rounding: the Silu output stays, the
        // intermediates were freed inside the capture; larger batches need more.
        for (int i = 0; i < batches.Length; i++)
        {
            long output = batches[i] * 64 * sizeof(float);
            Assert.Equal(DeviceMemoryPool.RoundSize(output), sharedGraphs[i].CaptureRetainedBytes);
            Assert.True(sharedGraphs[i].CapturePeakBytes >= 3 * DeviceMemoryPool.RoundSize(output),
                $"batch {batches[i]}: peak {sharedGraphs[i].CapturePeakBytes}");
            if (i > 0) Assert.True(sharedGraphs[i].CapturePeakBytes >= sharedGraphs[i - 1].CapturePeakBytes);
        }
        Assert.True(sharedBytes < privateBytes, $"shared pool {sharedBytes} bytes vs private pools {privateBytes} bytes");

        foreach (var g in privateGraphs.Concat(sharedGraphs)) g.Replay();
        stream.Synchronize();
        foreach (var g in privateGraphs.Concat(sharedGraphs)) g.Dispose();
        Assert.Equal(0, pool.GraphCount);
        foreach (var t in tensors) t.Dispose();
    }

    [Fact]
    public void Consecutive_updates_wait_once_for_earlier_replays_and_again_after_a_new_replay()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 10, 20, 30 });
        using var output = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        using var log = PinnedBuffer<float>.Allocate(Device, 3);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup("bias"))
        {
            Ops.Add(stream, x, x, output);                  // output = 2x
            group = scope.Group;
        }
        output.EnqueueCopyTo(stream, log);
        graph.EndCapture();
        graph.ReplayAndWait();

        using var gate = new ManualResetEventSlim(false);
        stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(10)));
        graph.Replay();                                     // 2x
        float[]? first = null, second = null;
        stream.LaunchHostCallback(() => first = log.Span.ToArray());
        // Two updates with no replay between them: the second needs no new wait on the replay stream.
        graph.Update(updater, group, s => Ops.Add(s, x, y, output));
        graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 2));
        graph.Replay();                                     // x + 2y
        stream.LaunchHostCallback(() => second = log.Span.ToArray());
        // A replay was queued since: this update must wait for it again, or that replay would read its arguments.
        graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 3));
        graph.Replay();                                     // 4x
        gate.Set();
        stream.Synchronize();
        updater.Synchronize();
        Assert.Equal([2f, 4, 6], first!);
        Assert.Equal([21f, 42, 63], second!);
        Assert.Equal([4f, 8, 12], log.Span.ToArray());
        Assert.Equal(3, group.UpdateCount);
    }

    [Fact]
    public void Task_group_updates_take_effect_in_the_next_replay_and_keep_order_with_replays()
    {
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 10, 20, 30 });
        using var output = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        using var log = PinnedBuffer<float>.Allocate(Device, 3);

        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup("bias"))
        {
            Ops.Add(stream, x, x, output, alpha: 1);      // output = 2x
            group = scope.Group;
        }
        output.EnqueueCopyTo(stream, log);
        graph.EndCapture();
        Assert.Equal(1, group.OperationCount);

        graph.ReplayAndWait();
        Assert.Equal([2f, 4, 6], log.Span.ToArray());

        // Keep the replay stream busy so a racing update would be visible.
        using var gate = new ManualResetEventSlim(false);
        stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(10)));
        graph.Replay();                                     // queued before the update: old arguments
        float[]? first = null;
        stream.LaunchHostCallback(() => first = log.Span.ToArray());
        graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 2)); // output = x + 2y
        graph.Replay();                                     // after the update: new arguments
        gate.Set();
        stream.Synchronize();
        updater.Synchronize();
        Assert.Equal([2f, 4, 6], first!);
        Assert.Equal([21f, 42, 63], log.Span.ToArray());
        Assert.Equal(1, group.UpdateCount);

        // An update that re-issues different operations is refused and changes nothing.
        var wrongCount = Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s =>
        {
            Ops.Add(s, x, y, output);
            Ops.Add(s, x, y, output);
        }));
        Assert.Equal(107033, wrongCount.Code);
        Assert.Contains("more operations than task group 'bias' has (1: aclnnAdd)", wrongCount.Message);
        var wrongKind = Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s => Ops.Mul(s, x, y, output)));
        Assert.Contains("aclnnMul", wrongKind.Message);
        graph.ReplayAndWait();
        Assert.Equal([21f, 42, 63], log.Span.ToArray());
    }

    [Fact]
    public void The_cache_evicts_and_disposes_in_lru_order_and_explains_misses()
    {
        using var stream = Device.CreateStream();
        using var cache = new NpuGraphCache<int>(capacity: 2);
        var tensors = new List<NpuTensor>();
        var evicted = new List<int>();
        cache.Evicting += (key, _) => evicted.Add(key);
        NpuGraph Get(int batch) => cache.GetOrCapture(stream, batch, s =>
        {
            var x = NpuTensor.FromArray(s, new float[batch]);
            tensors.Add(x);
        }, warmup: 0);
        // The body above copies synchronously: capture must refuse that (Global mode) and the cache stays empty.
        Assert.Throws<NpuCaptureException>(() => Get(1));
        Assert.Equal(0, cache.Count);
        Assert.False(stream.IsCapturing);

        using var input = NpuTensor.FromArray(stream, new float[] { 1, -1 });
        NpuGraph Capture(int key) => cache.GetOrCapture(stream, key, s => tensors.Add(Ops.Relu(s, input)), warmup: 1);
        var g1 = Capture(1);
        var g2 = Capture(2);
        Assert.Same(g1, Capture(1));            // hit: 1 becomes most recent
        var g3 = Capture(3);                    // evicts 2
        Assert.Equal([2], evicted);
        Assert.Throws<ObjectDisposedException>(() => g2.Replay());
        Assert.Equal([3, 1], cache.Keys);
        Capture(2);                             // miss after eviction, evicts 1
        Assert.Equal(GraphCacheMissReason.Evicted, cache.LastMissReason);
        Assert.Equal([2, 1], evicted);
        var stats = cache.Statistics;
        Assert.Equal(1, stats.Hits);
        Assert.Equal(5, stats.Misses);
        Assert.Equal(2, stats.Evictions);
        Assert.Equal(1, stats.MissesAfterEviction);
        g3.ReplayAndWait();
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => g3.Replay());
        foreach (var t in tensors) t.Dispose();
    }

    [Fact]
    public void Eight_threads_capture_in_thread_local_mode_concurrently()
    {
        const int threads = 8;
        var results = new float[threads][];
        var errors = new Exception?[threads];
        var barrier = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                using var stream = Device.CreateStream();
                using var input = NpuTensor.FromArray(stream, new float[] { t, -t, 2 * t });
                using var output = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
                barrier.SignalAndWait(TimeSpan.FromSeconds(30));
                using var graph = stream.BeginCapture(CaptureMode.ThreadLocal);
                Ops.Add(stream, input, input, output, alpha: t);
                graph.EndCapture();
                for (int i = 0; i < 20; i++) graph.Replay();
                stream.Synchronize();
                results[t] = output.ToArray<float>(stream);
            }
            catch (Exception e)
            {
                errors[t] = e;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        Assert.All(workers, w => Assert.True(w.Join(TimeSpan.FromSeconds(60)), "a capture thread hung"));
        Assert.All(errors, e => Assert.Null(e));
        for (int t = 0; t < threads; t++)
            Assert.Equal(new float[] { t + t * t, -t - t * t, 2 * t + 2 * t * t }, results[t]);
    }

    [Fact]
    public void Describe_dot_and_json_dump_show_the_graph()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Random(4 * 8, 1), new TensorShape(4, 8));
        using var w = NpuTensor.FromArray(stream, Random(8 * 8, 2), new TensorShape(8, 8));
        using var h = NpuTensor.Empty(stream, new TensorShape(4, 8), NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, new TensorShape(4, 8), NpuDataType.Float32);
        using var graph = NpuGraph.Capture(stream, s => { Ops.MatMul(s, x, w, h); Ops.Relu(s, h, y); }, warmup: 0);
        graph.Name = "layer";

        string text = graph.Describe();
        Assert.Contains("graph 'layer': 2 operation(s)", text);
        Assert.Contains("aclnnMatmul", text);
        Assert.Contains("float32[4, 8]", text);

        string dot = graph.ToDot();
        Assert.StartsWith("digraph \"layer\"", dot);
        Assert.Contains("op0 -> op1", dot);          // Relu reads what MatMul wrote
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(dot, @"in\d+ -> op0;")); // x and w are external inputs
        string path = Path.Combine(Path.GetTempPath(), $"ascend-graph-{Guid.NewGuid():N}.json");
        try
        {
            graph.DumpJson(path);
            string json = File.ReadAllText(path);
            Assert.Contains("aclnnMatmul", json);
            Assert.Contains("aclnnRelu", json);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
