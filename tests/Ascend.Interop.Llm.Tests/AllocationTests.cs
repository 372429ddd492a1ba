using Ascend.Interop.Llm;

namespace Ascend.Interop.Llm.Tests;

/// <summary>
/// Issue 17: a steady-state decode step allocates nothing on the managed heap of the calling thread, in graph
/// mode (input copies, the four attention task-group updates, the replay, the token copy), in window mode (the same
/// without updates) and in eager mode (95 operator launches). Measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> around
/// <see cref="LlmEngine.SubmitDecodeStep"/> (host submission only; the wait is outside the measurement).
/// </summary>
public sealed class AllocationTests(NpuFixture fixture, ITestOutputHelper output) : IClassFixture<NpuFixture>
{
    private static readonly LlmConfig TestConfig = new() { Context = 64 };
    private static readonly Lazy<LlmWeights> s_weights = new(() => LlmWeights.Create(TestConfig));

    private NpuStream Stream => fixture.Stream;

    /// <summary>Bytes allocated on this thread by each of <paramref name="steps"/> steps after <paramref name="warmup"/> warm-up steps.</summary>
    /// <summary>Steps alternate between two sets of positions, so every graph-mode step changes the attention lengths (a repeated update would be skipped).</summary>
    private static long[] BytesPerStep(LlmEngine engine, long[] positions, DecodeMode mode, int warmup, int steps)
    {
        long[] next = positions.Select(p => p + 1).ToArray();
        for (int i = 0; i < warmup; i++)
        {
            engine.SubmitDecodeStep(i % 2 == 0 ? positions : next, mode);
            engine.Stream.Synchronize();
        }
        var bytes = new long[steps];
        for (int i = 0; i < steps; i++)
        {
            long[] step = (warmup + i) % 2 == 0 ? positions : next;
            long before = GC.GetAllocatedBytesForCurrentThread();
            engine.SubmitDecodeStep(step, mode);
            bytes[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            engine.Stream.Synchronize();
        }
        return bytes;
    }

    [Theory]
    [InlineData(DecodeMode.Graph, 8)]
    [InlineData(DecodeMode.Graph, 5)]     // bucket 8 with three padding rows
    [InlineData(DecodeMode.Window, 8)]
    [InlineData(DecodeMode.Window, 5)]
    [InlineData(DecodeMode.Eager, 8)]
    [InlineData(DecodeMode.Eager, 3)]
    public void A_steady_state_decode_step_allocates_nothing_on_the_calling_thread(DecodeMode mode, int batch)
    {
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [batch <= 8 ? 8 : 16]);
        var prompts = new int[batch][];
        for (int i = 0; i < batch; i++) prompts[i] = [i + 1, 2 * i + 3];
        engine.Generate(prompts, 1, DecodeMode.Eager);      // prefill: every row's first token is on the device
        // Two sets of positions in turn: the steps rewrite the same two cache slots per row, so their work is alike.
        var positions = new long[batch];
        for (int i = 0; i < batch; i++) positions[i] = prompts[i].Length;

        long[] bytes = BytesPerStep(engine, positions, mode, warmup: 3, steps: 8);
        output.WriteLine($"{mode}, {batch} rows: {string.Join(", ", bytes)} bytes per step");
        Assert.All(bytes, b => Assert.Equal(0, b));
        if (mode != DecodeMode.Eager)
        {
            // The measured steps were graph steps: in graph mode every layer's attention group was updated once per
            // step; in window mode never (the positions stay inside the window the step was captured with).
            Assert.True((mode == DecodeMode.Window ? engine.WindowBuckets : engine.Buckets).TryGet(batch, out var graph));
            Assert.Equal(TestConfig.Layers, graph.TaskGroups.Count);
            Assert.All(graph.TaskGroups, g => Assert.Equal(mode == DecodeMode.Graph ? 3 + 8 : 0, g.UpdateCount));
            Assert.All(graph.TaskGroups, g => Assert.Equal(0, g.SkippedUpdateCount));
        }
    }
}
