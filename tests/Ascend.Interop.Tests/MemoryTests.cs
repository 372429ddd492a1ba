namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class MemoryTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Sync_and_async_copies_round_trip()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate<int>(Device, 100);
        int[] data = Enumerable.Range(0, 100).ToArray();
        buffer.CopyFrom<int>(data);
        Assert.Equal(data, buffer.ToArray<int>());

        using var pinnedIn = PinnedBuffer<int>.Allocate(Device, 100);
        using var pinnedOut = PinnedBuffer<int>.Allocate(Device, 100);
        for (int i = 0; i < 100; i++) pinnedIn.Span[i] = i * 3;
        buffer.EnqueueCopyFrom(stream, pinnedIn);
        buffer.EnqueueCopyTo(stream, pinnedOut);
        stream.Synchronize();
        Assert.Equal(pinnedIn.Span.ToArray(), pinnedOut.Span.ToArray());
    }

    [Fact]
    public void Copies_are_range_checked_before_any_native_call()
    {
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyFrom<float>(new float[5]));
        Assert.Contains("20 bytes", tooLong.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyFrom<byte>(new byte[8], offsetBytes: 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyTo<byte>(new byte[4], offsetBytes: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Fill(1, offsetBytes: 8, count: 9));
        buffer.CopyFrom<byte>(ReadOnlySpan<byte>.Empty); // an empty copy is a no-op
        using var pinned = PinnedBuffer<byte>.Allocate(Device, 32);
        using var stream = Device.CreateStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.EnqueueCopyFrom(stream, pinned));
    }

    [Fact]
    public void Allocation_arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceBuffer.Allocate(Device, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PinnedBuffer<float>.Allocate(Device, -1));
        Assert.Throws<ArgumentNullException>(() => DeviceBuffer.Allocate(null!, 16));
    }

    [Fact]
    public void Out_of_device_memory_is_an_acl_exception_and_the_device_stays_usable()
    {
        var (_, total) = Device.GetMemoryInfo();
        var error = Assert.Throws<AclException>(() => DeviceBuffer.Allocate(Device, total * 2));
        Assert.Equal("aclrtMalloc", error.Function);
        Assert.Contains(error.Code, new[] { 207001, 207018 });
        using var ok = DeviceBuffer.Allocate(Device, 1024);
        Assert.Equal(1024, ok.Length);
    }

    [Fact]
    public void Disposed_buffers_throw()
    {
        var buffer = DeviceBuffer.Allocate(Device, 16);
        var pinned = PinnedBuffer<float>.Allocate(Device, 4);
        buffer.Dispose();
        pinned.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.Pointer);
        Assert.Throws<ObjectDisposedException>(() => buffer.CopyFrom<byte>(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => pinned.Span.Length);
    }
}
