namespace Ascend.Interop;

// Views: slices, transposes, permutations, reshapes and broadcasts that share the storage without copying.
public sealed unsafe partial class NpuTensor
{
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
        var shape = new TensorShape(dims);
        // An empty result addresses nothing and keeps the offset (an empty view's strides were never bounded). A
        // non-empty one lies within this view's checked reach: start < size, so start x stride cannot pass its last element.
        return View(shape, (long[])_strides.Clone(), shape.ElementCount == 0 ? Offset : checked(Offset + start * _strides[d]));
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
        seen.Clear();   // the module skips zeroing stack memory (SkipLocalsInit.cs)
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
            Ops.Copy(stream, this, copy);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
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

    private NpuTensor View(TensorShape shape, long[] strides, long offset)
    {
        _storage.AddReference();
        return new NpuTensor(_storage, shape, strides, offset, DataType);
    }
}
