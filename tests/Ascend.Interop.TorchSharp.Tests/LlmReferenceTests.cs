using Ascend.Interop.Llm;
using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>
/// The LLM sample's decoder (samples/Ascend.Interop.Llm) against the same weights in TorchSharp on the CPU: a
/// full-sequence causal forward in float32 (query, keys, values and attention output rounded to float16 like the
/// model's KV cache), written from the textbook definitions with torch operators.
/// </summary>
public sealed class LlmReferenceTests(NpuFixture npu)
{
    /// <summary>The sample's decoder (4 layers, hidden 256, 8 heads, vocab 4096) with a short context.</summary>
    private static readonly LlmConfig Config = new() { Context = 64, MaxBatch = 4 };

    /// <summary>The decoder in TorchSharp: logits of the last position of <paramref name="tokens"/>.</summary>
    private sealed class TorchDecoder(LlmConfig config, LlmWeights weights) : IDisposable
    {
        private readonly global::TorchSharp.DisposeScope _scope = NewDisposeScope();
        private readonly Tensor _embedding = tensor(weights.Embedding, [config.Vocab, config.Hidden]);
        private readonly Tensor _finalNorm = tensor(weights.FinalNorm);
        private readonly Tensor _head = tensor(weights.LmHead, [config.Hidden, config.Vocab]);
        private readonly (Tensor Cos, Tensor Sin) _rotary = Tables(config);
        private readonly Tensor[][] _layers = weights.Layers.Select(l => new[]
        {
            tensor(l.AttentionNorm), tensor(l.Wq, [config.Hidden, config.Hidden]), tensor(l.Wk, [config.Hidden, config.Hidden]),
            tensor(l.Wv, [config.Hidden, config.Hidden]), tensor(l.Wo, [config.Hidden, config.Hidden]), tensor(l.MlpNorm),
            tensor(l.WGate, [config.Hidden, config.Intermediate]), tensor(l.WUp, [config.Hidden, config.Intermediate]),
            tensor(l.WDown, [config.Intermediate, config.Hidden]),
        }).ToArray();

        private static (Tensor, Tensor) Tables(LlmConfig config)
        {
            var (cos, sin) = LlmWeights.RotaryTables(config);
            return (tensor(cos, [config.Context, config.HeadDim]), tensor(sin, [config.Context, config.HeadDim]));
        }

        private Tensor RmsNorm(Tensor x, Tensor gamma) =>
            x * rsqrt(x.pow(2).mean([-1], keepdim: true) + config.RmsEpsilon) * gamma;

        private static Tensor Half(Tensor x) => x.to_type(ScalarType.Float16).to_type(ScalarType.Float32);

        private static Tensor RotateHalf(Tensor x)
        {
            long half = x.shape[^1] / 2;
            return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        }

        public float[] LastLogits(IReadOnlyList<int> tokens)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            long t = tokens.Count;
            int heads = config.Heads, d = config.HeadDim;
            var ids = tensor(tokens.Select(v => (long)v).ToArray());
            var x = _embedding.index_select(0, ids);
            var cos = _rotary.Cos.narrow(0, 0, t).unsqueeze(1);     // [T, 1, D]
            var sin = _rotary.Sin.narrow(0, 0, t).unsqueeze(1);
            var causal = ones(t, t, dtype: ScalarType.Bool).triu(1);
            foreach (var w in _layers)
            {
                var a = RmsNorm(x, w[0]);
                var q = a.matmul(w[1]).view(t, heads, d);
                var k = a.matmul(w[2]).view(t, heads, d);
                var v = a.matmul(w[3]).view(t, heads, d);
                // The model's KV cache and attention are float16: round query, keys, values and the output the same way.
                q = Half(q * cos + RotateHalf(q) * sin);
                k = Half(k * cos + RotateHalf(k) * sin);
                v = Half(v);
                var scores = q.transpose(0, 1).matmul(k.transpose(0, 1).transpose(1, 2)) * config.Scale;   // [N, T, T]
                scores = scores.masked_fill(causal, float.NegativeInfinity);
                var attended = Half(scores.softmax(-1).matmul(v.transpose(0, 1)).transpose(0, 1).reshape(t, config.Hidden));
                var h = x + attended.matmul(w[4]);
                var b = RmsNorm(h, w[5]);
                x = h + (nn.functional.silu(b.matmul(w[6])) * b.matmul(w[7])).matmul(w[8]);
            }
            var logits = RmsNorm(x, _finalNorm).matmul(_head);
            return logits[-1].data<float>().ToArray();
        }

        public void Dispose() => _scope.Dispose();
    }

    [TorchFact]
    public void The_npu_decoder_eager_and_in_graph_mode_gives_the_torch_tokens_and_logits()
    {
        var weights = LlmWeights.Create(Config);
        using var torchModel = new TorchDecoder(Config, weights);
        using var stream = npu.Device.CreateStream();
        using var model = new LlmModel(stream, Config, weights);
        using var engine = new LlmEngine(model, [1, 2, 4]);
        int[][] prompts = [[17, 4000, 256, 9], [1, 2], [3071, 12, 555, 2048, 7]];
        const int newTokens = 5;

        foreach (var mode in new[] { DecodeMode.Eager, DecodeMode.Graph })
        {
            var result = engine.Generate(prompts, newTokens, mode, keepLogits: true);
            for (int i = 0; i < prompts.Length; i++)
            {
                var sequence = prompts[i].ToList();
                for (int k = 0; k < newTokens; k++)
                {
                    using var scope = NewDisposeScope();
                    float[] expected = torchModel.LastLogits(sequence);
                    float[] actual = result.Logits![k].AsSpan(i * Config.Vocab, Config.Vocab).ToArray();
                    // Both sides round to float16 in the same places, but from float32 values computed in different orders:
                    // where those straddle a float16 rounding boundary they differ by one float16 step (about 1e-3 at 1).
                    TorchAssert.Close(tensor(expected), tensor(actual), rtol: 1e-3, atol: 2e-3);
                    int torchToken = Array.IndexOf(expected, expected.Max());
                    Assert.True(torchToken == result.Tokens[i][k],
                        $"{mode}: sequence {i}, token {k}: the NPU chose {result.Tokens[i][k]}, torch {torchToken}");
                    sequence.Add(result.Tokens[i][k]);
                }
            }
        }
    }
}
