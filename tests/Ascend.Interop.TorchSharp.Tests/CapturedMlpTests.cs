using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>A TorchSharp-defined MLP, uploaded and captured once, fed per step from TorchSharp tensors.</summary>
public sealed class CapturedMlpTests(NpuFixture npu)
{
    private const int Batch = 5, In = 16, Hidden = 32, Out = 8;

    [TorchFact]
    public void Captured_mlp_fed_from_torch_matches_the_torch_model()
    {
        manual_seed(2026);
        using var scope = NewDisposeScope();
        var fc1 = Linear(In, Hidden);
        var fc2 = Linear(Hidden, Out);
        var model = Sequential(("fc1", fc1), ("act", SiLU()), ("fc2", fc2));
        model.eval();

        using var stream = npu.Device.CreateStream();
        using var noGrad = no_grad();
        // Linear computes x @ W^T + b: upload W^T (a transposed view, made contiguous by the bridge).
        using var w1 = fc1.weight!.t().ToNpu(stream);
        using var b1 = fc1.bias!.ToNpu(stream);
        using var w2 = fc2.weight!.t().ToNpu(stream);
        using var b2 = fc2.bias!.ToNpu(stream);

        // Static input, intermediates and output: the graph reads and writes these addresses at every replay.
        using var x = NpuTensor.Zeros(stream, [Batch, In], NpuDataType.Float32);
        using var h = NpuTensor.Empty(stream, [Batch, Hidden], NpuDataType.Float32);
        using var hb = NpuTensor.Empty(stream, [Batch, Hidden], NpuDataType.Float32);
        using var a = NpuTensor.Empty(stream, [Batch, Hidden], NpuDataType.Float32);
        using var o = NpuTensor.Empty(stream, [Batch, Out], NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, [Batch, Out], NpuDataType.Float32);
        void Forward(NpuStream s)
        {
            Ops.MatMul(s, x, w1, h);
            Ops.Add(s, h, b1, hb);
            Ops.Silu(s, hb, a);
            Ops.MatMul(s, a, w2, o);
            Ops.Add(s, o, b2, y);
        }

        // Eager once (warm-up, and the reference for the graph).
        var first = randn(Batch, In);
        x.CopyFrom(stream, first);
        Forward(stream);
        var eager = y.ToTorch(stream);
        TorchAssert.Close(model.forward(first), eager, rtol: 1e-5, atol: 1e-5);

        using var graph = stream.BeginCapture();
        Forward(stream);
        graph.EndCapture();
        Assert.True(graph.IsReady);
        Assert.Equal(5, graph.Operations.Count(op => op.Name.StartsWith("aclnn", StringComparison.Ordinal)));

        var output = zeros(Batch, Out);
        x.CopyFrom(stream, first);
        graph.Replay(stream);
        y.CopyTo(stream, output);
        TorchAssert.Close(eager, output, rtol: 0, atol: 0);   // same kernels, same inputs: same bits

        for (int step = 0; step < 4; step++)
        {
            var input = randn(Batch, In) * (step + 1);
            x.CopyFrom(stream, input);
            graph.Replay(stream);
            y.CopyTo(stream, output);
            TorchAssert.Close(model.forward(input), output, rtol: 1e-5, atol: 1e-5);
        }
        Assert.Equal(5, graph.ReplayCount);
        Assert.True(x.ReleaseStaging());
        Assert.True(y.ReleaseStaging());
    }
}
