using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// A copy between device memory and pageable (managed) host memory, ordered on a stream: the runtime turns it into a
/// stream synchronization plus a synchronous copy, so the capture protocol refuses it on a capturing stream and applies
/// the unsafe-call rules of captures elsewhere (CANN: 107041).
/// </summary>
internal readonly struct PageableCopyWork(CopyWork copy, string operation) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.PageableCopy;
    public string Function => copy.Function;
    public string Operation => operation;
    public object? Subject => null;
    public int BufferCount => copy.BufferCount;
    public BufferUse Buffer(int index) => copy.Buffer(index);
    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes) => copy.Prepare(in launch, out workspaceBytes);
    public int Launch(in StreamLaunch launch) => copy.Launch(in launch);
    public void Abandon() { }

    /// <summary>
    /// The submission checked the capture rules before the runtime call; a capture that began on another thread in
    /// between makes the runtime refuse the copy itself (107041). That refusal is the same rule, so it is reported as
    /// the same <see cref="NpuCaptureException"/>, not as a plain <see cref="AclException"/>.
    /// </summary>
    public Exception Failure(int code, StreamWorkPhase phase) =>
        code == ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC
            ? new NpuCaptureException(code, copy.Function, operation + " (a pageable copy, which the runtime performs synchronously)",
                "a capture that forbids synchronous copies began while the copy was being submitted (a Global capture on this device, " +
                "or one on this thread). Use pinned host memory (EnqueueCopyFrom/EnqueueCopyTo with a PinnedBuffer<T>), copy before the capture, " +
                "or switch this thread to Relaxed with NpuGraph.ExchangeThreadCaptureMode.", mode: null, AclCheck.RecentMessage())
            : copy.Failure(code, phase);
}
