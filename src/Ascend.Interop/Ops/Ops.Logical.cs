using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // Logical operators: aclnnLogicalAnd, aclnnLogicalOr, aclnnLogicalNot and their in-place forms. Any element type
    // is read as a truth value (nonzero, NaN included, is true); the result is bool, converted into a given output of
    // any type (an int64 condition word).

    private static readonly AclnnOperator LogicalAndOperator = CompareTensors("Ops.LogicalAnd", nameof(AclnnOps.aclnnLogicalAnd),
        &AclnnOps.aclnnLogicalAnd, &AclnnOps.aclnnLogicalAndGetWorkspaceSize);

    private static readonly AclnnOperator LogicalOrOperator = CompareTensors("Ops.LogicalOr", nameof(AclnnOps.aclnnLogicalOr),
        &AclnnOps.aclnnLogicalOr, &AclnnOps.aclnnLogicalOrGetWorkspaceSize);

    private static readonly AclnnOperator InplaceLogicalAndOperator = InplaceCompareTensors("Ops.InplaceLogicalAnd", nameof(AclnnOps.aclnnInplaceLogicalAnd),
        &AclnnOps.aclnnInplaceLogicalAnd, &AclnnOps.aclnnInplaceLogicalAndGetWorkspaceSize);

    private static readonly AclnnOperator InplaceLogicalOrOperator = InplaceCompareTensors("Ops.InplaceLogicalOr", nameof(AclnnOps.aclnnInplaceLogicalOr),
        &AclnnOps.aclnnInplaceLogicalOr, &AclnnOps.aclnnInplaceLogicalOrGetWorkspaceSize);

    private static readonly AclnnOperator LogicalNotOperator = new("Ops.LogicalNot", nameof(AclnnOps.aclnnLogicalNot), &AclnnOps.aclnnLogicalNot,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnLogicalNotGetWorkspaceSize(c.Tensor(0), c.Tensor(1), w, e))
    {
        Inputs = ["self"],
        Outputs = [ComparisonOutput],
        Shapes = ShapeRules.SameAsFirst,
    };

    private static readonly AclnnOperator InplaceLogicalNotOperator = new("Ops.InplaceLogicalNot", nameof(AclnnOps.aclnnInplaceLogicalNot), &AclnnOps.aclnnInplaceLogicalNot,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnInplaceLogicalNotGetWorkspaceSize(c.OutputTensor(0), w, e))
    {
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    /// <summary><paramref name="output"/> = <paramref name="self"/> AND <paramref name="other"/> (nonzero is true), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLogicalAnd).</summary>
    public static void LogicalAnd(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => LogicalAndOperator.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> AND <paramref name="other"/> (aclnnLogicalAnd).</summary>
    public static NpuTensor LogicalAnd(NpuStream stream, NpuTensor self, NpuTensor other) => LogicalAndOperator.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> OR <paramref name="other"/> (nonzero is true), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLogicalOr).</summary>
    public static void LogicalOr(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => LogicalOrOperator.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> OR <paramref name="other"/> (aclnnLogicalOr).</summary>
    public static NpuTensor LogicalOr(NpuStream stream, NpuTensor self, NpuTensor other) => LogicalOrOperator.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = NOT <paramref name="self"/> (zero is true) as 1/0 in <paramref name="output"/>'s type (aclnnLogicalNot).</summary>
    public static void LogicalNot(NpuStream stream, NpuTensor self, NpuTensor output) => LogicalNotOperator.Run(stream, [self, output]);

    /// <summary>A new bool tensor holding NOT <paramref name="self"/> (aclnnLogicalNot).</summary>
    public static NpuTensor LogicalNot(NpuStream stream, NpuTensor self) => LogicalNotOperator.Create(stream, [self]);

    /// <summary><paramref name="selfRef"/> = <paramref name="selfRef"/> AND <paramref name="other"/> as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLogicalAnd).</summary>
    public static void InplaceLogicalAnd(NpuStream stream, NpuTensor selfRef, NpuTensor other) => InplaceLogicalAndOperator.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = <paramref name="selfRef"/> OR <paramref name="other"/> as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLogicalOr).</summary>
    public static void InplaceLogicalOr(NpuStream stream, NpuTensor selfRef, NpuTensor other) => InplaceLogicalOrOperator.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = NOT <paramref name="selfRef"/> as 1/0 in its own type (aclnnInplaceLogicalNot).</summary>
    public static void InplaceLogicalNot(NpuStream stream, NpuTensor selfRef) => InplaceLogicalNotOperator.Run(stream, [selfRef]);
}
