using System.Diagnostics;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 6: the soak. Eight threads for <see cref="Seconds"/> (default 60; <c>ASCEND_SOAK_SECONDS</c> for the
/// 10-minute sanitizer run, docs/reliability.md) mix captures into private pools and into two pools all threads share
/// (pool reuse, replays serialised across threads), replays on the capture stream and on a second stream, task-group
/// updates, graph disposal, eager work handed between streams with events (the producer's tensor disposed and its
/// size rented again at once), dispose scopes and the device's shared default stream. Every result is checked; a
/// canary tensor and buffer no work names keep their values; every join is bounded (no deadlock); afterwards the
/// graph count and the simulator's live counts are back at the baseline.
/// </summary>
[Collection("Npu")]
public sealed class SoakTests(NpuFixture fixture, ITestOutputHelper output) : LeakCheckedTest(fixture)
{
    public const int Threads = 8;

    /// <summary>The soak's duration in seconds (<c>ASCEND_SOAK_SECONDS</c>, default 60).</summary>
    internal static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("ASCEND_SOAK_SECONDS"), out int s) && s > 0 ? s : 60;

    private NpuDevice Device => Fixture.Device;

    private enum Counter { Captures, SharedPoolCaptures, Replays, CrossStreamReplays, Updates, CrossStreamHandoffs, ScopedOps, DefaultStream, Count }

    [Fact]
    public void Eight_threads_mix_capture_replay_update_dispose_pool_reuse_and_cross_stream_use()
    {
        long graphsBefore = Device.StreamBudget.Graphs;
        using var canaryStream = Device.CreateStream();
        float[] canaryValues = Enumerable.Range(0, 256).Select(i => 7000f + i).ToArray();
        using var canary = NpuTensor.FromArray(canaryStream, canaryValues);
        using var canaryBuffer = DeviceBuffer.Allocate(Device, 1024);
        canaryBuffer.Fill(0xA5);
        using var sharedA = new NpuGraphPool(Device);
        using var sharedB = new NpuGraphPool(Device);
        NpuGraphPool[] shared = [sharedA, sharedB];
        var counts = new long[Threads, (int)Counter.Count];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Seconds);
        var clock = Stopwatch.StartNew();
        var errors = Bounded.Together(Threads, t => Worker(t, deadline, shared, counts), seconds: Seconds + 180);
        clock.Stop();
        Assert.Empty(errors);

        var totals = new long[(int)Counter.Count];
        for (int t = 0; t < Threads; t++)
        {
            Assert.True(counts[t, (int)Counter.Captures] > 0, $"thread {t} never completed a capture");
            for (int c = 0; c < totals.Length; c++) totals[c] += counts[t, c];
        }
        string summary = $"soak: {Threads} threads, {clock.Elapsed.TotalSeconds:F0} s: " +
            string.Join(", ", Enum.GetValues<Counter>().Where(c => c != Counter.Count).Select(c => $"{totals[(int)c]} {c}"));
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("ASCEND_SOAK_REPORT") is { Length: > 0 } report) File.AppendAllText(report, summary + Environment.NewLine);

        Assert.Equal(canaryValues, canary.ToArray<float>(canaryStream));
        Assert.All(canaryBuffer.ToArray<byte>(), b => Assert.Equal(0xA5, b));
        Assert.Equal(0, sharedA.InUseBytes);
        Assert.Equal(0, sharedB.InUseBytes);
        Assert.Equal(graphsBefore, Device.StreamBudget.Graphs);
    }

    private void Worker(int t, DateTime deadline, NpuGraphPool[] shared, long[,] counts)
    {
        var random = new Random(1000 + t);
        float[] xs = [t, t + 1, t + 2, -t - 3];
        using var stream = Device.CreateStream();
        using var other = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var done = Device.CreateEvent(timing: false);
        using var x = NpuTensor.FromArray(stream, xs);
        using var c = NpuTensor.FromArray(stream, new float[] { 1, 1, 1, 1 });
        using var y = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        using var z = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
        stream.Synchronize();
        for (int iteration = 1; DateTime.UtcNow < deadline; iteration++)
        {
            switch (random.Next(4))
            {
                case 0:
                case 1:
                {
                    // A capture into a private or a shared pool; replays here and on the other stream; an update.
                    bool sharedPool = random.Next(2) == 0;
                    var pool = sharedPool ? shared[random.Next(shared.Length)] : null;
                    using var graph = stream.BeginCapture(CaptureMode.ThreadLocal, pool);
                    NpuTaskGroup group;
                    using (var scope = graph.BeginTaskGroup("add")) { Ops.Add(stream, x, c, y); group = scope.Group; }
                    using (var square = Ops.Mul(stream, y, y))             // intermediates in the graph's pool
                    using (var shifted = Ops.Adds(stream, square, 1))
                        Ops.Relu(stream, shifted, z);
                    graph.EndCapture();
                    counts[t, (int)Counter.Captures]++;
                    if (sharedPool) counts[t, (int)Counter.SharedPoolCaptures]++;
                    int replays = 1 + random.Next(4);
                    for (int r = 0; r < replays; r++) graph.Replay();
                    counts[t, (int)Counter.Replays] += replays;
                    Check(z.ToArray<float>(stream), i => (xs[i] + 1) * (xs[i] + 1) + 1, t, "replay");
                    if (random.Next(2) == 0)
                    {
                        // Replay on another stream, ordered after this one's work, and back.
                        done.Record(stream);
                        other.Wait(done);
                        graph.Replay(other);
                        other.Synchronize();
                        counts[t, (int)Counter.CrossStreamReplays]++;
                        Check(y.ToArray<float>(stream), i => xs[i] + 1, t, "replay on another stream");
                    }
                    double alpha = 1 + iteration % 5;
                    graph.Update(group, updater, s => Ops.Add(s, x, c, y, alpha: alpha));
                    counts[t, (int)Counter.Updates]++;
                    graph.Replay();
                    counts[t, (int)Counter.Replays]++;
                    Check(y.ToArray<float>(stream), i => xs[i] + (float)alpha, t, "update");
                    break;
                }
                case 2:
                {
                    // Hand a tensor to another stream with an event, dispose it in its stream's order and rent its size
                    // again at once: the new tensor must not get memory the other stream may still read.
                    var produced = Ops.Muls(stream, x, 3);
                    done.Record(stream);
                    other.Wait(done);
                    using var consumed = Ops.Adds(other, produced, 1);
                    produced.Dispose();
                    using var reused = NpuTensor.FromArray(stream, new float[] { -1, -1, -1, -1 });
                    Check(consumed.ToArray<float>(other), i => 3 * xs[i] + 1, t, "cross-stream hand-off");
                    Check(reused.ToArray<float>(stream), _ => -1, t, "reused memory");
                    counts[t, (int)Counter.CrossStreamHandoffs]++;
                    break;
                }
                default:
                {
                    // Eager work in a dispose scope, and on the device's shared default stream.
                    NpuTensor kept;
                    using (var scope = NpuDisposeScope.Begin())
                    {
                        var a = Ops.Mul(stream, x, c);
                        var b = Ops.Add(stream, a, a);
                        kept = scope.MoveToOuter(Ops.Neg(stream, b));
                        counts[t, (int)Counter.ScopedOps] += 3;
                    }
                    using (kept) Check(kept.ToArray<float>(stream), i => -2 * xs[i], t, "scoped");
                    var shared0 = Device.DefaultStream;
                    using (var sum = Ops.Add(shared0, x, x))
                        Check(sum.ToArray<float>(shared0), i => 2 * xs[i], t, "default stream");
                    counts[t, (int)Counter.DefaultStream]++;
                    break;
                }
            }
        }
        stream.Synchronize();
        other.Synchronize();
    }

    private static void Check(float[] actual, Func<int, float> expected, int thread, string what)
    {
        for (int i = 0; i < actual.Length; i++)
            if (actual[i] != expected(i))
                throw new InvalidOperationException($"thread {thread}, {what}: element {i} is {actual[i]}, expected {expected(i)}");
    }
}
