namespace Ascend.Interop;

/// <summary>A runtime call (<see cref="IRuntimeCall"/>) as stream work: no buffers, no preparation, one launch.</summary>
internal readonly struct RuntimeCallWork<TCall>(TCall call) : IStreamWork where TCall : struct, IRuntimeCall
{
    public static StreamWorkKind Kind => TCall.Kind;
    public string Function => TCall.Function;
    public string Operation => TCall.Operation;
    public object? Subject => call.Subject;
    public int BufferCount => 0;
    public BufferUse Buffer(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch) => call.Call(launch.Stream);

    public void Abandon() => call.Abandon();

    public Exception Failure(int code, StreamWorkPhase phase) => AclCheck.Create(code, TCall.Function, null);
}
