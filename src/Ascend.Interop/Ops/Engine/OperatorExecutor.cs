using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The single-use <c>aclOpExecutor</c> between an operator's two phases, as every operator launch holds it (declared,
/// typed, invoked): kept when phase 1 succeeds, consumed by the launch whatever its outcome, destroyed when the work is
/// abandoned (refused, a dry update pass, no workspace).
/// </summary>
internal unsafe struct OperatorExecutor
{
    private aclOpExecutor* _executor;

    /// <summary>Phase 1 returned <paramref name="code"/> with <paramref name="executor"/>; returns the code.</summary>
    public int Prepared(int code, aclOpExecutor* executor)
    {
        _executor = code == 0 ? executor : null;
        return code;
    }

    /// <summary>Phase 2 on the launch's stream and workspace.</summary>
    public int Launch(delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> launch, in StreamLaunch on)
    {
        var executor = _executor;
        _executor = null;
        return launch((void*)on.Workspace, on.WorkspaceBytes, executor, on.Stream);
    }

    public void Abandon()
    {
        if (_executor == null) return;
        AclNN.aclDestroyAclOpExecutor(_executor);
        _executor = null;
    }

    /// <summary>The exception for a failure of phase 1 (<paramref name="workspaceFunction"/>) or of the launch (<paramref name="function"/>).</summary>
    public static Exception Failure(int code, StreamWorkPhase phase, string workspaceFunction, string function, string operation) =>
        OperatorChecks.Failure(code, phase == StreamWorkPhase.Prepare ? workspaceFunction : function, operation);
}
