namespace Ascend.Interop.Distributed.Sample;

/// <summary>
/// Every collective on Float32, Float16, BFloat16 and Int32 against host references. Works on the ranks
/// this process holds: all of them (one process, <see cref="NpuCommunicator.CreateForDevices"/>) or one
/// (one process per rank). Each step issues the collective on every local rank, synchronizes, checks.
/// </summary>
public static class CollectiveChecks
{
    /// <summary>The element types checked.</summary>
    public static readonly NpuDataType[] Types = [NpuDataType.Float32, NpuDataType.Float16, NpuDataType.BFloat16, NpuDataType.Int32];

    /// <summary>Input element i of rank r: small values, exact in every type, different per rank and element.</summary>
    public static double Input(int rank, long i) => ((i * 3 + rank * 5) % 11) - 4;

    /// <summary>Runs every check; throws <see cref="InvalidOperationException"/> naming the first wrong element.</summary>
    public static void RunAll(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, int elements = 24)
    {
        foreach (var type in Types)
        {
            AllReduce(local, type, NpuReduceOp.Sum, elements);
            AllReduce(local, type, NpuReduceOp.Max, elements);
            AllReduce(local, type, NpuReduceOp.Min, elements);
            AllGather(local, type, elements);
            ReduceScatter(local, type, elements);
            Broadcast(local, type, elements);
            SendRecvRing(local, type, elements);
        }
        foreach (var (comm, stream) in local) comm.Barrier(stream);
        foreach (var (_, stream) in local) stream.Synchronize();
    }

