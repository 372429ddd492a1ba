using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// Writes the typed, allocation-free C# entry points of two-phase operators: one static method per operator
/// (<c>AclnnOperators.Add(stream, self, other, alpha, @out)</c>) over <c>Ascend.Interop.AclnnCall</c>, which runs it
/// through the declared operators' launch path. Parameters map as docs/operators.md ("Typed operators") lists; an
/// operator with a parameter that has no typed form (a raw pointer, an <c>aclScalarList</c>) or without a launch
/// function is left out with its reason. Output is sorted and byte-stable.
/// </summary>
internal static partial class TypedOperatorEmitter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>The typed class for raw class <paramref name="rawClass"/>: "AclnnOps" -> "AclnnOperators", "CannOps" -> "CannOperators".</summary>
    public static string ClassFor(string rawClass) =>
        (rawClass.EndsWith("Ops", StringComparison.Ordinal) ? rawClass[..^3] : rawClass) + "Operators";

    /// <param name="operators">The operators (phase 1 paired with its launch).</param>
    /// <param name="rawClass">The raw bindings class holding both phases, as C# in namespace Ascend.Interop with Ascend.Interop.Native imported.</param>
    /// <param name="className">The typed class.</param>
    /// <param name="library">The logical library of the raw bindings (<c>"opapi"</c>).</param>
    /// <param name="banner">The auto-generated banner (what generated it, how to regenerate).</param>
    public static TypedOperators Emit(IReadOnlyList<OperatorDef> operators, string rawClass, string className, string library, string banner)
    {
        var skipped = new List<SkippedOperator>();
        var members = new List<string>();
        var functions = new List<string>();
        string functionsClass = FunctionsClassFor(className);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (OperatorDef op in operators)
        {
            if (SkipReason(op) is { } reason)
            {
                skipped.Add(new SkippedOperator(op.Name, op.Header, reason));
                continue;
            }
            string method = MethodName(op.Name);
            if (!names.Add(method))
            {
                method = op.Name;   // two operators strip to one name (aclnnFoo, aclFoo): the later keeps its C name
                names.Add(method);
            }
            members.Add(EmitOperator(op, functionsClass, method));
            functions.Add(EmitFunction(op, rawClass, className, method, library));
        }
        var sb = new StringBuilder();
        sb.Append(banner);
        sb.Append("#nullable enable\n\n");
        sb.Append("using Ascend.Interop.Native;\n\n");
        sb.Append("namespace Ascend.Interop;\n\n");
        sb.Append("/// <summary>\n");
        sb.Append("/// Typed entry points of the two-phase operators of <see cref=\"").Append(rawClass).Append("\"/>, one per operator: the C parameters\n");
        sb.Append("/// before <c>workspaceSize</c>/<c>executor</c> as SDK types (<see cref=\"NpuTensor\"/>, <see cref=\"NpuScalar\"/>, spans, strings,\n");
        sb.Append("/// plain values), run through the declared operators' launch path (<see cref=\"AclnnCall\"/>). Managed checks: stream and\n");
        sb.Append("/// tensors (null, disposed, device), and the declared operators' output rules for written tensors (no broadcast or\n");
        sb.Append("/// self-overlapping view, no memory shared with another output or, but for the very same view in place, an input);\n");
        sb.Append("/// shapes and data types are the runtime's to refuse (<see cref=\"AclException\"/> naming the C function). No call\n");
        sb.Append("/// allocates managed memory. See docs/operators.md, \"Typed operators\".\n");
        sb.Append("/// </summary>\n");
        sb.Append("public static unsafe partial class ").Append(className).Append('\n');
        sb.Append("{\n");
        sb.Append(string.Join("\n", members));
        sb.Append("}\n");
        var fb = new StringBuilder();
        fb.Append(banner);
        fb.Append("#nullable enable\n\n");
        fb.Append("using Ascend.Interop.Native;\n\n");
        fb.Append("namespace Ascend.Interop;\n\n");
        fb.Append("/// <summary>\n");
        fb.Append("/// The two-phase operators of <see cref=\"").Append(rawClass).Append("\"/> as <see cref=\"AclnnFunction\"/>s, one field per operator:\n");
        fb.Append("/// names, C parameters (kind, name, optional), phase 1 reading its arguments from a span in C order, the launch.\n");
        fb.Append("/// The typed entry points (<see cref=\"").Append(className).Append("\"/>) and the operator engine's declarations run them.\n");
        fb.Append("/// </summary>\n");
        fb.Append("internal static unsafe class ").Append(functionsClass).Append('\n');
        fb.Append("{\n");
        fb.Append(string.Join("\n", functions));
        fb.Append("}\n");
        return new TypedOperators(sb.ToString(), functionsClass, fb.ToString(), members.Count, skipped);
    }

    /// <summary>The class of the <c>AclnnFunction</c> fields for typed class <paramref name="className"/>: "AclnnOperators" -> "AclnnFunctions".</summary>
    public static string FunctionsClassFor(string className) =>
        (className.EndsWith("Operators", StringComparison.Ordinal) ? className[..^"Operators".Length] : className) + "Functions";

    /// <summary>The kind word of <c>AclnnFunction.Parameters</c> for <paramref name="p"/>.</summary>
    private static string KindWord(OperatorParam p) => p.Kind switch
    {
        OperatorParamKind.Tensor => "tensor",
        OperatorParamKind.TensorList => "tensorList",
        OperatorParamKind.Scalar => "scalar",
        OperatorParamKind.IntArray => "intArray",
        OperatorParamKind.FloatArray => "floatArray",
        OperatorParamKind.BoolArray => "boolArray",
        OperatorParamKind.String => "string",
        OperatorParamKind.DataType => "dataType",
        OperatorParamKind.Bool => "bool",
        OperatorParamKind.Floating => "floating",
        OperatorParamKind.Integer or OperatorParamKind.Enum => "integer",
        _ => throw new InvalidOperationException($"parameter '{p.Name}' ({p.CType}) has no kind word"),
    };

    /// <summary>One <c>AclnnFunction</c> field and its phase-1 reader.</summary>
    private static string EmitFunction(OperatorDef op, string rawClass, string className, string method, string library)
    {
        var comments = ParamComments(op);
        var ps = op.Parameters;
        string phase1 = method + "WorkspaceSize";
        string parameters = string.Join(", ", ps.Select(p => KindWord(p) + " " + p.Name + (IsOptional(p, comments) ? "?" : "")));
        var sb = new StringBuilder();
        sb.Append("    /// <summary><c>").Append(op.Name).Append("</c> (<c>").Append(Xml(op.Header)).Append("</c>).</summary>\n");
        sb.Append("    internal static readonly AclnnFunction ").Append(method).Append(" = new(").Append(Str(className + "." + method)).Append(", ")
            .Append(Str(op.Name)).Append(", ").Append(Str(parameters)).Append(",\n        &").Append(phase1)
            .Append(", &").Append(rawClass).Append('.').Append(op.Name).Append(", ").Append(Str(library)).Append(");\n\n");

        sb.Append("    private static int ").Append(phase1).Append("(ReadOnlySpan<nint> a, ulong* workspaceSize, aclOpExecutor** executor) =>\n");
        sb.Append("        ").Append(rawClass).Append('.').Append(op.WorkspaceSize.Name).Append('(');
        for (int i = 0; i < ps.Count; i++)
        {
            sb.Append(ReadBack(ps[i], i)).Append(", ");
        }
        sb.Append("workspaceSize, executor);\n");
        return sb.ToString();
    }

    private static string? SkipReason(OperatorDef op)
    {
        if (op.Launch is null)
        {
            return "no launch function " + op.Name + "(void *, uint64_t, aclOpExecutor *, aclrtStream) is declared";
        }
        if (op.Parameters.Count > 64)
        {
            return $"{op.Parameters.Count} parameters (AclnnFunction.MaxArguments is 64)";
        }
        foreach (OperatorParam p in op.Parameters)
        {
            switch (p.Kind)
            {
                case OperatorParamKind.ScalarList:
                    return $"parameter '{p.Name}' ({p.CType}): no aclScalarList constructor is bound (use Ops.Invoke)";
                case OperatorParamKind.Other:
                    return $"parameter '{p.Name}' ({p.CType}) has no typed form (use Ops.Invoke or the raw binding)";
            }
        }
        return null;
    }

    /// <summary>"aclnnAdd" -> "Add", "aclStft" -> "Stft"; a name that would not be an identifier keeps its C name.</summary>
    private static string MethodName(string function)
    {
        string rest = function.StartsWith("aclnn", StringComparison.Ordinal) ? function["aclnn".Length..]
            : function.StartsWith("acl", StringComparison.Ordinal) ? function["acl".Length..] : function;
        return rest.Length > 0 && char.IsAsciiLetterUpper(rest[0]) ? rest : function;
    }

    private static string Id(string name) => Keywords.Contains(name) ? "@" + name : name;

    private static string Str(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Xml(string text) => DocComments.Escape(text);

    /// <summary>CANN's <c>@param [in] name : optional</c> lines of the phase-1 function's comment: direction and status per name.</summary>
    private static Dictionary<string, (string Direction, string Status)> ParamComments(OperatorDef op)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (DocComments.Of("function:" + op.WorkspaceSize.Name) is not { } text)
        {
            return result;
        }
        foreach (Match m in ParamComment().Matches(text))
        {
            result.TryAdd(m.Groups[2].Value, (m.Groups[1].Value.ToLowerInvariant(), m.Groups[3].Value.ToLowerInvariant()));
        }
        return result;
    }

    [GeneratedRegex(@"@param\s*\[\s*([A-Za-z/ ,]+?)\s*\]\s*(\w+)\s*:\s*(\w+)")]
    private static partial Regex ParamComment();

    private static bool IsOptional(OperatorParam p, Dictionary<string, (string Direction, string Status)> comments) =>
        p.Name.EndsWith("Optional", StringComparison.Ordinal) || (comments.TryGetValue(p.Name, out var c) && c.Status == "optional");

    private static bool IsRequired(OperatorParam p, Dictionary<string, (string Direction, string Status)> comments) =>
        !IsOptional(p, comments) && comments.TryGetValue(p.Name, out var c) && c.Status == "required";

    /// <summary>
    /// Written tensors, for the graph record. The name decides (CANN's naming: <c>out</c>, <c>output</c>, <c>...Out</c>
    /// written; <c>...Ref</c> read and written; an <c>Optional</c> suffix aside), as for <c>Ops.Invoke</c>; a header comment
    /// can only add a write (<c>@param [out]</c>, <c>[in/out]</c>): CANN's comments mark most outputs <c>[in]</c> (an input of the
    /// C function), so an <c>[in]</c> says nothing.
    /// </summary>
    private static TensorUse UseOf(OperatorParam p, Dictionary<string, (string Direction, string Status)> comments)
    {
        string name = p.Name.EndsWith("Optional", StringComparison.Ordinal) ? p.Name[..^"Optional".Length] : p.Name;
        TensorUse byName = name.EndsWith("Ref", StringComparison.Ordinal) ? TensorUse.InputOutput
            : name is "out" or "output" || name.EndsWith("Out", StringComparison.Ordinal) ? TensorUse.Output
            : TensorUse.Input;
        if (byName == TensorUse.InputOutput || !comments.TryGetValue(p.Name, out var c) || !c.Direction.Contains("out", StringComparison.Ordinal))
        {
            return byName;
        }
        return c.Direction.Contains("in", StringComparison.Ordinal) ? TensorUse.InputOutput : TensorUse.Output;
    }

    private static string TypedType(OperatorParam p, bool required) => p.Kind switch
    {
        OperatorParamKind.Tensor => required ? "NpuTensor" : "NpuTensor?",
        OperatorParamKind.TensorList => "ReadOnlySpan<NpuTensor>",
        OperatorParamKind.Scalar => "NpuScalar",
        OperatorParamKind.IntArray => "ReadOnlySpan<long>",
        OperatorParamKind.FloatArray => "ReadOnlySpan<float>",
        OperatorParamKind.BoolArray => "ReadOnlySpan<bool>",
        OperatorParamKind.String => "string?",
        OperatorParamKind.DataType => "NpuDataType",
        OperatorParamKind.Bool => "bool",
        _ => p.CSharpType,   // Integer, Floating, Enum: the binding's own type
    };

    /// <summary>How phase 1 reads slot <paramref name="i"/> back as the C argument.</summary>
    private static string ReadBack(OperatorParam p, int i) => p.Kind switch
    {
        OperatorParamKind.DataType => $"(aclDataType)(int)a[{i}]",
        OperatorParamKind.Bool => $"(byte)a[{i}]",
        OperatorParamKind.Floating when p.CSharpType == "float" => $"(float)BitConverter.Int64BitsToDouble(a[{i}])",
        OperatorParamKind.Floating => $"BitConverter.Int64BitsToDouble(a[{i}])",
        OperatorParamKind.Enum => $"({p.CSharpType})(long)a[{i}]",
        _ => $"({p.CSharpType})a[{i}]",   // pointers and integers
    };

    private static string EmitOperator(OperatorDef op, string functionsClass, string method)
    {
        var comments = ParamComments(op);
        var ps = op.Parameters;
        // C names as C# identifiers; "stream" and "call" are the entry point's own.
        string streamName = ps.Any(p => p.Name == "stream") ? "npuStream" : "stream";
        string callName = ps.Any(p => p.Name == "call") ? "aclnnCall" : "call";
        string field = functionsClass + "." + method;
        var sb = new StringBuilder();

        sb.Append("    /// <summary>Runs <c>").Append(op.Name).Append("</c> (<c>").Append(Xml(op.Header)).Append("</c>) on <paramref name=\"").Append(streamName)
            .Append("\"/>: <c>").Append(op.WorkspaceSize.Name).Append("</c>, then the launch.</summary>\n");
        sb.Append("    /// <remarks>C: <c>").Append(Xml(op.WorkspaceSize.Prototype)).Append("</c>").Append(Legend(ps, comments)).Append("</remarks>\n");
        sb.Append("    public static void ").Append(method).Append("(NpuStream ").Append(streamName);
        foreach (OperatorParam p in ps)
        {
            sb.Append(", ").Append(TypedType(p, IsRequired(p, comments))).Append(' ').Append(Id(p.Name));
        }
        sb.Append(")\n    {\n");
        sb.Append("        var ").Append(callName).Append(" = new AclnnCall(").Append(streamName).Append(", ").Append(field).Append(");\n");
        sb.Append("        try\n        {\n");
        foreach (OperatorParam p in ps)
        {
            if (p.Kind == OperatorParamKind.Tensor)
            {
                sb.Append("            ").Append(callName).Append(".Check(").Append(Id(p.Name)).Append(", ").Append(Str(p.Name))
                    .Append(IsRequired(p, comments) ? ", required: true" : "").Append(");\n");
            }
            else if (p.Kind == OperatorParamKind.TensorList)
            {
                sb.Append("            ").Append(callName).Append(".Check(").Append(Id(p.Name)).Append(", ").Append(Str(p.Name)).Append(");\n");
            }
        }
        for (int i = 0; i < ps.Count; i++)
        {
            OperatorParam p = ps[i];
            string n = Id(p.Name);
            string at = i.ToString(CultureInfo.InvariantCulture);
            string optional = IsOptional(p, comments) ? ", optional: true" : "";
            string line = p.Kind switch
            {
                OperatorParamKind.Tensor => UseOf(p, comments) switch
                {
                    TensorUse.Output => $"Output({at}, {n}, {Str(p.Name)})",
                    TensorUse.InputOutput => $"InputOutput({at}, {n}, {Str(p.Name)})",
                    _ => $"Input({at}, {n}, {Str(p.Name)})",
                },
                OperatorParamKind.TensorList => UseOf(p, comments) switch
                {
                    TensorUse.Output => $"OutputList({at}, {n}, {Str(p.Name)}{optional})",
                    TensorUse.InputOutput => $"InputOutputList({at}, {n}, {Str(p.Name)}{optional})",
                    _ => $"InputList({at}, {n}, {Str(p.Name)}{optional})",
                },
                OperatorParamKind.Scalar => $"Scalar({at}, {n}, {Str(p.Name)})",
                OperatorParamKind.IntArray => $"IntArray({at}, {n}, {Str(p.Name)}{optional})",
                OperatorParamKind.FloatArray => $"FloatArray({at}, {n}, {Str(p.Name)}{optional})",
                OperatorParamKind.BoolArray => $"BoolArray({at}, {n}, {Str(p.Name)}{optional})",
                OperatorParamKind.String => $"String({at}, {n}, {Str(p.Name)})",
                OperatorParamKind.Bool => $"Value({at}, {n} ? 1L : 0L)",
                OperatorParamKind.Floating => $"Value({at}, (double){n})",
                _ => $"Value({at}, (long){n})",   // integers, enums, data types
            };
            sb.Append("            ").Append(callName).Append('.').Append(line).Append(";\n");
        }
        sb.Append("            ").Append(callName).Append(".Submit();\n");
        sb.Append("        }\n        finally\n        {\n");
        sb.Append("            ").Append(callName).Append(".Dispose();\n");
        sb.Append("        }\n    }\n");
        return sb.ToString();
    }

    /// <summary>What the mapping decided per parameter, where it is not the plain default: written tensors, optional and required ones.</summary>
    private static string Legend(IReadOnlyList<OperatorParam> ps, Dictionary<string, (string Direction, string Status)> comments)
    {
        var parts = new List<string>();
        foreach (OperatorParam p in ps)
        {
            var notes = new List<string>();
            if (p.Kind is OperatorParamKind.Tensor or OperatorParamKind.TensorList)
            {
                TensorUse use = UseOf(p, comments);
                if (use != TensorUse.Input)
                {
                    notes.Add(use == TensorUse.Output ? "written" : "read and written");
                }
            }
            if (p.Kind is OperatorParamKind.Tensor or OperatorParamKind.TensorList or OperatorParamKind.IntArray or OperatorParamKind.FloatArray
                or OperatorParamKind.BoolArray)
            {
                if (IsOptional(p, comments))
                {
                    notes.Add(p.Kind == OperatorParamKind.Tensor ? "optional: null passes null" : "optional: empty passes null");
                }
                else if (p.Kind == OperatorParamKind.Tensor && IsRequired(p, comments))
                {
                    notes.Add("required");
                }
            }
            if (notes.Count > 0)
            {
                parts.Add($"<c>{p.Name}</c> {string.Join(", ", notes)}");
            }
        }
        return parts.Count == 0 ? "" : "; " + string.Join("; ", parts) + ".";
    }
}
