using System.Diagnostics;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Concurrency and soak: many threads capturing, replaying, updating and running eager work at
/// once for a bounded time, and a long replay loop with flat managed and native memory. Every
/// wait is bounded; figures go to the test output (and docs/reliability.md).
/// </summary>
[Collection("Npu")]
public sealed class ConcurrencySoakTests(NpuFixture fixture, ITestOutputHelper output)
{
    public const int Threads = 8;
    public static readonly TimeSpan SoakDuration = TimeSpan.FromSeconds(6);
    public const int LongReplays = 100_000;

    private NpuDevice Device => fixture.Device;

    [Fact]
    public void Eight_threads_capture_replay_update_and_run_eager_work_without_leaks()
    {
        bool sim = NpuFixture.OnSimulator;
        var before = sim ? NativeBaseline.Take(Device) : default;
        long graphsBefore = Device.StreamBudget.Graphs;
        var counts = new long[Threads, 4];                          // captures, replays, updates, eager checks
        var clock = Stopwatch.StartNew();
        var errors = Bounded.Together(Threads, t => Worker(t, counts), seconds: 180);
        clock.Stop();
        Assert.Empty(errors);

        long captures = 0, replays = 0, updates = 0, eager = 0;
        for (int t = 0; t < Threads; t++)
        {
            Assert.True(counts[t, 0] > 0, $"thread {t} never completed a capture");
            captures += counts[t, 0];
            replays += counts[t, 1];
            updates += counts[t, 2];
            eager += counts[t, 3];
        }
        output.WriteLine($"{Threads} threads, {clock.Elapsed.TotalSeconds:F1} s: {captures} captures, {replays} replays, {updates} updates, {eager} eager checks");
        Assert.Equal(graphsBefore, Device.StreamBudget.Graphs);
        if (sim) before.AssertUnchanged();
    }

