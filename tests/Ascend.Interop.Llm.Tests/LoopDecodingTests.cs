using Ascend.Interop.Llm;

namespace Ascend.Interop.Llm.Tests;

/// <summary>
/// Issue 27 item 3: the loop decode mode. One launch of a graph runs up to K decode steps inside a WHILE node:
/// positions, cache slots and the attention mask advance on the device, tokens go into a device ring, and the loop
/// stops at the budget or when every sequence has emitted the end token. Tokens equal eager decoding.
/// </summary>
public sealed class LoopDecodingTests(NpuFixture fixture) : IClassFixture<NpuFixture>
{
    private static readonly LlmConfig TestConfig = new() { Context = 64 };
    private static readonly Lazy<LlmWeights> s_weights = new(() => LlmWeights.Create(TestConfig));

    private NpuStream Stream => fixture.Stream;

    private void RequireConditionalNodes() =>
        Assert.SkipUnless(fixture.Runtime.Features.ConditionalNodes,
            "the loop mode needs CANN 9.1.0's conditional nodes; the loaded library is " + fixture.Runtime.Features);

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

    [Fact]
    public void Loop_decoding_emits_the_eager_tokens_for_every_bucket_with_one_launch_per_K_tokens()
    {
        RequireConditionalNodes();
        const int k = 8, newTokens = 20;   // 19 decode steps: launches of 8, 8 and 3
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, loopSteps: k);
        Assert.Equal(k, engine.LoopSteps);
        // 1, 2, 3, 5, 9, 17 sequences: buckets 1, 2, 4, 8, 16, 32 (padding rows from 3 on).
        foreach (int batch in new[] { 1, 2, 3, 5, 9, 17 })
        {
            var prompts = Prompts(batch, seed: 300 + batch, minLength: 2, maxLength: 9);
            var eager = engine.Generate(prompts, newTokens, DecodeMode.Eager);
            var loop = engine.Generate(prompts, newTokens, DecodeMode.Loop);
            Assert.Equal(eager.Tokens, loop.Tokens);
            Assert.Equal([k, k, 3], loop.Steps.Select(s => s.Steps));
            Assert.Equal(newTokens - 1, loop.DecodeSteps);
            Assert.Equal(newTokens - 1, eager.DecodeSteps);
            int bucket = engine.LoopBuckets.Select(batch).Size;
            Assert.All(loop.Steps, s => Assert.Equal((batch, bucket, 0), (s.Batch, s.Bucket, s.Updates)));
            Assert.Equal(0, loop.Updates);

            // The mask the loop maintained on the device: each sequence's written positions unmasked, the rest masked.
            byte[] mask = model.AttentionMask.ToArray<byte>(Stream);
            for (int row = 0; row < batch; row++)
            {
                int written = prompts[row].Length + newTokens - 1;
                for (int p = 0; p < TestConfig.Context; p++)
                    Assert.True(mask[row * TestConfig.Context + p] == (p < written ? 0 : 1), $"batch {batch}, row {row}, position {p}: mask {mask[row * TestConfig.Context + p]}");
            }
        }
        Assert.Equal(6, engine.LoopBuckets.GraphCount);
        Assert.Equal(0, engine.Buckets.GraphCount);
        Assert.Equal(0, engine.WindowBuckets.GraphCount);
    }

    [Fact]
    public void The_loop_stops_on_the_device_once_every_sequence_has_emitted_the_end_token()
    {
        RequireConditionalNodes();
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [1, 2, 4]);   // K = 16
        var prompts = Prompts(3, seed: 41, minLength: 3, maxLength: 6);
        var free = engine.Generate(prompts, 30, DecodeMode.Eager);
        // The end token: one that sequence 0 emits for the first time at a decode step from 4 to 12 (within the first launch).
        int FirstIndex(int[] tokens, int token) => Array.IndexOf(tokens, token);
        int end = free.Tokens[0].Skip(1).First(t => FirstIndex(free.Tokens[0], t) is >= 4 and <= 12);
        int endsAt0 = FirstIndex(free.Tokens[0], end);

        var eager = engine.Generate(prompts, 30, DecodeMode.Eager, endToken: end);
        var loop = engine.Generate(prompts, 30, DecodeMode.Loop, endToken: end);
        var window = engine.Generate(prompts, 30, DecodeMode.Window, endToken: end);
        Assert.Equal(eager.Tokens, loop.Tokens);
        Assert.Equal(eager.Tokens, window.Tokens);
        Assert.Equal(free.Tokens[0][..(endsAt0 + 1)], loop.Tokens[0]);   // sequence 0 stops right after its end token
        for (int i = 0; i < prompts.Length; i++)
        {
            int at = FirstIndex(free.Tokens[i], end);
            Assert.Equal(at < 0 ? free.Tokens[i] : free.Tokens[i][..(at + 1)], loop.Tokens[i]);
        }
        // The loop ran exactly as many steps as the longest sequence needed: the device saw every sequence end.
        int longest = loop.Tokens.Max(t => t.Length);
        Assert.Equal(longest - 1, loop.DecodeSteps);
        Assert.Equal(eager.DecodeSteps, loop.DecodeSteps);

        // One sequence alone: its end token stops the first launch early, well before K.
        var single = engine.Generate([prompts[0]], 30, DecodeMode.Loop, endToken: end);
        Assert.Equal(free.Tokens[0][..(endsAt0 + 1)], single.Tokens[0]);
        Assert.Equal([endsAt0], single.Steps.Select(s => s.Steps));
    }

    [Fact]
    public void A_loop_launch_runs_at_most_the_budget_and_reports_the_ring()
    {
        RequireConditionalNodes();
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [2], loopSteps: 4);
        var prompts = Prompts(2, seed: 5, minLength: 3, maxLength: 3);
        var eager = engine.Generate(prompts, 8, DecodeMode.Eager);
        engine.Generate(prompts, 1, DecodeMode.Eager);       // prefill again: tokens and cache as before the first step
        var first = engine.DecodeLoop([3, 3], budget: 3);
        Assert.Equal(3, first.Steps);
        var ring = engine.LoopTokens;
        Assert.Equal(3, ring[0]);
        for (int step = 0; step < 3; step++)
            for (int row = 0; row < 2; row++)
                Assert.Equal(eager.Tokens[row][step + 1], ring[1 + step * TestConfig.MaxBatch + row]);
        var second = engine.DecodeLoop([6, 6], budget: 100);  // capped at K = 4
        Assert.Equal(4, second.Steps);
        for (int row = 0; row < 2; row++) Assert.Equal(eager.Tokens[row][4], engine.LoopTokens[1 + row]);
    }

    [Fact]
    public void Batches_beyond_the_largest_bucket_decode_eagerly_with_the_same_tokens()
    {
        RequireConditionalNodes();
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [1, 2]);
        var prompts = Prompts(3, seed: 9, minLength: 2, maxLength: 5);
        var eager = engine.Generate(prompts, 6, DecodeMode.Eager);
        var loop = engine.Generate(prompts, 6, DecodeMode.Loop);
        Assert.Equal(eager.Tokens, loop.Tokens);
        Assert.All(loop.Steps, s => Assert.Equal(1, s.Steps));
        Assert.Equal(0, engine.LoopBuckets.GraphCount);
    }

    [Fact]
    public void Loop_mode_refuses_bad_arguments_clearly()
    {
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        Assert.Throws<ArgumentOutOfRangeException>("loopSteps", () => new LlmEngine(model, [1], loopSteps: 0));
        using var engine = new LlmEngine(model, [1]);
        int[][] prompts = [[1, 2, 3]];
        var logits = Assert.Throws<ArgumentException>("keepLogits", () => engine.Generate(prompts, 4, DecodeMode.Loop, keepLogits: true));
        Assert.Contains("loop mode", logits.Message);
        Assert.Throws<ArgumentOutOfRangeException>("endToken", () => engine.Generate(prompts, 4, DecodeMode.Loop, endToken: TestConfig.Vocab));
        Assert.Throws<ArgumentOutOfRangeException>("budget", () => engine.DecodeLoop([3], budget: 0));
        Assert.Throws<ArgumentOutOfRangeException>("positions", () => engine.DecodeLoop([TestConfig.Context - 2], budget: 16));
        Assert.Throws<ArgumentException>("ended", () => engine.DecodeLoop([3], budget: 2, ended: [false, false]));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => engine.SubmitDecodeStep([3], DecodeMode.Loop));
    }
}
