using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // Comparisons: aclnnEqScalar/EqTensor ... aclnnLeScalar/LeTensor and their in-place forms. Unlike the arithmetic
    // operators, the operands may hold different types: CANN promotes them (the simulator applies CANN's per-operator
    // rules, docs/operators.md). The result is bool, converted into a given output of any type: an int64 output is a
    // graph's condition word.


    /// <summary><c>(self, other, out)</c> with tensor other: broadcasting, any two types.</summary>
    private static AclnnOperator CompareTensors(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.Tensor(0), c.Tensor(1), c.Tensor(2), w, e))
        {
            Inputs = ["self", "other"],
            Outputs = [OperatorOutput.Comparison],
            Shapes = ShapeRules.Broadcast,
        };
    }

    /// <summary><c>(self, other, out)</c> with a scalar other.</summary>
    private static AclnnOperator CompareScalar(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclScalar*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclScalar*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.Tensor(0), c.Scalar(0), c.Tensor(1), w, e))
        {
            Inputs = ["self"],
            Outputs = [OperatorOutput.Comparison],
            Attributes = [OperatorAttribute.ComparedScalar("other")],
            Shapes = ShapeRules.SameAsFirst,
        };
    }

    /// <summary>In place <c>(selfRef, other)</c> with tensor other, which broadcasts to selfRef.</summary>
    private static AclnnOperator InplaceCompareTensors(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.OutputTensor(0), c.Tensor(0), w, e))
        {
            Inputs = ["other"],
            Outputs = [OperatorOutput.AnyType("selfRef")],
            Shapes = ShapeRules.BroadcastsToOutput,
        };
    }

    /// <summary>In place <c>(selfRef, other)</c> with a scalar other.</summary>
    private static AclnnOperator InplaceCompareScalar(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclScalar*, ulong*, aclOpExecutor**, int> workspaceSize)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclScalar*, ulong*, aclOpExecutor**, int>)phase1)(c.OutputTensor(0), c.Scalar(0), w, e))
        {
            Outputs = [OperatorOutput.AnyType("selfRef")],
            Attributes = [OperatorAttribute.ComparedScalar("other")],
            Shapes = ShapeRules.BroadcastsToOutput,
        };
    }

    // One comparison's four declarations: tensor and scalar other, each with an output and in place.
    internal readonly record struct Comparison(AclnnOperator Tensor, AclnnOperator Scalar, AclnnOperator InplaceTensor, AclnnOperator InplaceScalar);

    internal static readonly Comparison Eq = new(
        CompareTensors("Ops.Eq", nameof(AclnnOps.aclnnEqTensor), &AclnnOps.aclnnEqTensor, &AclnnOps.aclnnEqTensorGetWorkspaceSize),
        CompareScalar("Ops.Eq", nameof(AclnnOps.aclnnEqScalar), &AclnnOps.aclnnEqScalar, &AclnnOps.aclnnEqScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceEq", nameof(AclnnOps.aclnnInplaceEqTensor), &AclnnOps.aclnnInplaceEqTensor, &AclnnOps.aclnnInplaceEqTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceEq", nameof(AclnnOps.aclnnInplaceEqScalar), &AclnnOps.aclnnInplaceEqScalar, &AclnnOps.aclnnInplaceEqScalarGetWorkspaceSize));

    internal static readonly Comparison Ne = new(
        CompareTensors("Ops.Ne", nameof(AclnnOps.aclnnNeTensor), &AclnnOps.aclnnNeTensor, &AclnnOps.aclnnNeTensorGetWorkspaceSize),
        CompareScalar("Ops.Ne", nameof(AclnnOps.aclnnNeScalar), &AclnnOps.aclnnNeScalar, &AclnnOps.aclnnNeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceNe", nameof(AclnnOps.aclnnInplaceNeTensor), &AclnnOps.aclnnInplaceNeTensor, &AclnnOps.aclnnInplaceNeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceNe", nameof(AclnnOps.aclnnInplaceNeScalar), &AclnnOps.aclnnInplaceNeScalar, &AclnnOps.aclnnInplaceNeScalarGetWorkspaceSize));

    internal static readonly Comparison Gt = new(
        CompareTensors("Ops.Gt", nameof(AclnnOps.aclnnGtTensor), &AclnnOps.aclnnGtTensor, &AclnnOps.aclnnGtTensorGetWorkspaceSize),
        CompareScalar("Ops.Gt", nameof(AclnnOps.aclnnGtScalar), &AclnnOps.aclnnGtScalar, &AclnnOps.aclnnGtScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceGt", nameof(AclnnOps.aclnnInplaceGtTensor), &AclnnOps.aclnnInplaceGtTensor, &AclnnOps.aclnnInplaceGtTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceGt", nameof(AclnnOps.aclnnInplaceGtScalar), &AclnnOps.aclnnInplaceGtScalar, &AclnnOps.aclnnInplaceGtScalarGetWorkspaceSize));

    internal static readonly Comparison Ge = new(
        CompareTensors("Ops.Ge", nameof(AclnnOps.aclnnGeTensor), &AclnnOps.aclnnGeTensor, &AclnnOps.aclnnGeTensorGetWorkspaceSize),
        CompareScalar("Ops.Ge", nameof(AclnnOps.aclnnGeScalar), &AclnnOps.aclnnGeScalar, &AclnnOps.aclnnGeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceGe", nameof(AclnnOps.aclnnInplaceGeTensor), &AclnnOps.aclnnInplaceGeTensor, &AclnnOps.aclnnInplaceGeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceGe", nameof(AclnnOps.aclnnInplaceGeScalar), &AclnnOps.aclnnInplaceGeScalar, &AclnnOps.aclnnInplaceGeScalarGetWorkspaceSize));

    internal static readonly Comparison Lt = new(
        CompareTensors("Ops.Lt", nameof(AclnnOps.aclnnLtTensor), &AclnnOps.aclnnLtTensor, &AclnnOps.aclnnLtTensorGetWorkspaceSize),
        CompareScalar("Ops.Lt", nameof(AclnnOps.aclnnLtScalar), &AclnnOps.aclnnLtScalar, &AclnnOps.aclnnLtScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceLt", nameof(AclnnOps.aclnnInplaceLtTensor), &AclnnOps.aclnnInplaceLtTensor, &AclnnOps.aclnnInplaceLtTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceLt", nameof(AclnnOps.aclnnInplaceLtScalar), &AclnnOps.aclnnInplaceLtScalar, &AclnnOps.aclnnInplaceLtScalarGetWorkspaceSize));

    internal static readonly Comparison Le = new(
        CompareTensors("Ops.Le", nameof(AclnnOps.aclnnLeTensor), &AclnnOps.aclnnLeTensor, &AclnnOps.aclnnLeTensorGetWorkspaceSize),
        CompareScalar("Ops.Le", nameof(AclnnOps.aclnnLeScalar), &AclnnOps.aclnnLeScalar, &AclnnOps.aclnnLeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceLe", nameof(AclnnOps.aclnnInplaceLeTensor), &AclnnOps.aclnnInplaceLeTensor, &AclnnOps.aclnnInplaceLeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceLe", nameof(AclnnOps.aclnnInplaceLeScalar), &AclnnOps.aclnnInplaceLeScalar, &AclnnOps.aclnnInplaceLeScalarGetWorkspaceSize));
}
