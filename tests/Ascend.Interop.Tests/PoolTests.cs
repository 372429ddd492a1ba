using System.Text;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>Simulator controls for tests (fault injection, task delay, counters).</summary>
internal static unsafe class SimControl
{
    public static ulong Counter(aclsimCounter counter)
    {
        ulong value;
        Assert.Equal(0, AclSim.aclsimGetCounter(counter, &value));
        return value;
    }

    public static void InjectFault(string function, uint nth, int code)
    {
        byte[] name = Encoding.UTF8.GetBytes(function + "\0");
        fixed (byte* p = name) Assert.Equal(0, AclSim.aclsimInjectFault((sbyte*)p, nth, code));
    }

    public static void ClearFaults() => Assert.Equal(0, AclSim.aclsimClearFaults(null));

    public static void SetTaskDelay(uint microseconds) => Assert.Equal(0, AclSim.aclsimSetTaskDelay(microseconds));
}

[Collection("Npu")]
public sealed class PoolTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Statistics_are_exact_after_a_known_sequence()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { Name = "test pool" });
        ulong mallocs = NpuFixture.OnSimulator ? SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS) : 0;

        var a = pool.Rent(stream, 100);
        Assert.Equal(100, a.Length);
        Assert.Same(pool, a.Pool);
        Assert.Equal(Device.Id, a.Device.Id);
        Assert.Equal(0, a.Pointer % 512);
        Assert.Equal(new DeviceMemoryPoolStatistics(2 * MiB, 512, 2 * MiB, 512, Hits: 0, Misses: 1, SegmentCount: 1, RentedBlocks: 1), pool.GetStatistics());

        var b = pool.Rent(stream, 1000);                  // 1024 bytes, carved from the same segment
        Assert.Equal(a.Pointer + 512, b.Pointer);
        Assert.Equal(new DeviceMemoryPoolStatistics(2 * MiB, 1536, 2 * MiB, 1536, 1, 1, 1, 2), pool.GetStatistics());

        pool.Return(stream, a);
        var c = pool.Rent(stream, 512);                   // same stream: the freed block at once
        Assert.Equal(a.Pointer, c.Pointer);
        Assert.Equal(2, pool.Hits);

        var big = pool.Rent(stream, 3 * MiB);             // large: own segment, rounded to 2 MiB
        Assert.Equal(new DeviceMemoryPoolStatistics(6 * MiB, 1536 + 4 * MiB, 6 * MiB, 1536 + 4 * MiB, 2, 2, 2, 3), pool.GetStatistics());

        pool.Return(stream, b);
        pool.Return(stream, c);
        pool.Return(stream, big);
        Assert.Equal(0, pool.InUseBytes);
        Assert.Equal(1536 + 4 * MiB, pool.PeakInUseBytes);
        Assert.Equal(6 * MiB, pool.ReservedBytes);
        pool.ResetPeaks();
        Assert.Equal(0, pool.PeakInUseBytes);
        Assert.Equal(6 * MiB, pool.PeakReservedBytes);

        Assert.Equal(6 * MiB, pool.Trim());
        Assert.Equal(0, pool.ReservedBytes);
        Assert.Equal(0, pool.SegmentCount);
        if (NpuFixture.OnSimulator)
            Assert.Equal(mallocs + 2, SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS));
    }

    [Theory]
    [InlineData(1, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 1024)]
    [InlineData(1L << 20, 1L << 20)]
    [InlineData((1L << 20) + 1, (1L << 20) + (128L << 10))]
    [InlineData(5L << 20, 5L << 20)]
    public void Sizes_round_to_the_size_classes(long request, long expected) =>
        Assert.Equal(expected, DeviceMemoryPool.RoundSize(request));

    [Fact]
    public void Free_neighbours_coalesce_within_a_segment()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var blocks = new PoolBlock[4];
        for (int i = 0; i < 4; i++) blocks[i] = pool.Rent(stream, 256 << 10);
        pool.Return(stream, blocks[1]);
        pool.Return(stream, blocks[2]);
        var merged = pool.Rent(stream, 512 << 10);      // fits only in the two merged neighbours
        Assert.Equal(blocks[1].Pointer, merged.Pointer);
        Assert.Equal(1, pool.SegmentCount);
        Assert.Equal(1, pool.Misses);
        pool.Return(stream, merged);
        pool.Return(stream, blocks[0]);
        pool.Return(stream, blocks[3]);
        var low = pool.Rent(stream, MiB);                // everything merged back: two 1 MiB halves fit
        var high = pool.Rent(stream, MiB);
        Assert.Equal(blocks[0].Pointer, low.Pointer);
        Assert.Equal(blocks[0].Pointer + (nint)MiB, high.Pointer);
        Assert.Equal(1, pool.SegmentCount);
        pool.Return(stream, low);
        pool.Return(stream, high);
    }

    [Fact]
    public void Large_blocks_split_only_into_large_remainders()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var big = pool.Rent(stream, 7 * MiB);            // 8 MiB segment
        pool.Return(stream, big);
        var part = pool.Rent(stream, 2 * MiB);           // split: 2 MiB + 6 MiB free
        var rest = pool.Rent(stream, 5 * MiB);           // from the 6 MiB remainder (1 MiB left stays attached)
        Assert.Equal(big.Pointer, part.Pointer);
        Assert.Equal(big.Pointer + (nint)(2 * MiB), rest.Pointer);
        Assert.Equal(1, pool.SegmentCount);
        Assert.Equal(8 * MiB, pool.InUseBytes);
        pool.Return(stream, part);
        pool.Return(stream, rest);
    }

    [Fact]
    public void Misuse_throws_naming_the_pool()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { Name = "pool A" });
        using var other = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { Name = "pool B" });
        var block = pool.Rent(stream, 64);
        var copy = block;

        var wrongPool = Assert.Throws<InvalidOperationException>(() => other.Return(stream, block));
        Assert.Contains("pool A", wrongPool.Message);
        Assert.Contains("pool B", wrongPool.Message);

        block.Return(stream);
        var twice = Assert.Throws<InvalidOperationException>(() => copy.Return(stream));
        Assert.Contains("already returned", twice.Message);
        Assert.Contains("pool A", twice.Message);

        // A stale copy stays stale even after its node is reused for a new rental.
        var again = pool.Rent(stream, 64);
        Assert.Equal(block.Pointer, again.Pointer);
        Assert.NotEqual(block, again);
        Assert.Throws<InvalidOperationException>(() => pool.Return(stream, block));
        pool.Return(stream, again);

        Assert.Throws<InvalidOperationException>(() => default(PoolBlock).Return(stream));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, -5));
        Assert.Throws<ArgumentNullException>(() => pool.Rent(null!, 8));
        Assert.Equal(0, pool.RentedBlockCount);
    }

    [Fact]
    public void A_stream_of_another_device_is_refused()
    {
        if (NpuDevice.Count < 2) Assert.Skip("needs two devices");
        using var device1 = NpuDevice.Open(1);
        using var stream1 = device1.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var e = Assert.Throws<ArgumentException>(() => pool.Rent(stream1, 64));
        Assert.Contains("device 1", e.Message);
        Assert.Equal(0, pool.SegmentCount);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Another_stream_reuses_a_block_only_after_the_returning_stream_is_done()
    {
        using var streamA = Device.CreateStream();
        using var streamB = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var first = pool.Rent(streamA, 4096);
        SimControl.SetTaskDelay(500_000);                // keep stream A busy
        MemoryCopy.EnqueueFill(first.Pointer, 4096, 0, 4096, 0x5A, streamA);
        pool.Return(streamA, first);

        var sameStream = pool.Rent(streamA, 4096);        // stream order makes this safe at once
        Assert.Equal(first.Pointer, sameStream.Pointer);
        pool.Return(streamA, sameStream);

        var otherStream = pool.Rent(streamB, 4096);       // A is still running: not the same block
        Assert.NotEqual(first.Pointer, otherStream.Pointer);
        Assert.False(streamA.Query());

        SimControl.SetTaskDelay(0);
        streamA.Synchronize();
        var afterA = pool.Rent(streamB, 4096);            // A's event completed: reusable by B
        Assert.Equal(first.Pointer, afterA.Pointer);
        Assert.Equal(1, pool.SegmentCount);
        pool.Return(streamB, afterA);
        pool.Return(streamB, otherStream);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Out_of_memory_releases_cached_segments_and_retries_once()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        pool.Return(stream, pool.Rent(stream, 100));       // one cached, fully free small segment
        ulong frees = SimControl.Counter(aclsimCounter.ACLSIM_COUNT_FREE_CALLS);

        SimControl.InjectFault("aclrtMalloc", 1, 207001);  // the next aclrtMalloc fails with OOM
        var big = pool.Rent(stream, 3 * MiB);
        Assert.Equal(frees + 1, SimControl.Counter(aclsimCounter.ACLSIM_COUNT_FREE_CALLS));
        Assert.Equal(1, pool.SegmentCount);
        Assert.Equal(4 * MiB, pool.ReservedBytes);
        pool.Return(stream, big);

        long total = Device.GetMemoryInfo().Total;
        var oom = Assert.Throws<AclException>(() => pool.Rent(stream, total + 2 * MiB));
        Assert.Equal(207001, oom.Code);
        Assert.Equal("aclrtMalloc", oom.Function);
        Assert.Equal("ACL_ERROR_RT_MEMORY_ALLOCATION", oom.CodeName);
        Assert.False(string.IsNullOrEmpty(oom.RuntimeMessage));
        Assert.Equal(0, pool.ReservedBytes);               // the retry trimmed the cached 4 MiB
        Assert.Equal(0, pool.RentedBlockCount);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void The_reserve_limit_fails_like_an_out_of_memory_without_calling_the_runtime()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { MaxReservedBytes = 4 * MiB });
        var big = pool.Rent(stream, 3 * MiB);
        ulong mallocs = SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS);
        var e = Assert.Throws<AclException>(() => pool.Rent(stream, 100));
        Assert.Equal(207001, e.Code);
        Assert.Contains("limit", e.Message);
        Assert.Equal(mallocs, SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS));
        pool.Return(stream, big);
        var small = pool.Rent(stream, 100);                // trims the free 4 MiB, then fits
        Assert.Equal(2 * MiB, pool.ReservedBytes);
        pool.Return(stream, small);
    }

    [Fact]
    public void Trim_keeps_segments_with_rented_blocks()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        var kept = pool.Rent(stream, 100);
        pool.Return(stream, pool.Rent(stream, 3 * MiB));
        Assert.Equal(6 * MiB, pool.ReservedBytes);
        Assert.Equal(4 * MiB, pool.Trim());
        Assert.Equal(2 * MiB, pool.ReservedBytes);
        Assert.Equal(1, pool.SegmentCount);
        pool.Return(stream, kept);
        Assert.Equal(2 * MiB, pool.Trim());
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Steady_state_rent_and_return_allocate_nothing()
    {
        using var stream = Device.CreateStream();
        using var pool = new DeviceMemoryPool(Device);
        for (int i = 0; i < 10; i++) RentReturn(pool, stream);   // warm up: segments, nodes, events
        ulong mallocs = SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS);
        long managed = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) RentReturn(pool, stream);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - managed;
        Assert.Equal(0, allocated);
        Assert.Equal(mallocs, SimControl.Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS));
        Assert.Equal(10_010 * 3, pool.Hits + pool.Misses);
        stream.Synchronize();

        static void RentReturn(DeviceMemoryPool pool, NpuStream stream)
        {
            var a = pool.Rent(stream, 100);
            var b = pool.Rent(stream, 40_000);
            var c = pool.Rent(stream, 3 << 20);
            pool.Return(stream, b);
            pool.Return(stream, a);
            pool.Return(stream, c);
        }
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Dispose_frees_cached_memory_and_rented_blocks_when_returned()
    {
        using var stream = Device.CreateStream();
        var pool = new DeviceMemoryPool(Device);
        var rented = pool.Rent(stream, 100);
        pool.Return(stream, pool.Rent(stream, 3 * MiB));
        ulong live = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS);

        pool.Dispose();
        pool.Dispose();                                       // idempotent
        Assert.True(pool.IsDisposed);
        Assert.Equal(live - 1, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        Assert.Throws<ObjectDisposedException>(() => pool.Rent(stream, 10));
        Assert.Throws<ObjectDisposedException>(() => pool.Trim());

        pool.Return(stream, rented);                          // the last block frees its segment
        Assert.Equal(live - 2, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        Assert.Equal(0, pool.ReservedBytes);
        Assert.Throws<InvalidOperationException>(() => pool.Return(stream, rented));
    }

    [Fact]
    public void Concurrent_streams_and_threads_keep_the_books_balanced()
    {
        using var pool = new DeviceMemoryPool(Device);
        var streams = new NpuStream[4];
        for (int i = 0; i < streams.Length; i++) streams[i] = Device.CreateStream();
        try
        {
            Parallel.For(0, streams.Length, t =>
            {
                var stream = streams[t];
                var held = new PoolBlock[8];
                for (int i = 0; i < 300; i++)
                {
                    int slot = i % held.Length;
                    if (!held[slot].IsEmpty) pool.Return(stream, held[slot]);
                    held[slot] = pool.Rent(stream, ((i * 7919 + t * 104729) % (3 << 20)) + 1);
                }
                foreach (var block in held) pool.Return(stream, block);
            });
            Assert.Equal(0, pool.InUseBytes);
            Assert.Equal(0, pool.RentedBlockCount);
            Assert.Equal(4 * 300, pool.Hits + pool.Misses);
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void A_tensor_outliving_its_device_object_frees_its_memory_when_disposed()
    {
        if (NpuDevice.Count < 2) Assert.Skip("needs two devices");
        ulong allocations = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS);
        ulong contexts = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_CONTEXTS);
        var device1 = NpuDevice.Open(1);
        var stream1 = device1.CreateStream();
        var pool1 = device1.MemoryPool;
        var tensor = NpuTensor.FromArray(stream1, new[] { 1f, 2f, 3f });
        device1.Dispose();                                    // disposes the device's pool; the rented block lives on
        Assert.True(pool1.IsDisposed);
        Assert.Equal(allocations + 1, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        Assert.Equal(new[] { 1f, 2f, 3f }, tensor.ToArray<float>());
        tensor.Dispose();                                     // the last block frees its segment
        Assert.Equal(allocations, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        stream1.Dispose();                                    // and the context goes with its last child
        Assert.Equal(contexts, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_CONTEXTS));
    }

    [Fact]
    public void Device_objects_of_one_id_share_one_pool_and_AllocationPool_uses_it()
    {
        using var again = NpuDevice.Open(Device.Id);
        Assert.Same(Device.MemoryPool, again.MemoryPool);
        using var stream = again.CreateStream();
        Assert.Same(Device.MemoryPool, stream.AllocationPool);
    }
}
