using Ascend.Interop.Distributed.Sample;

namespace Ascend.Interop.Distributed.Tests;

/// <summary>Ranks in one process: one communicator per device (<see cref="NpuCommunicator.CreateForDevices"/>).</summary>
[Collection("Hccl")]
public sealed class InProcessCommunicatorTests
{
    /// <summary>Devices 0..n-1 with a stream each and their communicators; disposes everything, then checks nothing leaked.</summary>
    private sealed class LocalRanks : IDisposable
    {
        private readonly (ulong Streams, ulong Allocations, ulong Models) _before;

        public LocalRanks(int n)
        {
            if (DistributedEnvironment.OnSimulator) _before = DistributedEnvironment.LiveCounts();
            Devices = Enumerable.Range(0, n).Select(NpuDevice.Open).ToArray();
            Streams = Devices.Select(d => d.CreateStream()).ToArray();
            Comms = NpuCommunicator.CreateForDevices(Devices);
        }

        public NpuDevice[] Devices { get; }
        public NpuStream[] Streams { get; }
        public NpuCommunicator[] Comms { get; }
        public (NpuCommunicator, NpuStream)[] Local => Comms.Zip(Streams).ToArray();

        public void Dispose()
        {
            foreach (var c in Comms) c.Dispose();
            foreach (var s in Streams) s.Dispose();
            foreach (var d in Devices) d.Dispose();
            if (DistributedEnvironment.OnSimulator) Assert.Equal(_before, DistributedEnvironment.LiveCounts());
        }
    }

    private static void RequireDevices(int n) =>
        Assert.SkipWhen(NpuDevice.Count < n, $"needs {n} devices, this machine has {NpuDevice.Count}");

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void EveryCollectiveAndTypeMatchesTheReference(int ranks)
    {
        RequireDevices(ranks);
        using var local = new LocalRanks(ranks);
        for (int r = 0; r < ranks; r++)
        {
            Assert.Equal(r, local.Comms[r].Rank);
            Assert.Equal(ranks, local.Comms[r].Size);
            Assert.Equal(r, local.Comms[r].Device.Id);
        }
        CollectiveChecks.RunAll(local.Local);
        foreach (var c in local.Comms) Assert.Equal(HcclStatus.Success, c.AsyncError);
    }

    [Fact]
    public void ACapturedAllReduceReplaysAThousandTimesWithNewInputs()
    {
        RequireDevices(2);
        using var local = new LocalRanks(2);
        CollectiveChecks.CaptureAndReplay(local.Local, 1000);
    }

    [Fact]
    public void CaptureRecordsTheCollectiveWithoutRunningIt()
    {
        RequireDevices(2);
        using var local = new LocalRanks(2);
        var x = local.Streams.Select(s => NpuTensor.FromArray(s, new float[] { 1, 2 })).ToArray();
        var y = local.Streams.Select(s => NpuTensor.Zeros(s, new TensorShape(2), NpuDataType.Float32)).ToArray();
        var graphs = new NpuGraph[2];
        for (int r = 0; r < 2; r++)
        {
            local.Streams[r].Synchronize();
            graphs[r] = local.Streams[r].BeginCapture(CaptureMode.ThreadLocal);
            local.Comms[r].AllReduce(local.Streams[r], x[r], NpuReduceOp.Sum, y[r]);
        }
        for (int r = 0; r < 2; r++) graphs[r].EndCapture();
        Assert.Contains(graphs[0].Operations, o => o.Name == "HcclAllReduce");
        Assert.Equal(new float[] { 0, 0 }, y[0].ToArray<float>(local.Streams[0]));
        for (int r = 0; r < 2; r++) graphs[r].Replay(local.Streams[r]);
        Assert.Equal(new float[] { 2, 4 }, y[0].ToArray<float>(local.Streams[0]));
        Assert.Equal(new float[] { 2, 4 }, y[1].ToArray<float>(local.Streams[1]));
        foreach (var g in graphs) g.Dispose();
        foreach (var t in x.Concat(y)) t.Dispose();
    }

    [Fact]
    public void EachCommunicatorHoldsAStreamOfItsDeviceUntilDisposed()
    {
        RequireDevices(2);
        using var d0 = NpuDevice.Open(0);
        using var d1 = NpuDevice.Open(1);
        int before0 = d0.StreamBudget.InUse, before1 = d1.StreamBudget.InUse;
        var comms = NpuCommunicator.CreateForDevices([d0, d1]);
        Assert.Equal(before0 + 1, d0.StreamBudget.InUse);
        Assert.Equal(before1 + 1, d1.StreamBudget.InUse);
        foreach (var c in comms) c.Dispose();
        Assert.Equal(before0, d0.StreamBudget.InUse);
        Assert.Equal(before1, d1.StreamBudget.InUse);
    }

