using static Ascend.Interop.OperatorChecks;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    internal static readonly AclnnOperator RmsNorm = new("Ops.RmsNorm", AclnnFunctions.RmsNorm)
    {
        Inputs = ["x", "gamma"],
        Outputs = ["y", OperatorOutput.Typed("rstd", NpuDataType.Float32)],
        Attributes = [OperatorAttribute.NonNegative("epsilon")],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor x = c.Input(0)!, gamma = c.Input(1)!;
            var xs = x.Shape.Dims;
            var gs = gamma.Shape.Dims;
            if (gs.Length < 1 || gs.Length > xs.Length || !xs[(xs.Length - gs.Length)..].SequenceEqual(gs))
                throw new ArgumentException($"{c.Name}: 'gamma' shape {gamma.Shape} must equal the trailing dimensions of 'x' shape {x.Shape}.", nameof(gamma));
            shapes.Set(0, xs);
            var rstd = shapes.Scratch(1);
            xs.CopyTo(rstd);
            rstd[(xs.Length - gs.Length)..xs.Length].Fill(1);
            shapes.SetRank(1, xs.Length);
        },
    };

    internal static readonly AclnnOperator LayerNorm = LayerNormDeclaration(["output"]);

    internal static readonly AclnnOperator LayerNormStatistics = LayerNormDeclaration(["output", "mean", "rstd"]);

    /// <summary>aclnnLayerNorm with the output only (the statistics' optional C parameters pass null) or with mean and rstd.</summary>
    private static AclnnOperator LayerNormDeclaration(OperatorOutput[] outputs) => new("Ops.LayerNorm", AclnnFunctions.LayerNorm)
    {
        Inputs = ["input", "weight?", "bias?"],
        Outputs = outputs,
        Attributes = [OperatorAttribute.NonNegative("epsilon")],
        IntArrays = ["normalizedShape"],
        Binds = [("epsilon", "eps")],
        Types = LayerNormTypes,
        Shapes = LayerNormShapes,
    };

    /// <summary>input floating; weight and bias of input's type or float32, equal to each other when both are given.</summary>
    private static void LayerNormTypes(in OperatorCall c)
    {
        var input = c.Input(0)!;
        if (!DataTypeSet.FloatingPoint.Contains(input.DataType))
            throw new ArgumentException($"{c.Name}: argument 'input' holds {input.DataType}; the operator needs {DataTypeSet.FloatingPoint.Description}.", "input");
        NpuTensor? weight = c.Input(1), bias = c.Input(2);
        foreach (var (tensor, name) in (ReadOnlySpan<(NpuTensor?, string)>)[(weight, "weight"), (bias, "bias")])
        {
            if (tensor is not null && tensor.DataType != input.DataType && tensor.DataType != NpuDataType.Float32)
                throw new ArgumentException($"{c.Name}: argument '{name}' holds {tensor.DataType}; it needs the input's type ({input.DataType}) or Float32.", name);
        }
        if (weight is not null && bias is not null) CheckSameType(c.Name, "bias", bias, "weight", weight);
    }

    /// <summary>normalizedShape = the trailing dimensions of input (= weight's and bias's shapes); output = input's shape; statistics = input's shape with the normalized dimensions set to 1.</summary>
    private static void LayerNormShapes(in OperatorCall c, ref OutputShapes shapes)
    {
        var input = c.Input(0)!;
        var dims = input.Shape.Dims;
        var normalized = c.Ints(0);
        if (normalized.Length > dims.Length || !dims[(dims.Length - normalized.Length)..].SequenceEqual(normalized))
            throw new ArgumentException($"{c.Name}: 'normalizedShape' [{string.Join(", ", normalized.ToArray())}] must equal the trailing dimensions of 'input' shape {input.Shape}.", "normalizedShape");
        for (int i = 1; i <= 2; i++)
        {
            if (c.Input(i) is { } tensor && !tensor.Shape.Dims.SequenceEqual(normalized))
                throw new ArgumentException($"{c.Name}: '{c.Operator.SlotName(i)}' shape {tensor.Shape} must equal 'normalizedShape' [{string.Join(", ", normalized.ToArray())}].", c.Operator.SlotName(i));
        }
        shapes.Set(0, dims);
        if (shapes.Count == 1) return;
        var statistics = shapes.Scratch(1);
        dims.CopyTo(statistics);
        statistics[(dims.Length - normalized.Length)..dims.Length].Fill(1);
        shapes.SetRank(1, dims.Length);
        shapes.Set(2, statistics[..dims.Length]);
    }
}
