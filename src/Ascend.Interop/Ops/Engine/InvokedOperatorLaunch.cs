using System.Reflection;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// An operator run by name through <see cref="Ops.Invoke(NpuStream, string, object?[])"/> as stream work: phase 1 through
/// reflection over the registered bindings (the arguments already marshalled into <paramref name="arguments"/>, whose last
/// two slots receive the workspace size and executor pointers), phase 2 a direct call.
/// </summary>
internal unsafe struct InvokedOperatorLaunch(string function, string name, MethodInfo phase1, object?[] arguments,
    delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int> phase2, List<NpuTensor> inputs, List<NpuTensor> outputs) : IStreamWork
{
    private aclOpExecutor* _executor;

    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public readonly string Function => function;
    public readonly string Operation => name;
    public readonly object? Subject => null;
    public readonly int BufferCount => inputs.Count + outputs.Count;

    public readonly BufferUse Buffer(int index) =>
        index < inputs.Count ? BufferUse.Of(inputs[index], BufferAccess.Read) : BufferUse.Of(outputs[index - inputs.Count], BufferAccess.Write);

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        ulong bytes = 0;
        aclOpExecutor* executor = null;
        arguments[^2] = Pointer.Box(&bytes, typeof(ulong*));
        arguments[^1] = Pointer.Box(&executor, typeof(aclOpExecutor**));
        int code;
        try
        {
            code = (int)phase1.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
        workspaceBytes = bytes;
        _executor = code == 0 ? executor : null;
        return code;
    }

    public int Launch(in StreamLaunch launch)
    {
        var executor = _executor;
        _executor = null;
        return phase2((void*)launch.Workspace, launch.WorkspaceBytes, executor, launch.Stream);
    }

    public void Abandon()
    {
        if (_executor == null) return;
        AclNN.aclDestroyAclOpExecutor(_executor);
        _executor = null;
    }

    public readonly Exception Failure(int code, StreamWorkPhase phase) =>
        OperatorChecks.Failure(code, phase == StreamWorkPhase.Prepare ? function + "GetWorkspaceSize" : function, name);
}
