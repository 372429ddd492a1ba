using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtLaunchCallback</c>: a host function run once the work queued before it has completed.</summary>
internal readonly unsafe struct HostCallbackCall(NpuStream.HostCallback state, delegate* unmanaged<void*, void> function, bool blocking) : IRuntimeCall
{
    public static StreamWorkKind Kind => StreamWorkKind.HostCallback;
    public static string Function => nameof(aclrtLaunchCallback);
    public static string Operation => "NpuStream.LaunchHostCallback";
    public object Subject => state;

    public int Call(Native.aclrtStream stream)
    {
        int code = aclrtLaunchCallback(function, (void*)state.Handle,
            blocking ? Native.aclrtCallbackBlockType.ACL_CALLBACK_BLOCK : Native.aclrtCallbackBlockType.ACL_CALLBACK_NO_BLOCK, stream);
        if (code != 0) Abandon();   // refused: the callback will never run
        return code;
    }

    /// <summary>Never launched (or refused): nobody will run the callback, so its handle goes now.</summary>
    public void Abandon() => System.Runtime.InteropServices.GCHandle.FromIntPtr(state.Handle).Free();
}
