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
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        CheckElementType<T>("CopyFrom");
        if (source.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyFrom: {source.Length} values given for a tensor of {ElementCount} elements (shape {_shape}).", nameof(source));
        CheckStream(stream, "CopyFrom");
        if (ElementCount == 0) return;
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
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        CheckElementType<T>("CopyTo");
        if (destination.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.CopyTo: the destination holds {destination.Length} values but the tensor has {ElementCount} elements (shape {_shape}).", nameof(destination));
        CheckStream(stream, "CopyTo");
        if (ElementCount == 0) return;
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
        ThrowIfDisposed();
        CheckElementType<T>("EnqueueCopyFrom");
        CheckStream(stream, "EnqueueCopyFrom");
        RequireContiguous("EnqueueCopyFrom");
        if (source.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.EnqueueCopyFrom: the pinned buffer holds {source.Length} values but the tensor has {ElementCount} elements.", nameof(source));
        if (ElementCount == 0) return;
        using var lease = source.Lease();
        MemoryCopy.EnqueueCopy(DataPointer, ByteLength, lease.Value, ByteLength, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream,
            BufferUse.Of(this, BufferAccess.Write), BufferUse.Range(source, lease.Value, ByteLength, BufferAccess.Read));
    }

    /// <summary>
    /// Enqueues a copy of this contiguous tensor into <paramref name="destination"/> (pinned host memory) on
    /// <paramref name="stream"/> and returns at once; read <paramref name="destination"/> after the stream reaches it.
    /// </summary>
    public void EnqueueCopyTo<T>(NpuStream stream, PinnedBuffer<T> destination) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        CheckElementType<T>("EnqueueCopyTo");
        CheckStream(stream, "EnqueueCopyTo");
        RequireContiguous("EnqueueCopyTo");
        if (destination.Length != ElementCount)
            throw new ArgumentException($"NpuTensor.EnqueueCopyTo: the pinned buffer holds {destination.Length} values but the tensor has {ElementCount} elements.", nameof(destination));
        if (ElementCount == 0) return;
        using var lease = destination.Lease();
        MemoryCopy.EnqueueCopy(lease.Value, ByteLength, DataPointer, ByteLength, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST, stream,
            BufferUse.Range(destination, lease.Value, ByteLength, BufferAccess.Write), BufferUse.Of(this, BufferAccess.Read));
    }

}
