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
    private readonly ReadOnlySpan<CallBuffer> _buffers;
    private OperatorExecutor _executor;

    public TypedOperatorLaunch(AclnnFunction function, ReadOnlySpan<nint> arguments, ReadOnlySpan<CallBuffer> buffers)
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
    public readonly BufferUse Buffer(int index) => _buffers[index].Use;

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        ulong bytes = 0;
        aclOpExecutor* executor = null;
        int code = _function.WorkspaceSize(_arguments, &bytes, &executor);
        workspaceBytes = bytes;
        return _executor.Prepared(code, executor);
    }

    public int Launch(in StreamLaunch launch) => _executor.Launch(_function.Launch, in launch);

    public void Abandon() => _executor.Abandon();

    public readonly Exception Failure(int code, StreamWorkPhase phase) =>
        OperatorExecutor.Failure(code, phase, _function.WorkspaceFunction, _function.Function, _function.Operation);
}
