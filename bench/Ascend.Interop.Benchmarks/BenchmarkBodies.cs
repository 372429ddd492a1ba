using Ascend.Interop.Native;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// The bodies of every benchmark, as plain methods over one set-up device, stream, tensors and
/// captured graph. The BenchmarkDotNet classes time them; tests/Ascend.Interop.Benchmarks.Tests
/// runs each once and checks what it computed. bench/native/bench_main.cpp makes the same calls
/// from C++.
/// </summary>
/// <remarks>
/// The steady-state path is measured: tensors, descriptors and the graph exist before the first
/// timed call, and every operator writes into a preallocated output (the SDK's output overloads).
/// Use an instance from one thread: the raw-binding bodies rely on the context the safe layer made
/// current on the creating thread (call <see cref="BindToCurrentThread"/> on another thread first).
/// </remarks>
public sealed unsafe class BenchmarkBodies : IDisposable
{
    private readonly NpuRuntime _runtime;
    private readonly NpuDevice _device;
    private readonly NpuStream _stream;
    private readonly DeviceMemoryPool _pool;
    private readonly aclrtStream _rawStream;
    private readonly List<NpuTensor> _tensors = [];
    private readonly NpuTensor _addA, _addB, _addSum;
    private readonly NpuTensor _x, _gamma, _normed, _rstd, _output;
    private readonly NpuTensor[] _weight, _bias, _product, _biased, _activated;
    private readonly NpuGraph _graph;
    private readonly aclmdlRI _rawGraph;
    private readonly RawMlp _rawMlp;
    private bool _disposed;

    /// <summary>Opens device 0, uploads the inputs, runs the MLP once eagerly and captures one step into a graph.</summary>
    public BenchmarkBodies()
    {
        _runtime = NpuRuntime.Initialize();
        try
        {
            _device = NpuDevice.Open(0);
            _stream = _device.CreateStream();
            _pool = _device.MemoryPool;
            _rawStream = _stream.Handle;

            _addA = Upload(BenchmarkData.AddOperand(0), [BenchmarkShapes.AddElements]);
            _addB = Upload(BenchmarkData.AddOperand(1), [BenchmarkShapes.AddElements]);
            _addSum = Empty([BenchmarkShapes.AddElements]);

            const int B = BenchmarkShapes.Batch, W = BenchmarkShapes.Width, L = BenchmarkShapes.Layers;
            _x = Upload(BenchmarkData.MlpInput(), [B, W]);
            _gamma = Upload(BenchmarkData.MlpGamma(), [W]);
            _normed = Empty([B, W]);
            _rstd = Empty([B, 1]);
            _output = Empty([B, W]);
            _weight = new NpuTensor[L];
            _bias = new NpuTensor[L];
            _product = new NpuTensor[L];
            _biased = new NpuTensor[L];
            _activated = new NpuTensor[L - 1];
            for (int l = 0; l < L; l++)
            {
                _weight[l] = Upload(BenchmarkData.MlpWeight(l), [W, W]);
                _bias[l] = Upload(BenchmarkData.MlpBias(l), [W]);
                _product[l] = Empty([B, W]);
                _biased[l] = Empty([B, W]);
                if (l < L - 1) _activated[l] = Empty([B, W]);
            }

            // Warm up eagerly (descriptors, workspace blocks, JIT), then capture one step.
            MlpForward();
            _stream.Synchronize();
            EagerOutput = _output.ToArray<float>(_stream);
            _graph = _stream.BeginCapture();
            try
            {
                MlpForward();
                _graph.EndCapture();
                _rawGraph = _graph.Handle;
            }
            catch
            {
                _graph.Dispose();
                throw;
            }
            _rawMlp = new RawMlp(_stream, _x, _gamma, _normed, _rstd, _output, _weight, _bias, _product, _biased, _activated);
            _rawMlp.Step();   // sizes its workspace outside the steady state
            _stream.Synchronize();
        }
        catch
        {
            DisposeResources();
            throw;
        }
    }

    /// <summary>The MLP's output after the eager warm-up step, [Batch x Width] row-major.</summary>
    public float[] EagerOutput { get; }

