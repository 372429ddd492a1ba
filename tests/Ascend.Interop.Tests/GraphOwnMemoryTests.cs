namespace Ascend.Interop.Tests;

/// <summary><see cref="NpuGraph.OwnMemoryBytes"/>: each graph's own figure beside its pool's.</summary>
[Collection("Npu")]
public sealed class GraphOwnMemoryTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private const int Width = 64;

    private NpuDevice Device => Fixture.Device;

    /// <summary>Captures y = silu(relu(x)) for <paramref name="rows"/> rows: one intermediate freed inside the capture, one output kept.</summary>
    private static NpuGraph CaptureStep(NpuStream stream, NpuTensor x, NpuGraphPool? pool, List<NpuTensor> outputs) =>
        NpuGraph.Capture(stream, s =>
        {
            using var h = Ops.Relu(s, x);
            var y = Ops.Silu(s, h);
            if (s.IsCapturing) outputs.Add(y);
            else y.Dispose();
        }, warmup: 1, pool: pool);

    [Fact]
    public void Three_graphs_in_one_pool_each_report_their_own_memory_beside_the_pools()
    {
        using var stream = Device.CreateStream();
        int[] rows = [1, 16, 256];
        var inputs = rows.Select(r => NpuTensor.Zeros(stream, new TensorShape(r, Width), NpuDataType.Float32)).ToList();
        var outputs = new List<NpuTensor>();
        using var pool = new NpuGraphPool(Device);
        var graphs = inputs.Select(x => CaptureStep(stream, x, pool, outputs)).ToList();
        try
        {
            Assert.Equal(3, pool.GraphCount);
            Assert.True(pool.ReservedBytes > 0);
            for (int i = 0; i < graphs.Count; i++)
            {
                var g = graphs[i];
                long tensor = DeviceMemoryPool.RoundSize(rows[i] * Width * sizeof(float));
                // The pool's figure: the same for all three.
                Assert.False(g.HasPrivatePool);
                Assert.Equal(pool.ReservedBytes, g.MemoryBytes);
                // The graph's own: what it needed (relu's intermediate and silu's output at once), not the pool.
                Assert.Equal(g.CapturePeakBytes, g.OwnMemoryBytes);
                Assert.Equal(tensor, g.CaptureRetainedBytes);
                Assert.True(g.OwnMemoryBytes >= 2 * tensor, $"{rows[i]} rows: own {g.OwnMemoryBytes}, two tensors {2 * tensor}");
                Assert.True(g.OwnMemoryBytes < g.MemoryBytes, $"{rows[i]} rows: own {g.OwnMemoryBytes}, pool {g.MemoryBytes}");
                if (i > 0) Assert.True(g.OwnMemoryBytes > graphs[i - 1].OwnMemoryBytes, $"{rows[i]} rows: own {g.OwnMemoryBytes}");
            }
            Assert.True(graphs.Sum(g => g.OwnMemoryBytes) < 3 * pool.ReservedBytes);
            Assert.Contains($"own {graphs[2].OwnMemoryBytes}", graphs[2].Describe());

            // A graph with a private pool owns the whole pool, segment rounding included.
            using var alone = CaptureStep(stream, inputs[0], null, outputs);
            Assert.True(alone.HasPrivatePool);
            Assert.Equal(alone.MemoryBytes, alone.OwnMemoryBytes);
            Assert.True(alone.OwnMemoryBytes >= alone.CapturePeakBytes);

            foreach (var g in graphs) g.Replay(stream);
            alone.Replay(stream);
            stream.Synchronize();
        }
        finally
        {
            foreach (var g in graphs) g.Dispose();
            foreach (var t in outputs.Concat(inputs)) t.Dispose();
        }
        Assert.Equal(0, pool.GraphCount);
    }
}
