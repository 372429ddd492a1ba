namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary><paramref name="output"/> = (<paramref name="self"/> == <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnEqTensor).</summary>
    public static void Eq(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Eq.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> == <paramref name="other"/> (aclnnEqTensor).</summary>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Eq.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> == <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnEqScalar).</summary>
    public static void Eq(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Eq.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Eq(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Eq(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Eq.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> == <paramref name="other"/> (aclnnEqScalar).</summary>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, double other) => Operators.Eq.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Eq(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, long other) => Operators.Eq.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> == <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceEqTensor).</summary>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Eq.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> == <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceEqScalar).</summary>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, double other) => Operators.Eq.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceEq(NpuStream, NpuTensor, double)"/>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, long other) => Operators.Eq.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> != <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnNeTensor). NaN differs from everything.</summary>
    public static void Ne(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Ne.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> != <paramref name="other"/> (aclnnNeTensor).</summary>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Ne.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> != <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnNeScalar).</summary>
    public static void Ne(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Ne.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Ne(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Ne(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Ne.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> != <paramref name="other"/> (aclnnNeScalar).</summary>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, double other) => Operators.Ne.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Ne(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, long other) => Operators.Ne.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> != <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceNeTensor).</summary>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Ne.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> != <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceNeScalar).</summary>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, double other) => Operators.Ne.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceNe(NpuStream, NpuTensor, double)"/>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, long other) => Operators.Ne.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt; <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnGtTensor).</summary>
    public static void Gt(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Gt.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt; <paramref name="other"/> (aclnnGtTensor).</summary>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Gt.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt; <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnGtScalar).</summary>
    public static void Gt(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Gt.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Gt(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Gt(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Gt.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt; <paramref name="other"/> (aclnnGtScalar).</summary>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, double other) => Operators.Gt.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Gt(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, long other) => Operators.Gt.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt; <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceGtTensor).</summary>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Gt.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt; <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceGtScalar).</summary>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, double other) => Operators.Gt.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceGt(NpuStream, NpuTensor, double)"/>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, long other) => Operators.Gt.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt;= <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnGeTensor).</summary>
    public static void Ge(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Ge.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt;= <paramref name="other"/> (aclnnGeTensor).</summary>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Ge.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt;= <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnGeScalar).</summary>
    public static void Ge(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Ge.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Ge(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Ge(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Ge.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt;= <paramref name="other"/> (aclnnGeScalar).</summary>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, double other) => Operators.Ge.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Ge(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, long other) => Operators.Ge.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt;= <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceGeTensor).</summary>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Ge.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt;= <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceGeScalar).</summary>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, double other) => Operators.Ge.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceGe(NpuStream, NpuTensor, double)"/>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, long other) => Operators.Ge.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt; <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLtTensor).</summary>
    public static void Lt(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Lt.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt; <paramref name="other"/> (aclnnLtTensor).</summary>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Lt.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt; <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnLtScalar).</summary>
    public static void Lt(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Lt.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Lt(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Lt(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Lt.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt; <paramref name="other"/> (aclnnLtScalar).</summary>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, double other) => Operators.Lt.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Lt(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, long other) => Operators.Lt.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt; <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLtTensor).</summary>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Lt.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt; <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceLtScalar).</summary>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, double other) => Operators.Lt.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceLt(NpuStream, NpuTensor, double)"/>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, long other) => Operators.Lt.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt;= <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLeTensor).</summary>
    public static void Le(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Le.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt;= <paramref name="other"/> (aclnnLeTensor).</summary>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Le.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt;= <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnLeScalar).</summary>
    public static void Le(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Le.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Le(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Le(NpuStream stream, NpuTensor self, long other, NpuTensor output) => Operators.Le.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt;= <paramref name="other"/> (aclnnLeScalar).</summary>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, double other) => Operators.Le.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Le(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, long other) => Operators.Le.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt;= <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLeTensor).</summary>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => Operators.Le.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt;= <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceLeScalar).</summary>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, double other) => Operators.Le.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceLe(NpuStream, NpuTensor, double)"/>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, long other) => Operators.Le.InplaceScalar.Run(stream, [selfRef], [other]);
}