    /// <summary>The graph holding one captured MLP step.</summary>
    public NpuGraph Graph => _graph;

    /// <summary>The stream every benchmark runs on.</summary>
    public NpuStream Stream => _stream;

    /// <summary>The pool of <see cref="PoolRentReturn"/>.</summary>
    public DeviceMemoryPool Pool => _pool;

    /// <summary>Makes the device's context current on the calling thread (for the raw-binding bodies).</summary>
    public void BindToCurrentThread() => _ = _stream.Query();

    // ---- eager --------------------------------------------------------------------------------

    /// <summary>One Add of 1,024 floats (cached descriptors, workspace query, launch), then wait for it.</summary>
    public void EagerAdd()
    {
        Ops.Add(_stream, _addA, _addB, _addSum);
        _stream.Synchronize();
    }

    /// <summary>One eager MLP step (13 operators), then wait for it.</summary>
    public void EagerMlpStep()
    {
        MlpForward();
        _stream.Synchronize();
    }

    /// <summary>Queues one eager MLP step without waiting (drain with <see cref="Drain"/>).</summary>
    public void EagerMlpEnqueue() => MlpForward();

    /// <summary>
    /// Queues the same 13 launches through the raw bindings on the same tensors' memory (bench_main.cpp's calls, in
    /// this process): the SDK's own cost per step is <see cref="EagerMlpEnqueue"/> minus this.
    /// </summary>
    public void EagerMlpEnqueueRaw() => _rawMlp.Step();

    // ---- typed generated entry points against the declared operators ---------------------------

    /// <summary>Queues the declared <c>Ops.Add</c> of the Add operands (alpha 1: a float32 scalar); drain with <see cref="Drain"/>.</summary>
    public void DeclaredAddEnqueue() => Ops.Add(_stream, _addA, _addB, _addSum);

    /// <summary>Queues the generated <c>AclnnOperators.Add</c> of the same operands, alpha 1 as the same float32 scalar.</summary>
    public void TypedAddEnqueue() => AclnnOperators.Add(_stream, _addA, _addB, 1f, _addSum);

    /// <summary>Queues the declared <c>Ops.RmsNorm</c> of the MLP input (a double, two outputs).</summary>
    public void DeclaredRmsNormEnqueue() => Ops.RmsNorm(_stream, _x, _gamma, BenchmarkShapes.RmsEpsilon, _normed, _rstd);

    /// <summary>Queues the generated <c>AclnnOperators.RmsNorm</c> of the same tensors.</summary>
    public void TypedRmsNormEnqueue() => AclnnOperators.RmsNorm(_stream, _x, _gamma, BenchmarkShapes.RmsEpsilon, _normed, _rstd);

    /// <summary>The RmsNorm outputs (normalized rows, then rstd) of the last call.</summary>
    public (float[] Normed, float[] Rstd) ReadRmsNorm() => (_normed.ToArray<float>(_stream), _rstd.ToArray<float>(_stream));

    /// <summary>Sets the RmsNorm outputs to zeros (waits), so a following call visibly rewrites them.</summary>
    public void ClearRmsNorm()
    {
        _stream.Synchronize();
        _normed.CopyFrom<float>(_stream, new float[_normed.ElementCount]);
        _rstd.CopyFrom<float>(_stream, new float[_rstd.ElementCount]);
    }

    // ---- graph replay -------------------------------------------------------------------------

    /// <summary>Replays the captured MLP step, then waits for it.</summary>
    public void ReplayMlpStep()
    {
        _graph.Replay(_stream);
        _stream.Synchronize();
    }

    /// <summary>Queues one replay without waiting (drain with <see cref="Drain"/>).</summary>
    public void ReplayMlpEnqueue() => _graph.Replay(_stream);

    /// <summary>
    /// Queues one replay of the same captured graph through the raw binding (<c>aclmdlRIExecuteAsync</c> on
    /// <see cref="NpuGraph.Handle"/>): the SDK's own cost per replay is <see cref="ReplayMlpEnqueue"/> minus this,
    /// with the very same model in the same process.
    /// </summary>
    public void ReplayMlpEnqueueRaw() => Check(Acl.aclmdlRIExecuteAsync(_rawGraph, _rawStream), "aclmdlRIExecuteAsync");

