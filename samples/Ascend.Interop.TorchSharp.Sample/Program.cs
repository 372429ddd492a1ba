// A TorchSharp-defined MLP (Linear -> SiLU -> Linear -> Softmax) whose weights are uploaded to the NPU and run
// as one captured graph. Per step the input comes from a TorchSharp tensor (CopyFrom into the graph's static
// input), the graph is replayed, and the static output is read back into a TorchSharp tensor (CopyTo).
// Prints the largest difference between TorchSharp's own (eager, CPU) forward pass and the graph's output.
using Ascend.Interop;
using Ascend.Interop.TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

const int batch = 8, inputs = 64, hidden = 256, outputs = 10, steps = 20;

manual_seed(42);
var fc1 = Linear(inputs, hidden);
var fc2 = Linear(hidden, outputs);
var model = Sequential(("fc1", fc1), ("act", SiLU()), ("fc2", fc2), ("softmax", Softmax(-1)));
model.eval();
using var noGrad = no_grad();

using var runtime = NpuRuntime.Initialize();
using var device = NpuDevice.Open(0);
using var stream = device.CreateStream();
Console.WriteLine($"backend: {runtime.Backend} ({runtime.SocName})");

// Weights: Linear computes x @ W^T + b, so upload W^T (TorchSharp's transposed view is made contiguous on the CPU).
using var w1 = fc1.weight!.t().ToNpu(stream);
using var b1 = fc1.bias!.ToNpu(stream);
using var w2 = fc2.weight!.t().ToNpu(stream);
using var b2 = fc2.bias!.ToNpu(stream);

// Static tensors: the captured graph reads and writes these addresses at every replay.
using var x = NpuTensor.Zeros(stream, [batch, inputs], NpuDataType.Float32);
using var h = NpuTensor.Empty(stream, [batch, hidden], NpuDataType.Float32);
using var hb = NpuTensor.Empty(stream, [batch, hidden], NpuDataType.Float32);
using var a = NpuTensor.Empty(stream, [batch, hidden], NpuDataType.Float32);
using var logits = NpuTensor.Empty(stream, [batch, outputs], NpuDataType.Float32);
using var lb = NpuTensor.Empty(stream, [batch, outputs], NpuDataType.Float32);
using var y = NpuTensor.Empty(stream, [batch, outputs], NpuDataType.Float32);

void Forward(NpuStream s)
{
    Ops.MatMul(s, x, w1, h);
    Ops.Add(s, h, b1, hb);
    Ops.Silu(s, hb, a);
    Ops.MatMul(s, a, w2, logits);
    Ops.Add(s, logits, b2, lb);
    Ops.Softmax(s, lb, -1, y);
}

// One eager run (warms the operators up), then capture.
x.CopyFrom(stream, randn(batch, inputs));
Forward(stream);
stream.Synchronize();
using var graph = stream.BeginCapture();
Forward(stream);
graph.EndCapture();
Console.WriteLine($"captured {graph.Operations.Count} operations");

double worst = 0;
var output = zeros(batch, outputs);
for (int step = 0; step < steps; step++)
{
    using var scope = NewDisposeScope();
    var input = randn(batch, inputs);
    x.CopyFrom(stream, input);       // TorchSharp -> pinned staging -> static input (queued, not waited for)
    graph.Replay(stream);
    y.CopyTo(stream, output);        // static output -> pinned staging -> TorchSharp (waits for the replay)
    var eager = model.forward(input);
    worst = Math.Max(worst, (eager - output).abs().max().item<float>());
}
Console.WriteLine($"{steps} replays; eager (TorchSharp CPU) vs graph (NPU) max |difference|: {worst:E3}");
x.ReleaseStaging();
y.ReleaseStaging();
return worst < 1e-4 ? 0 : 1;
