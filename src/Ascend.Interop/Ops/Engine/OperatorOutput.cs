namespace Ascend.Interop;

/// <summary>One output tensor of a declared operator: its name and its data-type rule. A string converts to an output of the first input's type.</summary>
internal readonly record struct OperatorOutput(string Name, OutputTypeKind Kind = OutputTypeKind.SameAsInput, int Source = 0, NpuDataType Fixed = default)
{
    public static implicit operator OperatorOutput(string name) => new(name);

    /// <summary>An output always of type <paramref name="type"/> (RmsNorm's rstd: float32; ArgMax: int64).</summary>
    public static OperatorOutput Typed(string name, NpuDataType type) => new(name, OutputTypeKind.Fixed, 0, type);

    /// <summary>An output of input <paramref name="input"/>'s type.</summary>
    public static OperatorOutput SameAs(string name, int input) => new(name, OutputTypeKind.SameAsInput, input);

    /// <summary>An output whose type is attribute <paramref name="attribute"/> (an <see cref="NpuDataType"/>).</summary>
    public static OperatorOutput TypeFrom(string name, int attribute) => new(name, OutputTypeKind.FromAttribute, attribute);

    /// <summary>An output of the type of tensor list <paramref name="list"/>'s first element (the list's type checks keep its elements alike).</summary>
    public static OperatorOutput SameAsList(string name, int list) => new(name, OutputTypeKind.SameAsList, list);

    /// <summary>An output inferred as <paramref name="type"/>; a given output of any type receives the result converted to its type.</summary>
    public static OperatorOutput Converted(string name, NpuDataType type) => new(name, OutputTypeKind.Converted, 0, type);

    /// <summary>An output of input <paramref name="input"/>'s type when that is floating-point, else float32.</summary>
    public static OperatorOutput FloatingOrFloat32(string name, int input) => new(name, OutputTypeKind.FloatingOrFloat32, input);

    /// <summary>An output of any type, always given by the caller.</summary>
    public static OperatorOutput AnyType(string name) => new(name, OutputTypeKind.Any);

    /// <summary>The type the rule asks for; <c>(NpuDataType)(-1)</c> when any type is accepted.</summary>
    internal NpuDataType ExpectedType(in OperatorCall call) => Kind switch
    {
        OutputTypeKind.SameAsInput => call.Input(Source)!.DataType,
        OutputTypeKind.Fixed or OutputTypeKind.Converted => Fixed,
        OutputTypeKind.FromAttribute when call.Value(Source).IsPresent => (NpuDataType)call.Long(Source),
        OutputTypeKind.SameAsList => call.List(Source)[0].DataType,
        OutputTypeKind.FloatingOrFloat32 => call.Input(Source)!.DataType is var type && type.IsFloatingPoint() ? type : NpuDataType.Float32,
        _ => AnyDataType,
    };

    /// <summary>"output": the input's type when floating, else float32 (Div, Exp, Sqrt, Rsqrt, Tanh).</summary>
    public static readonly OperatorOutput FloatingOrFloat32Output = FloatingOrFloat32("output", 0);

    /// <summary>"output": bool, converted into a given output of any type (comparisons and logical operators).</summary>
    public static readonly OperatorOutput Comparison = Converted("output", NpuDataType.Bool);

    internal const NpuDataType AnyDataType = (NpuDataType)(-1);

    internal void CheckType(in OperatorCall call, NpuTensor output, NpuDataType expected)
    {
        if (expected == AnyDataType || output.DataType == expected || Kind == OutputTypeKind.Converted) return;
        if (Kind == OutputTypeKind.SameAsInput || (Kind == OutputTypeKind.FloatingOrFloat32 && expected == call.Input(Source)!.DataType))
            OperatorChecks.CheckSameType(call.Name, Name, output, call.Operator.SlotName(Source), call.Input(Source)!);
        else
            OperatorChecks.CheckType(call.Name, Name, output, expected);
    }
}
