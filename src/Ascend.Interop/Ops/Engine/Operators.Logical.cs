using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // Logical operators: aclnnLogicalAnd, aclnnLogicalOr, aclnnLogicalNot and their in-place forms. Any element type
    // is read as a truth value (nonzero, NaN included, is true); the result is bool, converted into a given output of
    // any type (an int64 condition word).

    internal static readonly AclnnOperator LogicalAnd = CompareTensors("Ops.LogicalAnd", nameof(AclnnOps.aclnnLogicalAnd),
        &AclnnOps.aclnnLogicalAnd, &AclnnOps.aclnnLogicalAndGetWorkspaceSize);

    internal static readonly AclnnOperator LogicalOr = CompareTensors("Ops.LogicalOr", nameof(AclnnOps.aclnnLogicalOr),
        &AclnnOps.aclnnLogicalOr, &AclnnOps.aclnnLogicalOrGetWorkspaceSize);

    internal static readonly AclnnOperator InplaceLogicalAnd = InplaceCompareTensors("Ops.InplaceLogicalAnd", nameof(AclnnOps.aclnnInplaceLogicalAnd),
        &AclnnOps.aclnnInplaceLogicalAnd, &AclnnOps.aclnnInplaceLogicalAndGetWorkspaceSize);

    internal static readonly AclnnOperator InplaceLogicalOr = InplaceCompareTensors("Ops.InplaceLogicalOr", nameof(AclnnOps.aclnnInplaceLogicalOr),
        &AclnnOps.aclnnInplaceLogicalOr, &AclnnOps.aclnnInplaceLogicalOrGetWorkspaceSize);

    internal static readonly AclnnOperator LogicalNot = new("Ops.LogicalNot", nameof(AclnnOps.aclnnLogicalNot), &AclnnOps.aclnnLogicalNot,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnLogicalNotGetWorkspaceSize(c.Tensor(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.Comparison],
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator InplaceLogicalNot = new("Ops.InplaceLogicalNot", nameof(AclnnOps.aclnnInplaceLogicalNot), &AclnnOps.aclnnInplaceLogicalNot,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceLogicalNotGetWorkspaceSize(c.OutputTensor(0), w, e))
    {
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };
}
