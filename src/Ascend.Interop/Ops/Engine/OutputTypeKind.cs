namespace Ascend.Interop;

/// <summary>How an output's data type follows from the call.</summary>
internal enum OutputTypeKind
{
    /// <summary>The type of input <see cref="OperatorOutput.Source"/> (given outputs must match it: no promotion).</summary>
    SameAsInput,
    /// <summary>Always <see cref="OperatorOutput.Fixed"/>.</summary>
    Fixed,
    /// <summary>The <see cref="NpuDataType"/> in attribute <see cref="OperatorOutput.Source"/>; a given output of any type when the attribute is left out (Cast).</summary>
    FromAttribute,
    /// <summary>Any type; the output must be given (InplaceCopy's destination).</summary>
    Any,
    /// <summary>The type of the first tensor of tensor list <see cref="OperatorOutput.Source"/> (Cat, which has no plain inputs).</summary>
    SameAsList,
    /// <summary>Inferred as <see cref="OperatorOutput.Fixed"/>; a given output of any type receives the result converted (comparisons: BOOL into an int64 word).</summary>
    Converted,
    /// <summary>The type of input <see cref="OperatorOutput.Source"/> when it is floating-point, else float32 (torch's true division and unary math of integers).</summary>
    FloatingOrFloat32,
}
