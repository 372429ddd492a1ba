using Ascend.Interop.Llm;

namespace Ascend.Interop.Llm.Tests;

/// <summary>
/// Issue 27 item 1: the window decode mode. Its captured steps attend over lengths rounded up to a window through
/// the device attention mask each step maintains itself, and update the attention task groups only when a
/// sequence crosses a window boundary. Tokens (and logits, bit for bit on the simulator) equal eager decoding.
/// </summary>
public sealed class WindowDecodingTests(NpuFixture fixture) : IClassFixture<NpuFixture>
{
    private static readonly LlmConfig TestConfig = new() { Context = 64 };
    private static readonly Lazy<LlmWeights> s_weights = new(() => LlmWeights.Create(TestConfig));

    private NpuStream Stream => fixture.Stream;

    private static int[][] Prompts(int count, int seed, int minLength, int maxLength)
    {
        var random = new Random(seed);
        var prompts = new int[count][];
        for (int i = 0; i < count; i++)
        {
            prompts[i] = new int[random.Next(minLength, maxLength + 1)];
            for (int t = 0; t < prompts[i].Length; t++) prompts[i][t] = random.Next(TestConfig.Vocab);
        }
        return prompts;
    }

    /// <summary>
    /// The task-group updates each decode step of a window-mode generation must issue, worked out on the host: a
    /// step updates (one per layer) when some sequence's rounded length differs from what the groups hold, which is
    /// the window at capture (min(W, Context)) until the first update, then the last step's rounded lengths.
    /// </summary>
    private static int[] ExpectedUpdates(int[][] prompts, int newTokens, int window, int context, int layers)
    {
        long Round(long position) => Math.Min((position + 1 + window - 1) / window * window, context);
        var held = Enumerable.Repeat((long)Math.Min(window, context), prompts.Length).ToArray();
        var updates = new int[newTokens - 1];
        for (int k = 1; k < newTokens; k++)
        {
            var lengths = prompts.Select(p => Round(p.Length + k - 1)).ToArray();
            if (!lengths.SequenceEqual(held))
            {
                updates[k - 1] = layers;
                held = lengths;
            }
        }
        return updates;
    }

    [Fact]
    public void Window_decoding_emits_the_eager_tokens_and_logits_for_every_bucket()
    {
        const int window = 8, newTokens = 12;
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, attentionWindow: window);
        // 1, 2, 3, 5, 9, 17 sequences: buckets 1, 2, 4, 8, 16, 32 (padding from 3 on); prompts of 2..9 tokens, so
        // sequences cross the boundaries at 8 and 16 at different steps.
        foreach (int batch in new[] { 1, 2, 3, 5, 9, 17 })
        {
            var prompts = Prompts(batch, seed: 100 + batch, minLength: 2, maxLength: 9);
            var eager = engine.Generate(prompts, newTokens, DecodeMode.Eager, keepLogits: true);
            var windowed = engine.Generate(prompts, newTokens, DecodeMode.Window, keepLogits: true);
            Assert.Equal(eager.Tokens, windowed.Tokens);
            for (int k = 0; k < eager.Logits!.Count; k++) Assert.Equal(eager.Logits[k], windowed.Logits![k]);   // bit for bit
            int bucket = engine.WindowBuckets.Select(batch).Size;
            Assert.All(windowed.Steps, s => Assert.Equal((batch, bucket), (s.Batch, s.Bucket)));
            Assert.Equal(ExpectedUpdates(prompts, newTokens, window, TestConfig.Context, TestConfig.Layers), windowed.Steps.Select(s => s.Updates));
            // Fewer updates than one per layer and step: a step updates only when a sequence enters a new window.
            Assert.True(windowed.Updates < windowed.Steps.Count * TestConfig.Layers, $"{windowed.Updates} updates in {windowed.Steps.Count} steps");
            Assert.All(eager.Steps, s => Assert.Equal(0, s.Updates));

            // The mask the graph maintained: each sequence's written positions unmasked, every later one masked.
            byte[] mask = model.AttentionMask.ToArray<byte>(Stream);
            for (int row = 0; row < batch; row++)
            {
                int written = prompts[row].Length + newTokens - 1;
                for (int p = 0; p < TestConfig.Context; p++)
                    Assert.True(mask[row * TestConfig.Context + p] == (p < written ? 0 : 1), $"batch {batch}, row {row}, position {p}: mask {mask[row * TestConfig.Context + p]}");
            }
        }
        Assert.Equal(6, engine.WindowBuckets.GraphCount);
        Assert.Equal(0, engine.Buckets.GraphCount);     // window mode captures its own steps, not the per-step-update ones
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void Every_window_option_gives_the_eager_tokens_and_updates_only_at_boundaries(int window)
    {
        // Prompts end a few positions before the window boundary, so every sequence crosses one within the run (a
        // window at or past the context never changes the lengths: its steps are never updated).
        var config = TestConfig with { Context = 160, MaxBatch = 4 };
        var weights = LlmWeights.Create(config);
        using var model = new LlmModel(Stream, config, weights);
        using var engine = new LlmEngine(model, [4], attentionWindow: window);
        int boundary = Math.Min(window, config.Context - 8);
        var random = new Random(window);
        var prompts = new int[3][];
        for (int i = 0; i < prompts.Length; i++)
        {
            prompts[i] = new int[boundary - 1 - i];
            for (int t = 0; t < prompts[i].Length; t++) prompts[i][t] = random.Next(config.Vocab);
        }
        const int newTokens = 6;
        var eager = engine.Generate(prompts, newTokens, DecodeMode.Eager);
        var windowed = engine.Generate(prompts, newTokens, DecodeMode.Window);
        Assert.Equal(eager.Tokens, windowed.Tokens);
        int[] expected = ExpectedUpdates(prompts, newTokens, window, config.Context, config.Layers);
        Assert.Equal(expected, windowed.Steps.Select(s => s.Updates));
        Assert.Equal(3 * config.Layers, windowed.Updates);      // each of the three sequences crosses in its own step
        Assert.True(engine.WindowBuckets.TryGet(4, out var graph));
        Assert.All(graph.TaskGroups, g => Assert.Equal(3, g.UpdateCount));
    }

