using Ascend.Interop.Native;
using static Ascend.Interop.OperatorChecks;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // One declaration per operator (AclnnOperator: checks, inference, descriptors, launch and graph notes run in
    // one shared place); each entry point passes its arguments in declaration order: tensors (inputs, then
    // outputs), then attribute values. See docs/operators.md, "Adding an operator".

    internal static readonly AclnnOperator Add = Arithmetic("Ops.Add", nameof(AclnnOps.aclnnAdd), &AclnnOps.aclnnAdd, alpha: true,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnAddGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), c.Tensor(2), w, e));

    internal static readonly AclnnOperator Sub = Arithmetic("Ops.Sub", nameof(AclnnOps.aclnnSub), &AclnnOps.aclnnSub, alpha: true,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSubGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), c.Tensor(2), w, e));

    internal static readonly AclnnOperator Mul = Arithmetic("Ops.Mul", nameof(AclnnOps.aclnnMul), &AclnnOps.aclnnMul, alpha: false,
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

    internal static readonly AclnnOperator Cast = new("Ops.Cast", nameof(AclnnOps.aclnnCast), &AclnnOps.aclnnCast,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnCastGetWorkspaceSize(c.Tensor(0), (aclDataType)(int)c.Output(0)!.DataType, c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 0)],
        Attributes = [OperatorAttribute.DataType("dataType", optional: true)],
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator Copy = new("Ops.Copy", nameof(AclnnOps.aclnnInplaceCopy), &AclnnOps.aclnnInplaceCopy,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceCopyGetWorkspaceSize(c.OutputTensor(0), c.Tensor(0), w, e))
    {
        Inputs = ["source"],
        Outputs = [OperatorOutput.AnyType("destination")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    // An operator whose result type depends on the input's kind (Div, Exp, Sqrt, Rsqrt, Tanh: integer or bool inputs
    // give float32, as torch does) has one declaration whose output rule is FloatingOrFloat32.


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



    internal static readonly AclnnOperator Neg = Unary("Ops.Neg", nameof(AclnnOps.aclnnNeg), &AclnnOps.aclnnNeg,
        &AclnnOps.aclnnNegGetWorkspaceSize, DataTypeSet.SignedNumbers, "output");

    internal static readonly AclnnOperator Exp = Unary("Ops.Exp", nameof(AclnnOps.aclnnExp), &AclnnOps.aclnnExp,
        &AclnnOps.aclnnExpGetWorkspaceSize, DataTypeSet.FloatingOrInt64Bool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Sqrt = Unary("Ops.Sqrt", nameof(AclnnOps.aclnnSqrt), &AclnnOps.aclnnSqrt,
        &AclnnOps.aclnnSqrtGetWorkspaceSize, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Rsqrt = Unary("Ops.Rsqrt", nameof(AclnnOps.aclnnRsqrt), &AclnnOps.aclnnRsqrt,
        &AclnnOps.aclnnRsqrtGetWorkspaceSize, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Div = Binary("Ops.Div", nameof(AclnnOps.aclnnDiv), &AclnnOps.aclnnDiv,
        &AclnnOps.aclnnDivGetWorkspaceSize, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Maximum = Binary("Ops.Maximum", nameof(AclnnOps.aclnnMaximum), &AclnnOps.aclnnMaximum,
        &AclnnOps.aclnnMaximumGetWorkspaceSize, DataTypeSet.Any, "output");

    internal static readonly AclnnOperator Minimum = Binary("Ops.Minimum", nameof(AclnnOps.aclnnMinimum), &AclnnOps.aclnnMinimum,
        &AclnnOps.aclnnMinimumGetWorkspaceSize, DataTypeSet.Any, "output");

    internal static readonly AclnnOperator Adds = new("Ops.Adds", nameof(AclnnOps.aclnnAdds), &AclnnOps.aclnnAdds,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnAddsGetWorkspaceSize(c.Tensor(0), c.Scalar(0), c.Scalar(1), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Scalar("other"), OperatorAttribute.Scalar("alpha")],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator Muls = new("Ops.Muls", nameof(AclnnOps.aclnnMuls), &AclnnOps.aclnnMuls,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnMulsGetWorkspaceSize(c.Tensor(0), c.Scalar(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Scalar("other")],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator Where = new("Ops.Where", nameof(AclnnOps.aclnnSWhere), &AclnnOps.aclnnSWhere,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnSWhereGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.Tensor(3), w, e))
    {
        Inputs = ["condition", "self", "other"],
        Outputs = [OperatorOutput.SameAs("output", 1)],
        Types = static (in OperatorCall c) =>
        {
            var condition = c.Input(0)!;
            if (!DataTypeSet.ConditionTypes.Contains(condition.DataType))
                throw new ArgumentException($"{c.Name}: argument 'condition' holds {condition.DataType}; the operator needs {DataTypeSet.ConditionTypes.Description}.", "condition");
            CheckSameType(c.Name, "other", c.Input(2)!, "self", c.Input(1)!);
        },
        Shapes = ShapeRules.Broadcast,
    };

    internal static readonly AclnnOperator InplaceMaskedFill = new("Ops.InplaceMaskedFill", nameof(AclnnOps.aclnnInplaceMaskedFillScalar), &AclnnOps.aclnnInplaceMaskedFillScalar,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceMaskedFillScalarGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), w, e))
    {
        // selfRef is read and written: it is input 0 (the scalar's arithmetic) and, again, the output (graph notes).
        Inputs = ["selfRef", "mask"],
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Attributes = [OperatorAttribute.Scalar("value")],
        Types = InputTypes.PerInput(DataTypeSet.FillTypes, DataTypeSet.Of(NpuDataType.Bool)),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor selfRef = c.Input(0)!, mask = c.Input(1)!;
            Span<long> shape = stackalloc long[TensorShape.MaxRank];
            int rank = Broadcast(c.Name, nameof(selfRef), selfRef.Shape.Dims, nameof(mask), mask.Shape.Dims, shape);
            if (!shape[..rank].SequenceEqual(selfRef.Shape.Dims))
                throw new ArgumentException($"{c.Name}: 'mask' shape {mask.Shape} does not broadcast to 'selfRef' shape {selfRef.Shape}.", nameof(mask));
            shapes.Unchecked(0);
        },
    };
}
