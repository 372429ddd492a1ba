using System.Numerics.Tensors;

namespace Ascend.Interop.FrameworkSample;

/// <summary>
/// What a framework's custom NPU operator looks like on Ascend.Interop: <c>y = relu(x · W + b)</c> as three aclnn
/// operators, captured once into a graph over static input/output tensors and replayed for every call. The host side
/// speaks <see cref="Tensor{T}"/>, as .NET ML code does.
/// </summary>
public sealed class DenseLayer : IDisposable
{
    private readonly NpuStream _stream;
    private readonly NpuTensor _weights;
    private readonly NpuTensor _bias;
    private readonly NpuTensor _input;       // static input: each call copies new data into it
    private readonly NpuTensor _output;      // static output: the graph writes it at every replay
    private readonly PinnedBuffer<float> _staging;
    private readonly NpuGraph _graph;

    /// <summary>Uploads the parameters and captures the operator sequence for inputs of <paramref name="batch"/> rows.</summary>
    public DenseLayer(NpuStream stream, Tensor<float> weights, Tensor<float> bias, int batch)
    {
        _stream = stream;
        int inFeatures = checked((int)weights.Lengths[0]);
        int outFeatures = checked((int)weights.Lengths[1]);
        _weights = NpuTensor.FromTensor(stream, weights);
        _bias = NpuTensor.FromTensor(stream, bias);
        _input = NpuTensor.Zeros(stream, [batch, inFeatures], NpuDataType.Float32);
        _output = NpuTensor.Empty(stream, [batch, outFeatures], NpuDataType.Float32);
        _staging = PinnedBuffer<float>.Allocate(stream.Device, (long)batch * outFeatures);

        // Warm-up run (first-call allocations happen outside the capture), then capture the same sequence once.
        Issue();
        stream.Synchronize();
        _graph = stream.BeginCapture();
        Issue();
        _graph.EndCapture();
    }

    /// <summary>The operators of the captured graph, in order.</summary>
    public IReadOnlyList<string> Operations => _graph.Operations.Select(o => o.Name).ToList();

    /// <summary>How many times the graph was replayed.</summary>
    public long Replays => _graph.ReplayCount;

    private void Issue()
    {
        using var product = Ops.MatMul(_stream, _input, _weights);
        using var shifted = Ops.Add(_stream, product, _bias);     // [batch, out] + [out]: broadcast
        Ops.Relu(_stream, shifted, _output);
    }

    /// <summary>
    /// One forward pass from async code: the input is copied in, the graph replays, and the caller's task resumes when
    /// the device is done; no thread waits meanwhile. Cancelling abandons the wait, never the replay.
    /// </summary>
    public async Task ForwardAsync(Tensor<float> input, Tensor<float> output, CancellationToken cancellationToken = default)
    {
        _input.CopyFrom(_stream, input);                                 // shape and dtype checked
        await _graph.ReplayAsync(_stream, cancellationToken);             // one launch for the three operators
        _output.CopyTo(_stream, output, _staging);                        // one DMA copy through pinned memory
    }

    /// <summary>
    /// The same pass as a pipeline: replay and the download are both queued, and one awaited synchronize covers them.
    /// </summary>
    public async Task<Tensor<float>> ForwardQueuedAsync(Tensor<float> input, CancellationToken cancellationToken = default)
    {
        _input.CopyFrom(_stream, input);
        _graph.Replay(_stream);
        _output.EnqueueCopyTo(_stream, _staging);
        await _stream.SynchronizeAsync(cancellationToken);
        return Tensor.Create(_staging.Span.ToArray(), [(nint)_output.Shape[0], (nint)_output.Shape[1]]);
    }

    /// <summary>Releases the graph and the device tensors.</summary>
    public void Dispose()
    {
        _graph.Dispose();
        _staging.Dispose();
        _output.Dispose();
        _input.Dispose();
        _bias.Dispose();
        _weights.Dispose();
    }
}
