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
    public Exception Failure(int code, StreamWorkPhase phase) => copy.Failure(code, phase);
}
