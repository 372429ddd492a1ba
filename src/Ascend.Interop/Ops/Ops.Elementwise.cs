using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // The element-wise family: Neg, Exp, Sqrt, Rsqrt, Tanh, Gelu, Sigmoid, SwiGlu, Div, Maximum, Minimum,
    // Adds, Muls, Where (aclnnSWhere) and MaskedFill (aclnnInplaceMaskedFillScalar). One declaration per
    // operator; an operator whose result type depends on the input's kind (Div, Exp, Sqrt, Rsqrt, Tanh:
    // integer inputs give float32, as torch does) has a second declaration for integer inputs, chosen by
    // the first input's type.

    private static readonly DataTypeSet Float16Plus = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16);
    private static readonly DataTypeSet IntegerOrBool = DataTypeSet.Of(NpuDataType.Int8, NpuDataType.UInt8, NpuDataType.Int32, NpuDataType.Int64, NpuDataType.Bool);
    private static readonly DataTypeSet SignedNumbers = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Float64,
        NpuDataType.Int8, NpuDataType.Int32, NpuDataType.Int64);
    private static readonly DataTypeSet FillTypes = DataTypeSet.Of(NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16,
        NpuDataType.Int8, NpuDataType.Int32, NpuDataType.Int64);
    private static readonly DataTypeSet ConditionTypes = DataTypeSet.Of(NpuDataType.Bool, NpuDataType.UInt8);

    /// <summary>A one-input operator <c>(self, out)</c> whose output has the input's shape.</summary>
    private static AclnnOperator Unary(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize, DataTypeSet types, OperatorOutput output)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.Tensor(0), c.Tensor(1), w, e))
        {
            Inputs = ["self"],
            Outputs = [output],
            Types = InputTypes.Same(types),
            Shapes = ShapeRules.SameAsFirst,
        };
    }

    /// <summary>A two-input broadcasting operator <c>(self, other, out)</c>.</summary>
    private static AclnnOperator Binary(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize, DataTypeSet types, OperatorOutput output)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.Tensor(0), c.Tensor(1), c.Tensor(2), w, e))
        {
            Inputs = ["self", "other"],
            Outputs = [output],
            Types = InputTypes.Same(types),
            Shapes = ShapeRules.Broadcast,
        };
    }

    /// <summary>The declaration for integer/bool inputs when <paramref name="self"/> holds one (a null tensor goes to <paramref name="floating"/>, whose checks report it).</summary>
    private static AclnnOperator ByKind(NpuTensor? self, AclnnOperator floating, AclnnOperator integral) =>
        self is not null && !self.DataType.IsFloatingPoint() ? integral : floating;

    private static readonly OperatorOutput Float32Output = OperatorOutput.Typed("output", NpuDataType.Float32);

    // ---- unary ----------------------------------------------------------------------------

    private static readonly AclnnOperator NegOperator = Unary("Ops.Neg", nameof(AclnnOps.aclnnNeg), &AclnnOps.aclnnNeg,
        &AclnnOps.aclnnNegGetWorkspaceSize, SignedNumbers, "output");

    private static readonly AclnnOperator ExpOperator = Unary("Ops.Exp", nameof(AclnnOps.aclnnExp), &AclnnOps.aclnnExp,
        &AclnnOps.aclnnExpGetWorkspaceSize, DataTypeSet.FloatingPoint, "output");
    private static readonly AclnnOperator ExpIntegerOperator = Unary("Ops.Exp", nameof(AclnnOps.aclnnExp), &AclnnOps.aclnnExp,
        &AclnnOps.aclnnExpGetWorkspaceSize, DataTypeSet.Of(NpuDataType.Int64, NpuDataType.Bool), Float32Output);

    private static readonly AclnnOperator SqrtOperator = Unary("Ops.Sqrt", nameof(AclnnOps.aclnnSqrt), &AclnnOps.aclnnSqrt,
        &AclnnOps.aclnnSqrtGetWorkspaceSize, DataTypeSet.FloatingPoint, "output");
    private static readonly AclnnOperator SqrtIntegerOperator = Unary("Ops.Sqrt", nameof(AclnnOps.aclnnSqrt), &AclnnOps.aclnnSqrt,
        &AclnnOps.aclnnSqrtGetWorkspaceSize, IntegerOrBool, Float32Output);

    private static readonly AclnnOperator RsqrtOperator = Unary("Ops.Rsqrt", nameof(AclnnOps.aclnnRsqrt), &AclnnOps.aclnnRsqrt,
        &AclnnOps.aclnnRsqrtGetWorkspaceSize, DataTypeSet.FloatingPoint, "output");
    private static readonly AclnnOperator RsqrtIntegerOperator = Unary("Ops.Rsqrt", nameof(AclnnOps.aclnnRsqrt), &AclnnOps.aclnnRsqrt,
        &AclnnOps.aclnnRsqrtGetWorkspaceSize, IntegerOrBool, Float32Output);

    private static readonly AclnnOperator TanhOperator = Unary("Ops.Tanh", nameof(AclnnOps.aclnnTanh), &AclnnOps.aclnnTanh,
        &AclnnOps.aclnnTanhGetWorkspaceSize, Float16Plus, "output");
    private static readonly AclnnOperator TanhIntegerOperator = Unary("Ops.Tanh", nameof(AclnnOps.aclnnTanh), &AclnnOps.aclnnTanh,
        &AclnnOps.aclnnTanhGetWorkspaceSize, IntegerOrBool, Float32Output);

    private static readonly AclnnOperator GeluOperator = Unary("Ops.Gelu", nameof(AclnnOps.aclnnGelu), &AclnnOps.aclnnGelu,
        &AclnnOps.aclnnGeluGetWorkspaceSize, Float16Plus, "output");

    private static readonly AclnnOperator SigmoidOperator = Unary("Ops.Sigmoid", nameof(AclnnOps.aclnnSigmoid), &AclnnOps.aclnnSigmoid,
        &AclnnOps.aclnnSigmoidGetWorkspaceSize, Float16Plus, "output");

    /// <summary><paramref name="output"/> = -<paramref name="self"/> (integers wrap: -int.MinValue is int.MinValue).</summary>
    public static void Neg(NpuStream stream, NpuTensor self, NpuTensor output) => NegOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding -<paramref name="self"/>.</summary>
    public static NpuTensor Neg(NpuStream stream, NpuTensor self) => NegOperator.Create(stream, [self]);

    /// <summary>
    /// <paramref name="output"/> = e^<paramref name="self"/>. A floating <paramref name="self"/> gives its own type; an int64 or
    /// bool one gives float32 (as torch.exp).
    /// </summary>
    public static void Exp(NpuStream stream, NpuTensor self, NpuTensor output) => ByKind(self, ExpOperator, ExpIntegerOperator).Run(stream, [self, output]);

    /// <summary>A new tensor holding e^<paramref name="self"/> (float32 for an int64 or bool input).</summary>
    public static NpuTensor Exp(NpuStream stream, NpuTensor self) => ByKind(self, ExpOperator, ExpIntegerOperator).Create(stream, [self]);

    /// <summary><paramref name="output"/> = sqrt(<paramref name="self"/>) (NaN for negative inputs; integer or bool inputs give float32).</summary>
    public static void Sqrt(NpuStream stream, NpuTensor self, NpuTensor output) => ByKind(self, SqrtOperator, SqrtIntegerOperator).Run(stream, [self, output]);

    /// <summary>A new tensor holding sqrt(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Sqrt(NpuStream stream, NpuTensor self) => ByKind(self, SqrtOperator, SqrtIntegerOperator).Create(stream, [self]);

    /// <summary><paramref name="output"/> = 1 / sqrt(<paramref name="self"/>) (+inf at 0; integer or bool inputs give float32).</summary>
    public static void Rsqrt(NpuStream stream, NpuTensor self, NpuTensor output) => ByKind(self, RsqrtOperator, RsqrtIntegerOperator).Run(stream, [self, output]);

    /// <summary>A new tensor holding 1 / sqrt(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Rsqrt(NpuStream stream, NpuTensor self) => ByKind(self, RsqrtOperator, RsqrtIntegerOperator).Create(stream, [self]);

    /// <summary><paramref name="output"/> = tanh(<paramref name="self"/>) (integer or bool inputs give float32).</summary>
    public static void Tanh(NpuStream stream, NpuTensor self, NpuTensor output) => ByKind(self, TanhOperator, TanhIntegerOperator).Run(stream, [self, output]);

    /// <summary>A new tensor holding tanh(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Tanh(NpuStream stream, NpuTensor self) => ByKind(self, TanhOperator, TanhIntegerOperator).Create(stream, [self]);

    /// <summary>
    /// <paramref name="output"/> = GELU(<paramref name="self"/>) in the tanh approximation aclnnGelu documents:
    /// 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))). float32, float16, bfloat16.
    /// </summary>
    public static void Gelu(NpuStream stream, NpuTensor self, NpuTensor output) => GeluOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding GELU(<paramref name="self"/>) (tanh approximation).</summary>
    public static NpuTensor Gelu(NpuStream stream, NpuTensor self) => GeluOperator.Create(stream, [self]);

    /// <summary><paramref name="output"/> = 1 / (1 + e^-<paramref name="self"/>). float32, float16, bfloat16.</summary>
    public static void Sigmoid(NpuStream stream, NpuTensor self, NpuTensor output) => SigmoidOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding 1 / (1 + e^-<paramref name="self"/>).</summary>
    public static NpuTensor Sigmoid(NpuStream stream, NpuTensor self) => SigmoidOperator.Create(stream, [self]);

    // ---- SwiGlu ---------------------------------------------------------------------------

    private static readonly AclnnOperator SwiGluOperator = new("Ops.SwiGlu", nameof(AclnnOps.aclnnSwiGlu), &AclnnOps.aclnnSwiGlu,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSwiGluGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Tensor(1), w, e))
    {
        Inputs = ["x"],
        Attributes = [OperatorAttribute.Dim("dim")],
        Types = InputTypes.Same(Float16Plus),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            var x = c.Input(0)!;
            if (x.Rank == 0) throw new ArgumentException($"{c.Name}: argument 'x' must have at least one dimension.", "x");
            long dim = c.Long(0);
            int d = (int)(dim < 0 ? dim + x.Rank : dim);
            if (x.Shape[d] % 2 != 0)
                throw new ArgumentException($"{c.Name}: argument 'x' has shape {x.Shape}; dimension {d} ({x.Shape[d]}) must be even to split in two halves.", "x");
            // CANN's SwiGlu takes contiguous tensors only.
            if (!x.IsContiguous) throw new ArgumentException($"{c.Name}: argument 'x' must be contiguous (aclnnSwiGlu takes no strided view; use Contiguous()).", "x");
            if (c.Output(0) is { IsContiguous: false })
                throw new ArgumentException($"{c.Name}: argument 'output' must be contiguous (aclnnSwiGlu takes no strided view).", "output");
            var shape = shapes.Scratch(0);
            x.Shape.Dims.CopyTo(shape);
            shape[d] /= 2;
            shapes.SetRank(0, x.Rank);
        },
    };

    /// <summary>
    /// SwiGLU: <paramref name="x"/> split along <paramref name="dim"/> into halves A and B;
    /// <paramref name="output"/> = silu(A) x B, of x's shape with that dimension halved. float32, float16, bfloat16;
    /// x and output must be contiguous (as aclnnSwiGlu requires).
    /// </summary>
    public static void SwiGlu(NpuStream stream, NpuTensor x, long dim, NpuTensor output) => SwiGluOperator.Run(stream, [x, output], [dim]);

    /// <summary>A new tensor holding silu(A) x B for the halves A, B of <paramref name="x"/> along <paramref name="dim"/> (default: the last).</summary>
    public static NpuTensor SwiGlu(NpuStream stream, NpuTensor x, long dim = -1) => SwiGluOperator.Create(stream, [x], [dim]);

    // ---- Div / Maximum / Minimum ----------------------------------------------------------

    private static readonly AclnnOperator DivOperator = Binary("Ops.Div", nameof(AclnnOps.aclnnDiv), &AclnnOps.aclnnDiv,
        &AclnnOps.aclnnDivGetWorkspaceSize, DataTypeSet.FloatingPoint, "output");
    private static readonly AclnnOperator DivIntegerOperator = Binary("Ops.Div", nameof(AclnnOps.aclnnDiv), &AclnnOps.aclnnDiv,
        &AclnnOps.aclnnDivGetWorkspaceSize, IntegerOrBool, Float32Output);

    private static readonly AclnnOperator MaximumOperator = Binary("Ops.Maximum", nameof(AclnnOps.aclnnMaximum), &AclnnOps.aclnnMaximum,
        &AclnnOps.aclnnMaximumGetWorkspaceSize, DataTypeSet.Any, "output");

    private static readonly AclnnOperator MinimumOperator = Binary("Ops.Minimum", nameof(AclnnOps.aclnnMinimum), &AclnnOps.aclnnMinimum,
        &AclnnOps.aclnnMinimumGetWorkspaceSize, DataTypeSet.Any, "output");

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> / <paramref name="other"/> (true division), with broadcasting.
    /// Floating inputs give their type; integer or bool inputs give float32 (as torch.div).
    /// </summary>
    public static void Div(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) =>
        ByKind(self, DivOperator, DivIntegerOperator).Run(stream, [self, other, output]);

    /// <summary>A new tensor holding <paramref name="self"/> / <paramref name="other"/> (float32 for integer inputs).</summary>
    public static NpuTensor Div(NpuStream stream, NpuTensor self, NpuTensor other) =>
        ByKind(self, DivOperator, DivIntegerOperator).Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = max(<paramref name="self"/>, <paramref name="other"/>) element-wise, with broadcasting; NaN propagates.</summary>
    public static void Maximum(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => MaximumOperator.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding max(<paramref name="self"/>, <paramref name="other"/>) element-wise.</summary>
    public static NpuTensor Maximum(NpuStream stream, NpuTensor self, NpuTensor other) => MaximumOperator.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = min(<paramref name="self"/>, <paramref name="other"/>) element-wise, with broadcasting; NaN propagates.</summary>
    public static void Minimum(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => MinimumOperator.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding min(<paramref name="self"/>, <paramref name="other"/>) element-wise.</summary>
    public static NpuTensor Minimum(NpuStream stream, NpuTensor self, NpuTensor other) => MinimumOperator.Create(stream, [self, other]);

    // ---- Adds / Muls ----------------------------------------------------------------------

    private static readonly AclnnOperator AddsOperator = new("Ops.Adds", nameof(AclnnOps.aclnnAdds), &AclnnOps.aclnnAdds,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnAddsGetWorkspaceSize(c.Tensor(0), c.Scalar(0), c.Scalar(1), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Scalar("other"), OperatorAttribute.Scalar("alpha")],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.SameAsFirst,
    };

    private static readonly AclnnOperator MulsOperator = new("Ops.Muls", nameof(AclnnOps.aclnnMuls), &AclnnOps.aclnnMuls,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnMulsGetWorkspaceSize(c.Tensor(0), c.Scalar(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Scalar("other")],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.SameAsFirst,
    };

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/> for a scalar
    /// <paramref name="other"/>, in <paramref name="self"/>'s type (integer tensors need integral scalars; no promotion).
    /// </summary>
    public static void Adds(NpuStream stream, NpuTensor self, double other, NpuTensor output, double alpha = 1) =>
        AddsOperator.Run(stream, [self, output], [other, alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/> (scalar other).</summary>
    public static NpuTensor Adds(NpuStream stream, NpuTensor self, double other, double alpha = 1) =>
        AddsOperator.Create(stream, [self], [other, alpha]);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> x <paramref name="other"/> for a scalar <paramref name="other"/>, in
    /// <paramref name="self"/>'s type (integer tensors need an integral scalar; no promotion).
    /// </summary>
    public static void Muls(NpuStream stream, NpuTensor self, double other, NpuTensor output) => MulsOperator.Run(stream, [self, output], [other]);

    /// <summary>A new tensor holding <paramref name="self"/> x <paramref name="other"/> (scalar other).</summary>
    public static NpuTensor Muls(NpuStream stream, NpuTensor self, double other) => MulsOperator.Create(stream, [self], [other]);

    // ---- Where / MaskedFill ---------------------------------------------------------------

    private static readonly AclnnOperator WhereOperator = new("Ops.Where", nameof(AclnnOps.aclnnSWhere), &AclnnOps.aclnnSWhere,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSWhereGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.Tensor(3), w, e))
    {
        Inputs = ["condition", "self", "other"],
        Outputs = [OperatorOutput.SameAs("output", 1)],
        Types = static (in OperatorCall c) =>
        {
            var condition = c.Input(0)!;
            if (!ConditionTypes.Contains(condition.DataType))
                throw new ArgumentException($"{c.Name}: argument 'condition' holds {condition.DataType}; the operator needs {ConditionTypes.Description}.", "condition");
            CheckSameType(c.Name, "other", c.Input(2)!, "self", c.Input(1)!);
        },
        Shapes = ShapeRules.Broadcast,
    };

    private static readonly AclnnOperator MaskedFillOperator = new("Ops.MaskedFill", nameof(AclnnOps.aclnnInplaceMaskedFillScalar), &AclnnOps.aclnnInplaceMaskedFillScalar,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceMaskedFillScalarGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), w, e))
    {
        // self is read and written: it is input 0 (the scalar's arithmetic) and, again, the output (graph notes).
        Inputs = ["self", "mask"],
        Outputs = [OperatorOutput.AnyType("self")],
        Attributes = [OperatorAttribute.Scalar("value")],
        Types = InputTypes.PerInput(FillTypes, DataTypeSet.Of(NpuDataType.Bool)),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, mask = c.Input(1)!;
            Span<long> shape = stackalloc long[TensorShape.MaxRank];
            int rank = Broadcast(c.Name, nameof(self), self.Shape.Dims, nameof(mask), mask.Shape.Dims, shape);
            if (!shape[..rank].SequenceEqual(self.Shape.Dims))
                throw new ArgumentException($"{c.Name}: 'mask' shape {mask.Shape} does not broadcast to 'self' shape {self.Shape}.", nameof(mask));
            shapes.Unchecked(0);
        },
    };

    /// <summary>
    /// <paramref name="output"/> = <paramref name="condition"/> ? <paramref name="self"/> : <paramref name="other"/>, all three
    /// broadcast together (aclnnSWhere). condition is bool or uint8; self and other share a type.
    /// </summary>
    public static void Where(NpuStream stream, NpuTensor condition, NpuTensor self, NpuTensor other, NpuTensor output) =>
        WhereOperator.Run(stream, [condition, self, other, output]);

    /// <summary>A new tensor holding <paramref name="condition"/> ? <paramref name="self"/> : <paramref name="other"/>.</summary>
    public static NpuTensor Where(NpuStream stream, NpuTensor condition, NpuTensor self, NpuTensor other) =>
        WhereOperator.Create(stream, [condition, self, other]);

    /// <summary>
    /// In place: every element of <paramref name="self"/> where <paramref name="mask"/> (bool, broadcast to self's shape) is
    /// true becomes <paramref name="value"/> (aclnnInplaceMaskedFillScalar, CANN's only form; use <see cref="Where(NpuStream, NpuTensor, NpuTensor, NpuTensor)"/>
    /// for a new tensor). float32, float16, bfloat16, int8, int32, int64; integer tensors need an integral value.
    /// </summary>
    public static void MaskedFill(NpuStream stream, NpuTensor self, NpuTensor mask, double value) =>
        MaskedFillOperator.Run(stream, [self, mask, self], [value]);
}
