using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtLaunchCallback</c>: a host function run once the work queued before it has completed.</summary>
internal readonly unsafe struct HostCallbackWork(NpuStream.HostCallback state, delegate* unmanaged<void*, void> function, bool blocking) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.HostCallback;
    public string Function => nameof(aclrtLaunchCallback);
    public string Operation => "NpuStream.LaunchHostCallback";
    public object? Subject => state;
    public int BufferCount => 0;
    public BufferUse Buffer(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch)
    {
        int code = aclrtLaunchCallback(function, (void*)state.Handle,
            blocking ? Native.aclrtCallbackBlockType.ACL_CALLBACK_BLOCK : Native.aclrtCallbackBlockType.ACL_CALLBACK_NO_BLOCK, launch.Stream);
        if (code != 0) Abandon();   // refused: the callback will never run
        return code;
    }

    /// <summary>Never launched (or refused): nobody will run the callback, so its handle goes now.</summary>
    public void Abandon() => System.Runtime.InteropServices.GCHandle.FromIntPtr(state.Handle).Free();

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, nameof(aclrtLaunchCallback), null);
}
