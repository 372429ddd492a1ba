using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtStreamWaitEvent</c>: work submitted to the stream afterwards waits until the event completes.</summary>
internal readonly struct EventWaitCall(NpuEvent evt) : IRuntimeCall
{
    public static StreamWorkKind Kind => StreamWorkKind.EventWait;
    public static string Function => nameof(aclrtStreamWaitEvent);
    public static string Operation => "NpuStream.Wait";
    public object Subject => evt;

    public int Call(Native.aclrtStream stream)
    {
        using var lease = evt.Enter();
        return aclrtStreamWaitEvent(stream, NativeHandle.Event(lease.Value));
    }

    public void Abandon() { }
}
