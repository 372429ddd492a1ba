using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A declared operator's call as stream work: phase 1 (<c>aclnnXxxGetWorkspaceSize</c> of the declaration's
/// <see cref="AclnnFunction"/>, its arguments filled in C order from the <see cref="OperatorCall"/>) as the preparation,
/// phase 2 (<c>aclnnXxx</c>) as the launch; the inputs and tensor lists are read, the outputs written. Lives on the stack
/// of <see cref="AclnnOperator"/>'s launcher.
/// </summary>
internal unsafe ref struct OperatorLaunch(AclnnOperator op, OperatorCall call) : IStreamWork
{
    private readonly OperatorCall _call = call;
    private OperatorExecutor _executor;

    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public readonly string Function => op.Function;
    public readonly string Operation => op.Name;
    public readonly object? Subject => null;

    public readonly int BufferCount => _call.Tensors.Length + _call.List(0).Length + _call.List(1).Length;

    public readonly BufferUse Buffer(int index)
    {
        var tensors = _call.Tensors;
        if (index < tensors.Length)
        {
            var tensor = tensors[index];
            if (tensor is null) return default;   // an absent optional input
            return BufferUse.Of(tensor, index < op.InputCount ? BufferAccess.Read : BufferAccess.Write);
        }
        index -= tensors.Length;
        var list = _call.List(0);
        if (index >= list.Length)
        {
            index -= list.Length;
            list = _call.List(1);
        }
        return BufferUse.Of(list[index], BufferAccess.Read);
    }

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        ulong bytes;
        aclOpExecutor* executor;
        var function = op.CFunction;
        Span<nint> arguments = stackalloc nint[function.ArgumentCount];   // at most AclnnFunction.MaxArguments
        op.FillArguments(in _call, arguments);
        int code = function.WorkspaceSize(arguments, &bytes, &executor);
        workspaceBytes = bytes;
        return _executor.Prepared(code, executor);
    }

    public int Launch(in StreamLaunch launch) => _executor.Launch(op.CFunction.Launch, in launch);

    public void Abandon() => _executor.Abandon();

    public readonly Exception Failure(int code, StreamWorkPhase phase) =>
        OperatorExecutor.Failure(code, phase, op.WorkspaceFunction, op.Function, op.Name);
}
