namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary><paramref name="output"/> = <paramref name="self"/> AND <paramref name="other"/> (nonzero is true), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLogicalAnd).</summary>
    public static void LogicalAnd(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.LogicalAnd.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> AND <paramref name="other"/> (aclnnLogicalAnd).</summary>
    public static NpuTensor LogicalAnd(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.LogicalAnd.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> OR <paramref name="other"/> (nonzero is true), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLogicalOr).</summary>
    public static void LogicalOr(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.LogicalOr.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> OR <paramref name="other"/> (aclnnLogicalOr).</summary>
    public static NpuTensor LogicalOr(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.LogicalOr.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = NOT <paramref name="self"/> (zero is true) as 1/0 in <paramref name="output"/>'s type (aclnnLogicalNot).</summary>
    public static void LogicalNot(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.LogicalNot.Run(stream, [self, output]);

    /// <summary>A new bool tensor holding NOT <paramref name="self"/> (aclnnLogicalNot).</summary>
    public static NpuTensor LogicalNot(NpuStream stream, NpuTensor self) => Operators.LogicalNot.Create(stream, [self]);

    /// <summary><paramref name="selfRef"/> = <paramref name="selfRef"/> AND <paramref name="other"/> as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLogicalAnd).</summary>
    public static void InplaceLogicalAnd(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.InplaceLogicalAnd.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = <paramref name="selfRef"/> OR <paramref name="other"/> as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLogicalOr).</summary>
    public static void InplaceLogicalOr(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.InplaceLogicalOr.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = NOT <paramref name="selfRef"/> as 1/0 in its own type (aclnnInplaceLogicalNot).</summary>
    public static void InplaceLogicalNot(NpuStream stream, NpuTensor selfRef) => Operators.InplaceLogicalNot.Run(stream, [selfRef]);
}
