
namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // Logical operators: aclnnLogicalAnd, aclnnLogicalOr, aclnnLogicalNot and their in-place forms. Any element type
    // is read as a truth value (nonzero, NaN included, is true); the result is bool, converted into a given output of
    // any type (an int64 condition word).

    internal static readonly AclnnOperator LogicalAnd = CompareTensors("Ops.LogicalAnd", AclnnFunctions.LogicalAnd);

    internal static readonly AclnnOperator LogicalOr = CompareTensors("Ops.LogicalOr", AclnnFunctions.LogicalOr);

    internal static readonly AclnnOperator InplaceLogicalAnd = InplaceCompareTensors("Ops.InplaceLogicalAnd", AclnnFunctions.InplaceLogicalAnd);

    internal static readonly AclnnOperator InplaceLogicalOr = InplaceCompareTensors("Ops.InplaceLogicalOr", AclnnFunctions.InplaceLogicalOr);

    internal static readonly AclnnOperator LogicalNot = new("Ops.LogicalNot", AclnnFunctions.LogicalNot)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.Comparison],
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator InplaceLogicalNot = new("Ops.InplaceLogicalNot", AclnnFunctions.InplaceLogicalNot)
    {
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };
}
