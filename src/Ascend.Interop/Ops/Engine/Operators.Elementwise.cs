using static Ascend.Interop.OperatorChecks;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    // One declaration per operator (AclnnOperator: checks, inference, descriptors, launch and graph notes run in
    // one shared place); each entry point passes its arguments in declaration order: tensors (inputs, then
    // outputs), then attribute values. See docs/operators.md, "Adding an operator".

    internal static readonly AclnnOperator Add = Arithmetic("Ops.Add", AclnnFunctions.Add, alpha: true);

    internal static readonly AclnnOperator Sub = Arithmetic("Ops.Sub", AclnnFunctions.Sub, alpha: true);

    internal static readonly AclnnOperator Mul = Arithmetic("Ops.Mul", AclnnFunctions.Mul, alpha: false);

    /// <summary>self (op) other, broadcast, one type (no promotion), with or without Add/Sub's alpha scalar.</summary>
    private static AclnnOperator Arithmetic(string name, AclnnFunction function, bool alpha) => new(name, function)
    {
        Inputs = ["self", "other"],
        Attributes = alpha ? [OperatorAttribute.Scalar("alpha")] : [],
        Types = InputTypes.Same(DataTypeSet.Any),
        Shapes = ShapeRules.Broadcast,
    };

    internal static readonly AclnnOperator Cast = new("Ops.Cast", AclnnFunctions.Cast)
    {
        Inputs = ["self"],
        Outputs = [OperatorOutput.TypeFrom("output", 0)],
        Attributes = [OperatorAttribute.OutputType("dataType", optional: true)],
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator Copy = new("Ops.Copy", AclnnFunctions.InplaceCopy)
    {
        Inputs = ["source"],
        Outputs = [OperatorOutput.AnyType("destination")],
        Binds = [("source", "src"), ("destination", "selfRef")],
        Shapes = ShapeRules.BroadcastsToOutput,
    };

    // An operator whose result type depends on the input's kind (Div, Exp, Sqrt, Rsqrt, Tanh: integer or bool inputs
    // give float32, as torch does) has one declaration whose output rule is FloatingOrFloat32.

    /// <summary>A one-input operator <c>(self, [attributes,] out)</c> whose output has the input's shape.</summary>
    private static AclnnOperator Unary(string name, AclnnFunction function, DataTypeSet types, OperatorOutput output, params OperatorAttribute[] attributes) =>
        new(name, function)
        {
            Inputs = ["self"],
            Outputs = [output],
            Attributes = attributes,
            Types = InputTypes.Same(types),
            Shapes = ShapeRules.SameAsFirst,
        };

    /// <summary>A two-input broadcasting operator <c>(self, other, out)</c>.</summary>
    private static AclnnOperator Binary(string name, AclnnFunction function, DataTypeSet types, OperatorOutput output) => new(name, function)
    {
        Inputs = ["self", "other"],
        Outputs = [output],
        Types = InputTypes.Same(types),
        Shapes = ShapeRules.Broadcast,
    };

    internal static readonly AclnnOperator Neg = Unary("Ops.Neg", AclnnFunctions.Neg, DataTypeSet.SignedNumbers, "output");

    internal static readonly AclnnOperator Exp = Unary("Ops.Exp", AclnnFunctions.Exp, DataTypeSet.FloatingOrInt64Bool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Sqrt = Unary("Ops.Sqrt", AclnnFunctions.Sqrt, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Rsqrt = Unary("Ops.Rsqrt", AclnnFunctions.Rsqrt, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Div = Binary("Ops.Div", AclnnFunctions.Div, DataTypeSet.FloatingOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Maximum = Binary("Ops.Maximum", AclnnFunctions.Maximum, DataTypeSet.Any, "output");

    internal static readonly AclnnOperator Minimum = Binary("Ops.Minimum", AclnnFunctions.Minimum, DataTypeSet.Any, "output");

    internal static readonly AclnnOperator Adds = Unary("Ops.Adds", AclnnFunctions.Adds, DataTypeSet.Any, "output",
        OperatorAttribute.Scalar("other"), OperatorAttribute.Scalar("alpha"));

    internal static readonly AclnnOperator Muls = Unary("Ops.Muls", AclnnFunctions.Muls, DataTypeSet.Any, "output", OperatorAttribute.Scalar("other"));

    internal static readonly AclnnOperator Where = new("Ops.Where", AclnnFunctions.SWhere)
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

    internal static readonly AclnnOperator InplaceMaskedFill = new("Ops.InplaceMaskedFill", AclnnFunctions.InplaceMaskedFillScalar)
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
