using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // ---- Cat ------------------------------------------------------------------------------

    private static readonly AclnnOperator CatOperator = new("Ops.Cat", nameof(AclnnOps.aclnnCat), &AclnnOps.aclnnCat,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnCatGetWorkspaceSize(c.TensorList(0), c.Long(0), c.Tensor(0), w, e))
    {
        Outputs = [OperatorOutput.SameAsList("output", 0)],
        Attributes = [OperatorAttribute.Value("dim")],
        TensorLists = ["tensors"],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            var tensors = c.List(0);
            var first = tensors[0];
            int rank = first.Rank;
            if (rank == 0)
                throw new ArgumentException($"{c.Name}: 'tensors' element 0 is 0-dimensional; the operator needs 1 to {TensorShape.MaxRank} dimensions.", "tensors");
            long dim = c.Long(0);
            if (dim < -rank || dim >= rank)
                throw new ArgumentOutOfRangeException("dim", dim, $"{c.Name}: dim {dim} is out of range for tensors of rank {rank} (valid: {-rank}..{rank - 1}).");
            int axis = (int)(dim < 0 ? dim + rank : dim);
            var shape = shapes.Scratch(0);
            first.Shape.Dims.CopyTo(shape);
            shape[axis] = 0;
            for (int i = 0; i < tensors.Length; i++)
            {
                var dims = tensors[i].Shape.Dims;
                bool same = dims.Length == rank;
                for (int a = 0; same && a < rank; a++) same = a == axis || dims[a] == shape[a];
                if (!same)
                    throw new ArgumentException($"{c.Name}: 'tensors' element {i} has shape {tensors[i].Shape}; every element needs element 0's shape {first.Shape} outside dimension {axis}.", "tensors");
                shape[axis] += dims[axis];
            }
            shapes.SetRank(0, rank);
        },
    };

    /// <summary>
    /// <paramref name="output"/> = the concatenation of <paramref name="tensors"/> along <paramref name="dim"/> (aclnnCat;
    /// torch.cat). The tensors share one type (the SDK does not promote) and one rank, with equal sizes outside
    /// <paramref name="dim"/>; any may be a strided view.
    /// </summary>
    public static void Cat(NpuStream stream, ReadOnlySpan<NpuTensor> tensors, int dim, NpuTensor output) =>
        CatOperator.Run(stream, [output], [dim], list: tensors);

    /// <summary>A new tensor holding the concatenation of <paramref name="tensors"/> along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor Cat(NpuStream stream, ReadOnlySpan<NpuTensor> tensors, int dim = 0) =>
        CatOperator.Create(stream, [], [dim], list: tensors);

    // ---- IndexSelect / Embedding ----------------------------------------------------------
    // Index values are device data: an index outside [0, size) fails the kernel, and the failure surfaces as an
    // AclException (ACL_ERROR_RT_AICORE_EXCEPTION on the simulator) at the stream's next synchronization.

    private static readonly AclnnOperator IndexSelectOperator = new("Ops.IndexSelect", nameof(AclnnOps.aclnnIndexSelect), &AclnnOps.aclnnIndexSelect,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnIndexSelectGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Tensor(1), c.Tensor(2), w, e))
    {
        Inputs = ["self", "index"],
        Attributes = [OperatorAttribute.Dim("dim")],
        Types = InputTypes.PerInput(DataTypeSet.Arithmetic, DataTypeSet.Index),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, index = c.Input(1)!;
            if (index.Rank > 1)
                throw new ArgumentException($"{c.Name}: 'index' shape {index.Shape} must have 0 or 1 dimensions.", "index");
            long count = index.Shape.ElementCount;
            if (self.Rank == 0)
            {
                if (count != 1)
                    throw new ArgumentException($"{c.Name}: 'self' is 0-dimensional, so 'index' must hold one element (it holds {count}).", "index");
                shapes.Set(0, []);
                return;
            }
            long dim = c.Long(0);
            var shape = shapes.Scratch(0);
            self.Shape.Dims.CopyTo(shape);
            shape[(int)(dim < 0 ? dim + self.Rank : dim)] = count;
            shapes.SetRank(0, self.Rank);
        },
    };

    /// <summary>
    /// <paramref name="output"/> = the slices of <paramref name="self"/> at positions <paramref name="index"/> (int32 or
    /// int64, 0 or 1 dimensions) along <paramref name="dim"/> (aclnnIndexSelect; torch.index_select). An index outside
    /// [0, size of <paramref name="dim"/>) makes the kernel fail without writing: <see cref="AclException"/> at the next
    /// synchronization of the stream.
    /// </summary>
    public static void IndexSelect(NpuStream stream, NpuTensor self, int dim, NpuTensor index, NpuTensor output) =>
        IndexSelectOperator.Run(stream, [self, index, output], [dim]);

    /// <summary>A new tensor holding the slices of <paramref name="self"/> at <paramref name="index"/> along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor IndexSelect(NpuStream stream, NpuTensor self, int dim, NpuTensor index) =>
        IndexSelectOperator.Create(stream, [self, index], [dim]);

    private static readonly AclnnOperator EmbeddingOperator = new("Ops.Embedding", nameof(AclnnOps.aclnnEmbedding), &AclnnOps.aclnnEmbedding,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnEmbeddingGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), w, e))
    {
        Inputs = ["weight", "indices"],
        Types = InputTypes.PerInput(DataTypeSet.Arithmetic, DataTypeSet.Index),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor weight = c.Input(0)!, indices = c.Input(1)!;
            if (weight.Rank != 2)
                throw new ArgumentException($"{c.Name}: 'weight' shape {weight.Shape} must be 2-D (rows x embedding size).", "weight");
            if (indices.Rank >= TensorShape.MaxRank)
                throw new ArgumentException($"{c.Name}: 'indices' shape {indices.Shape} leaves no room for the embedding dimension (at most {TensorShape.MaxRank - 1} dimensions).", "indices");
            var shape = shapes.Scratch(0);
            indices.Shape.Dims.CopyTo(shape);
            shape[indices.Rank] = weight.Shape.Dims[1];
            shapes.SetRank(0, indices.Rank + 1);
        },
    };

    /// <summary>
    /// <paramref name="output"/> = the rows of the 2-D <paramref name="weight"/> at <paramref name="indices"/> (int32 or
    /// int64, any shape): output shape = indices' shape + [weight columns] (aclnnEmbedding; torch.nn.functional.embedding).
    /// An index outside [0, rows) makes the kernel fail without writing: <see cref="AclException"/> at the next
    /// synchronization of the stream.
    /// </summary>
    public static void Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices, NpuTensor output) =>
        EmbeddingOperator.Run(stream, [weight, indices, output]);

    /// <summary>A new tensor holding the rows of <paramref name="weight"/> at <paramref name="indices"/> (see the output overload).</summary>
    public static NpuTensor Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices) =>
        EmbeddingOperator.Create(stream, [weight, indices]);
}
