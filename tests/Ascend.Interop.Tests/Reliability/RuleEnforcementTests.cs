using Ascend.Interop.Distributed;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 3: rules the documentation states are enforced: graphs of a shared pool never run at once; a
/// disposed pool takes no capture; a cache never returns a disposed graph; the runtime is not re-initialized with
/// another configuration; pools say which pool they are; NpuJob refuses a negative timeout; a pageable copy racing a
/// capture's start is always refused as a capture rule.
/// </summary>
[Collection("Npu")]
public sealed class RuleEnforcementTests(NpuFixture fixture)
{
    private NpuDevice Device => fixture.Device;

    private static T Throws<T>(Action action, string fragment) where T : Exception
    {
        var error = Assert.Throws<T>(action);
        Assert.Contains(fragment, error.Message);
        return error;
    }

    [Fact]
    public void A_pool_disposed_while_its_graphs_live_refuses_new_captures()
    {
        using var stream = Device.CreateStream();
        using var input = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        var pool = new NpuGraphPool(Device);
        using var first = NpuGraph.Capture(stream, s => Ops.Muls(s, input, 2).Dispose(), pool: pool);
        pool.Dispose();
        Assert.True(pool.IsDisposed);
        int graphs = pool.GraphCount;
        var error = Throws<ObjectDisposedException>(() => stream.BeginCapture(pool: pool), "The graph pool has been disposed (shared graph pool #");
        Assert.Contains("still holding the memory of 1 graph(s)", error.Message);
        Assert.False(stream.IsCapturing);
        Assert.Equal(graphs, pool.GraphCount);
        // The graph that holds it still replays.
        first.ReplayAndWait();
        using var next = stream.BeginCapture();
        next.EndCapture();
        Assert.True(next.IsReady);
    }

    [Fact]
    public void Graphs_sharing_a_pool_replayed_at_once_on_two_streams_run_one_after_the_other()
    {
        using var s1 = Device.CreateStream();
        using var s2 = Device.CreateStream();
        using var pool = new NpuGraphPool(Device);
        using var inA = NpuTensor.FromArray(s1, new float[] { 1, 2, 3, 4 });
        using var inB = NpuTensor.FromArray(s2, new float[] { 100, 200, 300, 400 });
        using var outA = NpuTensor.Zeros(s1, new TensorShape(4), NpuDataType.Float32);
        using var outB = NpuTensor.Zeros(s2, new TensorShape(4), NpuDataType.Float32);
        s1.Synchronize();
        s2.Synchronize();
        // Both graphs keep their intermediates (t1, t2, t3) in the pool, at the same addresses.
        void Body(NpuStream s, NpuTensor input, NpuTensor output)
        {
            using var t1 = Ops.Muls(s, input, 2);
            using var t2 = Ops.Adds(s, t1, 1);
            using var t3 = Ops.Muls(s, t2, 3);
            Ops.Copy(s, t3, output);
        }
        using var a = NpuGraph.Capture(s1, s => Body(s, inA, outA), pool: pool);
        // Captured on the same stream, so B's capture reuses the blocks A's capture freed (a pool reuses a block on its stream).
        using var b = NpuGraph.Capture(s1, s => Body(s, inB, outB), pool: pool);
        Sim.TaskDelay(300);
        try
        {
            for (int i = 0; i < 20; i++)
            {
                a.Replay(s1);
                b.Replay(s2);
            }
            s1.Synchronize();
            s2.Synchronize();
        }
        finally
        {
            Sim.TaskDelay(0);
        }
        Assert.Equal([9f, 15, 21, 27], outA.ToArray<float>(s1));
        Assert.Equal([603f, 1203, 1803, 2403], outB.ToArray<float>(s2));
    }