    [Fact]
    public void Without_the_update_at_a_window_boundary_the_tokens_go_wrong()
    {
        // The update at a boundary is needed: skipping it leaves the captured window's lengths, which cut off the
        // positions past the boundary (the mask alone cannot widen the attention).
        const int window = 8;
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [4], attentionWindow: window);
        var prompts = Prompts(3, seed: 7, minLength: 5, maxLength: 7);
        var eager = engine.Generate(prompts, 10, DecodeMode.Eager);
        // First, on the fresh capture (its groups hold the window's lengths, 8): no updates at all.
        var stale = engine.Generate(prompts, 10, DecodeMode.Window, updateAttention: false);
        Assert.NotEqual(eager.Tokens, stale.Tokens);
        Assert.Equal(0, stale.Updates);
        Assert.Equal(eager.Tokens, engine.Generate(prompts, 10, DecodeMode.Window).Tokens);
        // Within the first window the stale graph is still exact: the tokens agree until a sequence passes position 7.
        for (int row = 0; row < prompts.Length; row++)
        {
            int exact = window - prompts[row].Length + 1;     // tokens 0..exact-1 attend within the first window
            Assert.Equal(eager.Tokens[row][..exact], stale.Tokens[row][..exact]);
        }
    }

    [Fact]
    public void Window_mode_refuses_bad_options_and_positions_clearly()
    {
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        Assert.Throws<ArgumentOutOfRangeException>("attentionWindow", () => new LlmEngine(model, [1], attentionWindow: 0));
        using var engine = new LlmEngine(model, [1], attentionWindow: 16);
        Assert.Equal(16, engine.WindowLength(0));
        Assert.Equal(16, engine.WindowLength(15));
        Assert.Equal(32, engine.WindowLength(16));
        Assert.Equal(TestConfig.Context, engine.WindowLength(TestConfig.Context - 1));
        Assert.Throws<ArgumentOutOfRangeException>("positions", () => engine.SubmitDecodeStep([TestConfig.Context], DecodeMode.Window));
        Assert.Throws<ArgumentOutOfRangeException>("positions", () => engine.SubmitDecodeStep([-1], DecodeMode.Window));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => engine.SubmitDecodeStep([0], (DecodeMode)42));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => engine.CaptureBucket(1, DecodeMode.Eager));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => model.ResetMask(Stream, TestConfig.MaxBatch - 1, 2));
        Assert.Throws<InvalidOperationException>(() => engine.SubmitReplayOnly(1, DecodeMode.Window));
    }
}
