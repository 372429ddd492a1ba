using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // Comparisons: aclnnEqScalar/EqTensor ... aclnnLeScalar/LeTensor and their in-place forms. Unlike the arithmetic
    // operators, the operands may hold different types: CANN promotes them (the simulator applies CANN's per-operator
    // rules, docs/operators.md). The result is bool, converted into a given output of any type: an int64 output is a
    // graph's condition word.

    private static readonly OperatorOutput ComparisonOutput = OperatorOutput.Converted("output", NpuDataType.Bool);

    /// <summary><c>(self, other, out)</c> with tensor other: broadcasting, any two types.</summary>
    private static AclnnOperator CompareTensors(string name, string function, delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> execute,
        delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int> workspaceSize)
    {
        nint phase1 = (nint)workspaceSize;
        return new(name, function, execute, (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            ((delegate*<aclTensor*, aclTensor*, aclTensor*, ulong*, aclOpExecutor**, int>)phase1)(c.Tensor(0), c.Tensor(1), c.Tensor(2), w, e))
        {
            Inputs = ["self", "other"],
            Outputs = [ComparisonOutput],
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
            Outputs = [ComparisonOutput],
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
    private readonly record struct Comparison(AclnnOperator Tensor, AclnnOperator Scalar, AclnnOperator InplaceTensor, AclnnOperator InplaceScalar);

    private static readonly Comparison EqOperators = new(
        CompareTensors("Ops.Eq", nameof(AclnnOps.aclnnEqTensor), &AclnnOps.aclnnEqTensor, &AclnnOps.aclnnEqTensorGetWorkspaceSize),
        CompareScalar("Ops.Eq", nameof(AclnnOps.aclnnEqScalar), &AclnnOps.aclnnEqScalar, &AclnnOps.aclnnEqScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceEq", nameof(AclnnOps.aclnnInplaceEqTensor), &AclnnOps.aclnnInplaceEqTensor, &AclnnOps.aclnnInplaceEqTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceEq", nameof(AclnnOps.aclnnInplaceEqScalar), &AclnnOps.aclnnInplaceEqScalar, &AclnnOps.aclnnInplaceEqScalarGetWorkspaceSize));

    private static readonly Comparison NeOperators = new(
        CompareTensors("Ops.Ne", nameof(AclnnOps.aclnnNeTensor), &AclnnOps.aclnnNeTensor, &AclnnOps.aclnnNeTensorGetWorkspaceSize),
        CompareScalar("Ops.Ne", nameof(AclnnOps.aclnnNeScalar), &AclnnOps.aclnnNeScalar, &AclnnOps.aclnnNeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceNe", nameof(AclnnOps.aclnnInplaceNeTensor), &AclnnOps.aclnnInplaceNeTensor, &AclnnOps.aclnnInplaceNeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceNe", nameof(AclnnOps.aclnnInplaceNeScalar), &AclnnOps.aclnnInplaceNeScalar, &AclnnOps.aclnnInplaceNeScalarGetWorkspaceSize));

    private static readonly Comparison GtOperators = new(
        CompareTensors("Ops.Gt", nameof(AclnnOps.aclnnGtTensor), &AclnnOps.aclnnGtTensor, &AclnnOps.aclnnGtTensorGetWorkspaceSize),
        CompareScalar("Ops.Gt", nameof(AclnnOps.aclnnGtScalar), &AclnnOps.aclnnGtScalar, &AclnnOps.aclnnGtScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceGt", nameof(AclnnOps.aclnnInplaceGtTensor), &AclnnOps.aclnnInplaceGtTensor, &AclnnOps.aclnnInplaceGtTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceGt", nameof(AclnnOps.aclnnInplaceGtScalar), &AclnnOps.aclnnInplaceGtScalar, &AclnnOps.aclnnInplaceGtScalarGetWorkspaceSize));

    private static readonly Comparison GeOperators = new(
        CompareTensors("Ops.Ge", nameof(AclnnOps.aclnnGeTensor), &AclnnOps.aclnnGeTensor, &AclnnOps.aclnnGeTensorGetWorkspaceSize),
        CompareScalar("Ops.Ge", nameof(AclnnOps.aclnnGeScalar), &AclnnOps.aclnnGeScalar, &AclnnOps.aclnnGeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceGe", nameof(AclnnOps.aclnnInplaceGeTensor), &AclnnOps.aclnnInplaceGeTensor, &AclnnOps.aclnnInplaceGeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceGe", nameof(AclnnOps.aclnnInplaceGeScalar), &AclnnOps.aclnnInplaceGeScalar, &AclnnOps.aclnnInplaceGeScalarGetWorkspaceSize));

    private static readonly Comparison LtOperators = new(
        CompareTensors("Ops.Lt", nameof(AclnnOps.aclnnLtTensor), &AclnnOps.aclnnLtTensor, &AclnnOps.aclnnLtTensorGetWorkspaceSize),
        CompareScalar("Ops.Lt", nameof(AclnnOps.aclnnLtScalar), &AclnnOps.aclnnLtScalar, &AclnnOps.aclnnLtScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceLt", nameof(AclnnOps.aclnnInplaceLtTensor), &AclnnOps.aclnnInplaceLtTensor, &AclnnOps.aclnnInplaceLtTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceLt", nameof(AclnnOps.aclnnInplaceLtScalar), &AclnnOps.aclnnInplaceLtScalar, &AclnnOps.aclnnInplaceLtScalarGetWorkspaceSize));

    private static readonly Comparison LeOperators = new(
        CompareTensors("Ops.Le", nameof(AclnnOps.aclnnLeTensor), &AclnnOps.aclnnLeTensor, &AclnnOps.aclnnLeTensorGetWorkspaceSize),
        CompareScalar("Ops.Le", nameof(AclnnOps.aclnnLeScalar), &AclnnOps.aclnnLeScalar, &AclnnOps.aclnnLeScalarGetWorkspaceSize),
        InplaceCompareTensors("Ops.InplaceLe", nameof(AclnnOps.aclnnInplaceLeTensor), &AclnnOps.aclnnInplaceLeTensor, &AclnnOps.aclnnInplaceLeTensorGetWorkspaceSize),
        InplaceCompareScalar("Ops.InplaceLe", nameof(AclnnOps.aclnnInplaceLeScalar), &AclnnOps.aclnnInplaceLeScalar, &AclnnOps.aclnnInplaceLeScalarGetWorkspaceSize));

    // ---- Eq -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> == <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnEqTensor).</summary>
    public static void Eq(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => EqOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> == <paramref name="other"/> (aclnnEqTensor).</summary>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, NpuTensor other) => EqOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> == <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnEqScalar).</summary>
    public static void Eq(NpuStream stream, NpuTensor self, double other, NpuTensor output) => EqOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Eq(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Eq(NpuStream stream, NpuTensor self, long other, NpuTensor output) => EqOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> == <paramref name="other"/> (aclnnEqScalar).</summary>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, double other) => EqOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Eq(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Eq(NpuStream stream, NpuTensor self, long other) => EqOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> == <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceEqTensor).</summary>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, NpuTensor other) => EqOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> == <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceEqScalar).</summary>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, double other) => EqOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceEq(NpuStream, NpuTensor, double)"/>
    public static void InplaceEq(NpuStream stream, NpuTensor selfRef, long other) => EqOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    // ---- Ne -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> != <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnNeTensor). NaN differs from everything.</summary>
    public static void Ne(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => NeOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> != <paramref name="other"/> (aclnnNeTensor).</summary>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, NpuTensor other) => NeOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> != <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnNeScalar).</summary>
    public static void Ne(NpuStream stream, NpuTensor self, double other, NpuTensor output) => NeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Ne(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Ne(NpuStream stream, NpuTensor self, long other, NpuTensor output) => NeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> != <paramref name="other"/> (aclnnNeScalar).</summary>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, double other) => NeOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Ne(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Ne(NpuStream stream, NpuTensor self, long other) => NeOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> != <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceNeTensor).</summary>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => NeOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> != <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceNeScalar).</summary>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, double other) => NeOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceNe(NpuStream, NpuTensor, double)"/>
    public static void InplaceNe(NpuStream stream, NpuTensor selfRef, long other) => NeOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    // ---- Gt -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt; <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnGtTensor).</summary>
    public static void Gt(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => GtOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt; <paramref name="other"/> (aclnnGtTensor).</summary>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, NpuTensor other) => GtOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt; <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnGtScalar).</summary>
    public static void Gt(NpuStream stream, NpuTensor self, double other, NpuTensor output) => GtOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Gt(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Gt(NpuStream stream, NpuTensor self, long other, NpuTensor output) => GtOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt; <paramref name="other"/> (aclnnGtScalar).</summary>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, double other) => GtOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Gt(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Gt(NpuStream stream, NpuTensor self, long other) => GtOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt; <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceGtTensor).</summary>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, NpuTensor other) => GtOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt; <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceGtScalar).</summary>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, double other) => GtOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceGt(NpuStream, NpuTensor, double)"/>
    public static void InplaceGt(NpuStream stream, NpuTensor selfRef, long other) => GtOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    // ---- Ge -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt;= <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnGeTensor).</summary>
    public static void Ge(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => GeOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt;= <paramref name="other"/> (aclnnGeTensor).</summary>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, NpuTensor other) => GeOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &gt;= <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnGeScalar).</summary>
    public static void Ge(NpuStream stream, NpuTensor self, double other, NpuTensor output) => GeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Ge(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Ge(NpuStream stream, NpuTensor self, long other, NpuTensor output) => GeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &gt;= <paramref name="other"/> (aclnnGeScalar).</summary>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, double other) => GeOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Ge(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Ge(NpuStream stream, NpuTensor self, long other) => GeOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt;= <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceGeTensor).</summary>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => GeOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &gt;= <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceGeScalar).</summary>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, double other) => GeOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceGe(NpuStream, NpuTensor, double)"/>
    public static void InplaceGe(NpuStream stream, NpuTensor selfRef, long other) => GeOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    // ---- Lt -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt; <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLtTensor).</summary>
    public static void Lt(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => LtOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt; <paramref name="other"/> (aclnnLtTensor).</summary>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, NpuTensor other) => LtOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt; <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnLtScalar).</summary>
    public static void Lt(NpuStream stream, NpuTensor self, double other, NpuTensor output) => LtOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Lt(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Lt(NpuStream stream, NpuTensor self, long other, NpuTensor output) => LtOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt; <paramref name="other"/> (aclnnLtScalar).</summary>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, double other) => LtOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Lt(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Lt(NpuStream stream, NpuTensor self, long other) => LtOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt; <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLtTensor).</summary>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, NpuTensor other) => LtOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt; <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceLtScalar).</summary>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, double other) => LtOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceLt(NpuStream, NpuTensor, double)"/>
    public static void InplaceLt(NpuStream stream, NpuTensor selfRef, long other) => LtOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    // ---- Le -------------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt;= <paramref name="other"/>), broadcasting, as 1/0 in <paramref name="output"/>'s type (aclnnLeTensor).</summary>
    public static void Le(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => LeOperators.Tensor.Run(stream, [self, other, output]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt;= <paramref name="other"/> (aclnnLeTensor).</summary>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, NpuTensor other) => LeOperators.Tensor.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = (<paramref name="self"/> &lt;= <paramref name="other"/>) as 1/0 in <paramref name="output"/>'s type (aclnnLeScalar).</summary>
    public static void Le(NpuStream stream, NpuTensor self, double other, NpuTensor output) => LeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <inheritdoc cref="Le(NpuStream, NpuTensor, double, NpuTensor)"/>
    public static void Le(NpuStream stream, NpuTensor self, long other, NpuTensor output) => LeOperators.Scalar.Run(stream, [self, output], [other]);

    /// <summary>A new bool tensor holding <paramref name="self"/> &lt;= <paramref name="other"/> (aclnnLeScalar).</summary>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, double other) => LeOperators.Scalar.Create(stream, [self], [other]);

    /// <inheritdoc cref="Le(NpuStream, NpuTensor, double)"/>
    public static NpuTensor Le(NpuStream stream, NpuTensor self, long other) => LeOperators.Scalar.Create(stream, [self], [other]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt;= <paramref name="other"/>) as 1/0 in its own type; <paramref name="other"/> broadcasts to it (aclnnInplaceLeTensor).</summary>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, NpuTensor other) => LeOperators.InplaceTensor.Run(stream, [other, selfRef]);

    /// <summary><paramref name="selfRef"/> = (<paramref name="selfRef"/> &lt;= <paramref name="other"/>) as 1/0 in its own type (aclnnInplaceLeScalar).</summary>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, double other) => LeOperators.InplaceScalar.Run(stream, [selfRef], [other]);

    /// <inheritdoc cref="InplaceLe(NpuStream, NpuTensor, double)"/>
    public static void InplaceLe(NpuStream stream, NpuTensor selfRef, long other) => LeOperators.InplaceScalar.Run(stream, [selfRef], [other]);
}
