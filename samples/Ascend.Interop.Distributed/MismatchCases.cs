using System.Diagnostics;

namespace Ascend.Interop.Distributed.Sample;

/// <summary>
/// Ranks that disagree on a collective's arguments (count, data type, reduction, root, which collective, send/recv
/// pairing). The last rank (rank 1 for send/recv) differs. Every rank that takes part must get an
/// <see cref="HcclException"/> naming both sides' values, fast (not at the timeout), with its buffers untouched;
/// its communicator is then failed. The multi-process tests run these through the "mismatch" scenario.
/// </summary>
public static class MismatchCases
{
    /// <summary>One case: what each rank calls, and what every failure message must contain.</summary>
    /// <param name="Name">The case's name.</param>
    /// <param name="Pair">Only ranks 0 and 1 call (send/recv); the others take no part.</param>
    /// <param name="TwoRanksOnly">Meaningful on two ranks only.</param>
    /// <param name="Issue">Issues the calling rank's collective on views of its two buffers <c>a</c> and <c>b</c>
    /// (<see cref="BufferBytes"/> each).</param>
    /// <param name="Expected">The texts every failure message contains, for a communicator of the given size.</param>
    public sealed record Case(string Name, bool Pair, bool TwoRanksOnly,
        Action<NpuCommunicator, NpuStream, DeviceBuffer, DeviceBuffer> Issue, Func<int, string[]> Expected);

    /// <summary>Bytes of each of a rank's two buffers.</summary>
    public const int BufferBytes = 64 * sizeof(float);

    private static bool Odd(NpuCommunicator c) => c.Rank == c.Size - 1;

    private static NpuTensor Part(DeviceBuffer buffer, long elements, NpuDataType type = NpuDataType.Float32) =>
        NpuTensor.FromBuffer(buffer, new TensorShape(elements), type);

