namespace Ascend.Interop.BindingsGenerator;

/// <summary>Pairs phase-1 functions with their launch and classifies their parameters (CANN's headers and our own).</summary>
internal static class OperatorPairing
{
    /// <summary>Every two-phase operator among <paramref name="functions"/>, sorted by name.</summary>
    public static List<OperatorDef> Find(IEnumerable<FunctionDef> functions, HashSet<string> enumTypes, string className)
    {
        var byName = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        foreach (FunctionDef f in functions)
        {
            byName.TryAdd(f.Name, f);
        }
        return byName.Values.OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => PhaseOne(f, byName, enumTypes, className)).OfType<OperatorDef>().ToList();
    }

    /// <summary>The operator whose phase 1 <paramref name="f"/> is, or null (not named or shaped like one).</summary>
    public static OperatorDef? PhaseOne(FunctionDef f, IReadOnlyDictionary<string, FunctionDef> functions, HashSet<string> enumTypes, string className)
    {
        const string Suffix = "GetWorkspaceSize";
        if (!f.Name.EndsWith(Suffix, StringComparison.Ordinal) || f.Name.Length <= "acl".Length + Suffix.Length || f.Params.Count < 2
            || f.Params[^2].CSharpType != "ulong*" || f.Params[^1].CSharpType != "aclOpExecutor**")
        {
            return null;
        }
        string name = f.Name[..^Suffix.Length];
        FunctionDef? launch = functions.TryGetValue(name, out FunctionDef? l) && IsLaunch(l) ? l : null;
        var parameters = f.Params.Take(f.Params.Count - 2).Select(p => new OperatorParam(p.Name, p.CType, p.CSharpType, KindOf(p, enumTypes, className),
            p.CType.TrimStart().StartsWith("const ", StringComparison.Ordinal))).ToList();
        return new OperatorDef(name, f.Header, f, launch, parameters);
    }

    private static bool IsLaunch(FunctionDef f) =>
        f.Params.Count == 4 && f.Params[0].CSharpType == "void*" && f.Params[1].CSharpType == "ulong"
        && f.Params[2].CSharpType == "aclOpExecutor*" && f.Params[3].CSharpType == "aclrtStream";

    private static OperatorParamKind KindOf(ParamDef p, HashSet<string> enumTypes, string className)
    {
        string cType = p.CType.Replace("const ", "", StringComparison.Ordinal).Trim();
        return p.CSharpType switch
        {
            "aclTensor*" => OperatorParamKind.Tensor,
            "aclTensorList*" => OperatorParamKind.TensorList,
            "aclScalar*" => OperatorParamKind.Scalar,
            "aclIntArray*" => OperatorParamKind.IntArray,
            "aclFloatArray*" => OperatorParamKind.FloatArray,
            "aclBoolArray*" => OperatorParamKind.BoolArray,
            "aclDataType" => OperatorParamKind.DataType,
            "float" or "double" => OperatorParamKind.Floating,
            "byte" when cType is "bool" or "_Bool" => OperatorParamKind.Bool,
            "sbyte*" when cType is "char *" => OperatorParamKind.String,
            "sbyte" or "byte" or "short" or "ushort" or "int" or "uint" or "long" or "ulong" or "nint" or "nuint" => OperatorParamKind.Integer,
            var cs when cs == "aclScalarList*" || cs == className + ".aclScalarList*" => OperatorParamKind.ScalarList,
            var cs when enumTypes.Contains(cs) => OperatorParamKind.Enum,
            _ => OperatorParamKind.Other,
        };
    }

}
