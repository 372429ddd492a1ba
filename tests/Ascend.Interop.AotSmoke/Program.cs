// NativeAOT smoke test and package-consumer program (docs/packaging.md): opens the runtime (the simulator when no CANN
// is installed), captures Add + Relu on a stream into an NpuGraph, replays it twice with new inputs in between, and
// checks every value against a host computation. Prints one "check" line; exit code 0 only when every value matched.
using Ascend.Interop;
using Ascend.Interop.Distributed;

const int N = 16;
string name = args.Length > 0 ? args[0] : "aot-smoke";
try
{
    using var runtime = NpuRuntime.Initialize();
    using var device = NpuDevice.Open(0);
    using var stream = device.CreateStream();

    float[] a = new float[N], b = new float[N];
    Fill(a, b, seed: 1);
    using var x = NpuTensor.FromArray(stream, a);
    using var y = NpuTensor.FromArray(stream, b);
    using var sum = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);
    using var output = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);

    using var graph = stream.BeginCapture();
    Ops.Add(stream, x, y, sum);
    Ops.Relu(stream, sum, output);
    graph.EndCapture();
    if (graph.Operations.Count != 2)
        return Fail(name, $"the captured graph holds {graph.Operations.Count} operations, expected 2");

    int mismatches = 0;
    for (int round = 0; round < 2; round++)
    {
        if (round > 0)
        {
            // Static-input pattern: new values into the captured input buffers, then replay.
            Fill(a, b, seed: 7 + round);
            x.CopyFrom<float>(stream, a);
            y.CopyFrom<float>(stream, b);
        }
        graph.Replay(stream);
        stream.Synchronize();
        float[] result = output.ToArray<float>(stream);
        for (int i = 0; i < N; i++)
        {
            float expected = MathF.Max(a[i] + b[i], 0f);
            if (result[i] != expected)
            {
                if (mismatches++ < 4)
                    Console.Error.WriteLine($"{name}: round {round} element {i}: got {result[i]}, expected {expected}");
            }
        }
    }
    if (mismatches > 0)
        return Fail(name, $"{mismatches} values differ from relu(a + b)");

    if (args.Contains("--hccl-probe"))
    {
        // The fresh-machine check b4: on a machine without Gloo the HCCL library cannot load, and the first HCCL call
        // must say so as an HcclException naming the missing library and its package (everything above still ran).
        try
        {
            NpuCommunicator[] communicators = NpuCommunicator.CreateForDevices([device]);
            foreach (var communicator in communicators)
                communicator.Dispose();
            Console.WriteLine($"{name}: hccl=available");
        }
        catch (HcclException error)
        {
            Console.WriteLine($"{name}: hccl=unavailable code={error.CodeName} message={error.Message.ReplaceLineEndings(" ")}");
        }
    }
    Console.WriteLine($"{name}: libraries={string.Join(";", runtime.LibraryPaths)}");
    Console.WriteLine($"{name}: check=ok backend={runtime.Backend} operations={graph.Operations.Count} replays={graph.ReplayCount} elements={N}");
    return graph.ReplayCount == 2 ? 0 : Fail(name, $"ReplayCount is {graph.ReplayCount}, expected 2");
}
catch (Exception error)
{
    return Fail(name, error.ToString());
}

static int Fail(string name, string reason)
{
    Console.WriteLine($"{name}: check=FAILED {reason}");
    return 1;
}

// Values with both signs, so Relu clamps some sums to zero and passes others through.
static void Fill(float[] a, float[] b, int seed)
{
    for (int i = 0; i < a.Length; i++)
    {
        a[i] = ((i * 7 + seed * 3) % 11) - 5.5f;
        b[i] = ((i * 5 + seed) % 7) * 0.75f - 2f;
    }
}
