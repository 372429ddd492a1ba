using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // Shared shape rules of this file (declared before the operators whose rules call them).
    private static readonly ShapeRule ReduceShape = ShapeRules.Reduce(0, 0);
    private static readonly ShapeRule ReduceDimShape = ShapeRules.ReduceDim(0, 1);

    // ---- ReduceSum / Mean / Amax ----------------------------------------------------------
    // Tensor slots: self, output. Attributes: keepDims, then (ReduceSum, Mean) the result type. Int array 0: the
    // dimensions; the entry points pass every dimension when the caller passes none (CANN's dims may not be null).

    private static readonly AclnnOperator ReduceSumOperator = new("Ops.ReduceSum", nameof(AclnnOps.aclnnReduceSum), &AclnnOps.aclnnReduceSum,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnReduceSumGetWorkspaceSize(c.Tensor(0), c.IntArray(0), c.Bool(0), (aclDataType)(int)c.Output(0)!.DataType, c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 1)],
        Attributes = [OperatorAttribute.Value("keepDims"), OperatorAttribute.DataType("dataType", optional: true)],
        IntArrays = ["dims"],
        Types = InputTypes.All(InputTypes.Same(DataTypeSet.Arithmetic), static (in OperatorCall c) => CheckResultType(in c, DataTypeSet.Arithmetic)),
        Shapes = ReduceShape,
    };

    private static readonly AclnnOperator MeanOperator = new("Ops.Mean", nameof(AclnnOps.aclnnMean), &AclnnOps.aclnnMean,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnMeanGetWorkspaceSize(c.Tensor(0), c.IntArray(0), c.Bool(0), (aclDataType)(int)c.Output(0)!.DataType, c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 1)],
        Attributes = [OperatorAttribute.Value("keepDim"), OperatorAttribute.DataType("dataType", optional: true)],
        IntArrays = ["dim"],
        Types = InputTypes.All(InputTypes.Same(DataTypeSet.Arithmetic), static (in OperatorCall c) => CheckResultType(in c, DataTypeSet.FloatingPoint)),
        Shapes = ReduceShape,
    };

    private static readonly AclnnOperator AmaxOperator = new("Ops.Amax", nameof(AclnnOps.aclnnAmax), &AclnnOps.aclnnAmax,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnAmaxGetWorkspaceSize(c.Tensor(0), c.IntArray(0), c.Bool(0), c.Tensor(1), w, e))
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

    /// <summary><paramref name="dims"/>, or every dimension of <paramref name="self"/> when it is empty (0 for a 0-dim tensor).</summary>
    private static ReadOnlySpan<long> DimsOrAll(NpuTensor self, ReadOnlySpan<long> dims, Span<long> all)
    {
        if (!dims.IsEmpty || self is null) return dims; // a null self is reported by the operator's checks
        int rank = Math.Max(self.Rank, 1);
        for (int i = 0; i < rank; i++) all[i] = i;
        return all[..rank];
    }

    /// <summary>
    /// <paramref name="output"/> = the sum of <paramref name="self"/> over <paramref name="dims"/> (empty: every dimension),
    /// computed in <paramref name="output"/>'s type (aclnnReduceSum; torch.sum with dtype). Each element is converted
    /// to that type first; floating sums accumulate in at least float32 and are rounded once. Reduced dimensions are
    /// kept as size 1 when <paramref name="keepDims"/> is true.
    /// </summary>
    public static void ReduceSum(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dims, bool keepDims, NpuTensor output)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        ReduceSumOperator.Run(stream, [self, output], [keepDims], ints: DimsOrAll(self, dims, all));
    }

    /// <summary>
    /// A new tensor holding the sum of <paramref name="self"/> over <paramref name="dims"/> (empty: every dimension).
    /// The result type is <paramref name="dataType"/>, by default (as torch.sum) int64 for integer inputs and
    /// <paramref name="self"/>'s type otherwise.
    /// </summary>
    public static NpuTensor ReduceSum(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dims, bool keepDims = false, NpuDataType? dataType = null)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        var dims2 = DimsOrAll(self, dims, all);
        var type = dataType ?? (self is null || self.DataType.IsFloatingPoint() ? self?.DataType ?? NpuDataType.Float32 : NpuDataType.Int64);
        return ReduceSumOperator.Create(stream, [self], [keepDims, type], ints: dims2);
    }

    /// <summary>
    /// <paramref name="output"/> = the mean of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension),
    /// computed in <paramref name="output"/>'s floating-point type (aclnnMean; torch.mean with dtype). A mean over no
    /// elements is NaN.
    /// </summary>
    public static void Mean(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        MeanOperator.Run(stream, [self, output], [keepDim], ints: DimsOrAll(self, dim, all));
    }

    /// <summary>
    /// A new tensor holding the mean of <paramref name="self"/> over <paramref name="dim"/> (empty: every dimension),
    /// in <paramref name="dataType"/> (a floating-point type; default <paramref name="self"/>'s type, so integer
    /// inputs need one, as in torch.mean).
    /// </summary>
    public static NpuTensor Mean(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim = false, NpuDataType? dataType = null)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        var dims = DimsOrAll(self, dim, all);
        return MeanOperator.Create(stream, [self], [keepDim, dataType ?? self?.DataType ?? NpuDataType.Float32], ints: dims);
    }

    /// <summary>
    /// The "ReduceMax" of the issue, with CANN's name: <paramref name="output"/> = the maximum of <paramref name="self"/>
    /// over <paramref name="dim"/> (empty: every dimension), of <paramref name="self"/>'s type (aclnnAmax; torch.amax).
    /// NaN propagates; a reduced dimension of size 0 is refused (<see cref="ArgumentException"/>).
    /// </summary>
    public static void Amax(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim, NpuTensor output)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        AmaxOperator.Run(stream, [self, output], [keepDim], ints: DimsOrAll(self, dim, all));
    }

    /// <summary>A new tensor holding the maximum of <paramref name="self"/> over <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor Amax(NpuStream stream, NpuTensor self, ReadOnlySpan<long> dim, bool keepDim = false)
    {
        Span<long> all = stackalloc long[TensorShape.MaxRank];
        var dims = DimsOrAll(self, dim, all);
        return AmaxOperator.Create(stream, [self], [keepDim], ints: dims);
    }

    // ---- ArgMax ---------------------------------------------------------------------------

    private static readonly AclnnOperator ArgMaxOperator = new("Ops.ArgMax", nameof(AclnnOps.aclnnArgMax), &AclnnOps.aclnnArgMax,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnArgMaxGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Bool(1), c.Tensor(1), w, e))
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

    /// <summary>
    /// <paramref name="output"/> (int64) = the index of the first maximum of <paramref name="self"/> along
    /// <paramref name="dim"/> (aclnnArgMax; torch.argmax): NaN counts as the maximum. The dimension is kept as size 1
    /// when <paramref name="keepDim"/> is true.
    /// </summary>
    public static void ArgMax(NpuStream stream, NpuTensor self, int dim, bool keepDim, NpuTensor output) =>
        ArgMaxOperator.Run(stream, [self, output], [dim, keepDim]);

    /// <summary>A new int64 tensor holding the index of the first maximum along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor ArgMax(NpuStream stream, NpuTensor self, int dim, bool keepDim = false) =>
        ArgMaxOperator.Create(stream, [self], [dim, keepDim]);

    // ---- TopK -----------------------------------------------------------------------------

    private static readonly AclnnOperator TopKOperator = new("Ops.TopK", nameof(AclnnOps.aclnnTopk), &AclnnOps.aclnnTopk,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnTopkGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Long(1), c.Bool(2), 1, c.Tensor(1), c.Tensor(2), w, e))
    {
        Inputs = ["self"],
        Outputs = ["values", OperatorOutput.Typed("indices", NpuDataType.Int64)],
        Attributes = [OperatorAttribute.Value("k"), OperatorAttribute.Dim("dim"), OperatorAttribute.Value("largest")],
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

    /// <summary>
    /// The <paramref name="k"/> largest (or, with <paramref name="largest"/> false, smallest) elements of
    /// <paramref name="self"/> along <paramref name="dim"/>, sorted, into <paramref name="values"/> (self's type) and
    /// <paramref name="indices"/> (int64) (aclnnTopk with sorted = true; CANN does not support unsorted results).
    /// NaN ranks above every number. The order of equal values is the runtime's: the simulator keeps input order
    /// (lower index first), which PyTorch does not promise.
    /// </summary>
    public static void TopK(NpuStream stream, NpuTensor self, long k, int dim, bool largest, NpuTensor values, NpuTensor indices) =>
        TopKOperator.Run(stream, [self, values, indices], [k, dim, largest]);

    /// <summary>New tensors holding the top <paramref name="k"/> values and their int64 indices along <paramref name="dim"/> (see the output overload).</summary>
    public static (NpuTensor Values, NpuTensor Indices) TopK(NpuStream stream, NpuTensor self, long k, int dim = -1, bool largest = true)
    {
        var results = new TensorSlots();
        TopKOperator.Create(stream, [self], ((Span<NpuTensor?>)results)[..2], [k, dim, largest]);
        return (results[0]!, results[1]!);
    }

    // ---- LayerNorm ------------------------------------------------------------------------
    // Two declarations of one C function: without statistics (meanOut and rstdOut passed as null) and with them.

    private static readonly AclnnOperator LayerNormOperator = new("Ops.LayerNorm", nameof(AclnnOps.aclnnLayerNorm), &AclnnOps.aclnnLayerNorm,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnLayerNormGetWorkspaceSize(c.Tensor(0), c.IntArray(0), c.Tensor(1), c.Tensor(2), c.Double(0), c.Tensor(3), null, null, w, e))
    {
        Inputs = ["input", "weight?", "bias?"],
        Attributes = [OperatorAttribute.NonNegative("epsilon")],
        IntArrays = ["normalizedShape"],
        Types = LayerNormTypes,
        Shapes = LayerNormShapes,
    };

    private static readonly AclnnOperator LayerNormStatisticsOperator = new("Ops.LayerNorm", nameof(AclnnOps.aclnnLayerNorm), &AclnnOps.aclnnLayerNorm,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnLayerNormGetWorkspaceSize(c.Tensor(0), c.IntArray(0), c.Tensor(1), c.Tensor(2), c.Double(0), c.Tensor(3), c.Tensor(4), c.Tensor(5), w, e))
    {
        Inputs = ["input", "weight?", "bias?"],
        Outputs = ["output", "mean", "rstd"],
        Attributes = [OperatorAttribute.NonNegative("epsilon")],
        IntArrays = ["normalizedShape"],
        Types = LayerNormTypes,
        Shapes = LayerNormShapes,
    };

    /// <summary>input floating; weight and bias of input's type or float32, equal to each other when both are given.</summary>
    private static void LayerNormTypes(in OperatorCall c)
    {
        var input = c.Input(0)!;
        if (!DataTypeSet.FloatingPoint.Contains(input.DataType))
            throw new ArgumentException($"{c.Name}: argument 'input' holds {input.DataType}; the operator needs {DataTypeSet.FloatingPoint.Description}.", "input");
        NpuTensor? weight = c.Input(1), bias = c.Input(2);
        foreach (var (tensor, name) in (ReadOnlySpan<(NpuTensor?, string)>)[(weight, "weight"), (bias, "bias")])
        {
            if (tensor is not null && tensor.DataType != input.DataType && tensor.DataType != NpuDataType.Float32)
                throw new ArgumentException($"{c.Name}: argument '{name}' holds {tensor.DataType}; it needs the input's type ({input.DataType}) or Float32.", name);
        }
        if (weight is not null && bias is not null) CheckSameType(c.Name, "bias", bias, "weight", weight);
    }

    /// <summary>normalizedShape = the trailing dimensions of input (= weight's and bias's shapes); output = input's shape; statistics = input's shape with the normalized dimensions set to 1.</summary>
    private static void LayerNormShapes(in OperatorCall c, ref OutputShapes shapes)
    {
        var input = c.Input(0)!;
        var dims = input.Shape.Dims;
        var normalized = c.Ints(0);
        if (normalized.Length > dims.Length || !dims[(dims.Length - normalized.Length)..].SequenceEqual(normalized))
            throw new ArgumentException($"{c.Name}: 'normalizedShape' [{string.Join(", ", normalized.ToArray())}] must equal the trailing dimensions of 'input' shape {input.Shape}.", "normalizedShape");
        for (int i = 1; i <= 2; i++)
        {
            if (c.Input(i) is { } tensor && !tensor.Shape.Dims.SequenceEqual(normalized))
                throw new ArgumentException($"{c.Name}: '{c.Operator.SlotName(i)}' shape {tensor.Shape} must equal 'normalizedShape' [{string.Join(", ", normalized.ToArray())}].", c.Operator.SlotName(i));
        }
        shapes.Set(0, dims);
        if (shapes.Count == 1) return;
        var statistics = shapes.Scratch(1);
        dims.CopyTo(statistics);
        statistics[(dims.Length - normalized.Length)..dims.Length].Fill(1);
        shapes.SetRank(1, dims.Length);
        shapes.Set(2, statistics[..dims.Length]);
    }

    /// <summary>
    /// <paramref name="output"/> = (input - mean) / sqrt(var + <paramref name="epsilon"/>) x <paramref name="weight"/> +
    /// <paramref name="bias"/> over the trailing dimensions <paramref name="normalizedShape"/> (aclnnLayerNorm;
    /// torch.nn.functional.layer_norm; biased variance). <paramref name="weight"/> and <paramref name="bias"/> are
    /// optional (null: ones and zeros) and hold the input's type or float32.
    /// </summary>
    public static void LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight, NpuTensor? bias,
        double epsilon, NpuTensor output) =>
        LayerNormOperator.Run(stream, [input, weight, bias, output], [epsilon], ints: normalizedShape);

    /// <summary>
    /// As the other output overload, also writing each normalized row's <paramref name="mean"/> and reciprocal standard
    /// deviation <paramref name="rstd"/>: the input's type, its shape with the normalized dimensions set to 1.
    /// </summary>
    public static void LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight, NpuTensor? bias,
        double epsilon, NpuTensor output, NpuTensor mean, NpuTensor rstd) =>
        LayerNormStatisticsOperator.Run(stream, [input, weight, bias, output, mean, rstd], [epsilon], ints: normalizedShape);

    /// <summary>A new tensor holding the layer normalization of <paramref name="input"/> (see the output overloads).</summary>
    public static NpuTensor LayerNorm(NpuStream stream, NpuTensor input, ReadOnlySpan<long> normalizedShape, NpuTensor? weight = null,
        NpuTensor? bias = null, double epsilon = 1e-5) =>
        LayerNormOperator.Create(stream, [input, weight, bias], [epsilon], ints: normalizedShape);

    /// <summary>New tensors holding the layer normalization of <paramref name="input"/> and its per-row mean and reciprocal standard deviation.</summary>
    public static (NpuTensor Output, NpuTensor Mean, NpuTensor Rstd) LayerNormWithStatistics(NpuStream stream, NpuTensor input,
        ReadOnlySpan<long> normalizedShape, NpuTensor? weight = null, NpuTensor? bias = null, double epsilon = 1e-5)
    {
        var results = new TensorSlots();
        LayerNormStatisticsOperator.Create(stream, [input, weight, bias], ((Span<NpuTensor?>)results)[..3], [epsilon], ints: normalizedShape);
        return (results[0]!, results[1]!, results[2]!);
    }
}
