using Ascend.Interop.Llm;
using Ascend.Interop.Testing;

// One collection: the tests share the process-wide runtime and device.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace Ascend.Interop.Llm.Tests;

/// <summary>The runtime, device 0 and one stream, shared by the tests (on the simulator unless CANN is present).</summary>
public sealed class NpuFixture : NpuStreamFixture;

public sealed class DecoderTests(NpuFixture fixture) : IClassFixture<NpuFixture>
{
    /// <summary>The decoder (4 layers, hidden 256, 8 heads, vocab 4096) with a shorter context to keep the cache small.</summary>
    private static readonly LlmConfig TestConfig = new() { Context = 64 };

    private static readonly Lazy<LlmWeights> s_weights = new(() => LlmWeights.Create(TestConfig));

    private NpuStream Stream => fixture.Stream;

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

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>max |actual - expected| / max |expected|.</summary>
    private static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return diff / scale;
    }

    [Fact]
    public void A_decoder_block_captured_equals_eager_bit_for_bit_and_the_double_reference()
    {
        var config = TestConfig;
        int rows = 4, h = config.Hidden, layer = 1;
        long[] positions = [3, 7, 0, 12];
        using var model = new LlmModel(Stream, config, s_weights.Value);
        var reference = new ReferenceDecoder(config, s_weights.Value);
        var random = new Random(5);

        // Earlier positions of each row's cache hold random keys and values; the block writes the new ones.
        var keys = new double[rows][][];
        var values = new double[rows][][];
        for (int r = 0; r < rows; r++)
        {
            keys[r] = new double[positions[r] + 1][];
            values[r] = new double[positions[r] + 1][];
            for (int p = 0; p < positions[r]; p++)
            {
                Half[] k = Array.ConvertAll(Uniform(random, h), f => (Half)f), v = Array.ConvertAll(Uniform(random, h), f => (Half)f);
                using var keyRow = model.KeyCache(layer).Slice(0, r, 1);
                using var valueRow = model.ValueCache(layer).Slice(0, r, 1);
                using var keySlot = keyRow.Slice(1, p, 1);
                using var valueSlot = valueRow.Slice(1, p, 1);
                keySlot.CopyFrom<Half>(Stream, k);
                valueSlot.CopyFrom<Half>(Stream, v);
                keys[r][p] = Array.ConvertAll(k, f => (double)f);
                values[r][p] = Array.ConvertAll(v, f => (double)f);
            }
        }
        var inputs = new long[2 * config.MaxBatch];
        for (int r = 0; r < rows; r++)
        {
            inputs[r] = positions[r];
            inputs[config.MaxBatch + r] = model.Slot(r, positions[r]);
        }
        model.PositionsAndSlots.CopyFrom<long>(Stream, inputs);
        long[] lengths = positions.Select(p => p + 1).ToArray();
        float[] xs = Uniform(random, rows * h);
        using var x = NpuTensor.FromArray(Stream, xs, new TensorShape(rows, h));

        float[] eager;
        using (var y = model.DecoderLayer(Stream, layer, 0, x, lengths)) eager = y.ToArray<float>(Stream);
        Half[] cachedKeys = model.KeyCache(layer).ToArray<Half>(Stream);

        NpuTensor captured;
        using (var graph = Stream.BeginCapture())
        {
            captured = model.DecoderLayer(Stream, layer, 0, x, lengths);
            graph.EndCapture();
            Assert.Equal(LlmModel.OperatorsPerLayer, graph.Operations.Count - 2);   // the layer's operators after the two cos/sin gathers
            Assert.Equal(["attention1"], graph.TaskGroups.Select(g => g.Name));
            graph.ReplayAndWait(Stream);
        }
        using (captured)
        {
            float[] replayed = captured.ToArray<float>(Stream);
            Assert.Equal(eager, replayed);                                       // bit for bit
        }
        Assert.Equal(cachedKeys, model.KeyCache(layer).ToArray<Half>(Stream)); // the replay wrote the same keys

        for (int r = 0; r < rows; r++)
        {
            var xr = Array.ConvertAll(xs.AsSpan(r * h, h).ToArray(), f => (double)f);
            double[] expected = reference.Layer(layer, xr, (int)positions[r], keys[r], values[r]);
            double error = RelativeError(eager.AsSpan(r * h, h), expected);
            Assert.True(error <= 1e-5, $"row {r}: relative error {error:E2} against the double reference");
            // The key written into the cache is the rotated projection.
            long offset = model.Slot(r, positions[r]) * h;
            float[] cachedKey = Array.ConvertAll(cachedKeys.AsSpan((int)offset, h).ToArray(), v => (float)v);
            double keyError = RelativeError(cachedKey, keys[r][positions[r]]);
            Assert.True(keyError <= 1e-3, $"row {r}: cached key relative error {keyError:E2} (float16: at most one rounding step apart)");
        }
    }

    [Fact]
    public void Graph_decoding_emits_the_eager_tokens_for_every_bucket()
    {
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        using var engine = new LlmEngine(model);
        // 1, 2, 3, 5, 9, 17 sequences: buckets 1, 2, 4, 8, 16, 32 (with padding from 3 on).
        foreach (int batch in new[] { 1, 2, 3, 5, 9, 17 })
        {
            var prompts = Prompts(batch, seed: batch);
            var eager = engine.Generate(prompts, 4, DecodeMode.Eager, keepLogits: true);
            var graph = engine.Generate(prompts, 4, DecodeMode.Graph, keepLogits: true);
            Assert.Equal(eager.Tokens, graph.Tokens);
            for (int k = 0; k < eager.Logits!.Count; k++) Assert.Equal(eager.Logits[k], graph.Logits![k]);   // bit for bit
            int bucket = engine.Buckets.Select(batch).Size;
            Assert.All(graph.Steps, s => Assert.Equal((batch, bucket), (s.Batch, s.Bucket)));
            Assert.All(eager.Steps, s => Assert.Equal((batch, batch), (s.Batch, s.Bucket)));
            Assert.True(graph.Steps[0].Captured);
            Assert.All(graph.Steps.Skip(1), s => Assert.False(s.Captured));
        }
        var stats = engine.Buckets.Statistics;
        Assert.Equal(6, stats.Misses);
        Assert.Equal(6, stats.MissesNeverSeen);
        Assert.Equal(6 * 3, stats.Hits);    // 3 decode steps per batch; the first captures, then finds its graph
        Assert.Equal(6, engine.Buckets.GraphCount);
    }

    [Fact]
    public void A_replay_without_the_task_group_update_uses_the_capture_time_lengths()
    {
        var config = TestConfig;
        using var model = new LlmModel(Stream, config, s_weights.Value);
        using var engine = new LlmEngine(model, [4]);
        var prompts = Prompts(3, seed: 42);
        engine.Generate(prompts, 1, DecodeMode.Eager);              // prefill only
        long[] tokens = model.Tokens.ToArray<long>(Stream);
        long[] positions = prompts.Select(p => (long)p.Length).ToArray();

        float[] Step(DecodeMode mode, bool update)
        {
            model.Tokens.CopyFrom<long>(Stream, tokens);
            engine.DecodeStep(positions, mode, update);
            return engine.ReadLogits(3);
        }

        float[] eager = Step(DecodeMode.Eager, true);
        float[] stale = Step(DecodeMode.Graph, false);
        float[] updated = Step(DecodeMode.Graph, true);
        Assert.Equal(eager, updated);
        Assert.NotEqual(eager, stale);

        // The stale replay is exactly an eager step with the lengths the graph was captured with (1 per row).
        model.Tokens.CopyFrom<long>(Stream, tokens);
        var inputs = new long[2 * config.MaxBatch];
        for (int r = 0; r < 3; r++)
        {
            inputs[r] = positions[r];
            inputs[config.MaxBatch + r] = model.Slot(r, positions[r]);
        }
        model.PositionsAndSlots.CopyFrom<long>(Stream, inputs);
        model.Step(Stream, 0, 3, engine.CaptureLengths[..3]);
        Assert.Equal(stale, engine.ReadLogits(3));

        // And whole generations: without updates the tokens go wrong, with them they match.
        var eagerRun = engine.Generate(prompts, 4, DecodeMode.Eager);
        Assert.NotEqual(eagerRun.Tokens, engine.Generate(prompts, 4, DecodeMode.Graph, updateAttention: false).Tokens);
        Assert.Equal(eagerRun.Tokens, engine.Generate(prompts, 4, DecodeMode.Graph).Tokens);
    }

    [Fact]
    public void Six_buckets_in_one_shared_pool_hold_at_most_a_quarter_more_than_the_largest_graph()
    {
        using var model = new LlmModel(Stream, TestConfig, s_weights.Value);
        long largest;
        using (var alone = new LlmEngine(model, [32], sharePool: false))
        {
            alone.CaptureAll();
            largest = alone.Buckets.MemoryBytes;
        }
        using var shared = new LlmEngine(model);
        var before = fixture.Device.StreamBudget;
        shared.CaptureAll();
        Assert.Equal(6, shared.Buckets.GraphCount);
        Assert.Equal(6, fixture.Device.StreamBudget.Graphs - before.Graphs);
        Assert.True(shared.Buckets.MemoryBytes <= 1.25 * largest,
            $"six buckets in a shared pool: {shared.Buckets.MemoryBytes} bytes; the largest graph alone: {largest} bytes");
        var infos = shared.Buckets.Buckets;
        Assert.All(infos, b => Assert.Equal(model.OperatorsPerStep, b.OperationCount));
        Assert.True(infos[^1].CapturePeakBytes >= infos[0].CapturePeakBytes, string.Join(", ", infos.Select(b => $"{b.Size}: peak {b.CapturePeakBytes} retained {b.CaptureRetainedBytes}")));
        // The graphs cost little next to the KV cache (the test's is for a 64-position context; the demo's is 8x that).
        Assert.True(shared.Buckets.MemoryBytes < model.KvCacheBytes / 2,
            $"graphs {shared.Buckets.MemoryBytes} bytes, KV cache {model.KvCacheBytes} bytes; " + string.Join(", ", infos.Select(b => $"{b.Size}: peak {b.CapturePeakBytes} retained {b.CaptureRetainedBytes}")));
    }
}
