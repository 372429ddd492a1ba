using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtRecordEvent</c> of an event at the current end of the stream.</summary>
internal readonly struct EventRecordCall(NpuEvent evt) : IRuntimeCall
{
    public static StreamWorkKind Kind => StreamWorkKind.EventRecord;
    public static string Function => nameof(aclrtRecordEvent);
    public static string Operation => "NpuEvent.Record";
    public object Subject => evt;

    public int Call(Native.aclrtStream stream)
    {
        using var lease = evt.Enter();
        return aclrtRecordEvent(NativeHandle.Event(lease.Value), stream);
    }

    public void Abandon() { }
}
