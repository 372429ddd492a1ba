using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>
/// One HCCL collective as stream work: recorded into a capture like an operator (its input read, its output written),
/// refused in task-group updates, a failure is an <see cref="HcclException"/> that poisons the capture.
/// </summary>
internal readonly unsafe struct CollectiveWork : IStreamWork
{
    private readonly string _function;
    private readonly HcclComm _comm;
    private readonly NpuTensor? _input, _output;
    private readonly ulong _count;
    private readonly HcclDataType _type;
    private readonly NpuReduceOp _op;
    private readonly int _peer;   // root of a broadcast, destination of a send, source of a receive

    public CollectiveWork(string function, HcclComm comm, NpuTensor? input, NpuTensor? output, ulong count, HcclDataType type,
        NpuReduceOp op = default, int peer = 0)
    {
        _function = function;
        _comm = comm;
        _input = input;
        _output = output;
        _count = count;
        _type = type;
        _op = op;
        _peer = peer;
    }

    public static StreamWorkKind Kind => StreamWorkKind.Collective;
    public string Function => _function;
    public string Operation => _function;
    public object? Subject => null;
    public int BufferCount => 2;

    public BufferUse Buffer(int index) => index == 0
        ? (_input is null ? default : BufferUse.Of(_input, BufferAccess.Read))
        : (_output is null ? default : BufferUse.Of(_output, BufferAccess.Write));

    public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
    {
        workspaceBytes = 0;
        return 0;
    }

    public int Launch(in StreamLaunch launch)
    {
        var stream = launch.Stream;
        void* send = _input is null ? null : (void*)_input.DataPointer;
        void* receive = _output is null ? null : (void*)_output.DataPointer;
        return (int)(_function switch
        {
            nameof(Hccl.HcclAllReduce) => Hccl.HcclAllReduce(send, receive, _count, _type, (HcclReduceOp)_op, _comm, stream),
            nameof(Hccl.HcclAllGather) => Hccl.HcclAllGather(send, receive, _count, _type, _comm, stream),
            nameof(Hccl.HcclReduceScatter) => Hccl.HcclReduceScatter(send, receive, _count, _type, (HcclReduceOp)_op, _comm, stream),
            nameof(Hccl.HcclBroadcast) => Hccl.HcclBroadcast(send, _count, _type, (uint)_peer, _comm, stream),
            nameof(Hccl.HcclSend) => Hccl.HcclSend(send, _count, _type, (uint)_peer, _comm, stream),
            nameof(Hccl.HcclRecv) => Hccl.HcclRecv(receive, _count, _type, (uint)_peer, _comm, stream),
            _ => Hccl.HcclBarrier(_comm, stream),
        });
    }

    public void Abandon() { }

    public Exception Failure(int code, StreamWorkPhase phase) => NpuCommunicator.Failure((HcclStatus)code, _function, _function switch
    {
        nameof(Hccl.HcclAllReduce) => $"all-reduce ({_op}) of {_input}",
        nameof(Hccl.HcclAllGather) => $"all-gather of {_input}",
        nameof(Hccl.HcclReduceScatter) => $"reduce-scatter ({_op}) of {_input}",
        nameof(Hccl.HcclBroadcast) => $"broadcast of {_input} from rank {_peer}",
        nameof(Hccl.HcclSend) => $"send of {_input} to rank {_peer}",
        nameof(Hccl.HcclRecv) => $"receive into {_output} from rank {_peer}",
        _ => "barrier",
    });
}