    /// <summary>Every case.</summary>
    public static readonly Case[] All =
    [
        new("AllReduceCount", false, false,
            (c, s, a, b) => { using var x = Part(a, Odd(c) ? 8 : 4); using var y = Part(b, Odd(c) ? 8 : 4); c.AllReduce(s, x, NpuReduceOp.Sum, y); },
            n => ["HcclAllReduce", $"the count: rank 0 passed 4, rank {n - 1} passed 8"]),
        new("AllReduceDataTypeOfTheSameWidth", false, false,
            (c, s, a, b) =>
            {
                using var x = Part(a, 4, Odd(c) ? NpuDataType.Int32 : NpuDataType.Float32);
                using var y = Part(b, 4, Odd(c) ? NpuDataType.Int32 : NpuDataType.Float32);
                c.AllReduce(s, x, NpuReduceOp.Sum, y);
            },
            n => [$"the data type: rank 0 passed fp32 (4), rank {n - 1} passed int32 (2)"]),
        new("AllReduceReduction", false, false,
            (c, s, a, b) => { using var x = Part(a, 4); using var y = Part(b, 4); c.AllReduce(s, x, Odd(c) ? NpuReduceOp.Max : NpuReduceOp.Sum, y); },
            n => [$"the reduction: rank 0 passed sum (0), rank {n - 1} passed max (2)"]),
        new("BroadcastRoot", false, false,
            (c, s, a, _) => { using var x = Part(a, 4); c.Broadcast(s, x, Odd(c) ? 1 : 0); },
            n => ["HcclBroadcast", $"the root: rank 0 passed 0, rank {n - 1} passed 1"]),
        new("BroadcastCount", false, false,
            (c, s, a, _) => { using var x = Part(a, Odd(c) ? 3 : 4); c.Broadcast(s, x, 0); },
            n => [$"the count: rank 0 passed 4, rank {n - 1} passed 3"]),
        new("BroadcastDataType", false, false,
            (c, s, a, _) => { using var x = Part(a, 4, Odd(c) ? NpuDataType.UInt8 : NpuDataType.Int8); c.Broadcast(s, x, 0); },
            n => ["HcclBroadcast", $"the data type: rank 0 passed int8 (0), rank {n - 1} passed uint8 (7)"]),
        new("AllGatherCount", false, false,
            (c, s, a, b) =>
            {
                int k = Odd(c) ? 4 : 2;
                using var x = Part(a, k);
                using var y = Part(b, k * c.Size);
                c.AllGather(s, x, y);
            },
            n => ["HcclAllGather", $"the count: rank 0 passed 2, rank {n - 1} passed 4"]),
        new("AllGatherDataType", false, false,
            (c, s, a, b) =>
            {
                var type = Odd(c) ? NpuDataType.BFloat16 : NpuDataType.Float16;
                using var x = Part(a, 4, type);
                using var y = Part(b, 4 * c.Size, type);
                c.AllGather(s, x, y);
            },
            n => ["HcclAllGather", $"the data type: rank 0 passed fp16 (3), rank {n - 1} passed bfp16 (11)"]),
        new("ReduceScatterCount", false, false,
            (c, s, a, b) =>
            {
                int k = Odd(c) ? 3 : 2;
                using var x = Part(a, k * c.Size);
                using var y = Part(b, k);
                c.ReduceScatter(s, x, NpuReduceOp.Sum, y);
            },
            n => ["HcclReduceScatter", $"the count: rank 0 passed 2, rank {n - 1} passed 3"]),
        new("ReduceScatterDataTypeOfTheSameWidth", false, false,
            (c, s, a, b) =>
            {
                var type = Odd(c) ? NpuDataType.Float32 : NpuDataType.Int32;
                using var x = Part(a, 2 * c.Size, type);
                using var y = Part(b, 2, type);
                c.ReduceScatter(s, x, NpuReduceOp.Sum, y);
            },
            n => ["HcclReduceScatter", $"the data type: rank 0 passed int32 (2), rank {n - 1} passed fp32 (4)"]),
        new("ReduceScatterReduction", false, false,
            (c, s, a, b) => { using var x = Part(a, 2 * c.Size); using var y = Part(b, 2); c.ReduceScatter(s, x, Odd(c) ? NpuReduceOp.Product : NpuReduceOp.Min, y); },
            n => [$"the reduction: rank 0 passed min (3), rank {n - 1} passed prod (1)"]),
        new("DifferentCollectives", false, false,
            (c, s, a, b) =>
            {
                using var x = Part(a, 4);
                using var y = Part(b, 4);
                if (Odd(c)) c.Broadcast(s, x, 0);
                else c.AllReduce(s, x, NpuReduceOp.Sum, y);
            },
            n => [$"which collective they call: rank 0 called HcclAllReduce, rank {n - 1} called HcclBroadcast"]),
        new("ReduceScatterAgainstAllReduce", false, false,
            (c, s, a, b) =>
            {
                if (Odd(c))
                {
                    using var x = Part(a, 4);
                    using var y = Part(b, 4);
                    c.AllReduce(s, x, NpuReduceOp.Sum, y);
                    return;
                }
                using var input = Part(a, 2 * c.Size);
                using var output = Part(b, 2);
                c.ReduceScatter(s, input, NpuReduceOp.Sum, output);
            },
            n => [$"which collective they call: rank 0 called HcclReduceScatter, rank {n - 1} called HcclAllReduce"]),
        new("BarrierAgainstAllGather", false, false,
            (c, s, a, b) =>
            {
                if (!Odd(c))
                {
                    c.Barrier(s);
                    return;
                }
                using var x = Part(a, 4);
                using var y = Part(b, 4 * c.Size);
                c.AllGather(s, x, y);
            },
            n => [$"rank 0 called HcclBarrier, rank {n - 1} called HcclAllGather"]),
        new("SendRecvCount", true, false,
            (c, s, a, b) =>
            {
                if (c.Rank == 0) { using var x = Part(a, 4); c.Send(s, x, 1); }
                else { using var y = Part(b, 8); c.Recv(s, 0, y); }
            },
            _ => ["what moves: rank 0 sends 4 elements of fp32 (4), rank 1 receives 8 elements of fp32 (4)"]),
        new("SendRecvDataType", true, false,
            (c, s, a, b) =>
            {
                if (c.Rank == 0) { using var x = Part(a, 4); c.Send(s, x, 1); }
                else { using var y = Part(b, 4, NpuDataType.Int32); c.Recv(s, 0, y); }
            },
            _ => ["rank 0 sends 4 elements of fp32 (4), rank 1 receives 4 elements of int32 (2)"]),
        new("BothSend", true, false,
            (c, s, a, _) => { using var x = Part(a, 4); c.Send(s, x, 1 - c.Rank); },
            _ => ["the pairing", "both called HcclSend", "pairs with an HcclRecv"]),
        new("BothRecv", true, false,
            (c, s, _, b) => { using var y = Part(b, 4); c.Recv(s, 1 - c.Rank, y); },
            _ => ["the pairing", "both called HcclRecv"]),
        new("SendAgainstACollective", true, true,
            (c, s, a, b) =>
            {
                using var x = Part(a, 4);
                using var y = Part(b, 4);
                if (c.Rank == 0) c.Send(s, x, 1);
                else c.AllReduce(s, x, NpuReduceOp.Sum, y);
            },
            _ => ["which collective they call: rank 0 called HcclSend to rank 1, rank 1 called HcclAllReduce"]),
    ];

