using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// An external event record (<c>aclrtRecordEventWithFlag</c>, RECORD_EXTERNAL) or wait (<c>aclrtStreamWaitEventWithFlag</c>,
/// WAIT_EXTERNAL) captured into a graph. Device work of the capture, not an ordering inside it: the event is never
/// pulled into the capture (so no stream joins it and the host may wait on it), which is what external means.
/// </summary>
internal readonly struct ExternalEventWork(NpuEvent evt, bool record) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public string Function => record ? nameof(aclrtRecordEventWithFlag) : nameof(aclrtStreamWaitEventWithFlag);
    public string Operation => record ? "NpuGraph.RecordExternal" : "NpuGraph.WaitExternal";
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
        using var lease = evt.Lease();
        var native = NativeHandle.Event(lease.Value);
        // A WAIT_EXTERNAL takes no timeout (0): it waits for the latest record outside the graph at each replay.
        return record
            ? aclrtRecordEventWithFlag(native, launch.Stream, ACL_EVENT_RECORD_EXTERNAL)
            : aclrtStreamWaitEventWithFlag(launch.Stream, native, 0, ACL_EVENT_WAIT_EXTERNAL);
    }

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, Function, $"{Operation} of an external event");
}