    private void Worker(int t, long[,] counts)
    {
        var shape = new TensorShape(4);
        float[] xs = [t, t + 1, t + 2, -t - 3];
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, xs);
        using var c = NpuTensor.FromArray(stream, new float[] { 1, 1, 1, 1 });
        using var y = NpuTensor.Empty(stream, shape, NpuDataType.Float32);
        using var z = NpuTensor.Empty(stream, shape, NpuDataType.Float32);
        var clock = Stopwatch.StartNew();
        for (int iteration = 1; clock.Elapsed < SoakDuration; iteration++)
        {
            using (var graph = stream.BeginCapture(CaptureMode.ThreadLocal))
            {
                NpuTaskGroup group;
                using (var scope = graph.BeginTaskGroup("add")) { Ops.Add(stream, x, c, y); group = scope.Group; }
                using (var scratch = Ops.Mul(stream, y, y)) Ops.Relu(stream, scratch, z);   // graph-pool memory
                graph.EndCapture();
                counts[t, 0]++;

                for (int r = 0; r < 10; r++) graph.Replay();
                counts[t, 1] += 10;
                Check(y.ToArray<float>(stream), i => xs[i] + 1, t, "replay");
                Check(z.ToArray<float>(stream), i => (xs[i] + 1) * (xs[i] + 1), t, "replay (z)");

                double alpha = iteration % 7;
                graph.Update(updater, group, s => Ops.Add(s, x, c, y, alpha: alpha));
                counts[t, 2]++;
                graph.Replay();
                counts[t, 1]++;
                Check(y.ToArray<float>(stream), i => xs[i] + (float)alpha, t, "update");
            }

            // Eager work on the shared device: the thread's stream and the device's default stream.
            using (var product = Ops.Mul(stream, x, c))
                Check(product.ToArray<float>(stream), i => xs[i], t, "eager");
            var shared = Device.DefaultStream;
            using (var sum = Ops.Add(shared, x, x))
                Check(sum.ToArray<float>(shared), i => 2 * xs[i], t, "default stream");
            counts[t, 3] += 2;
        }
    }

    private static void Check(float[] actual, Func<int, float> expected, int thread, string what)
    {
        for (int i = 0; i < actual.Length; i++)
            if (actual[i] != expected(i))
                throw new InvalidOperationException($"thread {thread}, {what}: element {i} is {actual[i]}, expected {expected(i)}");
    }

    [Fact]
    public void A_hundred_thousand_replays_keep_managed_and_native_memory_flat()
    {
        bool sim = NpuFixture.OnSimulator;
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 });
        using var y = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = NpuGraph.Capture(stream, s => Ops.Add(s, x, x, y, alpha: 2), warmup: 1);
        for (int i = 0; i < 2_000; i++)
        {
            graph.Replay();
            if ((i & 1023) == 1023) stream.Synchronize();
        }
        stream.Synchronize();

        var native = sim ? LiveCounts.Read() : default;
        ulong deviceBytes = sim ? Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_BYTES) : 0;
        ulong executions = sim ? Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS) : 0;
        var memory = Device.GetMemoryInfo();
        long replaysBefore = graph.ReplayCount;

        var clock = Stopwatch.StartNew();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < LongReplays; i++)
        {
            graph.Replay();
            if ((i & 1023) == 1023) stream.Synchronize();
        }
        stream.Synchronize();
        long managedDelta = GC.GetAllocatedBytesForCurrentThread() - allocated;
        clock.Stop();

        output.WriteLine($"{LongReplays} replays in {clock.Elapsed.TotalSeconds:F2} s ({clock.Elapsed.TotalMicroseconds / LongReplays:F2} us per replay, queue synchronized every 1024); managed bytes allocated: {managedDelta}");
        Assert.Equal(0, managedDelta);
        Assert.Equal(replaysBefore + LongReplays, graph.ReplayCount);
        Assert.Equal(memory, Device.GetMemoryInfo());
        if (sim)
        {
            Assert.Equal(native, LiveCounts.Read());
            Assert.Equal(deviceBytes, Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_BYTES));
            Assert.Equal(executions + LongReplays, Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        }
        Assert.Equal([3f, 6, 9, 12], y.ToArray<float>(stream));
    }

    [Fact]
    public void Replays_of_a_named_graph_allocate_nothing()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var graph = NpuGraph.Capture(stream, s => Ops.Relu(s, x, x), warmup: 0);
        graph.Name = "relu";
        for (int i = 0; i < 2_000; i++) graph.Replay();
        stream.Synchronize();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) graph.Replay();
        long delta = GC.GetAllocatedBytesForCurrentThread() - allocated;
        stream.Synchronize();
        Assert.Equal(0, delta);
    }

    [Fact]
    public void Graph_disposed_while_another_thread_replays_it_on_new_streams()
    {
        bool sim = NpuFixture.OnSimulator;
        var before = sim ? NativeBaseline.Take(Device) : default;
        var streams = new NpuStream[32];
        for (int i = 0; i < streams.Length; i++) streams[i] = Device.CreateStream();
        try
        {
            using var x = NpuTensor.FromArray(streams[0], new float[] { 1, 2 });
            int interrupted = 0;
            for (int round = 0; round < 40; round++)
            {
                using var capture = Device.CreateStream();
                var graph = NpuGraph.Capture(capture, s =>
                {
                    using var scratch = Ops.Relu(s, x);                   // graph-pool memory the replays use
                    Ops.Relu(s, scratch, x);
                }, warmup: 0);
                var errors = Bounded.Together(2, index =>
                {
                    if (index == 0)
                    {
                        Thread.SpinWait(2_000 * (round % 20));
                        graph.Dispose();
                        return;
                    }
                    for (int i = 0; i < streams.Length; i++) graph.Replay(streams[i]);   // each stream's first replay
                });
                // The replaying thread may see the disposal; the disposing thread must not fail.
                Assert.All(errors, e => Assert.IsType<ObjectDisposedException>(e));
                Assert.False(graph.IsReady);
                interrupted += errors.Count;
                // Every replay that was queued ran on live memory: no stream reports a failure.
                foreach (var stream in streams) Assert.True(stream.Synchronize(TimeSpan.FromSeconds(30)));
            }
            output.WriteLine($"40 rounds: the disposal interrupted the replay loop in {interrupted}");
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
        if (sim) before.AssertUnchanged();
    }
}