    /// <summary>Two graphs of <paramref name="pool"/> whose intermediates share addresses; A writes outA, B writes outB.</summary>
    private static (NpuGraph A, NpuGraph B) CaptureOverlapping(NpuStream stream, NpuGraphPool pool, NpuTensor inA, NpuTensor inB, NpuTensor outA, NpuTensor outB)
    {
        static void Body(NpuStream s, NpuTensor input, NpuTensor output)
        {
            using var t1 = Ops.Muls(s, input, 2);
            using var t2 = Ops.Adds(s, t1, 1);
            using var t3 = Ops.Muls(s, t2, 3);
            Ops.Copy(s, t3, output);
        }
        // No warm-up run: the outputs keep their zeros until a replay writes them.
        var a = NpuGraph.Capture(stream, s => Body(s, inA, outA), warmup: 0, pool: pool);
        var b = NpuGraph.Capture(stream, s => Body(s, inB, outB), warmup: 0, pool: pool);
        return (a, b);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]   // reads the simulator's live-event counter; the task delay keeps replays queued
    public void Graphs_of_a_pool_for_one_replay_stream_replay_in_stream_order_without_an_ordering_event()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var inA = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 });
        using var inB = NpuTensor.FromArray(stream, new float[] { 100, 200, 300, 400 });
        using var outA = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        using var outB = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        // Control: a pool for any stream orders its replays with an event it creates at the first replay.
        using (var anyStream = new NpuGraphPool(Device))
        {
            Assert.Null(anyStream.ReplayStream);
            var (a, b) = CaptureOverlapping(stream, anyStream, inA, inB, outA, outB);
            using (a)
            using (b)
            {
                stream.Synchronize();
                ulong before = LiveCounts.Read().Events;
                a.Replay(stream);
                b.Replay(stream);
                stream.Synchronize();
                Assert.Equal(before + 1, LiveCounts.Read().Events);
            }
        }

        using var pool = new NpuGraphPool(stream);
        Assert.Same(stream, pool.ReplayStream);
        Assert.Equal(Device, pool.Device);
        using var resultA = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        using var resultB = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        stream.Synchronize();
        var (ga, gb) = CaptureOverlapping(other, pool, inA, inB, resultA, resultB);   // captures may run on any stream
        using (ga)
        using (gb)
        {
            other.Synchronize();
            stream.Synchronize();
            ulong events = LiveCounts.Read().Events;
            Sim.TaskDelay(300);
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    ga.Replay(stream);
                    gb.Replay();   // default: the capture stream, which is not the pool's replay stream
                }
            }
            catch (InvalidOperationException error)
            {
                Assert.Contains("replay only on", error.Message);
            }
            finally
            {
                Sim.TaskDelay(0);
            }
            stream.Synchronize();
            Assert.Equal([9f, 15, 21, 27], resultA.ToArray<float>(stream));
            Assert.Equal(0f, resultB.ToArray<float>(stream)[0]);   // B's replay was refused before anything was queued
            Assert.Equal(0, gb.ReplayCount);
            Sim.TaskDelay(300);
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    ga.Replay(stream);
                    gb.Replay(stream);
                }
            }
            finally
            {
                Sim.TaskDelay(0);
            }
            stream.Synchronize();
            Assert.Equal(events, LiveCounts.Read().Events);   // no ordering event: the stream's order serialises them
            Assert.Equal([9f, 15, 21, 27], resultA.ToArray<float>(stream));
            Assert.Equal([603f, 1203, 1803, 2403], resultB.ToArray<float>(stream));
            Assert.Equal(21, ga.ReplayCount);
            Assert.Equal(20, gb.ReplayCount);
        }
    }

    [Fact]
    public void A_pool_for_one_replay_stream_refuses_a_replay_on_another_stream_and_stays_usable()
    {
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var input = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Zeros(stream, new TensorShape(2), NpuDataType.Float32);
        using var pool = new NpuGraphPool(stream);
        using var graph = NpuGraph.Capture(stream, s => Ops.Muls(s, input, 2, output), pool: pool);
        var error = Throws<InvalidOperationException>(() => graph.Replay(other), $"whose graphs replay only on {stream}");
        Assert.Contains(other.ToString(), error.Message);
        Assert.Contains(pool.Name, error.Message);
        Assert.Equal(0, graph.ReplayCount);
        graph.ReplayAndWait(stream);
        Assert.Equal([2f, 4], output.ToArray<float>(stream));
        Assert.Equal(1, graph.ReplayCount);
        Assert.Throws<ArgumentNullException>("replayStream", () => new NpuGraphPool((NpuStream)null!));
        var gone = Device.CreateStream();
        gone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new NpuGraphPool(gone));
    }

    [Fact]
    public void A_built_graph_in_a_pool_for_one_replay_stream_runs_only_on_that_stream()
    {
        Assert.SkipUnless(fixture.Runtime.Features.BuiltGraphs, "built graphs need CANN 9.0; the loaded library is " + fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var input = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Zeros(stream, new TensorShape(2), NpuDataType.Float32);
        stream.Synchronize();
        using var pool = new NpuGraphPool(stream);
        using var built = NpuBuiltGraph.Begin(Device, pool);
        Ops.Muls(built.Stream, input, 3, output);
        built.EndBuild();
        // Execute runs on the device's default stream, where the pool cannot order it after its stream's replays.
        Throws<InvalidOperationException>(() => built.Execute(), "NpuBuiltGraph.Execute: ");
        Assert.Equal(0, built.ExecutionCount);
        built.Replay(stream);
        stream.Synchronize();
        Assert.Equal([3f, 6], output.ToArray<float>(stream));
    }

    [Fact]
    public void A_graph_cache_never_returns_a_graph_its_caller_disposed()
    {
        using var stream = Device.CreateStream();
        using var input = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Zeros(stream, new TensorShape(2), NpuDataType.Float32);
        using var cache = new NpuGraphCache<int>();
        var graph = cache.GetOrCapture(stream, 1, s => Ops.Muls(s, input, 2, output));
        graph.Dispose();   // against the rule: the cache owns it
        Assert.True(graph.IsDisposed);
        Assert.False(cache.TryGet(1, out _));
        var again = cache.GetOrCapture(stream, 1, s => Ops.Muls(s, input, 2, output));
        Assert.NotSame(graph, again);
        Assert.False(again.IsDisposed);
        Assert.Equal(GraphCacheMissReason.Disposed, cache.LastMissReason);
        again.ReplayAndWait();
        Assert.Equal([2f, 4], output.ToArray<float>(stream));
        Assert.True(cache.TryGet(1, out var hit));
        Assert.Same(again, hit);
    }

    [Fact]
    public void Initializing_the_running_runtime_with_another_configuration_throws()
    {
        Assert.True(NpuRuntime.IsInitialized);
        string path = Path.Combine(Path.GetTempPath(), $"ascend-interop-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"dump\": {}}");
        try
        {
            Throws<InvalidOperationException>(() => NpuRuntime.Initialize(path), "the NPU runtime is already initialized without a configuration file");
            Throws<FileNotFoundException>(() => NpuRuntime.Initialize(path + ".missing"), "does not exist");
            using var shared = NpuRuntime.Initialize();
            Assert.True(NpuRuntime.IsInitialized);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Pools_carry_names_that_tell_them_apart()
    {
        using var stream = Device.CreateStream();
        using var one = new DeviceMemoryPool(Device);
        using var two = new DeviceMemoryPool(Device);
        Assert.NotEqual(one.Name, two.Name);
        Assert.Matches(@"^memory pool #\d+ of NPU device 0$", one.Name);
        var block = one.Rent(stream, 256);
        var error = Throws<InvalidOperationException>(() => two.Return(stream, block), $"was rented from the {one.Name}, not from the {two.Name}");
        one.Return(stream, block);
        using var shared = new NpuGraphPool(Device);
        Assert.Matches(@"^shared graph pool #\d+ of NPU device 0$", shared.Name);
        using var graph = stream.BeginCapture();
        graph.EndCapture();
        Assert.Matches(@"^private graph pool #\d+ of NPU device 0$", graph.Pool.Name);
        Assert.Equal("memory pool of NPU device 0", Device.MemoryPool.Name);
        Assert.DoesNotContain(error.Message, "memory pool of NPU device 0,");
    }

    [Fact]
    public void NpuJob_refuses_a_negative_timeout()
    {
        var error = Throws<ArgumentOutOfRangeException>(() => NpuJob.Run("true", [], 1, TimeSpan.FromSeconds(-1)), "the timeout must not be negative");
        Assert.Equal("timeout", error.ParamName);
        var result = NpuJob.Run("true", [], 1, Timeout.InfiniteTimeSpan);
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void A_pageable_copy_racing_the_start_of_a_global_capture_is_always_a_capture_exception()
    {
        using var capturing = Device.CreateStream();
        using var other = Device.CreateStream();
        using var t = NpuTensor.FromArray(other, new float[] { 1, 2 });
        other.Synchronize();
        var values = new float[] { 3, 4 };
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        int refused = 0, copied = 0, captures = 0;
        var unexpected = new List<Exception>();
        var errors = Bounded.Together(2, index =>
        {
            while (DateTime.UtcNow < stop)
            {
                if (index == 0)
                {
                    using var graph = capturing.BeginCapture(CaptureMode.Global);
                    graph.EndCapture();
                    captures++;
                    continue;
                }
                try
                {
                    t.CopyFrom<float>(other, values);
                    copied++;
                }
                catch (NpuCaptureException e) when (e.Code is 107041 or 107030)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    lock (unexpected) unexpected.Add(e);
                    return;
                }
            }
        }, seconds: 60);
        Assert.Empty(errors);
        Assert.True(unexpected.Count == 0, $"not a capture exception: {unexpected.FirstOrDefault()}");
        Assert.True(refused > 0 && copied > 0 && captures > 0, $"refused {refused}, copied {copied}, captures {captures}");
        Assert.Equal([3f, 4], t.ToArray<float>(other));
    }
}