    /// <summary>A tensor of <paramref name="values"/> converted to <paramref name="type"/>.</summary>
    public static NpuTensor Upload(NpuStream stream, NpuDataType type, double[] values, TensorShape shape) => type switch
    {
        NpuDataType.Float32 => NpuTensor.FromArray(stream, values.Select(v => (float)v).ToArray(), shape),
        NpuDataType.Float16 => NpuTensor.FromArray(stream, values.Select(v => (Half)v).ToArray(), shape),
        NpuDataType.BFloat16 => NpuTensor.FromArray(stream, values.Select(v => (NpuBFloat16)(float)v).ToArray(), shape),
        NpuDataType.Int32 => NpuTensor.FromArray(stream, values.Select(v => (int)v).ToArray(), shape),
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>The tensor's elements as doubles.</summary>
    public static double[] Download(NpuTensor tensor, NpuStream stream) => tensor.DataType switch
    {
        NpuDataType.Float32 => tensor.ToArray<float>(stream).Select(v => (double)v).ToArray(),
        NpuDataType.Float16 => tensor.ToArray<Half>(stream).Select(v => (double)v).ToArray(),
        NpuDataType.BFloat16 => tensor.ToArray<NpuBFloat16>(stream).Select(v => (double)(float)v).ToArray(),
        NpuDataType.Int32 => tensor.ToArray<int>(stream).Select(v => (double)v).ToArray(),
        _ => throw new NotSupportedException(tensor.DataType.ToString()),
    };

    private static double[] Inputs(int rank, long count) => Enumerable.Range(0, (int)count).Select(i => Input(rank, i)).ToArray();

    private static void Expect(string what, NpuCommunicator comm, double[] got, Func<int, double> want)
    {
        for (int i = 0; i < got.Length; i++)
            if (got[i] != want(i))
                throw new InvalidOperationException($"{what} on rank {comm.Rank} of {comm.Size}: element {i} is {got[i]}, expected {want(i)}.");
    }

    private static void SyncAll(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local)
    {
        foreach (var (_, stream) in local) stream.Synchronize();
    }

    private static void AllReduce(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, NpuDataType type, NpuReduceOp op, int n)
    {
        int size = local[0].Comm.Size;
        var ins = local.Select(l => Upload(l.Stream, type, Inputs(l.Comm.Rank, n), new TensorShape(n))).ToArray();
        var outs = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(n), type)).ToArray();
        try
        {
            for (int k = 0; k < local.Count; k++) local[k].Comm.AllReduce(local[k].Stream, ins[k], op, outs[k]);
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
            {
                Expect($"AllReduce({op}, {type})", local[k].Comm, Download(outs[k], local[k].Stream), i =>
                {
                    double acc = Input(0, i);
                    for (int q = 1; q < size; q++)
                        acc = op switch { NpuReduceOp.Sum => acc + Input(q, i), NpuReduceOp.Max => Math.Max(acc, Input(q, i)), _ => Math.Min(acc, Input(q, i)) };
                    return acc;
                });
            }
        }
        finally
        {
            foreach (var t in ins) t.Dispose();
            foreach (var t in outs) t.Dispose();
        }
    }

    private static void AllGather(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, NpuDataType type, int n)
    {
        int size = local[0].Comm.Size;
        int rows = n / 4;
        var ins = local.Select(l => Upload(l.Stream, type, Inputs(l.Comm.Rank, rows * 4), new TensorShape(rows, 4))).ToArray();
        var outs = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(rows * size, 4), type)).ToArray();
        try
        {
            for (int k = 0; k < local.Count; k++) local[k].Comm.AllGather(local[k].Stream, ins[k], outs[k]);
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
                Expect($"AllGather({type})", local[k].Comm, Download(outs[k], local[k].Stream), i => Input(i / (rows * 4), i % (rows * 4)));
        }
        finally
        {
            foreach (var t in ins) t.Dispose();
            foreach (var t in outs) t.Dispose();
        }
    }

    private static void ReduceScatter(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, NpuDataType type, int n)
    {
        int size = local[0].Comm.Size;
        var ins = local.Select(l => Upload(l.Stream, type, Inputs(l.Comm.Rank, n * size), new TensorShape(n * size))).ToArray();
        var outs = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(n), type)).ToArray();
        try
        {
            for (int k = 0; k < local.Count; k++) local[k].Comm.ReduceScatter(local[k].Stream, ins[k], NpuReduceOp.Sum, outs[k]);
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
            {
                int rank = local[k].Comm.Rank;
                Expect($"ReduceScatter(Sum, {type})", local[k].Comm, Download(outs[k], local[k].Stream), i =>
                {
                    double acc = 0;
                    for (int q = 0; q < size; q++) acc += Input(q, (long)rank * n + i);
                    return acc;
                });
            }
        }
        finally
        {
            foreach (var t in ins) t.Dispose();
            foreach (var t in outs) t.Dispose();
        }
    }

    private static void Broadcast(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, NpuDataType type, int n)
    {
        int root = local[0].Comm.Size - 1;
        var bufs = local.Select(l => Upload(l.Stream, type, Inputs(l.Comm.Rank, n), new TensorShape(n))).ToArray();
        try
        {
            for (int k = 0; k < local.Count; k++) local[k].Comm.Broadcast(local[k].Stream, bufs[k], root);
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
                Expect($"Broadcast({type}, root {root})", local[k].Comm, Download(bufs[k], local[k].Stream), i => Input(root, i));
        }
        finally
        {
            foreach (var t in bufs) t.Dispose();
        }
    }

    private static void SendRecvRing(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, NpuDataType type, int n)
    {
        int size = local[0].Comm.Size;
        if (size < 2) return;
        var ins = local.Select(l => Upload(l.Stream, type, Inputs(l.Comm.Rank, n), new TensorShape(n))).ToArray();
        var outs = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(n), type)).ToArray();
        try
        {
            // Even ranks send first, odd ranks receive first: every pair matches in issue order.
            for (int k = 0; k < local.Count; k++)
            {
                var (comm, stream) = local[k];
                int next = (comm.Rank + 1) % size, prev = (comm.Rank + size - 1) % size;
                if (comm.Rank % 2 == 0)
                {
                    comm.Send(stream, ins[k], next);
                    comm.Recv(stream, prev, outs[k]);
                }
                else
                {
                    comm.Recv(stream, prev, outs[k]);
                    comm.Send(stream, ins[k], next);
                }
            }
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
            {
                int prev = (local[k].Comm.Rank + size - 1) % size;
                Expect($"Send/Recv({type})", local[k].Comm, Download(outs[k], local[k].Stream), i => Input(prev, i));
            }
        }
        finally
        {
            foreach (var t in ins) t.Dispose();
            foreach (var t in outs) t.Dispose();
        }
    }

    /// <summary>
    /// Captures an all-reduce into a graph on every local rank and replays it <paramref name="replays"/>
    /// times, with new input each time (written before the replay), checking the output.
    /// </summary>
    public static void CaptureAndReplay(IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local, int replays)
    {
        int size = local[0].Comm.Size;
        var ins = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(4), NpuDataType.Float32)).ToArray();
        var outs = local.Select(l => NpuTensor.Zeros(l.Stream, new TensorShape(4), NpuDataType.Float32)).ToArray();
        var graphs = new NpuGraph[local.Count];
        try
        {
            SyncAll(local);
            for (int k = 0; k < local.Count; k++)
            {
                graphs[k] = local[k].Stream.BeginCapture(CaptureMode.ThreadLocal);
                local[k].Comm.AllReduce(local[k].Stream, ins[k], NpuReduceOp.Sum, outs[k]);
            }
            for (int k = 0; k < local.Count; k++) graphs[k].EndCapture();
            for (int step = 1; step <= replays; step++)
            {
                for (int k = 0; k < local.Count; k++)
                {
                    int rank = local[k].Comm.Rank;
                    ins[k].CopyFrom<float>(local[k].Stream, [step, rank, -step, 0.5f]);
                    graphs[k].Replay(local[k].Stream);
                }
                if (step % 100 == 0 || step == replays)
                {
                    SyncAll(local);
                    float ranksSum = size * (size - 1) / 2f;
                    for (int k = 0; k < local.Count; k++)
                    {
                        var got = outs[k].ToArray<float>(local[k].Stream);
                        float[] want = [size * step, ranksSum, -size * step, size * 0.5f];
                        for (int i = 0; i < 4; i++)
                            if (got[i] != want[i])
                                throw new InvalidOperationException($"replay {step} on rank {local[k].Comm.Rank}: element {i} is {got[i]}, expected {want[i]}.");
                    }
                }
            }
            SyncAll(local);
        }
        finally
        {
            foreach (var g in graphs) g?.Dispose();
            foreach (var t in ins) t.Dispose();
            foreach (var t in outs) t.Dispose();
        }
    }
}