    /// <summary>The value every element of the tensors starts with; a mismatch must leave it everywhere.</summary>
    public const float Sentinel = 7.5f;

    /// <summary>
    /// Runs <paramref name="k"/> on the ranks this process holds and checks each taking part; returns one line per rank
    /// ("rank R: mismatch NAME ..."). Throws <see cref="InvalidOperationException"/> naming what did not hold.
    /// </summary>
    public static IReadOnlyList<string> Run(Case k, IReadOnlyList<(NpuCommunicator Comm, NpuStream Stream)> local)
    {
        var a = local.Select(l => Filled(l.Comm.Device, l.Stream)).ToArray();
        var b = local.Select(l => Filled(l.Comm.Device, l.Stream)).ToArray();
        var lines = new List<string>();
        try
        {
            bool Takes(NpuCommunicator c) => !k.Pair || c.Rank < 2;
            for (int i = 0; i < local.Count; i++)
                if (Takes(local[i].Comm)) k.Issue(local[i].Comm, local[i].Stream, a[i], b[i]);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < local.Count; i++)
            {
                var (comm, stream) = local[i];
                if (!Takes(comm))
                {
                    if (comm.AsyncError != HcclStatus.Success) throw Fail(k, comm, $"took no part but its AsyncError is {comm.AsyncError}");
                    lines.Add($"rank {comm.Rank}: mismatch {k.Name} idle");
                    continue;
                }
                HcclException e;
                try
                {
                    stream.Synchronize();
                    throw Fail(k, comm, "the stream synchronized without an error");
                }
                catch (HcclException caught)
                {
                    e = caught;
                }
                if (e.Status != HcclStatus.InvalidParameter || e.Code != Native.Acl.ACL_ERROR_RT_COMM_OP_RETRY_FAIL)
                    throw Fail(k, comm, $"got {e.Status} / {e.Code}: {e.Message}");
                foreach (string part in k.Expected(comm.Size).Append("HCCL_E_PARA"))
                    if (!e.Message.Contains(part, StringComparison.Ordinal)) throw Fail(k, comm, $"the message does not contain '{part}': {e.Message}");
                if (comm.AsyncError != HcclStatus.InvalidParameter) throw Fail(k, comm, $"AsyncError is {comm.AsyncError}");
                lines.Add($"rank {comm.Rank}: mismatch {k.Name} {e.GetType().Name} {e.Status.CName()} {e.CodeName} after {watch.Elapsed.TotalSeconds:0.000} s: {e.RuntimeMessage}");
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(1.8))
                throw new InvalidOperationException($"{k.Name}: the mismatch took {watch.Elapsed.TotalSeconds:0.0} s to surface (the timeout, not the header exchange?)");
            for (int i = 0; i < local.Count; i++)
            {
                foreach (var buffer in new[] { a[i], b[i] })
                {
                    using var all = Part(buffer, 64);
                    if (all.ToArray<float>(local[i].Stream).Any(v => v != Sentinel))
                        throw Fail(k, local[i].Comm, "a buffer changed although no data may move");
                }
            }
            return lines;
        }
        finally
        {
            foreach (var t in a.Concat(b)) t.Dispose();
        }
    }

    private static DeviceBuffer Filled(NpuDevice device, NpuStream stream)
    {
        var buffer = DeviceBuffer.Allocate(device, BufferBytes);
        using var all = Part(buffer, 64);
        all.CopyFrom<float>(stream, Enumerable.Repeat(Sentinel, 64).ToArray());
        return buffer;
    }

    private static InvalidOperationException Fail(Case k, NpuCommunicator comm, string what) =>
        new($"{k.Name} on rank {comm.Rank} of {comm.Size}: {what}");
}
