using Ascend.Interop.Llm;

namespace Ascend.Interop.Llm.Tests;

/// <summary>
/// The decoder tensor-parallel on 2 ranks (<see cref="TensorParallelDecoder"/>): half the heads and half the MLP width
/// per rank, the output and down projections all-reduced. The all-reduce adds the ranks' float partial sums in another
/// order than one device's matmul, so logits are compared with a tolerance and tokens exactly.
/// </summary>
public sealed class TensorParallelTests(NpuFixture fixture) : IClassFixture<NpuFixture>
{
    private static readonly LlmConfig TestConfig = new() { Context = 64 };

    private static readonly Lazy<LlmWeights> s_weights = new(() => LlmWeights.Create(TestConfig));

    private static int[][] Prompts(int count, int seed)
    {
        var random = new Random(seed);
        var prompts = new int[count][];
        for (int i = 0; i < count; i++)
        {
            prompts[i] = new int[random.Next(2, 6)];
            for (int t = 0; t < prompts[i].Length; t++) prompts[i][t] = random.Next(TestConfig.Vocab);
        }
        return prompts;
    }

    private static void RequireTwoDevices() =>
        Assert.SkipWhen(NpuDevice.Count < 2, $"tensor parallelism needs 2 devices, this machine has {NpuDevice.Count}");

    /// <summary>Single-device generations (eager) for the batches the tests use.</summary>
    private GenerationResult SingleDevice(int[][] prompts, int newTokens)
    {
        using var model = new LlmModel(fixture.Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model, [1, 4]);
        return engine.Generate(prompts, newTokens, DecodeMode.Eager, keepLogits: true);
    }

    /// <summary>max |a - b| / max |b| over every step's logits.</summary>
    private static double RelativeError(IReadOnlyList<float[]> actual, IReadOnlyList<float[]> expected)
    {
        Assert.Equal(expected.Count, actual.Count);
        double diff = 0, scale = 0;
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Length, actual[k].Length);
            for (int i = 0; i < expected[k].Length; i++)
            {
                diff = Math.Max(diff, Math.Abs(actual[k][i] - expected[k][i]));
                scale = Math.Max(scale, Math.Abs(expected[k][i]));
            }
        }
        return diff / scale;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 11)]
    public void Two_ranks_generate_the_single_device_tokens_eager_and_with_the_all_reduce_captured(int batch, int seed)
    {
        RequireTwoDevices();
        const int newTokens = 6;
        var prompts = Prompts(batch, seed);
        var single = SingleDevice(prompts, newTokens);

        using var tp = new TensorParallelDecoder(TestConfig, s_weights.Value, ranks: 2, buckets: [1, 4]);
        Assert.Equal(TestConfig.Heads / 2, tp.Engine(0).Model.LocalHeads);
        var eager = tp.Generate(prompts, newTokens, DecodeMode.Eager, keepLogits: true);
        var graph = tp.Generate(prompts, newTokens, DecodeMode.Graph, keepLogits: true);

        Assert.Equal(single.Tokens, eager.Tokens);
        Assert.Equal(single.Tokens, graph.Tokens);
        // Window mode on every rank: each rank's graph keeps its own shard's mask and updates its groups at the same steps.
        var windowed = tp.Generate(prompts, newTokens, DecodeMode.Window, keepLogits: true);
        Assert.Equal(single.Tokens, windowed.Tokens);
        for (int k = 1; k < eager.Logits!.Count; k++) Assert.Equal(eager.Logits[k], windowed.Logits![k]);
        // The same collectives in the same order: a replay computes what the eager steps computed, bit for bit.
        for (int k = 1; k < eager.Logits!.Count; k++) Assert.Equal(eager.Logits[k], graph.Logits![k]);
        double error = RelativeError(eager.Logits!, single.Logits!);
        Assert.True(error <= 1e-3, $"tensor-parallel logits differ from single-device ones by {error:E2} of their magnitude");

        int bucket = batch == 1 ? 1 : 4;
        Assert.All(graph.Steps, s => Assert.Equal((batch, bucket), (s.Batch, s.Bucket)));
        for (int r = 0; r < 2; r++)
        {
            var engine = tp.Engine(r);
            Assert.True(engine.Buckets.TryGet(bucket, out var captured));
            Assert.Equal(2 * TestConfig.Layers, captured!.Operations.Count(o => o.Name == "HcclAllReduce"));
            Assert.Equal(engine.Model.OperatorsPerStep, captured.Operations.Count);
            Assert.Equal(LlmModel.OperatorsPerLayer * TestConfig.Layers + 7 + 2 * TestConfig.Layers, engine.Model.OperatorsPerStep);
        }
    }

    [Fact]
    public void A_shard_holds_half_the_projections_and_half_the_kv_cache()
    {
        RequireTwoDevices();
        using var single = new LlmModel(fixture.Stream, TestConfig, s_weights.Value);
        using var tp = new TensorParallelDecoder(TestConfig, s_weights.Value, ranks: 2, buckets: [1]);
        var shard = tp.Engine(1).Model;
        Assert.Equal(single.KvCacheBytes / 2, shard.KvCacheBytes);
        Assert.Equal(new TensorShape(TestConfig.MaxBatch, TestConfig.Hidden / 2), shard.Query.Shape);
        long h = TestConfig.Hidden, m = TestConfig.Intermediate, layers = TestConfig.Layers;
        long projections = layers * (4 * h * h + 3 * h * m) * sizeof(float);
        Assert.Equal(single.WeightBytes - projections / 2, shard.WeightBytes);
    }
}
