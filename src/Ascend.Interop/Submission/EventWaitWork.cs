using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtStreamWaitEvent</c>: work submitted to the stream afterwards waits until the event completes.</summary>
internal readonly struct EventWaitWork(NpuEvent evt) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.EventWait;
    public string Function => nameof(aclrtStreamWaitEvent);
    public string Operation => "NpuStream.Wait";
    public object? Subject => evt;
    public int BufferCount => 0;
    public BufferUse Buffer(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch)
    {
        using var lease = evt.Enter();
        return aclrtStreamWaitEvent(launch.Stream, NativeHandle.Event(lease.Value));
    }

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, nameof(aclrtStreamWaitEvent), null);
}
