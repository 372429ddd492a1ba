namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // Comparisons: aclnnEqScalar/EqTensor ... aclnnLeScalar/LeTensor and their in-place forms. Unlike the arithmetic
    // operators, the operands may hold different types: CANN promotes them (the simulator applies CANN's per-operator
    // rules, docs/operators.md). The result is bool, converted into a given output of any type: an int64 output is a
    // graph's condition word.


    /// <summary><c>(self, other, out)</c> with tensor other: broadcasting, any two types.</summary>
    private static AclnnOperator CompareTensors(string name, AclnnFunction function) => new(name, function)
    {
        Inputs = ["self", "other"],
        Outputs = [OperatorOutput.Comparison],
        Shapes = ShapeRules.Broadcast,
    };

    /// <summary><c>(self, other, out)</c> with a scalar other.</summary>
    private static AclnnOperator CompareScalar(string name, AclnnFunction function) => new(name, function)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.Comparison],
        Attributes = [OperatorAttribute.ComparedScalar("other")],
        Shapes = ShapeRules.SameAsFirst,
    };

    /// <summary>In place <c>(selfRef, other)</c> with tensor other, which broadcasts to selfRef.</summary>
    private static AclnnOperator InplaceCompareTensors(string name, AclnnFunction function) => new(name, function)
    {
        Inputs = ["other"],
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    /// <summary>In place <c>(selfRef, other)</c> with a scalar other.</summary>
    private static AclnnOperator InplaceCompareScalar(string name, AclnnFunction function) => new(name, function)
    {
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Attributes = [OperatorAttribute.ComparedScalar("other")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    // One comparison's four declarations: tensor and scalar other, each with an output and in place.
    internal readonly record struct Comparison(AclnnOperator Tensor, AclnnOperator Scalar, AclnnOperator InplaceTensor, AclnnOperator InplaceScalar);

    /// <summary>Comparison <paramref name="name"/> ("Eq") over its four C functions.</summary>
    private static Comparison Compare(string name, AclnnFunction tensor, AclnnFunction scalar, AclnnFunction inplaceTensor, AclnnFunction inplaceScalar) => new(
        CompareTensors("Ops." + name, tensor), CompareScalar("Ops." + name, scalar),
        InplaceCompareTensors("Ops.Inplace" + name, inplaceTensor), InplaceCompareScalar("Ops.Inplace" + name, inplaceScalar));

    internal static readonly Comparison Eq = Compare("Eq", AclnnFunctions.EqTensor, AclnnFunctions.EqScalar, AclnnFunctions.InplaceEqTensor, AclnnFunctions.InplaceEqScalar);
    internal static readonly Comparison Ne = Compare("Ne", AclnnFunctions.NeTensor, AclnnFunctions.NeScalar, AclnnFunctions.InplaceNeTensor, AclnnFunctions.InplaceNeScalar);
    internal static readonly Comparison Gt = Compare("Gt", AclnnFunctions.GtTensor, AclnnFunctions.GtScalar, AclnnFunctions.InplaceGtTensor, AclnnFunctions.InplaceGtScalar);
    internal static readonly Comparison Ge = Compare("Ge", AclnnFunctions.GeTensor, AclnnFunctions.GeScalar, AclnnFunctions.InplaceGeTensor, AclnnFunctions.InplaceGeScalar);
    internal static readonly Comparison Lt = Compare("Lt", AclnnFunctions.LtTensor, AclnnFunctions.LtScalar, AclnnFunctions.InplaceLtTensor, AclnnFunctions.InplaceLtScalar);
    internal static readonly Comparison Le = Compare("Le", AclnnFunctions.LeTensor, AclnnFunctions.LeScalar, AclnnFunctions.InplaceLeTensor, AclnnFunctions.InplaceLeScalar);
}
