using System.Globalization;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

// The operators of a CANN include folder as OperatorHeaderParser reads them: what an emitter consumes. Every type
// spelling is C# as it compiles inside namespace Ascend.Interop.Native: the types of our own headers by their C
// names (aclTensor*, aclDataType), types only CANN's headers declare qualified by the generated class
// ("CannOps.Reduction", "CannOps.aclScalarList*").

/// <summary>How a phase-1 parameter is passed, from its C type: what a typed entry point has to build for it.</summary>
internal enum OperatorParamKind
{
    /// <summary><c>aclTensor *</c> (const or not; an optional tensor is a null pointer).</summary>
    Tensor,
    /// <summary><c>aclTensorList *</c>.</summary>
    TensorList,
    /// <summary><c>aclScalar *</c>.</summary>
    Scalar,
    /// <summary><c>aclScalarList *</c>.</summary>
    ScalarList,
    /// <summary><c>aclIntArray *</c> (int64 values).</summary>
    IntArray,
    /// <summary><c>aclFloatArray *</c>.</summary>
    FloatArray,
    /// <summary><c>aclBoolArray *</c>.</summary>
    BoolArray,
    /// <summary><c>char *</c> / <c>const char *</c>: a NUL-terminated string.</summary>
    String,
    /// <summary><c>aclDataType</c>.</summary>
    DataType,
    /// <summary>C <c>bool</c> (bound as <c>byte</c>).</summary>
    Bool,
    /// <summary>An integer of any width (<c>int64_t</c>, <c>int8_t cubeMathType</c>, ...).</summary>
    Integer,
    /// <summary><c>float</c> or <c>double</c>.</summary>
    Floating,
    /// <summary>Any other enum (<c>aclFormat</c>, or one the operator header declares).</summary>
    Enum,
    /// <summary>Anything else: a raw pointer (<c>aclTensor **</c>, <c>void *</c>, <c>int64_t *</c>, a handle, ...).</summary>
    Other,
}

/// <summary>A phase-1 parameter before <c>workspaceSize</c> and <c>executor</c>.</summary>
/// <param name="Name">C parameter name (CANN's: <c>self</c>, <c>out</c>, <c>...Optional</c>, <c>...Ref</c>).</param>
/// <param name="CType">C spelling as declared (<c>const aclTensor *</c>, <c>const aclTensor *&amp;</c>).</param>
/// <param name="CSharpType">Blittable C# spelling (<c>aclTensor*</c>).</param>
/// <param name="Kind">How the value is built.</param>
/// <param name="IsConst">The pointee is const (CANN's inputs; some outputs are const too, e.g. aclnnRelu's out).</param>
internal sealed record OperatorParam(string Name, string CType, string CSharpType, OperatorParamKind Kind, bool IsConst);

/// <summary>
/// One two-phase operator: <c>{Name}GetWorkspaceSize(params..., uint64_t *workspaceSize, aclOpExecutor **executor)</c>
/// and, when the headers declare it, the launch <c>{Name}(void *workspace, uint64_t workspaceSize, aclOpExecutor
/// *executor, aclrtStream stream)</c>.
/// </summary>
/// <param name="Name">The operator's C name, that of its launch function (<c>aclnnAdd</c>, <c>aclnnInplaceCopy</c>, <c>aclStft</c>).</param>
/// <param name="Header">Header of the phase-1 function, relative to the include folder (<c>aclnnop/aclnn_add.h</c>).</param>
/// <param name="WorkspaceSize">The phase-1 function.</param>
/// <param name="Launch">The phase-2 function, or null when no header declares it with the launch signature.</param>
/// <param name="Parameters">Phase-1 parameters before <c>workspaceSize</c> and <c>executor</c>, in order.</param>
internal sealed record OperatorDef(string Name, string Header, FunctionDef WorkspaceSize, FunctionDef? Launch, IReadOnlyList<OperatorParam> Parameters);

/// <summary>An operator header that was not bound: why (its first error), and every error libclang gave.</summary>
internal sealed record SkippedHeader(string Header, string Reason, IReadOnlyList<string> Diagnostics);

/// <summary>A declaration of a bound header that was left out (C++ linkage, an overload, a type that cannot be mapped, ...).</summary>
internal sealed record SkippedDeclaration(string Header, string Name, string Reason);

/// <summary>Everything one run read from a CANN include folder's operator headers.</summary>
internal sealed class OperatorSet
{
    /// <summary>The include folder as shown in output (relative to the repository when inside it).</summary>
    public string IncludeDisplay { get; init; } = "";

