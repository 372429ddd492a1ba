using System.Runtime.CompilerServices;
using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A strided view of device memory: shape, strides and offset (both in elements) over storage
/// shared by all views of it. Storage comes from the stream-ordered pool (<see cref="Empty(NpuStream, TensorShape, NpuDataType)"/>,
/// <see cref="FromArray{T}(NpuStream, T[], TensorShape)"/>) or from a caller-owned <see cref="DeviceBuffer"/>.
/// Views (<see cref="Slice"/>, <see cref="Transpose"/>, <see cref="Permute"/>, <see cref="Reshape(TensorShape)"/>, ...)
/// share the storage without copying; pooled memory goes back to the pool, ordered on the stream it
/// was rented on, when the last view is disposed. Each tensor caches its native <c>aclTensor</c>
/// descriptor, so repeated operator calls allocate nothing.
/// </summary>
/// <remarks>
/// Pooled memory follows its use: work on another stream than <see cref="Stream"/> is recorded when
/// it is submitted, and the memory goes back to the pool only after that work completed; a captured
/// graph that reads or writes a tensor keeps its memory until the graph is disposed, even when the
/// tensor is disposed first. Ordering the use itself after the tensor's producer (an event) is the
/// caller's, as with any stream-ordered allocator. Disposing a tensor while another thread uses it is a bug.
/// </remarks>
public sealed unsafe partial class NpuTensor : IDisposable
{
    private readonly TensorStorage _storage;
    private readonly TensorShape _shape;
    private readonly long[] _strides;
    private readonly bool _contiguous;   // shape and strides never change: computed once (every operator output is checked)
    private AclTensorHandle? _descriptor;
    private nint _descriptorNative;   // _descriptor's pointer, read per operator call without touching the handle object
    private int _disposed;

    private NpuTensor(TensorStorage storage, TensorShape shape, long[] strides, long offset, NpuDataType dataType)
    {
        _storage = storage;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        DataType = dataType;
        ElementSize = dataType.ElementSize();
        _contiguous = RowMajorWithoutGaps(shape, strides);
        Scope = NpuDisposeScope.Enlist(this);
    }

    // ---- creation -------------------------------------------------------------------------

    /// <summary>An uninitialized contiguous tensor rented from the pool for work on <paramref name="stream"/>.</summary>
    public static NpuTensor Empty(NpuStream stream, TensorShape shape, NpuDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int elementSize = dataType.ElementSize();
        long bytes = TensorLayout.Bytes(shape, shape.ElementCount, elementSize, "NpuTensor.Empty");
        var storage = TensorStorage.Rent(stream, bytes);
        return new NpuTensor(storage, shape, shape.ContiguousStrides(), 0, dataType);
    }

    /// <summary>An uninitialized contiguous tensor on <paramref name="device"/>'s default stream.</summary>
    public static NpuTensor Empty(NpuDevice device, TensorShape shape, NpuDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Empty(device.DefaultStream, shape, dataType);
    }

