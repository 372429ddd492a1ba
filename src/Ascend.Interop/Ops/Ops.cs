using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// aclnn operators on <see cref="NpuTensor"/>s, queued on a stream. Each operator has an overload
/// that writes into a given output tensor and one that infers the output (shape, broadcasting,
/// type) and returns a new tensor rented on the stream. Arguments are checked in managed code first
/// (<see cref="ArgumentNullException"/>, <see cref="ObjectDisposedException"/>, <see cref="ArgumentException"/>
/// naming the operator and argument); failures of the runtime throw <see cref="AclException"/> naming the
/// C function. Inputs of one call must share a type: the SDK does not promote (use <see cref="Cast(NpuStream, NpuTensor, NpuDataType)"/>).
/// The steady-state call of an output overload allocates no managed memory.
/// </summary>
public static unsafe partial class Ops
{
    // One declaration per operator (AclnnOperator: checks, inference, descriptors, launch and graph notes run in
    // one shared place); each entry point passes its arguments in declaration order: tensors (inputs, then
    // outputs), then attribute values. See docs/operators.md, "Adding an operator".

    // ---- Add / Sub / Mul ------------------------------------------------------------------

    private static readonly AclnnOperator AddOperator = Arithmetic("Ops.Add", nameof(AclnnOps.aclnnAdd), &AclnnOps.aclnnAdd, alpha: true,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnAddGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), c.Tensor(2), w, e));

    private static readonly AclnnOperator SubOperator = Arithmetic("Ops.Sub", nameof(AclnnOps.aclnnSub), &AclnnOps.aclnnSub, alpha: true,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSubGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), c.Tensor(2), w, e));

    private static readonly AclnnOperator MulOperator = Arithmetic("Ops.Mul", nameof(AclnnOps.aclnnMul), &AclnnOps.aclnnMul, alpha: false,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnMulGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), w, e));

    /// <summary>self (op) other, broadcast, one type (no promotion), with or without Add/Sub's alpha scalar.</summary>
    private static AclnnOperator Arithmetic(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute, bool alpha,
        WorkspaceSizeFunction workspaceSize) => new(name, function, execute, workspaceSize)
    {
        Inputs = ["self", "other"],
        Attributes = alpha ? [OperatorAttribute.Scalar("alpha")] : [],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.Broadcast,
    };

    /// <summary><paramref name="output"/> = <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Add(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        AddOperator.Run(stream, [self, other, output], [alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Add(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1) =>
        AddOperator.Create(stream, [self, other], [alpha]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Sub(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        SubOperator.Run(stream, [self, other, output], [alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Sub(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1) =>
        SubOperator.Create(stream, [self, other], [alpha]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> x <paramref name="other"/> (element-wise), with broadcasting.</summary>
    public static void Mul(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) =>
        MulOperator.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding <paramref name="self"/> x <paramref name="other"/> (element-wise).</summary>
    public static NpuTensor Mul(NpuStream stream, NpuTensor self, NpuTensor other) =>
        MulOperator.Create(stream, [self, other]);

    // ---- MatMul / Mm ----------------------------------------------------------------------

    private static readonly AclnnOperator MatMulOperator = new("Ops.MatMul", nameof(AclnnOps.aclnnMatmul), &AclnnOps.aclnnMatmul,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnMatmulGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.SByte(0), w, e))
    {
        Inputs = ["self", "mat2"],
        Attributes = [OperatorAttribute.Enum<CubeMathType>("mathType", 0, 3)],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = ShapeRules.MatMul,
    };

    private static readonly AclnnOperator MmOperator = new("Ops.Mm", nameof(AclnnOps.aclnnMm), &AclnnOps.aclnnMm,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnMmGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.SByte(0), w, e))
    {
        Inputs = ["self", "mat2"],
        Attributes = [OperatorAttribute.Enum<CubeMathType>("mathType", 0, 3)],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, mat2 = c.Input(1)!;
            if (self.Rank != 2 || mat2.Rank != 2)
                throw new ArgumentException($"{c.Name}: both operands must be 2-D matrices; got 'self' {self.Shape} and 'mat2' {mat2.Shape} (use Ops.MatMul for batches and vectors).", self.Rank != 2 ? nameof(self) : nameof(mat2));
            ShapeRules.MatMul(in c, ref shapes);
        },
    };

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> with torch.matmul rules: 1-D
    /// operands are vectors, leading (batch) dimensions broadcast.
    /// </summary>
    public static void MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MatMulOperator.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> (torch.matmul rules).</summary>
    public static NpuTensor MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MatMulOperator.Create(stream, [self, mat2], [mathType]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static void Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MmOperator.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static NpuTensor Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MmOperator.Create(stream, [self, mat2], [mathType]);

    // ---- Relu / Silu ----------------------------------------------------------------------

    private static readonly AclnnOperator ReluOperator = new("Ops.Relu", nameof(AclnnOps.aclnnRelu), &AclnnOps.aclnnRelu,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnReluGetWorkspaceSize(c.Tensor(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Shapes = ShapeRules.SameAsFirst,
    };

    private static readonly AclnnOperator SiluOperator = new("Ops.Silu", nameof(AclnnOps.aclnnSilu), &AclnnOps.aclnnSilu,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSiluGetWorkspaceSize(c.Tensor(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = ShapeRules.SameAsFirst,
    };

    /// <summary><paramref name="output"/> = max(<paramref name="self"/>, 0).</summary>
    public static void Relu(NpuStream stream, NpuTensor self, NpuTensor output) => ReluOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding max(<paramref name="self"/>, 0).</summary>
    public static NpuTensor Relu(NpuStream stream, NpuTensor self) => ReluOperator.Create(stream, [self]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static void Silu(NpuStream stream, NpuTensor self, NpuTensor output) => SiluOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static NpuTensor Silu(NpuStream stream, NpuTensor self) => SiluOperator.Create(stream, [self]);

    // ---- Softmax --------------------------------------------------------------------------

    private static readonly AclnnOperator SoftmaxOperator = new("Ops.Softmax", nameof(AclnnOps.aclnnSoftmax), &AclnnOps.aclnnSoftmax,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSoftmaxGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Dim("dim")],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = ShapeRules.SameAsFirst,
    };

    /// <summary><paramref name="output"/> = softmax of <paramref name="self"/> along <paramref name="dim"/> (negative counts from the end).</summary>
    public static void Softmax(NpuStream stream, NpuTensor self, int dim, NpuTensor output) => SoftmaxOperator.Run(stream, [self, output], [dim]);

    /// <summary>A new tensor holding the softmax of <paramref name="self"/> along <paramref name="dim"/>.</summary>
    public static NpuTensor Softmax(NpuStream stream, NpuTensor self, int dim) => SoftmaxOperator.Create(stream, [self], [dim]);

    // ---- Cast / Copy ----------------------------------------------------------------------

    private static readonly AclnnOperator CastOperator = new("Ops.Cast", nameof(AclnnOps.aclnnCast), &AclnnOps.aclnnCast,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnCastGetWorkspaceSize(c.Tensor(0), (aclDataType)(int)c.Output(0)!.DataType, c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 0)],
        Attributes = [OperatorAttribute.DataType("dataType", optional: true)],
        Shapes = ShapeRules.SameAsFirst,
    };

    private static readonly AclnnOperator CopyOperator = new("Ops.Copy", nameof(AclnnOps.aclnnInplaceCopy), &AclnnOps.aclnnInplaceCopy,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceCopyGetWorkspaceSize(c.OutputTensor(0), c.Tensor(0), w, e))
    {
        Inputs = ["source"],
        Outputs = [OperatorOutput.AnyType("destination")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    /// <summary><paramref name="output"/> = <paramref name="self"/> converted to <paramref name="output"/>'s type.</summary>
    public static void Cast(NpuStream stream, NpuTensor self, NpuTensor output) => CastOperator.Run(stream, [self, output]);

    /// <summary>A new tensor holding <paramref name="self"/> converted to <paramref name="dataType"/>.</summary>
    public static NpuTensor Cast(NpuStream stream, NpuTensor self, NpuDataType dataType) => CastOperator.Create(stream, [self], [dataType]);

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (aclnn InplaceCopy): the source
    /// broadcasts to the destination's shape and is converted to its type; either may be strided.
    /// </summary>
    public static void Copy(NpuStream stream, NpuTensor destination, NpuTensor source) => CopyOperator.Run(stream, [source, destination]);

    // ---- RmsNorm --------------------------------------------------------------------------

    private static readonly AclnnOperator RmsNormOperator = new("Ops.RmsNorm", nameof(AclnnOps.aclnnRmsNorm), &AclnnOps.aclnnRmsNorm,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnRmsNormGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Double(0), c.Tensor(2), c.Tensor(3), w, e))
    {
        Inputs = ["x", "gamma"],
        Outputs = ["y", OperatorOutput.Typed("rstd", NpuDataType.Float32)],
        Attributes = [OperatorAttribute.NonNegative("epsilon")],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor x = c.Input(0)!, gamma = c.Input(1)!;
            var xs = x.Shape.Dims;
            var gs = gamma.Shape.Dims;
            if (gs.Length < 1 || gs.Length > xs.Length || !xs[(xs.Length - gs.Length)..].SequenceEqual(gs))
                throw new ArgumentException($"{c.Name}: 'gamma' shape {gamma.Shape} must equal the trailing dimensions of 'x' shape {x.Shape}.", nameof(gamma));
            shapes.Set(0, xs);
            var rstd = shapes.Scratch(1);
            xs.CopyTo(rstd);
            rstd[(xs.Length - gs.Length)..xs.Length].Fill(1);
            shapes.SetRank(1, xs.Length);
        },
    };

    /// <summary>
    /// <paramref name="y"/> = <paramref name="x"/> / sqrt(mean(x²) + <paramref name="epsilon"/>) x <paramref name="gamma"/>,
    /// normalizing over <paramref name="gamma"/>'s (trailing) dimensions; <paramref name="rstd"/> receives the
    /// reciprocal RMS per row: float32, x's shape with the normalized dimensions set to 1.
    /// </summary>
    public static void RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon, NpuTensor y, NpuTensor rstd) =>
        RmsNormOperator.Run(stream, [x, gamma, y, rstd], [epsilon]);

    /// <summary>New tensors holding RmsNorm's output and reciprocal RMS (see the output overload).</summary>
    public static (NpuTensor Y, NpuTensor Rstd) RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon = 1e-6)
    {
        var results = new TensorSlots();
        RmsNormOperator.Create(stream, [x, gamma], ((Span<NpuTensor?>)results)[..2], [epsilon]);
        return (results[0]!, results[1]!);
    }
}