    /// <summary>The generated class that holds the functions and nested types (<c>CannOps</c>).</summary>
    public string ClassName { get; init; } = "";

    /// <summary>Every operator header read (<c>aclnnop/*.h</c>), sorted.</summary>
    public List<string> Headers { get; } = [];

    /// <summary>Every bound function (phase-1, launch and other <c>aclnn*</c> functions), sorted by name.</summary>
    public List<FunctionDef> Functions { get; } = [];

    /// <summary>The two-phase operators among <see cref="Functions"/>, sorted by name.</summary>
    public List<OperatorDef> Operators { get; } = [];

    /// <summary>Enums the operator headers (or CANN headers ours lack) declare, emitted nested in the class.</summary>
    public List<EnumDef> Enums { get; } = [];

    /// <summary>Structs (usually opaque, e.g. <c>aclScalarList</c>) only CANN's headers declare, emitted nested.</summary>
    public List<StructDef> Structs { get; } = [];

    public List<SkippedHeader> SkippedHeaders { get; } = [];
    public List<SkippedDeclaration> SkippedDeclarations { get; } = [];

    /// <summary>Mappings worth a note (reference parameters bound as pointers, renamed enums).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The typed emitter's lines (<see cref="TypedOperators.Summary"/>), part of <see cref="Summary"/> once set.</summary>
    public string TypedSummary { get; set; } = "";

    /// <summary>How the headers were parsed ("C++17, &lt;string&gt;, aclnn/aclnn_base.h precompiled").</summary>
    public string ParseMode { get; set; } = "";

    /// <summary>The closing summary: headers read, operators bound, what was skipped and why. Byte-stable.</summary>
    public string Summary()
    {
        int phase1 = Functions.Count(f => f.Name.EndsWith("GetWorkspaceSize", StringComparison.Ordinal));
        int launches = Operators.Count(o => o.Launch is not null);
        int other = Functions.Count - phase1 - launches;
        var sb = new StringBuilder();
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        sb.Append("CANN operator headers of ").Append(IncludeDisplay).Append(" (").Append(ParseMode).Append("):\n");
        sb.Append("  headers read:          ").Append(N(Headers.Count)).Append(" (").Append(N(Headers.Count - SkippedHeaders.Count))
            .Append(" bound, ").Append(N(SkippedHeaders.Count)).Append(" skipped)\n");
        sb.Append("  functions bound:       ").Append(N(Functions.Count)).Append(" (").Append(N(phase1)).Append(" phase-1, ")
            .Append(N(launches)).Append(" launch, ").Append(N(other)).Append(" other)\n");
        sb.Append("  operators:             ").Append(N(Operators.Count)).Append(" (").Append(N(launches)).Append(" with their launch function)\n");
        if (Operators.Any(o => o.Launch is null))
        {
            sb.Append("    without a launch:    ").Append(string.Join(", ", Operators.Where(o => o.Launch is null).Select(o => o.WorkspaceSize.Name))).Append('\n');
        }
        sb.Append("  nested enums:          ").Append(N(Enums.Count));
        if (Enums.Count > 0)
        {
            sb.Append(" (").Append(string.Join(", ", Enums.Select(e => e.Name))).Append(')');
        }
        sb.Append('\n');
        sb.Append("  nested types:          ").Append(N(Structs.Count));
        if (Structs.Count > 0)
        {
            sb.Append(" (").Append(string.Join(", ", Structs.Select(s => s.Name))).Append(')');
        }
        sb.Append('\n');
        sb.Append("  declarations skipped:  ").Append(N(SkippedDeclarations.Count)).Append('\n');
        sb.Append(TypedSummary);
        if (SkippedHeaders.Count > 0)
        {
            sb.Append("headers skipped:\n");
            foreach (SkippedHeader h in SkippedHeaders)
            {
                sb.Append("  ").Append(h.Header).Append(": ").Append(h.Reason).Append('\n');
            }
        }
        if (SkippedDeclarations.Count > 0)
        {
            sb.Append("declarations skipped:\n");
            foreach (SkippedDeclaration d in SkippedDeclarations)
            {
                sb.Append("  ").Append(d.Header).Append(": ").Append(d.Name).Append(": ").Append(d.Reason).Append('\n');
            }
        }
        if (Notes.Count > 0)
        {
            sb.Append("mapped:\n");
            foreach (string note in Notes)
            {
                sb.Append("  ").Append(note).Append('\n');
            }
        }
        return sb.ToString();
    }
}
