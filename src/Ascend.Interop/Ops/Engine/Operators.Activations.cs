namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    internal static readonly AclnnOperator Relu = new("Ops.Relu", AclnnFunctions.Relu)
    {
        Inputs = ["self"],
        Shapes = ShapeRules.SameAsFirst,
    };

    internal static readonly AclnnOperator Silu = Unary("Ops.Silu", AclnnFunctions.Silu, DataTypeSet.FloatingPoint, "output");

    internal static readonly AclnnOperator Softmax = Unary("Ops.Softmax", AclnnFunctions.Softmax, DataTypeSet.FloatingPoint, "output", OperatorAttribute.Dim("dim"));

    internal static readonly AclnnOperator Tanh = Unary("Ops.Tanh", AclnnFunctions.Tanh, DataTypeSet.Float16PlusOrIntegerOrBool, OperatorOutput.FloatingOrFloat32Output);

    internal static readonly AclnnOperator Gelu = Unary("Ops.Gelu", AclnnFunctions.Gelu, DataTypeSet.Float16Plus, "output");

    internal static readonly AclnnOperator Sigmoid = Unary("Ops.Sigmoid", AclnnFunctions.Sigmoid, DataTypeSet.Float16Plus, "output");

    internal static readonly AclnnOperator SwiGlu = new("Ops.SwiGlu", AclnnFunctions.SwiGlu)
    {
        Inputs = ["x"],
        Attributes = [OperatorAttribute.Dim("dim")],
        Types = InputTypes.Same(DataTypeSet.Float16Plus),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            var x = c.Input(0)!;
            if (x.Rank == 0) throw new ArgumentException($"{c.Name}: argument 'x' must have at least one dimension.", "x");
            long dim = c.Long(0);
            int d = (int)(dim < 0 ? dim + x.Rank : dim);
            if (x.Shape[d] % 2 != 0)
                throw new ArgumentException($"{c.Name}: argument 'x' has shape {x.Shape}; dimension {d} ({x.Shape[d]}) must be even to split in two halves.", "x");
            // CANN's SwiGlu takes contiguous tensors only.
            if (!x.IsContiguous) throw new ArgumentException($"{c.Name}: argument 'x' must be contiguous (aclnnSwiGlu takes no strided view; use Contiguous()).", "x");
            if (c.Output(0) is { IsContiguous: false })
                throw new ArgumentException($"{c.Name}: argument 'output' must be contiguous (aclnnSwiGlu takes no strided view).", "output");
            var shape = shapes.Scratch(0);
            x.Shape.Dims.CopyTo(shape);
            shape[d] /= 2;
            shapes.SetRank(0, x.Rank);
        },
    };
}
