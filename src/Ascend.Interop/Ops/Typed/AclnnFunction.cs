using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// One two-phase aclnn operator as a generated typed entry point (<see cref="AclnnOperators"/>, and the
/// <c>CannOperators</c> the bindings generator writes for an installed CANN) and a declared operator of the engine run
/// it: its names, its C parameters (kinds and names, which the engine's declarations bind by name), its phase 1 reading
/// the arguments from a span in C order, and its launch. Made once per operator (a static field of the generated
/// <c>AclnnFunctions</c>/<c>CannFunctions</c>); see docs/operators.md, "Adding an operator" and "Typed operators".
/// </summary>
public sealed unsafe class AclnnFunction
{
    /// <summary>Most C parameters before <c>workspaceSize</c>/<c>executor</c> one operator may have.</summary>
    public const int MaxArguments = 64;

    private readonly delegate*<ReadOnlySpan<nint>, ulong*, aclOpExecutor**, int> _workspaceSize;
    private readonly delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> _launch;
    private readonly string[] _names;
    private readonly AclnnParameterKind[] _kinds;
    private readonly bool[] _optional;
    private volatile bool _exported;

    /// <param name="operation">The entry point's name in messages (<c>"AclnnOperators.Add"</c>).</param>
    /// <param name="function">The launch function's C name (<c>"aclnnAdd"</c>); phase 1 is <c>function + "GetWorkspaceSize"</c>.</param>
    /// <param name="parameters">
    /// The C parameters before <c>workspaceSize</c>/<c>executor</c> (at most <see cref="MaxArguments"/>), in order, as
    /// comma-separated "kind name" pairs, a name ending in '?' when the parameter is optional:
    /// <c>"tensor self, tensor other, scalar alpha, tensor out"</c>. Kinds: tensor, tensorList, scalar, intArray,
    /// floatArray, boolArray, string, dataType, bool, integer (any width, or an enum), floating (float or double).
    /// </param>
    /// <param name="workspaceSize">Phase 1: calls <c>aclnnXxxGetWorkspaceSize</c> with argument <c>i</c> read from slot <c>i</c> of the span.</param>
    /// <param name="launch">Phase 2: the raw binding of <c>aclnnXxx</c>.</param>
    /// <param name="library">The logical library exporting both (the raw bindings' <c>"opapi"</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not such a list.</exception>
    public AclnnFunction(string operation, string function, string parameters,
        delegate*<ReadOnlySpan<nint>, ulong*, aclOpExecutor**, int> workspaceSize,
        delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> launch, string library = "opapi")
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(parameters);
        if (workspaceSize == null) throw new ArgumentNullException(nameof(workspaceSize));
        if (launch == null) throw new ArgumentNullException(nameof(launch));
        Operation = operation;
        Function = function;
        WorkspaceFunction = function + "GetWorkspaceSize";
        (_names, _kinds, _optional) = Parse(parameters);
        Parameters = parameters;
        Library = library;
        AllowsInPlace = TensorLayout.AllowsInPlace(operation);
        _workspaceSize = workspaceSize;
        _launch = launch;
    }

    /// <summary>"AclnnOperators.Add".</summary>
    public string Operation { get; }

    /// <summary>"aclnnAdd".</summary>
    public string Function { get; }

    /// <summary>"aclnnAddGetWorkspaceSize".</summary>
    public string WorkspaceFunction { get; }

    /// <summary>The C parameters before <c>workspaceSize</c>/<c>executor</c>.</summary>
    public int ArgumentCount => _names.Length;

    /// <summary>The C parameters as given to the constructor (<c>"tensor self, tensor other, scalar alpha, tensor out"</c>).</summary>
    public string Parameters { get; }

    /// <summary>The C name of parameter <paramref name="index"/> (without the optional marker).</summary>
    internal string ParameterName(int index) => _names[index];

    internal AclnnParameterKind ParameterKind(int index) => _kinds[index];

    /// <summary>The header marks parameter <paramref name="index"/> optional (a pointer that may be null).</summary>
    internal bool IsOptionalParameter(int index) => _optional[index];

    /// <summary>The index of the C parameter named <paramref name="name"/>, or -1.</summary>
    internal int IndexOf(string name) => Array.IndexOf(_names, name);

    private static (string[] Names, AclnnParameterKind[] Kinds, bool[] Optional) Parse(string parameters)
    {
        string[] items = parameters.Length == 0 ? [] : parameters.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length > MaxArguments)
            throw new ArgumentException($"{items.Length} parameters; at most {MaxArguments}.", nameof(parameters));
        var names = new string[items.Length];
        var kinds = new AclnnParameterKind[items.Length];
        var optional = new bool[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            string[] parts = items[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new ArgumentException($"parameter {i} '{items[i]}' is not \"kind name\".", nameof(parameters));
            kinds[i] = parts[0] switch
            {
                "tensor" => AclnnParameterKind.Tensor,
                "tensorList" => AclnnParameterKind.TensorList,
                "scalar" => AclnnParameterKind.Scalar,
                "intArray" => AclnnParameterKind.IntArray,
                "floatArray" => AclnnParameterKind.FloatArray,
                "boolArray" => AclnnParameterKind.BoolArray,
                "string" => AclnnParameterKind.String,
                "dataType" => AclnnParameterKind.DataType,
                "bool" => AclnnParameterKind.Bool,
                "integer" => AclnnParameterKind.Integer,
                "floating" => AclnnParameterKind.Floating,
                _ => throw new ArgumentException($"parameter {i} '{items[i]}': unknown kind '{parts[0]}'.", nameof(parameters)),
            };
            optional[i] = parts[1].EndsWith('?');
            names[i] = parts[1].TrimEnd('?');
            if (names[i].Length == 0 || Array.IndexOf(names, names[i], 0, i) >= 0)
                throw new ArgumentException($"parameter {i} '{items[i]}': the name is empty or repeated.", nameof(parameters));
        }
        return (names, kinds, optional);
    }

    /// <summary>The logical library exporting both phases.</summary>
    public string Library { get; }

    /// <summary>True when a written tensor may be the very same view as a read one (element-wise and <c>Inplace*</c> operators: <see cref="TensorLayout.AllowsInPlace"/>).</summary>
    internal bool AllowsInPlace { get; }

    internal delegate*<ReadOnlySpan<nint>, ulong*, aclOpExecutor**, int> WorkspaceSize => _workspaceSize;
    internal delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> Launch => _launch;

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> unless the loaded libraries export both phases (looked up until found once):
    /// an operator of a CANN binding run on the simulator fails here, before anything is created.
    /// </summary>
    internal void RequireExports()
    {
        if (_exported) return;
        if (!NativeLibraryResolver.TryGetExport(Library, WorkspaceFunction, out _) || !NativeLibraryResolver.TryGetExport(Library, Function, out _))
        {
            throw new NotSupportedException(NativeLibraryResolver.Backend == NativeBackend.Simulator
                ? $"{Operation}: {Function} is not simulated: libascend_sim.so does not export {WorkspaceFunction}/{Function}."
                : $"{Operation}: {Function} is not exported by the loaded CANN operator libraries ({string.Join(", ", NativeLibraryResolver.LoadedLibraries)}).");
        }
        _exported = true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Operation} ({Function})";
}
