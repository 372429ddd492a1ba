
namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    private static readonly ShapeRule IndexCopyShapes = static (in OperatorCall c, ref OutputShapes shapes) =>
    {
        // Tensors: [self (IndexCopy only)], index, source, then the destination.
        bool inplace = c.Operator.InputCount == 2;
        NpuTensor self = inplace ? c.Output(0)! : c.Input(0)!;
        NpuTensor index = c.Input(inplace ? 0 : 1)!, source = c.Input(inplace ? 1 : 2)!;
        string selfName = inplace ? "selfRef" : "self";
        long dim = c.Long(0);
        int rank = Math.Max(self.Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException("dim", dim, $"{c.Name}: dim {dim} is out of range for '{selfName}' of rank {self.Rank} (valid: {-rank}..{rank - 1}).");
        int d = (int)(dim < 0 ? dim + rank : dim);
        if (index.Rank > 1)
            throw new ArgumentException($"{c.Name}: 'index' {index.Shape} must be 0-D or 1-D.", nameof(index));
        if (source.DataType != self.DataType)
            throw new ArgumentException($"{c.Name}: argument 'source' holds {source.DataType} but '{selfName}' holds {self.DataType}; the SDK does not promote mixed types (use Ops.Cast).", nameof(source));
        if (self.Rank == 0 || source.Rank == 0)
        {
            if (self.Rank != source.Rank || index.ElementCount != 1)
                throw new ArgumentException($"{c.Name}: a 0-D '{selfName}' needs a 0-D 'source' and one index; got {source.Shape} and {index.ElementCount} indices.", nameof(source));
        }
        else
        {
            var ss = self.Shape.Dims;
            var rs = source.Shape.Dims;
            bool ok = rs.Length == ss.Length && rs[d] == index.ElementCount;
            for (int i = 0; ok && i < ss.Length; i++) ok = i == d || rs[i] == ss[i];
            if (!ok)
                throw new ArgumentException($"{c.Name}: 'source' {source.Shape} must equal '{selfName}' {self.Shape} except dimension {d}, which must be the index count {index.ElementCount}.", nameof(source));
        }
        shapes.Set(0, self.Shape.Dims);
    };

    internal static readonly AclnnOperator InplaceIndexCopy = new("Ops.InplaceIndexCopy", AclnnFunctions.InplaceIndexCopy)
    {
        Inputs = ["index", "source"],
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Attributes = [OperatorAttribute.Value("dim")],
        Types = InputTypes.PerInput(DataTypeSet.Index),
        Shapes = IndexCopyShapes,
    };

    internal static readonly AclnnOperator IndexCopy = new("Ops.IndexCopy", AclnnFunctions.IndexCopy)
    {
        Inputs = ["self", "index", "source"],
        Outputs = [OperatorOutput.SameAs("output", 0)],
        Attributes = [OperatorAttribute.Value("dim")],
        Types = InputTypes.PerInput(null, DataTypeSet.Index),
        Shapes = IndexCopyShapes,
    };

    internal static readonly AclnnOperator Cat = new("Ops.Cat", AclnnFunctions.Cat)
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

    internal static readonly AclnnOperator IndexSelect = new("Ops.IndexSelect", AclnnFunctions.IndexSelect)
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

    internal static readonly AclnnOperator Embedding = new("Ops.Embedding", AclnnFunctions.Embedding)
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
}
