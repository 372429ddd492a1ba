using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The device memory behind a tensor and all its views, reference-counted: a pool block (returned
/// to its pool, stream-ordered on the stream it was rented on, when the last view goes) or a
/// caller-owned <see cref="DeviceBuffer"/> (never freed here).
/// </summary>
internal sealed class TensorStorage
{
    private readonly PoolBlock _block;
    private readonly DeviceBuffer? _buffer;
    private int _references = 1;

    private TensorStorage(NpuDevice device, NpuStream stream, PoolBlock block, DeviceBuffer? buffer, long byteLength)
    {
        Device = device;
        Stream = stream;
        _block = block;
        _buffer = buffer;
        ByteLength = byteLength;
    }

    /// <summary>Rents <paramref name="byteLength"/> bytes for work on <paramref name="stream"/> (none for an empty tensor).</summary>
    public static TensorStorage Rent(NpuStream stream, long byteLength)
    {
        var block = byteLength == 0 ? default : stream.AllocationPool.Rent(byteLength, stream);
        return new TensorStorage(stream.Device, stream, block, null, byteLength);
    }

    /// <summary>Wraps caller-owned memory; work defaults to the device's default stream.</summary>
    public static TensorStorage Wrap(DeviceBuffer buffer) =>
        new(buffer.Device, buffer.Device.DefaultStream, default, buffer, buffer.Length);

    public NpuDevice Device { get; }

    /// <summary>The stream the memory is ordered on (rented on, and returned on).</summary>
    public NpuStream Stream { get; }

    public long ByteLength { get; }

    public bool IsPooled => _buffer is null;

    public DeviceBuffer? Buffer => _buffer;

    /// <summary>The base address; throws when caller-owned memory was disposed.</summary>
    public nint Pointer
    {
        get
        {
            if (_buffer is null) return _block.Pointer;
            if (_buffer.IsDisposed)
                throw new ObjectDisposedException(nameof(DeviceBuffer), "The DeviceBuffer behind this tensor has been disposed; keep it alive while tensors over it are used.");
            return _buffer.Pointer;
        }
    }

    public void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(NpuTensor), "The tensor's storage has already been released.");
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        if (!_block.IsEmpty) _block.Pool!.Return(_block, Stream);
    }
}

/// <summary>An <c>aclTensor</c> descriptor (<c>aclCreateTensor</c> / <c>aclDestroyTensor</c>); holds the runtime.</summary>
internal sealed unsafe class AclTensorHandle : NpuSafeHandle
{
    public AclTensorHandle(nint native) : base(native, parent: null) { }

    public aclTensor* Value => (aclTensor*)handle;

    protected override bool ReleaseNative() => AclNN.aclDestroyTensor((aclTensor*)handle) == 0;
}
