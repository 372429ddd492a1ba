namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    /// <summary>A matrix product <c>(self, mat2, out, cubeMathType)</c> of two floating operands of one type.</summary>
    private static AclnnOperator MatrixProduct(string name, AclnnFunction function, ShapeRule shapes) => new(name, function)
    {
        Inputs = ["self", "mat2"],
        Attributes = [OperatorAttribute.Enum<CubeMathType>("mathType", 0, 3)],
        Binds = [("mathType", "cubeMathType")],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = shapes,
    };

    internal static readonly AclnnOperator MatMul = MatrixProduct("Ops.MatMul", AclnnFunctions.Matmul, ShapeRules.MatMul);

    internal static readonly AclnnOperator Mm = MatrixProduct("Ops.Mm", AclnnFunctions.Mm, static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, mat2 = c.Input(1)!;
            if (self.Rank != 2 || mat2.Rank != 2)
                throw new ArgumentException($"{c.Name}: both operands must be 2-D matrices; got 'self' {self.Shape} and 'mat2' {mat2.Shape} (use Ops.MatMul for batches and vectors).", self.Rank != 2 ? nameof(self) : nameof(mat2));
            ShapeRules.MatMul(in c, ref shapes);
        });

    internal static readonly AclnnOperator BatchMatMul = MatrixProduct("Ops.BatchMatMul", AclnnFunctions.BatchMatMul, static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, mat2 = c.Input(1)!;
            if (self.Rank != 3 || mat2.Rank != 3)
                throw new ArgumentException($"{c.Name}: both operands must be 3-D [batch, rows, columns]; got 'self' {self.Shape} and 'mat2' {mat2.Shape} (use Ops.MatMul for other ranks).", self.Rank != 3 ? nameof(self) : nameof(mat2));
            var a = self.Shape.Dims;
            var b = mat2.Shape.Dims;
            if (a[2] != b[1])
                throw new ArgumentException($"{c.Name}: inner dimensions differ: 'self' {self.Shape} has {a[2]} columns, 'mat2' {mat2.Shape} has {b[1]} rows.", nameof(mat2));
            if (a[0] != b[0] && a[0] != 1 && b[0] != 1)
                throw new ArgumentException($"{c.Name}: batch sizes {a[0]} ('self') and {b[0]} ('mat2') differ and neither is 1.", nameof(mat2));
            shapes.Set(0, [Math.Max(a[0], b[0]), a[1], b[2]]);
        });
}
