using System.Runtime.CompilerServices;
using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>
/// One rank of an HCCL communicator, bound to one device. Collectives are tasks on the stream you
/// pass: the call returns once the task is queued, results are final when the stream is synchronized,
/// and on a capturing stream (<see cref="NpuStream.BeginCapture"/>) the collective is recorded into the
/// graph and runs at every replay. Every rank must issue the same collectives, with the same counts
/// and types, in the same order. A communicator holds streams of its device's budget until disposed.
/// </summary>
public sealed unsafe class NpuCommunicator : NpuResource
{
    // HCCL calls set their own device: no context is made current for them.
    private NpuCommunicator(CommunicatorHandle handle, NpuDevice device, int rank, int size) : base(handle, context: null)
    {
        Device = device;
        Rank = rank;
        Size = size;
    }

    /// <summary>This rank's index, 0 to <see cref="Size"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>Ranks in the communicator.</summary>
    public int Size { get; }

    /// <summary>The device this rank runs on.</summary>
    public NpuDevice Device { get; }

    /// <summary>
    /// Joins the communicator of <paramref name="rootInfo"/> as <paramref name="rank"/> of
    /// <paramref name="size"/> (<c>HcclCommInitRootInfo</c>). Blocks until every rank joined; a rank
    /// that never joins makes the others fail with <see cref="HcclStatus.Timeout"/>.
    /// </summary>
    public static NpuCommunicator Create(NpuDevice device, NpuRootInfo rootInfo, int rank, int size)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(rootInfo);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "HcclCommInitRootInfo: argument 'size' must be at least 1.");
        if (rank < 0 || rank >= size)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"HcclCommInitRootInfo: argument 'rank' must be in [0, {size}).");
        HcclLibrary.Require(nameof(Hccl.HcclCommInitRootInfo), $"joining as rank {rank} of {size} on NPU device {device.Id}");
        using var lease = device.Enter();
        HcclComm comm;
        fixed (byte* root = rootInfo.Bytes)
        {
            var status = (HcclStatus)Hccl.HcclCommInitRootInfo((uint)size, (HcclRootInfoDef*)root, (uint)rank, &comm);
            if (status != HcclStatus.Success)
                throw Failure(status, nameof(Hccl.HcclCommInitRootInfo), $"joining as rank {rank} of {size} on NPU device {device.Id}");
        }
        return new NpuCommunicator(new CommunicatorHandle((nint)comm, device.Context, device.State), device, rank, size);
    }

    /// <summary>
    /// One communicator per device of this process (<c>HcclCommInitAll</c>): element i is rank i, on
    /// <paramref name="devices"/>[i]. Use them from one thread or several; each rank's collectives go on
    /// a stream of its own device.
    /// </summary>
    public static NpuCommunicator[] CreateForDevices(IReadOnlyList<NpuDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0) throw new ArgumentException("HcclCommInitAll: argument 'devices' is empty.", nameof(devices));
        var ids = new int[devices.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            if (devices[i] is null) throw new ArgumentNullException(nameof(devices), $"HcclCommInitAll: devices[{i}] is null.");
            ids[i] = devices[i].Id;
            for (int j = 0; j < i; j++)
                if (ids[j] == ids[i]) throw new ArgumentException($"HcclCommInitAll: device {ids[i]} appears twice; one rank per device.", nameof(devices));
        }
        HcclLibrary.Require(nameof(Hccl.HcclCommInitAll), $"creating communicators for devices {string.Join(", ", ids)}");
        var comms = new HcclComm[ids.Length];
        using (devices[0].Enter())
        {
            fixed (int* pIds = ids)
            fixed (HcclComm* pComms = comms)
            {
                var status = (HcclStatus)Hccl.HcclCommInitAll((uint)ids.Length, pIds, pComms);
                if (status != HcclStatus.Success)
                    throw Failure(status, nameof(Hccl.HcclCommInitAll), $"creating communicators for devices {string.Join(", ", ids)}");
            }
        }
        var result = new NpuCommunicator[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            result[i] = new NpuCommunicator(new CommunicatorHandle((nint)comms[i].Value, devices[i].Context, devices[i].State), devices[i], i, ids.Length);
        }
        return result;
    }

    /// <summary>
    /// The error a collective of this communicator met while running (<c>HcclGetCommAsyncError</c>):
    /// the stream's synchronize reports only that a task failed (<c>ACL_ERROR_RT_COMM_OP_RETRY_FAIL</c>).
    /// </summary>
    public HcclStatus AsyncError
    {
        get
        {
            using var lease = Lease();
            HcclResult result;
            var status = (HcclStatus)Hccl.HcclGetCommAsyncError((HcclComm)lease.Value, &result);
            if (status != HcclStatus.Success) throw Failure(status, nameof(Hccl.HcclGetCommAsyncError), null);
            return (HcclStatus)result;
        }
    }

    // ---- collectives ------------------------------------------------------------------------------

    /// <summary>
    /// <paramref name="output"/> = <paramref name="op"/> over all ranks of <paramref name="input"/>
    /// (<c>HcclAllReduce</c>). Same shape and type on both sides and on every rank; they may be the same tensor.
    /// </summary>
    public void AllReduce(NpuStream stream, NpuTensor input, NpuReduceOp op, NpuTensor output)
    {
        const string fn = nameof(Hccl.HcclAllReduce);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(input), input, stream);
        CheckTensor(fn, nameof(output), output, stream);
        CheckSameType(fn, input, output);
        CheckOp(fn, op);
        if (!input.Shape.Equals(output.Shape))
            throw new ArgumentException($"{fn}: 'output' has shape {output.Shape} but 'input' has {input.Shape}; they must match.", nameof(output));
        if (input.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, input, output, (ulong)input.ElementCount, TypeOf(fn, input), op);
        stream.Submit(ref work);
    }

    /// <summary>
    /// Concatenates every rank's <paramref name="input"/> along dimension 0 into <paramref name="output"/>
    /// (<c>HcclAllGather</c>): output shape = [Size × input.Shape[0], input.Shape[1..]], rank r's block at r.
    /// </summary>
    public void AllGather(NpuStream stream, NpuTensor input, NpuTensor output)
    {
        const string fn = nameof(Hccl.HcclAllGather);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(input), input, stream);
        CheckTensor(fn, nameof(output), output, stream);
        CheckSameType(fn, input, output);
        CheckStacked(fn, nameof(output), output, input);
        if (input.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, input, output, (ulong)input.ElementCount, TypeOf(fn, input));
        stream.Submit(ref work);
    }

    /// <summary>
    /// Reduces every rank's <paramref name="input"/> with <paramref name="op"/> and gives rank r block r
    /// along dimension 0 (<c>HcclReduceScatter</c>): input shape = [Size × output.Shape[0], output.Shape[1..]].
    /// </summary>
    public void ReduceScatter(NpuStream stream, NpuTensor input, NpuReduceOp op, NpuTensor output)
    {
        const string fn = nameof(Hccl.HcclReduceScatter);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(input), input, stream);
        CheckTensor(fn, nameof(output), output, stream);
        CheckSameType(fn, input, output);
        CheckOp(fn, op);
        CheckStacked(fn, nameof(input), input, output);
        if (output.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, input, output, (ulong)output.ElementCount, TypeOf(fn, input), op);
        stream.Submit(ref work);
    }

    /// <summary>Copies <paramref name="tensor"/> of rank <paramref name="root"/> into <paramref name="tensor"/> of every rank (<c>HcclBroadcast</c>).</summary>
    public void Broadcast(NpuStream stream, NpuTensor tensor, int root)
    {
        const string fn = nameof(Hccl.HcclBroadcast);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(tensor), tensor, stream);
        CheckRank(fn, nameof(root), root, allowSelf: true);
        if (tensor.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, tensor, tensor, (ulong)tensor.ElementCount, TypeOf(fn, tensor), peer: root);
        stream.Submit(ref work);
    }

    /// <summary>Sends <paramref name="tensor"/> to <paramref name="destination"/>, which must <see cref="Recv"/> a tensor of the same size and type (<c>HcclSend</c>).</summary>
    public void Send(NpuStream stream, NpuTensor tensor, int destination)
    {
        const string fn = nameof(Hccl.HcclSend);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(tensor), tensor, stream);
        CheckRank(fn, nameof(destination), destination, allowSelf: false);
        if (tensor.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, tensor, null, (ulong)tensor.ElementCount, TypeOf(fn, tensor), peer: destination);
        stream.Submit(ref work);
    }

    /// <summary>Receives into <paramref name="tensor"/> what <paramref name="source"/> sends (<c>HcclRecv</c>).</summary>
    public void Recv(NpuStream stream, int source, NpuTensor tensor)
    {
        const string fn = nameof(Hccl.HcclRecv);
        CheckCall(fn, stream);
        CheckTensor(fn, nameof(tensor), tensor, stream);
        CheckRank(fn, nameof(source), source, allowSelf: false);
        if (tensor.ElementCount == 0) return;
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, null, tensor, (ulong)tensor.ElementCount, TypeOf(fn, tensor), peer: source);
        stream.Submit(ref work);
    }

    /// <summary>A stream task that completes once every rank reached its barrier (<c>HcclBarrier</c>).</summary>
    public void Barrier(NpuStream stream)
    {
        const string fn = nameof(Hccl.HcclBarrier);
        CheckCall(fn, stream);
        using var c = Lease();
        var work = new CollectiveWork(fn, (HcclComm)c.Value, null, null, 0, default);
        stream.Submit(ref work);
    }

    /// <inheritdoc />
    public override string ToString() => $"HCCL communicator rank {Rank} of {Size} on NPU device {Device.Id}";

    // ---- helpers ----------------------------------------------------------------------------------

    private void CheckCall(string fn, NpuStream stream)
    {
        ThrowIfDisposed();
        if (stream is null) throw new ArgumentNullException(nameof(stream), $"{fn}: argument 'stream' is null.");
        if (stream.IsDisposed) throw new ObjectDisposedException(nameof(NpuStream), $"{fn}: argument 'stream' has been disposed.");
        if (stream.IsDefault)
            throw new ArgumentException($"{fn}: HCCL collectives need a created stream (device.CreateStream()), not the default stream.", nameof(stream));
        if (stream.Device.Id != Device.Id)
            throw new ArgumentException($"{fn}: the stream is on NPU device {stream.Device.Id} but this rank's communicator is on device {Device.Id}.", nameof(stream));
    }

    private static void CheckTensor(string fn, string name, NpuTensor tensor, NpuStream stream)
    {
        if (tensor is null) throw new ArgumentNullException(name, $"{fn}: argument '{name}' is null.");
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(NpuTensor), $"{fn}: argument '{name}' has been disposed.");
        if (tensor.Device.Id != stream.Device.Id)
            throw new ArgumentException($"{fn}: argument '{name}' is on NPU device {tensor.Device.Id} but the stream is on device {stream.Device.Id}.", name);
        if (!tensor.IsContiguous)
            throw new ArgumentException($"{fn}: argument '{name}' ({tensor}) is not contiguous; HCCL works on flat buffers (use Contiguous()).", name);
    }

    private static void CheckSameType(string fn, NpuTensor input, NpuTensor output)
    {
        if (input.DataType != output.DataType)
            throw new ArgumentException($"{fn}: 'output' is {output.DataType} but 'input' is {input.DataType}; HCCL does not convert types.", "output");
    }

    private static void CheckOp(string fn, NpuReduceOp op)
    {
        if (op is < NpuReduceOp.Sum or > NpuReduceOp.Min)
            throw new ArgumentOutOfRangeException(nameof(op), op, $"{fn}: argument 'op' is not a reduction (Sum, Product, Max, Min).");
    }

    // big = [Size * small.Shape[0], small.Shape[1..]]
    private void CheckStacked(string fn, string bigName, NpuTensor big, NpuTensor small)
    {
        bool ok = small.Rank >= 1 && big.Rank == small.Rank && big.Shape[0] == small.Shape[0] * Size;
        for (int d = 1; ok && d < small.Rank; d++) ok = big.Shape[d] == small.Shape[d];
        if (!ok)
        {
            string smallName = bigName == "output" ? "input" : "output";
            throw new ArgumentException(
                $"{fn}: '{bigName}' has shape {big.Shape} but must be {Size} (ranks) x '{smallName}' {small.Shape} along dimension 0.", bigName);
        }
    }

    private void CheckRank(string fn, string name, int rank, bool allowSelf)
    {
        if (rank < 0 || rank >= Size)
            throw new ArgumentOutOfRangeException(name, rank, $"{fn}: argument '{name}' must be a rank in [0, {Size}).");
        if (!allowSelf && rank == Rank)
            throw new ArgumentException($"{fn}: argument '{name}' is this rank ({Rank}); a rank cannot exchange with itself.", name);
    }

    private static HcclDataType TypeOf(string fn, NpuTensor tensor) => tensor.DataType switch
    {
        NpuDataType.Float32 => HcclDataType.HCCL_DATA_TYPE_FP32,
        NpuDataType.Float16 => HcclDataType.HCCL_DATA_TYPE_FP16,
        NpuDataType.BFloat16 => HcclDataType.HCCL_DATA_TYPE_BFP16,
        NpuDataType.Int32 => HcclDataType.HCCL_DATA_TYPE_INT32,
        NpuDataType.Int8 => HcclDataType.HCCL_DATA_TYPE_INT8,
        NpuDataType.UInt8 => HcclDataType.HCCL_DATA_TYPE_UINT8,
        NpuDataType.Int64 => HcclDataType.HCCL_DATA_TYPE_INT64,
        NpuDataType.Float64 => HcclDataType.HCCL_DATA_TYPE_FP64,
        _ => throw new ArgumentException($"{fn}: {tensor.DataType} has no HCCL data type.", nameof(tensor)),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static HcclException Failure(HcclStatus status, string function, string? context) =>
        new(status, function, AclCheck.RecentMessage(), context);
}
