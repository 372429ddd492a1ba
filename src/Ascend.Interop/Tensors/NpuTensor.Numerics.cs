using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Ascend.Interop;

// Copies between NpuTensor and .NET's own tensor types (System.Numerics.Tensors: Tensor<T>,
// TensorSpan<T>, ReadOnlyTensorSpan<T>). The host side may be any strided span (slices, transposed
// strides, broadcast sources with stride 0); the device side may be any NpuTensor view.
public sealed unsafe partial class NpuTensor
{
    /// <summary>
    /// A new device tensor with <paramref name="source"/>'s lengths and a copy of its elements, uploaded in order on
    /// <paramref name="stream"/> (the element type gives the <see cref="NpuDataType"/>).
    /// </summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no <see cref="NpuDataType"/>.</exception>
    public static NpuTensor FromTensor<T>(NpuStream stream, in ReadOnlyTensorSpan<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        var dataType = NpuDataTypeExtensions.Of<T>();
        var tensor = Empty(stream, ShapeOf(source.Lengths, "NpuTensor.FromTensor"), dataType);
        try
        {
            tensor.CopyFrom(stream, source);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, in ReadOnlyTensorSpan{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyFrom<T>(in ReadOnlyTensorSpan<T> source) where T : unmanaged => CopyFrom(Stream, in source);

    /// <summary>
    /// Copies <paramref name="source"/> into this tensor, ordered after the work queued on <paramref name="stream"/>
    /// and returns when the copy is done. The lengths must equal <see cref="Shape"/>, and
    /// <typeparamref name="T"/> must be the element type of <see cref="DataType"/>. Strided sources are gathered on the
    /// host (through a pooled array) first; strided views of this tensor are written through a contiguous temporary.
    /// </summary>
    public void CopyFrom<T>(NpuStream stream, in ReadOnlyTensorSpan<T> source) where T : unmanaged
    {
        stream = CheckHostTensor<T>(source.Lengths, stream, "CopyFrom", nameof(source));
        long count = ElementCount;
        if (count == 0) return;
        if (IsRowMajor(source.Lengths, source.Strides))
        {
            CopyFrom(stream, MemoryMarshal.CreateReadOnlySpan(in source.GetPinnableReference(), (int)count));
            return;
        }
        T[] rented = ArrayPool<T>.Shared.Rent((int)count);
        try
        {
            var gathered = rented.AsSpan(0, (int)count);
            source.FlattenTo(gathered);
            CopyFrom(stream, (ReadOnlySpan<T>)gathered);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, in ReadOnlyTensorSpan{T}, PinnedBuffer{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyFrom<T>(in ReadOnlyTensorSpan<T> source, PinnedBuffer<T> staging) where T : unmanaged => CopyFrom(Stream, in source, staging);

    /// <summary>
    /// As <see cref="CopyFrom{T}(NpuStream, in ReadOnlyTensorSpan{T})"/>, staged through <paramref name="staging"/>
    /// (pinned host memory of at least <see cref="ElementCount"/> elements): the elements are gathered into it and
    /// copied with one asynchronous DMA copy instead of the runtime's pageable path. Returns when the copy is done, so
    /// the staging buffer may be reused at once.
    /// </summary>
    public void CopyFrom<T>(NpuStream stream, in ReadOnlyTensorSpan<T> source, PinnedBuffer<T> staging) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(staging);
        stream = CheckHostTensor<T>(source.Lengths, stream, "CopyFrom", nameof(source));
        CheckStaging(staging, stream, "CopyFrom");
        long count = ElementCount;
        if (count == 0) return;
        source.FlattenTo(staging.Span[..(int)count]);
        using var lease = staging.Lease();
        if (IsContiguous)
        {
            EnqueuePinnedCopy(stream, this, staging, lease.Value, toDevice: true);
        }
        else
        {
            using var temporary = Empty(stream, _shape, DataType);
            EnqueuePinnedCopy(stream, temporary, staging, lease.Value, toDevice: true);
            Ops.Copy(stream, temporary, this);
        }
        stream.Synchronize();
    }

    /// <summary>As <see cref="CopyTo{T}(NpuStream, in TensorSpan{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyTo<T>(in TensorSpan<T> destination) where T : unmanaged => CopyTo(Stream, in destination);

    /// <summary>
    /// Copies this tensor into <paramref name="destination"/> (same lengths as <see cref="Shape"/>, element type of
    /// <see cref="DataType"/>) after the work queued on <paramref name="stream"/>;
    /// returns when the copy is done. Strided destinations are scattered from a pooled host array; a destination whose
    /// elements overlap (a stride of 0 on a dimension longer than 1) is refused.
    /// </summary>
    public void CopyTo<T>(NpuStream stream, in TensorSpan<T> destination) where T : unmanaged
    {
        stream = CheckHostTensor<T>(destination.Lengths, stream, "CopyTo", nameof(destination));
        CheckWritable(destination.Lengths, destination.Strides, "CopyTo");
        long count = ElementCount;
        if (count == 0) return;
        if (IsRowMajor(destination.Lengths, destination.Strides))
        {
            CopyTo(stream, MemoryMarshal.CreateSpan(ref destination.GetPinnableReference(), (int)count));
            return;
        }
        T[] rented = ArrayPool<T>.Shared.Rent((int)count);
        try
        {
            var staged = rented.AsSpan(0, (int)count);
            CopyTo(stream, staged);
            new ReadOnlyTensorSpan<T>(staged, destination.Lengths).CopyTo(destination);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>As <see cref="CopyTo{T}(NpuStream, in TensorSpan{T}, PinnedBuffer{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyTo<T>(in TensorSpan<T> destination, PinnedBuffer<T> staging) where T : unmanaged => CopyTo(Stream, in destination, staging);

    /// <summary>
    /// As <see cref="CopyTo{T}(NpuStream, in TensorSpan{T})"/>, staged through <paramref name="staging"/> (pinned host
    /// memory of at least <see cref="ElementCount"/> elements): one asynchronous DMA copy into it, then a host scatter
    /// into <paramref name="destination"/>. Strided views of this tensor are made contiguous on the device first.
    /// </summary>
    public void CopyTo<T>(NpuStream stream, in TensorSpan<T> destination, PinnedBuffer<T> staging) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(staging);
        stream = CheckHostTensor<T>(destination.Lengths, stream, "CopyTo", nameof(destination));
        CheckWritable(destination.Lengths, destination.Strides, "CopyTo");
        CheckStaging(staging, stream, "CopyTo");
        long count = ElementCount;
        if (count == 0) return;
        using (var lease = staging.Lease())
        {
            if (IsContiguous)
            {
                EnqueuePinnedCopy(stream, this, staging, lease.Value, toDevice: false);
                stream.Synchronize();
            }
            else
            {
                using var contiguous = Contiguous(stream);
                EnqueuePinnedCopy(stream, contiguous, staging, lease.Value, toDevice: false);
                stream.Synchronize();
            }
        }
        new ReadOnlyTensorSpan<T>(staging.Span[..(int)count], destination.Lengths).CopyTo(destination);
    }

    /// <summary>
    /// The elements as a new dense <see cref="Tensor{T}"/> with this tensor's lengths, after the work queued on
    /// <paramref name="stream"/> (default: <see cref="Stream"/>). A rank-0 tensor gives lengths [1].
    /// </summary>
    /// <param name="stream">The stream to order the copy on.</param>
    /// <param name="pinned">Allocate the result on the pinned object heap (<see cref="Tensor{T}.IsPinned"/>).</param>
    public Tensor<T> ToTensor<T>(NpuStream? stream = null, bool pinned = false) where T : unmanaged
    {
        ThrowIfDisposed();
        CheckElementType<T>("ToTensor");
        if (ElementCount > Array.MaxLength)
            throw new InvalidOperationException($"NpuTensor.ToTensor: {ElementCount} elements do not fit in a Tensor<{typeof(T).Name}>.");
        Span<nint> lengths = stackalloc nint[Math.Max(Rank, 1)];
        lengths[0] = 1;
        for (int i = 0; i < Rank; i++) lengths[i] = (nint)_shape[i];
        var result = Tensor.CreateFromShapeUninitialized<T>(lengths, pinned);
        CopyTo(stream ?? Stream, result.AsTensorSpan());
        return result;
    }

    /// <summary>As <see cref="FromTensor{T}(NpuStream, in ReadOnlyTensorSpan{T})"/> for a whole <see cref="Tensor{T}"/>.</summary>
    public static NpuTensor FromTensor<T>(NpuStream stream, Tensor<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return FromTensor(stream, source.AsReadOnlyTensorSpan());
    }

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, Tensor{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyFrom<T>(Tensor<T> source) where T : unmanaged => CopyFrom(Stream, source);

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, in ReadOnlyTensorSpan{T})"/> for a whole <see cref="Tensor{T}"/>.</summary>
    public void CopyFrom<T>(NpuStream stream, Tensor<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        CopyFrom(stream, source.AsReadOnlyTensorSpan());
    }

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, Tensor{T}, PinnedBuffer{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyFrom<T>(Tensor<T> source, PinnedBuffer<T> staging) where T : unmanaged => CopyFrom(Stream, source, staging);

    /// <summary>As <see cref="CopyFrom{T}(NpuStream, in ReadOnlyTensorSpan{T}, PinnedBuffer{T})"/> for a whole <see cref="Tensor{T}"/>.</summary>
    public void CopyFrom<T>(NpuStream stream, Tensor<T> source, PinnedBuffer<T> staging) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        CopyFrom(stream, source.AsReadOnlyTensorSpan(), staging);
    }

    /// <summary>As <see cref="CopyTo{T}(NpuStream, Tensor{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyTo<T>(Tensor<T> destination) where T : unmanaged => CopyTo(Stream, destination);

    /// <summary>As <see cref="CopyTo{T}(NpuStream, in TensorSpan{T})"/> into a whole <see cref="Tensor{T}"/>.</summary>
    public void CopyTo<T>(NpuStream stream, Tensor<T> destination) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        CopyTo(stream, destination.AsTensorSpan());
    }

    /// <summary>As <see cref="CopyTo{T}(NpuStream, Tensor{T}, PinnedBuffer{T})"/> on the tensor's own <see cref="Stream"/>.</summary>
    public void CopyTo<T>(Tensor<T> destination, PinnedBuffer<T> staging) where T : unmanaged => CopyTo(Stream, destination, staging);

    /// <summary>As <see cref="CopyTo{T}(NpuStream, in TensorSpan{T}, PinnedBuffer{T})"/> into a whole <see cref="Tensor{T}"/>.</summary>
    public void CopyTo<T>(NpuStream stream, Tensor<T> destination, PinnedBuffer<T> staging) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        CopyTo(stream, destination.AsTensorSpan(), staging);
    }

    // ---- checks ---------------------------------------------------------------------------

    private NpuStream CheckHostTensor<T>(ReadOnlySpan<nint> lengths, NpuStream stream, string operation, string argument) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfDisposed();
        CheckElementType<T>(operation);
        if (!SameLengths(lengths))
            throw new ArgumentException(
                $"NpuTensor.{operation}: the {argument}'s lengths {FormatLengths(lengths)} differ from the tensor's shape {_shape}; they must be equal (no broadcasting or reshaping).",
                argument);
        if (ElementCount > Array.MaxLength)
            throw new ArgumentException($"NpuTensor.{operation}: {ElementCount} elements exceed what one host copy can stage ({Array.MaxLength}).", argument);
        CheckStream(stream, operation);
        return stream;
    }

    private bool SameLengths(ReadOnlySpan<nint> lengths)
    {
        // A rank-0 tensor matches a host tensor of lengths [1] (System.Numerics.Tensors has no rank 0).
        if (Rank == 0) return lengths.Length == 0 || (lengths.Length == 1 && lengths[0] == 1);
        if (lengths.Length != Rank) return false;
        for (int i = 0; i < Rank; i++)
            if (lengths[i] != _shape[i]) return false;
        return true;
    }

    private void CheckStaging<T>(PinnedBuffer<T> staging, NpuStream stream, string operation) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(staging.IsDisposed, staging);
        if (staging.Length < ElementCount)
            throw new ArgumentException($"NpuTensor.{operation}: the pinned staging buffer holds {staging.Length} elements but the tensor has {ElementCount}.", nameof(staging));
        // The staged copy is asynchronous: refuse it before anything is queued into a capture (a synchronous
        // copy would be refused the same way, by the runtime).
        if (stream.ActiveCapture is { } graph) throw NpuCaptureException.StreamCaptured(operation + " (staged host copy)", nameof(Native.Acl.aclrtSynchronizeStream), stream, graph);
    }

    private static void CheckWritable(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string operation)
    {
        for (int i = 0; i < lengths.Length; i++)
            if (lengths[i] > 1 && strides[i] == 0)
                throw new ArgumentException(
                    $"NpuTensor.{operation}: dimension {i} of the destination has length {lengths[i]} but stride 0, so its elements overlap; a copy destination must give every element its own place.",
                    "destination");
    }

    /// <summary>True when the strides are the row-major ones for the lengths (dimensions of length 1 may have any stride).</summary>
    private static bool IsRowMajor(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides)
    {
        nint expected = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            if (lengths[i] == 0) return true;
            if (lengths[i] != 1 && strides[i] != expected) return false;
            expected *= lengths[i];
        }
        return true;
    }

    private static TensorShape ShapeOf(ReadOnlySpan<nint> lengths, string operation)
    {
        if (lengths.Length > TensorShape.MaxRank)
            throw new ArgumentException($"{operation}: the source has {lengths.Length} dimensions; an NPU tensor has at most {TensorShape.MaxRank}.", "source");
        Span<long> dims = stackalloc long[lengths.Length];
        for (int i = 0; i < lengths.Length; i++) dims[i] = lengths[i];
        return new TensorShape(dims);
    }

    private static string FormatLengths(ReadOnlySpan<nint> lengths)
    {
        Span<long> dims = stackalloc long[lengths.Length];
        for (int i = 0; i < lengths.Length; i++) dims[i] = lengths[i];
        return TensorShape.Format(dims);
    }
}
