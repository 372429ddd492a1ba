using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A generated typed operator's call as stream work (<see cref="AclnnCall.Submit"/>): phase 1 (the generated function
/// reading the call's argument slots) as the preparation, phase 2 as the launch; the buffers are the tensors the call
/// named with their access. Lives on the stack of <see cref="AclnnCall.Submit"/>.
/// </summary>
internal unsafe ref struct TypedOperatorLaunch : IStreamWork
{
    private readonly AclnnFunction _function;
    private readonly ReadOnlySpan<nint> _arguments;
    private readonly ReadOnlySpan<BufferUse> _buffers;
    private aclOpExecutor* _executor;

    public TypedOperatorLaunch(AclnnFunction function, ReadOnlySpan<nint> arguments, ReadOnlySpan<BufferUse> buffers)
    {
        _function = function;
        _arguments = arguments;
        _buffers = buffers;
    }

    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public readonly string Function => _function.Function;
    public readonly string Operation => _function.Operation;
    public readonly object? Subject => null;
    public readonly int BufferCount => _buffers.Length;
    public readonly BufferUse Buffer(int index) => _buffers[index];

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        ulong bytes = 0;
        aclOpExecutor* executor = null;
        int code = _function.WorkspaceSize(_arguments, &bytes, &executor);
        workspaceBytes = bytes;
        _executor = code == 0 ? executor : null;
        return code;
    }

    public int Launch(in StreamLaunch launch)
    {
        // The launch consumes the single-use executor, whatever its outcome.
        var executor = _executor;
        _executor = null;
        return _function.Launch((void*)launch.Workspace, launch.WorkspaceBytes, executor, launch.Stream);
    }

    public void Abandon()
    {
        if (_executor == null) return;
        AclNN.aclDestroyAclOpExecutor(_executor);
        _executor = null;
    }

    public readonly Exception Failure(int code, StreamWorkPhase phase) =>
        OperatorChecks.Failure(code, phase == StreamWorkPhase.Prepare ? _function.WorkspaceFunction : _function.Function, _function.Operation);
}