    /// <summary>Waits for everything queued on the stream.</summary>
    public void Drain() => _stream.Synchronize();

    // ---- memory -------------------------------------------------------------------------------

    /// <summary>Rents a 4 KiB block from the device pool and returns it, stream-ordered.</summary>
    public nint PoolRentReturn()
    {
        var block = _pool.Rent(_stream, BenchmarkShapes.PoolBlockBytes);
        _pool.Return(_stream, block);
        return block.Pointer;
    }

    /// <summary>aclrtMalloc + aclrtFree of 4 KiB through the raw bindings.</summary>
    public nint RawMallocFree()
    {
        void* p;
        Check(Acl.aclrtMalloc(&p, BenchmarkShapes.PoolBlockBytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc");
        Check(Acl.aclrtFree(p), "aclrtFree");
        return (nint)p;
    }

    // ---- a trivial runtime call -----------------------------------------------------------------

    /// <summary><see cref="NpuStream.Query"/>: aclrtStreamQuery through the safe layer.</summary>
    public bool StreamQuerySafe() => _stream.Query();

    /// <summary>aclrtStreamQuery through the raw binding.</summary>
    public bool StreamQueryRaw()
    {
        aclrtStreamStatus status;
        Check(Acl.aclrtStreamQuery(_rawStream, &status), "aclrtStreamQuery");
        return status == aclrtStreamStatus.ACL_STREAM_STATUS_COMPLETE;
    }

    // ---- the MLP ------------------------------------------------------------------------------

    /// <summary>Copies the MLP's current output to the host (waits for the stream).</summary>
    public float[] ReadOutput() => _output.ToArray<float>(_stream);

    /// <summary>Copies the single-operator Add's output to the host (waits for the stream).</summary>
    public float[] ReadAddSum() => _addSum.ToArray<float>(_stream);

    /// <summary>Sets the MLP's output to zeros (waits), so a following step visibly rewrites it.</summary>
    public void ClearOutput()
    {
        _stream.Synchronize();
        _output.CopyFrom<float>(_stream, new float[_output.ElementCount]);
    }

    // RmsNorm, 3 x (MatMul, Add bias, Silu), MatMul, Add bias, Softmax: 13 operators, as in bench_main.cpp.
    private void MlpForward()
    {
        Ops.RmsNorm(_stream, _x, _gamma, BenchmarkShapes.RmsEpsilon, _normed, _rstd);
        var h = _normed;
        for (int l = 0; l < BenchmarkShapes.Layers; l++)
        {
            Ops.MatMul(_stream, h, _weight[l], _product[l]);
            Ops.Add(_stream, _product[l], _bias[l], _biased[l]);
            if (l < BenchmarkShapes.Layers - 1)
            {
                Ops.Silu(_stream, _biased[l], _activated[l]);
                h = _activated[l];
            }
        }
        Ops.Softmax(_stream, _biased[BenchmarkShapes.Layers - 1], -1, _output);
    }

    private NpuTensor Upload(float[] data, TensorShape shape)
    {
        var tensor = NpuTensor.FromArray(_stream, data, shape);
        _tensors.Add(tensor);
        return tensor;
    }

    private NpuTensor Empty(TensorShape shape)
    {
        var tensor = NpuTensor.Empty(_stream, shape, NpuDataType.Float32);
        _tensors.Add(tensor);
        return tensor;
    }

    private static void Check(int code, string function)
    {
        if (code != 0) Fail(code, function);
    }

    private static void Fail(int code, string function)
    {
        string? message = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)Acl.aclGetRecentErrMsg());
        throw new InvalidOperationException($"{function} failed with {code}: {message}");
    }

    /// <summary>Releases the graph, tensors, stream, device and runtime reference.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Synchronize();
        DisposeResources();
    }

    private void DisposeResources()
    {
        _rawMlp?.Dispose();
        _graph?.Dispose();
        foreach (var tensor in _tensors) tensor.Dispose();
        _tensors.Clear();
        _stream?.Dispose();
        _device?.Dispose();
        _runtime.Dispose();
    }
}
