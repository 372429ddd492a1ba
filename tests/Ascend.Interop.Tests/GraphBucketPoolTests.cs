namespace Ascend.Interop.Tests;

/// <summary><see cref="NpuGraphBuckets"/> given an existing <see cref="NpuGraphPool"/>.</summary>
[Collection("Npu")]
public sealed class GraphBucketPoolTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private const int Rows = 8, Width = 32;

    private NpuDevice Device => Fixture.Device;

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>y[..size] = relu(x[..size] @ w): static buffers for up to <see cref="Rows"/> rows, an intermediate per call.</summary>
    private sealed class Step(NpuStream stream, int seed) : IDisposable
    {
        public readonly NpuTensor X = NpuTensor.FromArray(stream, Values(Rows * Width, seed), new TensorShape(Rows, Width));
        public readonly NpuTensor W = NpuTensor.FromArray(stream, Values(Width * Width, seed + 1), new TensorShape(Width, Width));
        public readonly NpuTensor Y = NpuTensor.Zeros(stream, new TensorShape(Rows, Width), NpuDataType.Float32);

        public void Run(NpuStream s, int size)
        {
            using var x = X.Slice(0, 0, size);
            using var y = Y.Slice(0, 0, size);
            using var h = Ops.MatMul(s, x, W);
            Ops.Relu(s, h, y);
        }

        public void Dispose()
        {
            X.Dispose();
            W.Dispose();
            Y.Dispose();
        }
    }

    [Fact]
    public void Buckets_capture_into_a_given_pool_shared_with_other_graphs_and_leave_it_to_its_owner()
    {
        using var stream = Device.CreateStream();
        using var decode = new Step(stream, 1);
        using var other = new Step(stream, 7);
        using var pool = new NpuGraphPool(Device);

        // A graph of the caller's own in the pool, then two bucket sets in it too.
        using var prefill = NpuGraph.Capture(stream, s => other.Run(s, Rows), warmup: 1, pool: pool);
        var buckets = new NpuGraphBuckets(Device, [1, 2, 4, 8], pool: pool);
        using var second = new NpuGraphBuckets(Device, [8], pool: pool);
        Assert.Same(pool, buckets.Pool);
        Assert.Same(pool, second.Pool);
        buckets.CaptureAll(stream, decode.Run);
        second.CaptureAll(stream, other.Run);
        Assert.Equal(6, pool.GraphCount);
        for (int count = 1; count <= Rows; count++)
        {
            Assert.True(buckets.TryGet(count, out var graph));
            Assert.Same(pool, graph.Pool);
            Assert.False(graph.HasPrivatePool);
        }
        Assert.Equal(pool.ReservedBytes, buckets.MemoryBytes);

        // Replays compute what an eager step computes.
        var bucket = buckets.Replay(stream, 3, decode.Run);
        Assert.Equal(new NpuGraphBucket(3, 4), bucket);
        float[] replayed = decode.Y.ToArray<float>(stream);
        decode.Y.CopyFrom<float>(stream, new float[Rows * Width]);
        decode.Run(stream, 4);
        Assert.Equal(decode.Y.ToArray<float>(stream)[..(4 * Width)], replayed[..(4 * Width)]);
        Assert.Contains(replayed[..(4 * Width)], v => v > 0);

        // Disposing the buckets releases their graphs only: the pool, the caller's graph and the other set live on.
        buckets.Dispose();
        Assert.Equal(2, pool.GraphCount);
        Assert.True(pool.ReservedBytes > 0);
        prefill.Replay(stream);
        second.Replay(stream, 8, other.Run);
        using var later = NpuGraph.Capture(stream, s => decode.Run(s, 2), warmup: 0, pool: pool);
        Assert.Equal(3, pool.GraphCount);
        later.Replay(stream);
        stream.Synchronize();
    }

    [Fact]
    public void A_given_pool_must_be_shared_and_on_the_buckets_device()
    {
        using var pool = new NpuGraphPool(Device);
        var e = Assert.Throws<ArgumentException>(() => new NpuGraphBuckets(Device, [1, 2], sharePool: false, pool: pool));
        Assert.Equal("pool", e.ParamName);
        Assert.Contains("sharePool: false", e.Message);
        Assert.Equal(0, pool.GraphCount);

        if (NpuDevice.Count < 2) return;
        using var device1 = NpuDevice.Open(1);
        using var pool1 = new NpuGraphPool(device1);
        e = Assert.Throws<ArgumentException>(() => new NpuGraphBuckets(Device, [1, 2], pool: pool1));
        Assert.Equal("pool", e.ParamName);
        Assert.Contains("device 1", e.Message);
    }
}
