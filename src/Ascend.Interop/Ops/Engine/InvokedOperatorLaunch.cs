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
    private OperatorExecutor _executor;

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
        return _executor.Prepared(code, executor);
    }

    public int Launch(in StreamLaunch launch) => _executor.Launch(phase2, in launch);

    public void Abandon() => _executor.Abandon();

    public readonly Exception Failure(int code, StreamWorkPhase phase) =>
        OperatorExecutor.Failure(code, phase, function + "GetWorkspaceSize", function, name);
}