    /// <summary>A zero-filled contiguous tensor (the fill is queued on <paramref name="stream"/>).</summary>
    public static NpuTensor Zeros(NpuStream stream, TensorShape shape, NpuDataType dataType)
    {
        var tensor = Empty(stream, shape, dataType);
        try
        {
            long bytes = tensor.ByteLength;
            if (bytes > 0) MemoryCopy.EnqueueFill(tensor._storage.Pointer, bytes, 0, bytes, 0, stream, BufferUse.Of(tensor, BufferAccess.Write));
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A view over caller-owned memory. The buffer must stay alive while the tensor is used (using
    /// the tensor after the buffer's disposal throws <see cref="ObjectDisposedException"/>).
    /// </summary>
    /// <param name="buffer">The memory.</param>
    /// <param name="shape">The view's shape.</param>
    /// <param name="dataType">Element type.</param>
    /// <param name="offset">Offset of the first element, in elements.</param>
    /// <param name="strides">Strides in elements; empty for row-major.</param>
    public static NpuTensor FromBuffer(DeviceBuffer buffer, TensorShape shape, NpuDataType dataType, long offset = 0, ReadOnlySpan<long> strides = default)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ObjectDisposedException.ThrowIf(buffer.IsDisposed, buffer);
        int elementSize = dataType.ElementSize();
        long[] s = strides.IsEmpty ? shape.ContiguousStrides() : strides.ToArray();
        // Strides are checked before anything derives from them: offsets into the buffer are computed from them.
        if (s.Length != shape.Rank)
            throw new ArgumentException($"NpuTensor.FromBuffer: {s.Length} strides given for a shape of rank {shape.Rank}.", nameof(strides));
        CheckReach(shape, s, offset, buffer.Length / elementSize, "NpuTensor.FromBuffer", $"the DeviceBuffer of {buffer.Length} bytes");
        return new NpuTensor(TensorStorage.Wrap(buffer), shape, s, offset, dataType);
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> (its element type gives the dtype).</summary>
    public static NpuTensor FromArray<T>(NpuStream stream, T[] data, TensorShape shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(stream, data, shape);
    }

    /// <summary>A one-dimensional tensor holding a copy of <paramref name="data"/>.</summary>
    public static NpuTensor FromArray<T>(NpuStream stream, T[] data) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(stream, data, new TensorShape((long)data.Length));
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/>, uploaded in order on <paramref name="stream"/>.</summary>
    public static NpuTensor FromSpan<T>(NpuStream stream, ReadOnlySpan<T> data, TensorShape shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        var dataType = NpuDataTypeExtensions.Of<T>();
        if (data.Length != shape.ElementCount)
            throw new ArgumentException($"NpuTensor.FromArray: {data.Length} values do not fill shape {shape} ({shape.ElementCount} elements).", nameof(data));
        var tensor = Empty(stream, shape, dataType);
        try
        {
            tensor.CopyFrom(stream, data);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    // ---- description ----------------------------------------------------------------------

    /// <summary>The shape.</summary>
    public TensorShape Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Rank;

    /// <summary>Strides in elements, one per dimension.</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Offset of the first element into the storage, in elements.</summary>
    public long Offset { get; }

    /// <summary>Element type.</summary>
    public NpuDataType DataType { get; }

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => _shape.ElementCount;

    /// <summary>Bytes of the elements (<see cref="ElementCount"/> x <see cref="ElementSize"/>).</summary>
    public long ByteLength => TensorLayout.Bytes(_shape, ElementCount, ElementSize, "NpuTensor.ByteLength");

    /// <summary>True when the elements are laid out row-major without gaps.</summary>
    public bool IsContiguous => _contiguous;

    private static bool RowMajorWithoutGaps(TensorShape shape, long[] strides)
    {
        long expected = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            long size = shape[i];
            if (size == 0) return true;
            if (size != 1 && strides[i] != expected) return false;
            expected *= size;
        }
        return true;
    }

    /// <summary>The device holding the memory.</summary>
    public NpuDevice Device => _storage.Device;

    /// <summary>
    /// The stream the memory is ordered on: the stream pooled memory was rented on (and is returned
    /// on), or the device's default stream for caller-owned memory. Copies without a stream argument use it.
    /// </summary>
    public NpuStream Stream => _storage.Stream;

    /// <summary>True when the memory comes from a <see cref="DeviceMemoryPool"/>.</summary>
    public bool IsPooled => _storage.IsPooled;

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _disposed != 0;

    /// <summary>Device address of the first element (storage base + offset).</summary>
    public nint DataPointer
    {
        get
        {
            ThrowIfDisposed();
            return _storage.Pointer + (nint)(Offset * ElementSize);
        }
    }

    /// <summary>The storage shared by this tensor's views (the submission path's books).</summary>
    internal TensorStorage Storage => _storage;

    /// <summary>Bytes of the storage shared by this tensor's views.</summary>
    public long StorageByteLength => _storage.ByteLength;

    // ---- native descriptor ----------------------------------------------------------------

    /// <summary>
    /// The cached <c>aclTensor</c> for operator <paramref name="op"/>'s argument <paramref name="argument"/>,
    /// created on first use. Throws <see cref="ObjectDisposedException"/> naming both when the tensor is gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal aclTensor* Descriptor(string op, string argument)
    {
        if (_disposed != 0) ThrowDisposedArgument(op, argument);
        var native = Volatile.Read(ref _descriptorNative);
        if (native != 0)
        {
            if (!_storage.IsPooled) _ = _storage.Pointer; // throws when the caller's buffer is gone
            return (aclTensor*)native;
        }
        return CreateDescriptor(op, argument);
    }

    private aclTensor* CreateDescriptor(string op, string argument)
    {
        var native = NewDescriptor(op, argument);
        var created = new AclTensorHandle((nint)native);
        var existing = Interlocked.CompareExchange(ref _descriptor, created, null);
        if (existing is null)
        {
            Volatile.Write(ref _descriptorNative, (nint)native);
            return native;
        }
        created.Dispose(); // another thread won the race
        return existing.Value;
    }

    /// <summary>
    /// A new <c>aclTensor</c> the caller owns (not cached): for an <c>aclTensorList</c>, which takes
    /// ownership of its tensors and destroys them with itself.
    /// </summary>
    internal aclTensor* NewDescriptor(string op, string argument)
    {
        if (_disposed != 0) ThrowDisposedArgument(op, argument);
        nint data = _storage.Pointer;
        int rank = Rank;
        long* dims = stackalloc long[Math.Max(rank, 1)];
        long* strides = stackalloc long[Math.Max(rank, 1)];
        for (int i = 0; i < rank; i++) dims[i] = _shape[i];
        TensorLayout.DescriptorStrides(_shape, _strides, new Span<long>(strides, rank));
        long storageElements = _storage.ByteLength / ElementSize;
        var native = AclNN.aclCreateTensor(dims, (ulong)rank, (aclDataType)(int)DataType, strides, Offset,
            aclFormat.ACL_FORMAT_ND, &storageElements, 1, (void*)data);
        if (native == null)
            throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateTensor), $"{op}: describing argument '{argument}' ({this})");
        return native;
    }

    /// <summary>The buffer description the graph layer records for this tensor.</summary>
    internal NpuGraphBuffer DescribeBuffer() =>
        new(DataPointer, StorageExtentBytes(), _shape.ToArray(), DataType);

    private long StorageExtentBytes()
    {
        if (ElementCount == 0) return 0;
        long reach = TensorLayout.LastElement(_shape, _strides, 0, "NpuTensor");
        return checked((reach + 1) * ElementSize);
    }

    // ---- checks ---------------------------------------------------------------------------

    internal void CheckElementType<T>(string operation) where T : unmanaged
    {
        var requested = NpuDataTypeExtensions.Of<T>();
        if (requested != DataType)
            throw new ArgumentException($"NpuTensor.{operation}<{typeof(T).Name}>: the tensor holds {DataType} elements, not {requested}.");
    }

    private void CheckStream(NpuStream stream, string operation)
    {
        if (stream.Device.Id != Device.Id)
            throw new ArgumentException($"NpuTensor.{operation}: the stream is on NPU device {stream.Device.Id} but the tensor on device {Device.Id}.", nameof(stream));
    }

    private void RequireContiguous(string operation)
    {
        if (!IsContiguous)
            throw new InvalidOperationException($"NpuTensor.{operation}: the tensor (shape {_shape}, strides {TensorShape.Format(_strides)}) is not contiguous; copy it with Contiguous() first.");
    }

    private static void CheckReach(TensorShape shape, long[] strides, long offset, long storageElements, string operation, string what)
    {
        long reach = TensorLayout.LastElement(shape, strides, offset, operation);
        if (reach < 0) return;
        if (reach >= storageElements)
            throw new ArgumentOutOfRangeException(nameof(shape), $"{operation}: shape {shape} with strides {TensorShape.Format(strides)} and offset {offset} reaches element {reach}, beyond {what} ({storageElements} elements).");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposedArgument(string op, string argument) =>
        throw new ObjectDisposedException(nameof(NpuTensor), $"{op}: argument '{argument}' ({DataType}{_shape}) has been disposed.");

    /// <summary>Releases the descriptor and this view's reference on the storage (the last view returns pooled memory).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Scope?.Forget(this);
        _descriptor?.Dispose();
        _storage.Release();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"NpuTensor({DataType}{_shape}{(IsContiguous ? "" : $" strides {TensorShape.Format(_strides)}")}{(Offset != 0 ? $" offset {Offset}" : "")}, device {Device.Id}{(_disposed != 0 ? ", disposed" : "")})";
}
