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
            // Only the first window step copies the inputs in; its graph advances them and copies the tokens out.
            Assert.Equal([1, .. Enumerable.Repeat(0, newTokens - 2)], windowed.Steps.Select(s => s.HostCopies));
            Assert.All(eager.Steps, s => Assert.Equal(2, s.HostCopies));

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
    public void Window_steps_advance_their_inputs_on_the_device_and_copy_them_only_after_a_jump()
    {
        // Three sequences in bucket 4 (one padding row, which must not advance), window 8: the steps cross position 8.
        const int window = 8, steps = 9;
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [4], attentionWindow: window);
        var prompts = Prompts(3, seed: 11, minLength: 3, maxLength: 6);
        long[] Positions(int step) => prompts.Select(p => (long)(p.Length + step)).ToArray();

        // The eager reference, step by step from the prefill (Generate with one token prefills and decodes nothing).
        engine.Generate(prompts, 1, DecodeMode.Eager);
        var reference = new long[steps][];
        for (int k = 0; k < steps; k++)
        {
            engine.DecodeStep(Positions(k), DecodeMode.Eager);
            reference[k] = engine.LastTokens[..3].ToArray();
        }

        // Window steps queued back to back, without waiting: one input copy, then the device advances the inputs.
        engine.Generate(prompts, 1, DecodeMode.Eager);
        var copies = new int[steps];
        for (int k = 0; k < steps; k++) copies[k] = engine.SubmitDecodeStep(Positions(k), DecodeMode.Window).HostCopies;
        Stream.Synchronize();
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 0], copies);
        Assert.Equal(reference[steps - 1], engine.LastTokens[..3].ToArray());

        // Waiting each step: the tokens of every step, and a copy again whenever the inputs on the device are not the
        // step's: after a graph-mode step (it writes the inputs itself), after a bare window replay, after a jump.
        engine.Generate(prompts, 1, DecodeMode.Eager);
        var expectCopies = new[] { 1, 0, 0, 2, 1, 0 };
        for (int k = 0; k < expectCopies.Length; k++)
        {
            var mode = k == 3 ? DecodeMode.Graph : DecodeMode.Window;
            var timing = engine.DecodeStep(Positions(k), mode);
            Assert.Equal(expectCopies[k], timing.HostCopies);
            Assert.Equal(reference[k], engine.LastTokens[..3].ToArray());
        }
        // A bare replay of the window step advances the inputs beyond what the engine queued: the next step copies.
        engine.SubmitReplayOnly(4, DecodeMode.Window);
        Assert.Equal(1, engine.DecodeStep(Positions(6), DecodeMode.Window).HostCopies);
        // A jump back (a row restarting, say) copies too.
        Assert.Equal(1, engine.DecodeStep(Positions(2), DecodeMode.Window).HostCopies);

        // The padding row never moved: its cache slot is still its last position, its mask slot its position 0.
        long[] inputs = model.StepInputs.ToArray<long>(Stream);
        int b = TestConfig.MaxBatch;
        Assert.Equal((0L, model.Slot(3, TestConfig.Context - 1), model.MaskSlot(3, 0, live: false)), (inputs[3], inputs[b + 3], inputs[2 * b + 3]));
        // The live rows are one past the last step's positions (the graph advanced them after it).
        for (int row = 0; row < 3; row++)
        {
            long next = prompts[row].Length + 3L;
            Assert.Equal((next, model.Slot(row, next), model.MaskSlot(row, next, live: true)), (inputs[row], inputs[b + row], inputs[2 * b + row]));
        }
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
