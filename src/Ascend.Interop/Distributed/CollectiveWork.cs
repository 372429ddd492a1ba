using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>
/// One HCCL collective as stream work: recorded into a capture like an operator (its input read, its output written),
/// refused in task-group updates, a failure is an <see cref="HcclException"/> that poisons the capture.
/// </summary>
/// <param name="function">The HCCL function (<c>nameof(Hccl.HcclAllReduce)</c>, ...; any other name is a barrier).</param>
/// <param name="comm">The communicator.</param>
/// <param name="input">The tensor sent (read), or null.</param>
/// <param name="output">The tensor received (written), or null.</param>
/// <param name="count">Elements per rank.</param>
/// <param name="type">The elements' HCCL type.</param>
/// <param name="op">The reduction of all-reduce and reduce-scatter.</param>
/// <param name="peer">The root of a broadcast, the destination of a send, the source of a receive.</param>
internal readonly unsafe struct CollectiveWork(string function, HcclComm comm, NpuTensor? input, NpuTensor? output, ulong count,
    HcclDataType type, NpuReduceOp op = default, int peer = 0) : IStreamWork
{
    public static StreamWorkKind Kind => StreamWorkKind.Collective;
    public string Function => function;
    public string Operation => function;
    public object? Subject => null;
    public int BufferCount => 2;

    public BufferUse Buffer(int index) => index == 0
        ? (input is null ? default : BufferUse.Of(input, BufferAccess.Read))
        : (output is null ? default : BufferUse.Of(output, BufferAccess.Write));

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch)
    {
        var stream = launch.Stream;
        void* send = input is null ? null : (void*)input.DataPointer;
        void* receive = output is null ? null : (void*)output.DataPointer;
        return (int)(function switch
        {
            nameof(Hccl.HcclAllReduce) => Hccl.HcclAllReduce(send, receive, count, type, (HcclReduceOp)op, comm, stream),
            nameof(Hccl.HcclAllGather) => Hccl.HcclAllGather(send, receive, count, type, comm, stream),
            nameof(Hccl.HcclReduceScatter) => Hccl.HcclReduceScatter(send, receive, count, type, (HcclReduceOp)op, comm, stream),
            nameof(Hccl.HcclBroadcast) => Hccl.HcclBroadcast(send, count, type, (uint)peer, comm, stream),
            nameof(Hccl.HcclSend) => Hccl.HcclSend(send, count, type, (uint)peer, comm, stream),
            nameof(Hccl.HcclRecv) => Hccl.HcclRecv(receive, count, type, (uint)peer, comm, stream),
            _ => Hccl.HcclBarrier(comm, stream),
        });
    }

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => NpuCommunicator.Failure((HcclStatus)code, function, function switch
    {
        nameof(Hccl.HcclAllReduce) => $"all-reduce ({op}) of {input}",
        nameof(Hccl.HcclAllGather) => $"all-gather of {input}",
        nameof(Hccl.HcclReduceScatter) => $"reduce-scatter ({op}) of {input}",
        nameof(Hccl.HcclBroadcast) => $"broadcast of {input} from rank {peer}",
        nameof(Hccl.HcclSend) => $"send of {input} to rank {peer}",
        nameof(Hccl.HcclRecv) => $"receive into {output} from rank {peer}",
        _ => "barrier",
    });
}
