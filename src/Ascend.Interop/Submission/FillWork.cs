using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary><c>aclrtMemsetAsync</c> of a range of device memory with a byte value.</summary>
internal readonly unsafe struct FillWork(nint address, long capacity, long count, byte value, BufferUse written) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.Task;
    public string Function => nameof(aclrtMemsetAsync);
    public string Operation => "an asynchronous fill";
    public object? Subject => null;
    public int BufferCount => 1;
    public BufferUse Buffer(int index) => written;

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch) =>
        aclrtMemsetAsync((void*)address, (nuint)capacity, value, (nuint)count, launch.Stream);

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, nameof(aclrtMemsetAsync), null);
}
