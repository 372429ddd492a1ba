namespace Ascend.Interop.TorchSharp;

/// <summary>
/// Pinned host memory (<see cref="PinnedBuffer{T}"/>) holding one tensor's elements on their way
/// between TorchSharp and the NPU, with an event that marks the end of the last copy queued from or
/// into it: the memory is rewritten only after that event completed.
/// </summary>
internal abstract class HostStaging : IDisposable
{
    private readonly NpuEvent _lastCopy;
    private bool _recorded;

    protected HostStaging(NpuDevice device, NpuDataType dataType, long elementCount)
    {
        DataType = dataType;
        ElementCount = elementCount;
        ByteLength = checked(elementCount * dataType.ElementSize());
        _lastCopy = device.CreateEvent(timing: false);
    }

    /// <summary>Pinned staging for <paramref name="elementCount"/> (at least 1) elements of <paramref name="dataType"/>.</summary>
    public static HostStaging Create(NpuDevice device, NpuDataType dataType, long elementCount) => dataType switch
    {
        NpuDataType.Float32 => new Typed<float>(device, dataType, elementCount),
        NpuDataType.Float16 => new Typed<Half>(device, dataType, elementCount),
        NpuDataType.BFloat16 => new Typed<NpuBFloat16>(device, dataType, elementCount),
        NpuDataType.Float64 => new Typed<double>(device, dataType, elementCount),
        NpuDataType.Int8 => new Typed<sbyte>(device, dataType, elementCount),
        NpuDataType.UInt8 => new Typed<byte>(device, dataType, elementCount),
        NpuDataType.Int32 => new Typed<int>(device, dataType, elementCount),
        NpuDataType.Int64 => new Typed<long>(device, dataType, elementCount),
        NpuDataType.Bool => new Typed<bool>(device, dataType, elementCount),
        _ => throw new NotSupportedException($"NpuDataType {dataType} has no host staging type."),
    };

    public NpuDataType DataType { get; }

    public long ElementCount { get; }

    public long ByteLength { get; }

    /// <summary>The pinned host address.</summary>
    public abstract nint Pointer { get; }

    /// <summary>Serializes users of one staging buffer (two threads copying into the same static input).</summary>
    public Lock Gate { get; } = new();

    /// <summary>True when the staging fits a tensor of this type and element count.</summary>
    public bool Fits(NpuDataType dataType, long elementCount) => DataType == dataType && ElementCount == elementCount;

    /// <summary>Waits until the last copy queued from or into the staging memory has completed.</summary>
    public void WaitForLastCopy()
    {
        if (_recorded) _lastCopy.Synchronize();
    }

    /// <summary>Queues the copy staging -> <paramref name="destination"/> (contiguous, same type and count) and marks its end.</summary>
    public void Upload(NpuTensor destination, NpuStream stream)
    {
        QueueUpload(destination, stream);
        _lastCopy.Record(stream);
        _recorded = true;
    }

    /// <summary>Queues the copy <paramref name="source"/> (contiguous, same type and count) -> staging and marks its end.</summary>
    public void Download(NpuTensor source, NpuStream stream)
    {
        QueueDownload(source, stream);
        _lastCopy.Record(stream);
        _recorded = true;
    }

    protected abstract void QueueUpload(NpuTensor destination, NpuStream stream);

    protected abstract void QueueDownload(NpuTensor source, NpuStream stream);

    protected abstract void DisposeBuffer();

    /// <summary>Frees the pinned memory and the event; the caller makes sure no queued copy still uses them.</summary>
    public void Dispose()
    {
        DisposeBuffer();
        _lastCopy.Dispose();
    }

    private sealed class Typed<T> : HostStaging where T : unmanaged
    {
        private readonly PinnedBuffer<T> _buffer;

        public Typed(NpuDevice device, NpuDataType dataType, long elementCount) : base(device, dataType, elementCount)
        {
            try
            {
                _buffer = PinnedBuffer<T>.Allocate(device, elementCount);
            }
            catch
            {
                _lastCopy.Dispose();
                throw;
            }
        }

        public override nint Pointer => _buffer.Pointer;

        protected override void QueueUpload(NpuTensor destination, NpuStream stream) => destination.EnqueueCopyFrom(stream, _buffer);

        protected override void QueueDownload(NpuTensor source, NpuStream stream) => source.EnqueueCopyTo(stream, _buffer);

        protected override void DisposeBuffer() => _buffer.Dispose();
    }
}
