using Ascend.Interop.Native;

namespace Ascend.Interop;

// Copies between the tensor and host memory (blocking spans and arrays, enqueued pinned buffers).
public sealed unsafe partial class NpuTensor
{
    /// <summary>As <see cref="CopyFrom{T}(NpuStream, ReadOnlySpan{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged => CopyFrom(Stream, source);

    /// <summary>
    /// Copies <paramref name="source"/> (row-major) into the tensor, ordered after the work queued on
    /// <paramref name="stream"/>; returns when the copy is done.
    /// Strided views are written through a contiguous temporary and an aclnn InplaceCopy.
    /// </summary>
    public void CopyFrom<T>(NpuStream stream, ReadOnlySpan<T> source) where T : unmanaged
    {
        if (!CheckHostCopy<T>(stream, source.Length, "CopyFrom", nameof(source), holder: null)) return;
        if (!IsContiguous)
        {
            using var staging = FromSpan(stream, source, _shape);
            Ops.Copy(stream, staging, this);
            stream.Synchronize();
            return;
        }
        fixed (T* pointer = source)
        {
            // Pageable host memory: the runtime orders this after the stream's work and copies synchronously.
            MemoryCopy.EnqueuePageableCopy(DataPointer, ByteLength, (nint)pointer, ByteLength,
                aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream, "NpuTensor.CopyFrom",
                BufferUse.Of(this, BufferAccess.Write), BufferUse.Range(null, (nint)pointer, ByteLength, BufferAccess.Read));
        }
    }

    /// <summary>As <see cref="CopyTo{T}(NpuStream, Span{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged => CopyTo(Stream, destination);

    /// <summary>Copies the tensor (row-major) into <paramref name="destination"/> after the work queued on <paramref name="stream"/>; returns when the copy is done.</summary>
    public void CopyTo<T>(NpuStream stream, Span<T> destination) where T : unmanaged
    {
        if (!CheckHostCopy<T>(stream, destination.Length, "CopyTo", nameof(destination), "destination")) return;
        if (!IsContiguous)
        {
            using var staging = Contiguous(stream);
            staging.CopyTo(stream, destination);
            return;
        }
        fixed (T* pointer = destination)
        {
            MemoryCopy.EnqueuePageableCopy((nint)pointer, ByteLength, DataPointer, ByteLength,
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
        CopyTo<T>(stream ?? Stream, result);
        return result;
    }

    /// <summary>
    /// Enqueues a copy from <paramref name="source"/> (pinned host memory) into this contiguous tensor on
    /// <paramref name="stream"/> and returns at once; keep <paramref name="source"/> unchanged until the stream reaches it.
    /// </summary>
    public void EnqueueCopyFrom<T>(NpuStream stream, PinnedBuffer<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!CheckHostCopy<T>(stream, source.Length, "EnqueueCopyFrom", nameof(source), "pinned buffer", contiguous: true)) return;
        using var lease = source.Lease();
        EnqueuePinnedCopy(stream, this, source, lease.Value, toDevice: true);
    }

    /// <summary>
    /// Enqueues a copy of this contiguous tensor into <paramref name="destination"/> (pinned host memory) on
    /// <paramref name="stream"/> and returns at once; read <paramref name="destination"/> after the stream reaches it.
    /// </summary>
    public void EnqueueCopyTo<T>(NpuStream stream, PinnedBuffer<T> destination) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!CheckHostCopy<T>(stream, destination.Length, "EnqueueCopyTo", nameof(destination), "pinned buffer", contiguous: true)) return;
        using var lease = destination.Lease();
        EnqueuePinnedCopy(stream, this, destination, lease.Value, toDevice: false);
    }

    /// <summary>
    /// The checks of a copy between this tensor and <paramref name="hostLength"/> host values, in one order for every
    /// such copy; false when there is nothing to copy. <paramref name="holder"/> names the host side in the length
    /// message ("destination", "pinned buffer"; null: "N values given").
    /// </summary>
    private bool CheckHostCopy<T>(NpuStream stream, long hostLength, string operation, string argument, string? holder, bool contiguous = false)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        CheckElementType<T>(operation);
        CheckStream(stream, operation);
        if (contiguous) RequireContiguous(operation);
        if (hostLength != ElementCount)
            throw new ArgumentException(holder is null
                ? $"NpuTensor.{operation}: {hostLength} values given for a tensor of {ElementCount} elements (shape {_shape})."
                : $"NpuTensor.{operation}: the {holder} holds {hostLength} values but the tensor has {ElementCount} elements (shape {_shape}).", argument);
        return ElementCount != 0;
    }

    /// <summary>
    /// One asynchronous copy between the pinned range at <paramref name="address"/> (a lease of <paramref name="pinned"/>)
    /// and <paramref name="device"/>, a contiguous tensor of this one's shape and type, in either direction.
    /// </summary>
    private static void EnqueuePinnedCopy<T>(NpuStream stream, NpuTensor device, PinnedBuffer<T> pinned, nint address, bool toDevice)
        where T : unmanaged
    {
        long bytes = device.ByteLength;
        if (toDevice)
            MemoryCopy.EnqueueCopy(device.DataPointer, bytes, address, bytes, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream,
                BufferUse.Of(device, BufferAccess.Write), BufferUse.Range(pinned, address, bytes, BufferAccess.Read));
        else
            MemoryCopy.EnqueueCopy(address, bytes, device.DataPointer, bytes, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST, stream,
                BufferUse.Range(pinned, address, bytes, BufferAccess.Write), BufferUse.Of(device, BufferAccess.Read));
    }

}
