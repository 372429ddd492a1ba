using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// One two-phase aclnn operator as a generated typed entry point runs it (<see cref="AclnnOperators"/>, and the
/// <c>CannOperators</c> the bindings generator writes for an installed CANN): its names, its phase 1 reading the
/// arguments an <see cref="AclnnCall"/> made, and its launch. Made once per operator (a static field of the generated
/// class); see docs/operators.md, "Typed operators".
/// </summary>
public sealed unsafe class AclnnFunction
{
    /// <summary>Most C parameters before <c>workspaceSize</c>/<c>executor</c> one operator may have.</summary>
    public const int MaxArguments = 64;

    private readonly delegate*<ReadOnlySpan<nint>, ulong*, aclOpExecutor**, int> _workspaceSize;
    private readonly delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> _launch;
    private volatile bool _exported;

    /// <param name="operation">The entry point's name in messages (<c>"AclnnOperators.Add"</c>).</param>
    /// <param name="function">The launch function's C name (<c>"aclnnAdd"</c>); phase 1 is <c>function + "GetWorkspaceSize"</c>.</param>
    /// <param name="argumentCount">The C parameters before <c>workspaceSize</c>/<c>executor</c> (at most <see cref="MaxArguments"/>).</param>
    /// <param name="workspaceSize">Phase 1: calls <c>aclnnXxxGetWorkspaceSize</c> with argument <c>i</c> read from slot <c>i</c> of the span.</param>
    /// <param name="launch">Phase 2: the raw binding of <c>aclnnXxx</c>.</param>
    /// <param name="library">The logical library exporting both (the raw bindings' <c>"opapi"</c>).</param>
    public AclnnFunction(string operation, string function, int argumentCount,
        delegate*<ReadOnlySpan<nint>, ulong*, aclOpExecutor**, int> workspaceSize,
        delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> launch, string library = "opapi")
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentOutOfRangeException.ThrowIfNegative(argumentCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(argumentCount, MaxArguments);
        if (workspaceSize == null) throw new ArgumentNullException(nameof(workspaceSize));
        if (launch == null) throw new ArgumentNullException(nameof(launch));
        Operation = operation;
        Function = function;
        WorkspaceFunction = function + "GetWorkspaceSize";
        ArgumentCount = argumentCount;
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
    public int ArgumentCount { get; }

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
