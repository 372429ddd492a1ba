using System.Runtime.CompilerServices;
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
    private AclTensorHandle? _descriptor;
    private int _disposed;

    private NpuTensor(TensorStorage storage, TensorShape shape, long[] strides, long offset, NpuDataType dataType)
    {
        _storage = storage;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        DataType = dataType;
        ElementSize = dataType.ElementSize();
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
            if (bytes > 0) MemoryCopy.FillAsync(tensor._storage.Pointer, bytes, 0, bytes, 0, stream, BufferUse.Of(tensor, BufferAccess.Write));
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
            tensor.CopyFrom(data, stream);
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
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                long size = _shape[i];
                if (size == 0) return true;
                if (size != 1 && _strides[i] != expected) return false;
                expected *= size;
            }
            return true;
        }
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

    // ---- views ----------------------------------------------------------------------------

    /// <summary>A view of <paramref name="length"/> entries of dimension <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public NpuTensor Slice(int dim, long start, long length)
    {
        ThrowIfDisposed();
        int d = TensorShape.NormalizeDim(dim, Rank, nameof(dim));
        long size = _shape[d];
        if (start < 0 || length < 0 || start > size || length > size - start)
            throw new ArgumentOutOfRangeException(nameof(length), $"NpuTensor.Slice: [{start}, {start}+{length}) is outside dimension {d} of size {size} (shape {_shape}).");
        var dims = _shape.ToArray();
        dims[d] = length;
        // Within the view's checked reach: start < size, so start x stride cannot pass the last element.
        return View(new TensorShape(dims), (long[])_strides.Clone(), checked(Offset + (length == 0 ? 0 : start * _strides[d])));
    }

    /// <summary>A view with dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public NpuTensor Transpose(int dim0, int dim1)
    {
        ThrowIfDisposed();
        int a = TensorShape.NormalizeDim(dim0, Rank, nameof(dim0));
        int b = TensorShape.NormalizeDim(dim1, Rank, nameof(dim1));
        var dims = _shape.ToArray();
        var strides = (long[])_strides.Clone();
        (dims[a], dims[b]) = (dims[b], dims[a]);
        (strides[a], strides[b]) = (strides[b], strides[a]);
        return View(new TensorShape(dims), strides, Offset);
    }

    /// <summary>A view with the dimensions reordered: dimension i of the result is dimension <paramref name="order"/>[i] of this tensor.</summary>
    public NpuTensor Permute(params ReadOnlySpan<int> order)
    {
        ThrowIfDisposed();
        if (order.Length != Rank)
            throw new ArgumentException($"NpuTensor.Permute: {order.Length} dimensions given for a tensor of rank {Rank}.", nameof(order));
        var dims = new long[Rank];
        var strides = new long[Rank];
        Span<bool> seen = stackalloc bool[TensorShape.MaxRank];
        for (int i = 0; i < Rank; i++)
        {
            int d = TensorShape.NormalizeDim(order[i], Rank, nameof(order));
            if (seen[d]) throw new ArgumentException($"NpuTensor.Permute: dimension {d} appears twice.", nameof(order));
            seen[d] = true;
            dims[i] = _shape[d];
            strides[i] = _strides[d];
        }
        return View(new TensorShape(dims), strides, Offset);
    }

    /// <summary>A view with another shape of the same element count; the tensor must be contiguous.</summary>
    public NpuTensor Reshape(TensorShape shape)
    {
        ThrowIfDisposed();
        if (shape.ElementCount != ElementCount)
            throw new ArgumentException($"NpuTensor.Reshape: shape {shape} has {shape.ElementCount} elements but the tensor {_shape} has {ElementCount}.", nameof(shape));
        if (!IsContiguous)
            throw new InvalidOperationException($"NpuTensor.Reshape: the tensor (shape {_shape}, strides {TensorShape.Format(_strides)}) is not contiguous; call Contiguous() first.");
        return View(shape, shape.ContiguousStrides(), Offset);
    }

    /// <summary>As <see cref="Reshape(TensorShape)"/>; one size may be -1 (inferred).</summary>
    public NpuTensor Reshape(params ReadOnlySpan<long> shape)
    {
        ThrowIfDisposed();
        Span<long> dims = stackalloc long[shape.Length];
        shape.CopyTo(dims);
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException("NpuTensor.Reshape: only one dimension may be -1.", nameof(shape));
                inferred = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"NpuTensor.Reshape: dimension {i} is {dims[i]}.");
            }
            else
            {
                known *= dims[i];
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || ElementCount % known != 0)
                throw new ArgumentException($"NpuTensor.Reshape: {TensorShape.Format(shape)} cannot hold the {ElementCount} elements of {_shape}.", nameof(shape));
            dims[inferred] = ElementCount / known;
        }
        return Reshape(new TensorShape(dims));
    }

    /// <summary>A view with a new dimension of size 1 at <paramref name="dim"/> (0..Rank).</summary>
    public NpuTensor Unsqueeze(int dim)
    {
        ThrowIfDisposed();
        int d = TensorShape.NormalizeDim(dim, Rank + 1, nameof(dim));
        var dims = new List<long>(_shape.ToArray());
        var strides = new List<long>(_strides);
        dims.Insert(d, 1);
        strides.Insert(d, d < Rank ? StrideTimesSize(d) : 1);
        return View(new TensorShape(dims.ToArray()), strides.ToArray(), Offset);
    }

    /// <summary>A broadcast view to <paramref name="shape"/> (numpy rules; expanded dimensions get stride 0, no copy).</summary>
    public NpuTensor Expand(TensorShape shape)
    {
        ThrowIfDisposed();
        if (shape.Rank < Rank)
            throw new ArgumentException($"NpuTensor.Expand: cannot expand {_shape} to the lower-rank shape {shape}.", nameof(shape));
        var strides = new long[shape.Rank];
        int shift = shape.Rank - Rank;
        for (int i = 0; i < shape.Rank; i++)
        {
            int j = i - shift;
            if (j < 0) { strides[i] = 0; continue; }
            if (_shape[j] == shape[i]) strides[i] = _strides[j];
            else if (_shape[j] == 1) strides[i] = 0;
            else throw new ArgumentException($"NpuTensor.Expand: dimension {j} of {_shape} (size {_shape[j]}) cannot expand to {shape[i]} in {shape}.", nameof(shape));
        }
        return View(shape, strides, Offset);
    }

    /// <summary>
    /// This tensor if contiguous (as a new view sharing the storage), else a contiguous copy made
    /// on <paramref name="stream"/> (default: <see cref="Stream"/>). Dispose the result either way.
    /// </summary>
    public NpuTensor Contiguous(NpuStream? stream = null)
    {
        ThrowIfDisposed();
        if (IsContiguous) return View(_shape, (long[])_strides.Clone(), Offset);
        stream ??= Stream;
        var copy = Empty(stream, _shape, DataType);
        try
        {
            Ops.Copy(stream, copy, this);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private NpuTensor View(TensorShape shape, long[] strides, long offset)
    {
        _storage.AddReference();
        return new NpuTensor(_storage, shape, strides, offset, DataType);
    }

    // ---- host copies ----------------------------------------------------------------------

    /// <summary>
    /// Copies <paramref name="source"/> (row-major) into the tensor, ordered after the work queued on
    /// <paramref name="stream"/> (default: <see cref="Stream"/>); returns when the copy is done.
    /// Strided views are written through a contiguous temporary and an aclnn InplaceCopy.
    /// </summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source, NpuStream? stream = null) where T : unmanaged
    {
        ThrowIfDisposed();
        CheckElementType<T>("CopyFrom");
        if (source.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyFrom: {source.Length} values given for a tensor of {ElementCount} elements (shape {_shape}).", nameof(source));
        stream ??= Stream;
        CheckStream(stream, "CopyFrom");
        if (ElementCount == 0) return;
        if (!IsContiguous)
        {
            using var staging = FromSpan(stream, source, _shape);
            Ops.Copy(stream, this, staging);
            stream.Synchronize();
            return;
        }
        fixed (T* pointer = source)
        {
            // Pageable host memory: the runtime orders this after the stream's work and copies synchronously.
            MemoryCopy.PageableCopyAsync(DataPointer, ByteLength, (nint)pointer, ByteLength,
                aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream, "NpuTensor.CopyFrom",
                BufferUse.Of(this, BufferAccess.Write), BufferUse.Range(null, (nint)pointer, ByteLength, BufferAccess.Read));
        }
    }

    /// <summary>Copies the tensor (row-major) into <paramref name="destination"/> after the work queued on <paramref name="stream"/>.</summary>
    public void CopyTo<T>(Span<T> destination, NpuStream? stream = null) where T : unmanaged
    {
        ThrowIfDisposed();
        CheckElementType<T>("CopyTo");
        if (destination.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyTo: the destination holds {destination.Length} values but the tensor has {ElementCount} elements (shape {_shape}).", nameof(destination));
        stream ??= Stream;
        CheckStream(stream, "CopyTo");
        if (ElementCount == 0) return;
        if (!IsContiguous)
        {
            using var staging = Contiguous(stream);
            staging.CopyTo(destination, stream);
            return;
        }
        fixed (T* pointer = destination)
        {
            MemoryCopy.PageableCopyAsync((nint)pointer, ByteLength, DataPointer, ByteLength,
                aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST, stream, "NpuTensor.CopyTo",
                BufferUse.Range(null, (nint)pointer, ByteLength, BufferAccess.Write), BufferUse.Of(this, BufferAccess.Read));
        }
    }

    /// <summary>The elements in row-major order, after the work queued on <paramref name="stream"/> (default: <see cref="Stream"/>).</summary>
    public T[] ToArray<T>(NpuStream? stream = null) where T : unmanaged
    {
        ThrowIfDisposed();
        CheckElementType<T>("ToArray");
        if (ElementCount > Array.MaxLength)
            throw new InvalidOperationException($"NpuTensor.ToArray: {ElementCount} elements do not fit in an array.");
        var result = new T[ElementCount];
        CopyTo<T>(result, stream);
        return result;
    }

    /// <summary>Queues a copy from pinned host memory into this contiguous tensor on <paramref name="stream"/>.</summary>
    public void CopyFromAsync<T>(PinnedBuffer<T> source, NpuStream stream) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfDisposed();
        CheckElementType<T>("CopyFromAsync");
        CheckStream(stream, "CopyFromAsync");
        RequireContiguous("CopyFromAsync");
        if (source.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyFromAsync: the pinned buffer holds {source.Length} values but the tensor has {ElementCount} elements.", nameof(source));
        if (ElementCount == 0) return;
        using var lease = source.Lease();
        MemoryCopy.CopyAsync(DataPointer, ByteLength, lease.Value, ByteLength, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream,
            BufferUse.Of(this, BufferAccess.Write), BufferUse.Range(source, lease.Value, ByteLength, BufferAccess.Read));
    }

    /// <summary>Queues a copy of this contiguous tensor into pinned host memory on <paramref name="stream"/>.</summary>
    public void CopyToAsync<T>(PinnedBuffer<T> destination, NpuStream stream) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        CheckElementType<T>("CopyToAsync");
        CheckStream(stream, "CopyToAsync");
        RequireContiguous("CopyToAsync");
        if (destination.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyToAsync: the pinned buffer holds {destination.Length} values but the tensor has {ElementCount} elements.", nameof(destination));
        if (ElementCount == 0) return;
        using var lease = destination.Lease();
        MemoryCopy.CopyAsync(lease.Value, ByteLength, DataPointer, ByteLength, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST, stream,
            BufferUse.Range(destination, lease.Value, ByteLength, BufferAccess.Write), BufferUse.Of(this, BufferAccess.Read));
    }

    // ---- native descriptor ----------------------------------------------------------------

    /// <summary>
    /// The cached <c>aclTensor</c> for operator <paramref name="op"/>'s argument <paramref name="argument"/>,
    /// created on first use. Throws <see cref="ObjectDisposedException"/> naming both when the tensor is gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal aclTensor* Descriptor(string op, string argument)
    {
        if (_disposed != 0) ThrowDisposedArgument(op, argument);
        var handle = _descriptor;
        if (handle is not null)
        {
            if (!_storage.IsPooled) _ = _storage.Pointer; // throws when the caller's buffer is gone
            return handle.Value;
        }
        return CreateDescriptor(op, argument);
    }

    private aclTensor* CreateDescriptor(string op, string argument)
    {
        var native = NewDescriptor(op, argument);
        var created = new AclTensorHandle((nint)native);
        var existing = Interlocked.CompareExchange(ref _descriptor, created, null);
        if (existing is null) return native;
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
        for (int i = 0; i < rank; i++)
        {
            dims[i] = _shape[i];
            strides[i] = _strides[i];
        }
        long storageElements = _storage.ByteLength / ElementSize;
        var native = AclNN.aclCreateTensor(dims, (ulong)rank, (aclDataType)(int)DataType, strides, Offset,
            aclFormat.ACL_FORMAT_ND, &storageElements, 1, (void*)data);
        if (native == null)
            throw AclCheck.Create(561103, nameof(AclNN.aclCreateTensor), $"{op}: describing argument '{argument}' ({this})");
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

    /// <summary>Stride x size of dimension <paramref name="d"/> (an unsqueezed dimension's stride), checked.</summary>
    private long StrideTimesSize(int d)
    {
        try
        {
            return checked(_strides[d] * _shape[d]);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException("dim", $"NpuTensor.Unsqueeze: stride {_strides[d]} x size {_shape[d]} of dimension {d} (shape {_shape}, strides {TensorShape.Format(_strides)}) overflows a 64-bit stride.");
        }
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
        _descriptor?.Dispose();
        _storage.Release();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"NpuTensor({DataType}{_shape}{(IsContiguous ? "" : $" strides {TensorShape.Format(_strides)}")}{(Offset != 0 ? $" offset {Offset}" : "")}, device {Device.Id}{(_disposed != 0 ? ", disposed" : "")})";
}
