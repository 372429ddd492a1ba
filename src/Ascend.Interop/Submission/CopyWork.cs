using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// <c>aclrtMemcpyAsync</c> between device or pinned host memory the caller keeps alive (and, as
/// <see cref="PageableCopyWork"/>, pageable host memory).
/// </summary>
internal readonly unsafe struct CopyWork(nint destination, long destinationCapacity, nint source, long bytes, Native.aclrtMemcpyKind kind,
    BufferUse written, BufferUse read) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public string Function => nameof(aclrtMemcpyAsync);
    public string Operation => "an asynchronous copy";
    public object? Subject => null;
    public int BufferCount => 2;
    public BufferUse Buffer(int index) => index == 0 ? read : written;

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch) =>
        aclrtMemcpyAsync((void*)destination, (nuint)destinationCapacity, (void*)source, (nuint)bytes, kind, launch.Stream);

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, nameof(aclrtMemcpyAsync), null);
}