    [Fact]
    public void BadArgumentsThrowNamingTheFunctionAndTheRule()
    {
        RequireDevices(2);
        using var local = new LocalRanks(2);
        var (c0, s0) = (local.Comms[0], local.Streams[0]);
        using var a = NpuTensor.Zeros(s0, new TensorShape(2, 3), NpuDataType.Float32);
        using var b = NpuTensor.Zeros(s0, new TensorShape(3, 2), NpuDataType.Float32);
        using var h = NpuTensor.Zeros(s0, new TensorShape(2, 3), NpuDataType.Float16);
        using var bf = NpuTensor.Zeros(s0, new TensorShape(2, 3), NpuDataType.BFloat16);
        using var flags = NpuTensor.Zeros(s0, new TensorShape(2, 3), NpuDataType.Bool);
        using var other = NpuTensor.Zeros(local.Streams[1], new TensorShape(2, 3), NpuDataType.Float32);

        var e = Assert.Throws<ArgumentException>(() => c0.AllReduce(s0, a, NpuReduceOp.Sum, b));
        Assert.Contains("HcclAllReduce", e.Message);
        Assert.Contains("shape", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.AllReduce(s0, a, NpuReduceOp.Sum, h));
        Assert.Contains("Float16", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.AllReduce(local.Streams[1], a, NpuReduceOp.Sum, a));
        Assert.Contains("device 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.AllReduce(s0, other, NpuReduceOp.Sum, other));
        Assert.Contains("device 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.AllReduce(local.Devices[0].DefaultStream, a, NpuReduceOp.Sum, a));
        Assert.Contains("default stream", e.Message);
        using (var t = a.Transpose(0, 1))
        {
            e = Assert.Throws<ArgumentException>(() => c0.Broadcast(s0, t, 0));
            Assert.Contains("contiguous", e.Message);
        }
        e = Assert.Throws<ArgumentException>(() => c0.AllGather(s0, a, a));
        Assert.Contains("HcclAllGather", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.ReduceScatter(s0, a, NpuReduceOp.Sum, a));
        Assert.Contains("HcclReduceScatter", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => c0.Broadcast(s0, a, 2));
        e = Assert.Throws<ArgumentException>(() => c0.Send(s0, a, 0));
        Assert.Contains("this rank", e.Message);
        e = Assert.Throws<ArgumentException>(() => c0.Broadcast(s0, flags, 0));
        Assert.Contains("Bool", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => c0.AllReduce(s0, a, (NpuReduceOp)9, a));

        // Refused by HCCL itself: the exception carries the function and the HcclResult.
        var hccl = Assert.Throws<HcclException>(() => c0.AllReduce(s0, bf, NpuReduceOp.Product, bf));
        Assert.Equal(HcclStatus.NotSupported, hccl.Status);
        Assert.Equal((int)HcclStatus.NotSupported, hccl.Code);
        Assert.Equal("HcclAllReduce", hccl.Function);
        Assert.Contains("HCCL_E_NOT_SUPPORT", hccl.Message);

        local.Comms[1].Dispose();
        Assert.Throws<ObjectDisposedException>(() => local.Comms[1].Barrier(local.Streams[1]));
        Assert.Throws<ObjectDisposedException>(() => _ = local.Comms[1].AsyncError);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void ARankThatNeverTakesPartTimesOutTheOthers()
    {
        RequireDevices(2);
        using var local = new LocalRanks(2);
        using var x = NpuTensor.FromArray(local.Streams[0], new float[] { 1, 2 });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        local.Comms[0].AllReduce(local.Streams[0], x, NpuReduceOp.Sum, x); // rank 1 never joins in
        var e = Assert.ThrowsAny<AclException>(() => local.Streams[0].Synchronize());
        Assert.Equal(507904, e.Code);
        Assert.Contains("HcclAllReduce", e.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, DistributedEnvironment.TimeoutMs / 1000.0 - 0.5, 10);
        Assert.Equal(HcclStatus.Timeout, local.Comms[0].AsyncError);
        Assert.Equal(HcclStatus.Success, local.Comms[1].AsyncError);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void HcclFailuresNameTheirHcclResultThroughTheBaseClassToo()
    {
        using var device = NpuDevice.Open(0);
        // Rank 0 of two; rank 1 never joins: HCCL_E_TIMEOUT after the connect timeout.
        var e = Assert.Throws<HcclException>(() => NpuCommunicator.Create(device, NpuRootInfo.Create(device), 0, 2));
        Assert.Equal(HcclStatus.Timeout, e.Status);
        AclException asAcl = e;
        Assert.Equal("HCCL_E_TIMEOUT", asAcl.CodeName);
        Assert.Equal(9, asAcl.Code);
        Assert.Contains("HCCL_E_TIMEOUT", asAcl.Message);
        Assert.DoesNotContain("ACL_ERROR", asAcl.Message);

        var junk = NpuRootInfo.FromBytes(new byte[NpuRootInfo.Size]);
        asAcl = Assert.Throws<HcclException>(() => NpuCommunicator.Create(device, junk, 0, 2));
        Assert.Equal("HCCL_E_PARA", asAcl.CodeName);
    }

    [Fact]
    public void RootInfoRoundTripsThroughBytesBase64AndFiles()
    {
        using var device = NpuDevice.Open(0);
        var root = NpuRootInfo.Create(device);
        Assert.Equal(NpuRootInfo.Size, root.ToArray().Length);
        Assert.Equal(4108, NpuRootInfo.Size);
        Assert.Equal(root.ToArray(), NpuRootInfo.FromBase64(root.ToBase64()).ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"root-info-test-{Environment.ProcessId}");
        root.WriteTo(path);
        Assert.Equal(root.ToArray(), NpuRootInfo.ReadFrom(path, TimeSpan.FromSeconds(1)).ToArray());
        File.Delete(path);
        Assert.Throws<TimeoutException>(() => NpuRootInfo.ReadFrom(path, TimeSpan.FromMilliseconds(100)));
        Assert.Throws<ArgumentException>(() => NpuRootInfo.FromBytes(new byte[10]));
        // A one-rank communicator from it works (and removes the rendezvous it made).
        using var comm = NpuCommunicator.Create(device, root, 0, 1);
        Assert.Equal(1, comm.Size);
        // Garbage is refused by HCCL, naming the function.
        var junk = NpuRootInfo.FromBytes(Enumerable.Repeat((byte)0x5a, NpuRootInfo.Size).ToArray());
        var e = Assert.Throws<HcclException>(() => NpuCommunicator.Create(device, junk, 0, 2));
        Assert.Equal("HcclCommInitRootInfo", e.Function);
    }
}
