namespace Ascend.Interop;

/// <summary>Reusable shape rules.</summary>
internal static class ShapeRules
{
    /// <summary>Every output has the first input's shape (unary, softmax).</summary>
    public static readonly ShapeRule SameAsFirst = static (in OperatorCall call, ref OutputShapes shapes) =>
        shapes.SetAll(call.Input(0)!.Shape.Dims);

    /// <summary>Every output has the numpy broadcast of all present inputs' shapes.</summary>
    public static readonly ShapeRule Broadcast = static (in OperatorCall call, ref OutputShapes shapes) =>
    {
        var op = call.Operator;
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        Span<long> next = stackalloc long[TensorShape.MaxRank];
        int rank = -1;
        string firstName = "";
        for (int i = 0; i < op.InputCount; i++)
        {
            if (call.Input(i) is not { } tensor) continue;
            if (rank < 0)
            {
                tensor.Shape.Dims.CopyTo(shape);
                rank = tensor.Rank;
                firstName = op.SlotName(i);
                continue;
            }
            rank = OperatorChecks.Broadcast(call.Name, firstName, shape[..rank], op.SlotName(i), tensor.Shape.Dims, next);
            next[..rank].CopyTo(shape);
        }
        shapes.SetAll(shape[..Math.Max(rank, 0)]);
    };

    /// <summary>
    /// In place: input 0 broadcasts to output 0's shape, which stays as it is (aclnnInplaceCopy's source, the other
    /// operand of an in-place comparison). Without inputs, output 0 takes any shape.
    /// </summary>
    public static readonly ShapeRule BroadcastsToOutput = static (in OperatorCall call, ref OutputShapes shapes) =>
    {
        shapes.Unchecked(0);
        if (call.Operator.InputCount == 0) return;
        NpuTensor input = call.Input(0)!, output = call.Output(0)!;
        string inputName = call.Operator.SlotName(0), outputName = call.Operator.SlotName(call.Operator.InputCount);
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        int rank = OperatorChecks.Broadcast(call.Name, outputName, output.Shape.Dims, inputName, input.Shape.Dims, shape);
        if (!shape[..rank].SequenceEqual(output.Shape.Dims))
            throw new ArgumentException($"{call.Name}: '{inputName}' shape {input.Shape} does not broadcast to '{outputName}' shape {output.Shape}.", inputName);
    };

    /// <summary>torch.matmul of inputs 0 and 1 (1-D operands are vectors, batch dimensions broadcast).</summary>
    public static readonly ShapeRule MatMul = static (in OperatorCall call, ref OutputShapes shapes) =>
    {
        var scratch = shapes.Scratch(0);
        int rank = OperatorChecks.MatMulShape(call.Name, call.Input(0)!.Shape.Dims, call.Input(1)!.Shape.Dims, scratch);
        shapes.SetRank(0, rank);
    };

    /// <summary>
    /// Input 0 reduced over the dimensions of int array <paramref name="dims"/> (empty: all dimensions), keeping them
    /// as size 1 when bool attribute <paramref name="keepDim"/> is true. Checks the dimensions (in range, no repeats).
    /// </summary>
    public static ShapeRule Reduce(int dims, int keepDim) => (in OperatorCall call, ref OutputShapes shapes) =>
    {
        var input = call.Input(0)!;
        Span<bool> reduced = stackalloc bool[TensorShape.MaxRank];
        reduced.Clear();   // the module skips zeroing stack memory (SkipLocalsInit.cs)
        var list = call.Ints(dims);
        string name = call.Operator.IntArrayName(dims);
        if (list.IsEmpty) reduced[..input.Rank].Fill(true);
        foreach (long d in list)
        {
            int axis = NormalizeDim(in call, name, d, input);
            if (reduced[axis]) throw new ArgumentException($"{call.Name}: dimension {d} appears twice in '{name}'.", name);
            reduced[axis] = true;
        }
        SetReduced(ref shapes, input, reduced, call.Value(keepDim).AsLong != 0);
    };

    /// <summary>Input 0 reduced over the one dimension in attribute <paramref name="dim"/> (checked by <see cref="OperatorAttribute.Dim"/>), kept as size 1 when bool attribute <paramref name="keepDim"/> is true.</summary>
    public static ShapeRule ReduceDim(int dim, int keepDim) => (in OperatorCall call, ref OutputShapes shapes) =>
    {
        var input = call.Input(0)!;
        Span<bool> reduced = stackalloc bool[TensorShape.MaxRank];
        reduced.Clear();   // the module skips zeroing stack memory (SkipLocalsInit.cs)
        if (input.Rank > 0)
        {
            long d = call.Long(dim);
            reduced[(int)(d < 0 ? d + input.Rank : d)] = true;
        }
        SetReduced(ref shapes, input, reduced, call.Value(keepDim).AsLong != 0);
    };

    private static void SetReduced(ref OutputShapes shapes, NpuTensor input, scoped ReadOnlySpan<bool> reduced, bool keepDim)
    {
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        int rank = 0;
        var dims = input.Shape.Dims;
        for (int i = 0; i < dims.Length; i++)
        {
            if (!reduced[i]) shape[rank++] = dims[i];
            else if (keepDim) shape[rank++] = 1;
        }
        shapes.SetAll(shape[..rank]);
    }

    /// <summary>A dimension of <paramref name="tensor"/> in 0..rank-1 (rank-0 tensors accept 0 and -1).</summary>
    public static int NormalizeDim(in OperatorCall call, string name, long dim, NpuTensor tensor)
    {
        int rank = Math.Max(tensor.Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(name, dim, $"{call.Name}: dimension {dim} in '{name}' is out of range for rank {tensor.Rank} (valid: {-rank}..{rank - 1}).");
        return (int)(dim < 0 ? dim + rank : dim);
    }
}
