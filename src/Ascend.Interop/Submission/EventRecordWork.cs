using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtRecordEvent</c> of an event at the current end of the stream.</summary>
internal readonly struct EventRecordWork(NpuEvent evt) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.EventRecord;
    public string Function => nameof(aclrtRecordEvent);
    public string Operation => "NpuEvent.Record";
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
        return aclrtRecordEvent(NativeHandle.Event(lease.Value), launch.Stream);
    }

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, nameof(aclrtRecordEvent), null);
}
