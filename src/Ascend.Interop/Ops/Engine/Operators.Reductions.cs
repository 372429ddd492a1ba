namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // Shared shape rules of this file (declared before the operators whose rules call them).
    private static readonly ShapeRule ReduceShape = ShapeRules.Reduce(0, 0);
    private static readonly ShapeRule ReduceDimShape = ShapeRules.ReduceDim(0, 1);

    internal static readonly AclnnOperator ReduceSum = new("Ops.ReduceSum", AclnnFunctions.ReduceSum)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 1)],
        Attributes = [OperatorAttribute.Value("keepDim"), OperatorAttribute.OutputType("dataType", optional: true)],
        IntArrays = ["dims"],
        Binds = [("keepDim", "keepDims")],
        Types = InputTypes.All(InputTypes.Same(DataTypeSet.Arithmetic), static (in OperatorCall c) => CheckResultType(in c, DataTypeSet.Arithmetic)),
        Shapes = ReduceShape,
    };

    internal static readonly AclnnOperator Mean = new("Ops.Mean", AclnnFunctions.Mean)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 1)],
        Attributes = [OperatorAttribute.Value("keepDim"), OperatorAttribute.OutputType("dataType", optional: true)],
        IntArrays = ["dim"],
        Types = InputTypes.All(InputTypes.Same(DataTypeSet.Arithmetic), static (in OperatorCall c) => CheckResultType(in c, DataTypeSet.FloatingPoint)),
        Shapes = ReduceShape,
    };

    internal static readonly AclnnOperator Amax = new("Ops.Amax", AclnnFunctions.Amax)
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Value("keepDim")],
        IntArrays = ["dim"],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            CheckNoEmptyReduction(in c, c.Ints(0), c.Operator.IntArrayName(0));
            ReduceShape(in c, ref shapes);
        },
    };

    /// <summary>The result type (the dataType attribute, else the given output's type) must be in <paramref name="allowed"/>.</summary>
    private static void CheckResultType(in OperatorCall c, DataTypeSet allowed)
    {
        if (c.Value(1).IsPresent)
        {
            var type = (NpuDataType)c.Long(1);
            if (!allowed.Contains(type))
                throw new ArgumentException($"{c.Name}: dataType {type} is not allowed; the operator needs {allowed.Description}.", "dataType");
        }
        else if (c.Output(0) is { } output && !allowed.Contains(output.DataType))
        {
            throw new ArgumentException($"{c.Name}: argument 'output' holds {output.DataType}; the operator needs {allowed.Description}.", "output");
        }
    }

    /// <summary>A maximum (or arg-maximum) over a zero-size dimension is undefined (PyTorch refuses it too).</summary>
    private static void CheckNoEmptyReduction(in OperatorCall c, scoped ReadOnlySpan<long> dims, string name)
    {
        var self = c.Input(0)!;
        foreach (long d in dims)
        {
            int axis = ShapeRules.NormalizeDim(in c, name, d, self);
            if (self.Rank > 0 && self.Shape.Dims[axis] == 0)
                throw new ArgumentException($"{c.Name}: dimension {axis} of 'self' (shape {self.Shape}) has size 0; the reduction has no elements.", name);
        }
    }

    /// <summary>Runs reduction <paramref name="op"/> of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension) into <paramref name="output"/>.</summary>
    internal static void Reduce(AclnnOperator op, NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        op.Run(stream, [self, output], [keepDim], ints: DimsOrAll(self, dim, all));
    }

    /// <summary>As <see cref="Reduce"/>, into a new tensor of <paramref name="dataType"/> (null: the declaration has no such attribute).</summary>
    internal static NpuTensor ReduceToNew(AclnnOperator op, NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuDataType? dataType = null)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        var dims = DimsOrAll(self, dim, all);
        return dataType is { } type ? op.Create(stream, [self], [keepDim, type], ints: dims) : op.Create(stream, [self], [keepDim], ints: dims);
    }

    /// <summary><paramref name="dims"/>, or every dimension of <paramref name="self"/> when it is empty (0 for a 0-dim tensor).</summary>
    internal static ReadOnlySpan<long> DimsOrAll(NpuTensor self, ReadOnlySpan<long> dims, Span<long> all)
    {
        if (!dims.IsEmpty || self is null) return dims; // a null self is reported by the operator's checks
        int rank = Math.Max(self.Rank, 1);
        for (int i = 0; i < rank; i++) all[i] = i;
        return all[..rank];
    }

    internal static readonly AclnnOperator ArgMax = new("Ops.ArgMax", AclnnFunctions.ArgMax)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.Typed("output", NpuDataType.Int64)],
        Attributes = [OperatorAttribute.Dim("dim"), OperatorAttribute.Value("keepDim")],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            long dim = c.Long(0);
            CheckNoEmptyReduction(in c, new ReadOnlySpan<long>(in dim), "dim");
            ReduceDimShape(in c, ref shapes);
        },
    };

    internal static readonly AclnnOperator TopK = new("Ops.TopK", AclnnFunctions.Topk)
    {
        Inputs = ["self"],
        Outputs = ["values", OperatorOutput.Typed("indices", NpuDataType.Int64)],
        Attributes = [OperatorAttribute.Value("k"), OperatorAttribute.Dim("dim"), OperatorAttribute.Value("largest")],
        Fixed = [("sorted", 1)],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            var self = c.Input(0)!;
            if (self.Rank == 0)
                throw new ArgumentException($"{c.Name}: 'self' is 0-dimensional; the operator needs 1 to {TensorShape.MaxRank} dimensions.", "self");
            long k = c.Long(0), dim = c.Long(1);
            int axis = (int)(dim < 0 ? dim + self.Rank : dim);
            long size = self.Shape.Dims[axis];
            if (k < 0 || k > size)
                throw new ArgumentOutOfRangeException("k", k, $"{c.Name}: k {k} is outside 0..{size}, the size of dimension {axis} of 'self'.");
            var shape = shapes.Scratch(0);
            self.Shape.Dims.CopyTo(shape);
            shape[axis] = k;
            shapes.SetRank(0, self.Rank);
            shapes.Set(1, shape[..self.Rank]);
        },
    };
}
