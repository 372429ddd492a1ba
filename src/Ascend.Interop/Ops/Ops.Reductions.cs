namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// <paramref name="output"/> = the sum of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension),
    /// computed in <paramref name="output"/>'s type (aclnnReduceSum; torch.sum with dtype). Each element is converted
    /// to that type first; floating sums accumulate in at least float32 and are rounded once. Reduced dimensions are
    /// kept as size 1 when <paramref name="keepDim"/> is true.
    /// </summary>
    public static void ReduceSum(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output) =>
        Operators.Reduce(Operators.ReduceSum, stream, self, dim, keepDim, output);

    /// <summary>
    /// A new tensor holding the sum of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension).
    /// The result type is <paramref name="dataType"/>, by default (as torch.sum) int64 for integer inputs and
    /// <paramref name="self"/>'s type otherwise.
    /// </summary>
    public static NpuTensor ReduceSum(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim = false, NpuDataType? dataType = null) =>
        Operators.ReduceToNew(Operators.ReduceSum, stream, self, dim, keepDim,
            dataType ?? (self is null || self.DataType.IsFloatingPoint() ? self?.DataType ?? NpuDataType.Float32 : NpuDataType.Int64));

    /// <summary>
    /// <paramref name="output"/> = the mean of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension),
    /// computed in <paramref name="output"/>'s floating-point type (aclnnMean; torch.mean with dtype). A mean over no
    /// elements is NaN.
    /// </summary>
    public static void Mean(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output) =>
        Operators.Reduce(Operators.Mean, stream, self, dim, keepDim, output);

    /// <summary>
    /// A new tensor holding the mean of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension),
    /// in <paramref name="dataType"/> (a floating-point type; default <paramref name="self"/>'s type, so integer
    /// inputs need one, as in torch.mean).
    /// </summary>
    public static NpuTensor Mean(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim = false, NpuDataType? dataType = null) =>
        Operators.ReduceToNew(Operators.Mean, stream, self, dim, keepDim, dataType ?? self?.DataType ?? NpuDataType.Float32);

    /// <summary>
    /// The "ReduceMax" of the issue, with CANN's name: <paramref name="output"/> = the maximum of <paramref name="self"/>
    /// over <paramref name="dim"/> (empty: every dimension), of <paramref name="self"/>'s type (aclnnAmax; torch.amax).
    /// NaN propagates; a reduced dimension of size 0 is refused (<see cref="ArgumentException"/>).
    /// </summary>
    public static void Amax(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output) =>
        Operators.Reduce(Operators.Amax, stream, self, dim, keepDim, output);

    /// <summary>A new tensor holding the maximum of <paramref name="self"/> over <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor Amax(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim = false) =>
        Operators.ReduceToNew(Operators.Amax, stream, self, dim, keepDim);

    /// <summary>
    /// <paramref name="output"/> (int64) = the index of the first maximum of <paramref name="self"/> along
    /// <paramref name="dim"/> (aclnnArgMax; torch.argmax): NaN counts as the maximum. The dimension is kept as size 1
    /// when <paramref name="keepDim"/> is true.
    /// </summary>
    public static void ArgMax(NpuStream stream, NpuTensor self, long dim, bool keepDim, NpuTensor output) =>
        Operators.ArgMax.Run(stream, [self, output], [dim, keepDim]);

    /// <summary>A new int64 tensor holding the index of the first maximum along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor ArgMax(NpuStream stream, NpuTensor self, long dim, bool keepDim = false) =>
        Operators.ArgMax.Create(stream, [self], [dim, keepDim]);

    /// <summary>
    /// The <paramref name="k"/> largest (or, with <paramref name="largest"/> false, smallest) elements of
    /// <paramref name="self"/> along <paramref name="dim"/>, sorted, into <paramref name="values"/> (self's type) and
    /// <paramref name="indices"/> (int64) (aclnnTopk with sorted = true; CANN does not support unsorted results).
    /// NaN ranks above every number. The order of equal values is the runtime's: the simulator keeps input order
    /// (lower index first), which PyTorch does not promise.
    /// </summary>
    public static void TopK(NpuStream stream, NpuTensor self, long k, long dim, bool largest, NpuTensor values, NpuTensor indices) =>
        Operators.TopK.Run(stream, [self, values, indices], [k, dim, largest]);

    /// <summary>New tensors holding the top <paramref name="k"/> values and their int64 indices along <paramref name="dim"/> (see the output overload).</summary>
    public static (NpuTensor Values, NpuTensor Indices) TopK(NpuStream stream, NpuTensor self, long k, long dim = -1, bool largest = true)
    {
        var results = new TensorSlots();
        Operators.TopK.Create(stream, [self], ((Span<NpuTensor?>)results)[..2], [k, dim, largest]);
        return (results[0]!, results[1]!);
    }

    /// <summary>New tensors holding the layer normalization of <paramref name="input"/> and its per-row mean and reciprocal standard deviation.</summary>
    public static (NpuTensor Output, NpuTensor Mean, NpuTensor Rstd) LayerNormWithStatistics(NpuStream stream, NpuTensor input,
        ReadOnlySpan<long> normalizedShape, NpuTensor? weight = null, NpuTensor? bias = null, double epsilon = 1e-5)
    {
        var results = new TensorSlots();
        Operators.LayerNormStatistics.Create(stream, [input, weight, bias], ((Span<NpuTensor?>)results)[..3], [epsilon], ints: normalizedShape);
        return (results[0]!, results[1]!, results[2]!);
    }
}
