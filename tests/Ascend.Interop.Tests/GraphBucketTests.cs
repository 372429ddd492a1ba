namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class GraphBucketTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private static readonly int[] DecodeBuckets = [1, 2, 4, 8, 16, 32];

    private NpuDevice Device => Fixture.Device;

    /// <summary>Static buffers for up to 32 rows of width 64, and a step y = relu(x @ w) on the first <c>size</c> rows.</summary>
    private sealed class Step : IDisposable
    {
        public const int Rows = 32, Width = 64;
        public readonly NpuTensor X, W, Y;
        public int Calls, CapturedCalls;

        public Step(NpuStream stream)
        {
            var random = new Random(7);
            X = NpuTensor.FromArray(stream, Values(random, Rows * Width), new TensorShape(Rows, Width));
            W = NpuTensor.FromArray(stream, Values(random, Width * Width), new TensorShape(Width, Width));
            Y = NpuTensor.Zeros(stream, new TensorShape(Rows, Width), NpuDataType.Float32);
        }

        public void Run(NpuStream s, int size)
        {
            Calls++;
            if (s.IsCapturing) CapturedCalls++;
            using var x = X.Slice(0, 0, size);
            using var y = Y.Slice(0, 0, size);
            using var h = Ops.MatMul(s, x, W);      // an intermediate from the graph's pool while capturing
            Ops.Relu(s, h, y);
        }

        public static float[] Values(Random random, int count)
        {
            var v = new float[count];
            for (int i = 0; i < count; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
            return v;
        }

        public void Dispose()
        {
            X.Dispose();
            W.Dispose();
            Y.Dispose();
        }
    }

    [Fact]
    public void Select_picks_the_smallest_bucket_that_holds_the_rows()
    {
        using var buckets = new NpuGraphBuckets(Device, [8, 1, 32, 2, 16, 4]);
        Assert.Equal(DecodeBuckets, buckets.Sizes);
        Assert.Equal(32, buckets.LargestSize);
        Assert.Equal(new NpuGraphBucket(1, 1), buckets.Select(1));
        Assert.Equal(new NpuGraphBucket(3, 4), buckets.Select(3));
        Assert.Equal(1, buckets.Select(3).Padding);
        Assert.Equal(new NpuGraphBucket(9, 16), buckets.Select(9));
        Assert.Equal(new NpuGraphBucket(32, 32), buckets.Select(32));
        Assert.False(buckets.TrySelect(33, out _));
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => buckets.Select(33));
        Assert.Contains("largest bucket (32)", tooMany.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => buckets.Select(0));

        Assert.Throws<ArgumentException>(() => new NpuGraphBuckets(Device, []));
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => new NpuGraphBuckets(Device, [1, 2, 2])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NpuGraphBuckets(Device, [0, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NpuGraphBuckets(Device, [4], warmup: -1));
    }

    [Fact]
    public void A_miss_warms_up_and_captures_a_hit_only_replays_and_padding_is_counted()
    {
        using var stream = Device.CreateStream();
        using var step = new Step(stream);
        using var buckets = new NpuGraphBuckets(Device, DecodeBuckets, warmup: 2);

        var first = buckets.Replay(stream, 3, step.Run);
        Assert.Equal(new NpuGraphBucket(3, 4), first);
        Assert.Equal(3, step.Calls);             // two eager warm-up runs, then the capture
        Assert.Equal(1, step.CapturedCalls);

        // New data in the static input: a hit replays the same graph, the body does not run.
        var random = new Random(11);
        float[] input = Step.Values(random, Step.Rows * Step.Width);
        step.X.CopyFrom<float>(stream, input);
        var second = buckets.Replay(stream, 4, step.Run);
        Assert.Equal(new NpuGraphBucket(4, 4), second);
        Assert.Equal(3, step.Calls);
        float[] replayed = step.Y.ToArray<float>(stream);

        using (var x = step.X.Slice(0, 0, 4))
        using (var eager = Ops.MatMul(stream, x, step.W))
        using (var relu = Ops.Relu(stream, eager))
        {
            float[] expected = relu.ToArray<float>(stream);
            Assert.Equal(expected, replayed.AsSpan(0, 4 * Step.Width).ToArray());
        }
        Assert.All(replayed.AsSpan(4 * Step.Width).ToArray(), v => Assert.Equal(0f, v)); // rows beyond the bucket untouched

        var stats = buckets.Statistics;
        Assert.Equal(new NpuGraphBucketStatistics(Requests: 2, Hits: 1, Misses: 1, MissesNeverSeen: 1, MissesAfterEviction: 0,
            MissesAfterRemoval: 0, Oversize: 0, RequestedRows: 7, PaddedRows: 1), stats);
        Assert.Equal(0.5, stats.HitRate);
        Assert.Equal(1.0 / 8, stats.PaddingRatio);

        var info = buckets.Buckets.Single(b => b.Size == 4);
        Assert.True(info.IsCaptured);
        Assert.Equal((1L, 1L, GraphCacheMissReason.NeverSeen, 1L), (info.Hits, info.Misses, info.LastMissReason, info.PaddedRows));
        Assert.True(info.CaptureTime > TimeSpan.Zero && info.WarmupTime > TimeSpan.Zero && info.WarmupTime < info.CaptureTime);
        Assert.Equal(2, info.OperationCount);
        Assert.True(info.CapturePeakBytes >= 4 * Step.Width * sizeof(float), $"peak {info.CapturePeakBytes}");
        Assert.All(buckets.Buckets.Where(b => b.Size != 4), b => Assert.False(b.IsCaptured));
        Assert.True(buckets.TryGet(3, out var graph));
        Assert.Equal("bucket-4", graph.Name);
        Assert.Equal(1, buckets.GraphCount);
    }

    [Fact]
    public void Six_buckets_in_the_shared_pool_hold_at_most_a_quarter_more_than_the_largest_graph()
    {
        using var stream = Device.CreateStream();
        using var step = new Step(stream);
        var before = Device.StreamBudget;
        using var shared = new NpuGraphBuckets(Device, DecodeBuckets);
        shared.CaptureAll(stream, step.Run);
        Assert.Equal(6, shared.GraphCount);
        Assert.Equal(6, Device.StreamBudget.Graphs - before.Graphs);   // a stream per live graph
        Assert.Equal(6, shared.Statistics.Misses);

        using var largestAlone = new NpuGraphBuckets(Device, [32], sharePool: false);
        largestAlone.CaptureAll(stream, step.Run);
        using var privatePools = new NpuGraphBuckets(Device, DecodeBuckets, sharePool: false);
        privatePools.CaptureAll(stream, step.Run);

        Assert.NotNull(shared.Pool);
        Assert.Null(privatePools.Pool);
        Assert.Equal(shared.Pool!.ReservedBytes, shared.MemoryBytes);
        Assert.True(shared.MemoryBytes <= 1.25 * largestAlone.MemoryBytes,
            $"shared pool {shared.MemoryBytes} bytes vs largest graph alone {largestAlone.MemoryBytes}");
        Assert.True(privatePools.MemoryBytes >= 6 * largestAlone.MemoryBytes / 2,
            $"six private pools {privatePools.MemoryBytes} bytes vs one {largestAlone.MemoryBytes}");
        // Below the segment granularity: each bucket's own need grows with its size.
        var peaks = shared.Buckets.Select(b => b.CapturePeakBytes).ToArray();
        var privatePeaks = privatePools.Buckets.Select(b => b.CapturePeakBytes).ToArray();
        Assert.Equal(privatePeaks, peaks);
        for (int i = 1; i < peaks.Length; i++) Assert.True(peaks[i] >= peaks[i - 1], $"peaks {string.Join(", ", peaks)}");
        Assert.True(peaks[^1] >= 32 * Step.Width * sizeof(float), $"peak {peaks[^1]}");   // at least the 32-row intermediate

        // Every bucket replays correctly from the shared pool, largest first and then smallest.
        foreach (int size in new[] { 32, 1, 16, 2 })
        {
            shared.Replay(stream, size, step.Run);
            float[] y = step.Y.ToArray<float>(stream);
            using var x = step.X.Slice(0, 0, size);
            using var h = Ops.MatMul(stream, x, step.W);
            using var relu = Ops.Relu(stream, h);
            Assert.Equal(relu.ToArray<float>(stream), y.AsSpan(0, size * Step.Width).ToArray());
        }
    }

    [Fact]
    public void Misses_say_why_evicted_removed_and_oversize_requests_fall_back()
    {
        using var stream = Device.CreateStream();
        using var step = new Step(stream);
        using var buckets = new NpuGraphBuckets(Device, [1, 2, 4], warmup: 0, capacity: 2);
        buckets.Replay(stream, 1, step.Run);
        buckets.Replay(stream, 2, step.Run);
        buckets.Replay(stream, 3, step.Run);          // bucket 4 evicts bucket 1
        Assert.False(buckets.Buckets[0].IsCaptured);
        buckets.Replay(stream, 1, step.Run);          // captured again: evicted before
        Assert.Equal(GraphCacheMissReason.Evicted, buckets.Buckets[0].LastMissReason);
        Assert.True(buckets.Remove(4));
        buckets.Replay(stream, 4, step.Run);
        Assert.Equal(GraphCacheMissReason.Removed, buckets.Buckets[2].LastMissReason);

        Assert.False(buckets.TryGetOrCapture(stream, 5, step.Run, out _, out _));
        var oversize = Assert.Throws<ArgumentOutOfRangeException>(() => buckets.GetOrCapture(stream, 9, step.Run, out _));
        Assert.Contains("run such a step eagerly", oversize.Message);

        var stats = buckets.Statistics;
        Assert.Equal(5, stats.Misses);
        Assert.Equal(3, stats.MissesNeverSeen);
        Assert.Equal(1, stats.MissesAfterEviction);
        Assert.Equal(1, stats.MissesAfterRemoval);
        Assert.Equal(2, stats.Oversize);
        Assert.Equal(0, stats.Hits);
        Assert.Equal(7, stats.Requests);
        Assert.Equal(2, buckets.GraphCount);
        stream.Synchronize();
    }

    [Fact]
    public void Dispose_disposes_the_graphs_and_refuses_further_use()
    {
        using var stream = Device.CreateStream();
        using var step = new Step(stream);
        var buckets = new NpuGraphBuckets(Device, [2, 4]);
        var graph = buckets.GetOrCapture(stream, 2, step.Run, out _);
        graph.ReplayAndWait(stream);
        buckets.Dispose();
        Assert.Throws<ObjectDisposedException>(() => graph.Replay());
        Assert.Throws<ObjectDisposedException>(() => buckets.Replay(stream, 2, step.Run));
        buckets.Dispose(); // twice is fine
    }

    [Fact]
    public void Pad_copies_the_values_and_fills_the_rest()
    {
        Span<int> padded = stackalloc int[4];
        NpuGraphBuckets.Pad<int>([5, 6, 7], padded, -1);
        Assert.Equal([5, 6, 7, -1], padded.ToArray());
        Assert.Throws<ArgumentException>(() => NpuGraphBuckets.Pad<int>([1, 2, 3], new int[2], 0));
    }
}
