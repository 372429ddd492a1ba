namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class StreamEventTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Work_is_asynchronous_and_synchronize_makes_it_visible()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 256);
        buffer.Fill(0);
        using var gate = new ManualResetEventSlim(false);
        stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(10)));
        buffer.EnqueueFill(stream, 7);
        Assert.False(stream.Query());
        Assert.False(stream.Synchronize(TimeSpan.FromMilliseconds(20)));
        gate.Set();
        stream.Synchronize();
        Assert.True(stream.Query());
        Assert.All(buffer.ToArray<byte>(), b => Assert.Equal(7, b));
    }

    [Fact]
    public void Host_callback_exceptions_surface_at_the_next_synchronize()
    {
        using var stream = Device.CreateStream();
        int ran = 0;
        stream.LaunchHostCallback(() => Interlocked.Increment(ref ran));
        stream.LaunchHostCallback(() => throw new InvalidTimeZoneException("boom"));
        var error = Assert.Throws<AggregateException>(() => stream.Synchronize());
        Assert.IsType<InvalidTimeZoneException>(Assert.Single(error.InnerExceptions));
        Assert.Equal(1, ran);
        stream.Synchronize(); // reported once, the stream stays usable
    }

    [Fact]
    public void Events_order_two_streams_and_time_work()
    {
        using var producer = Device.CreateStream();
        using var consumer = Device.CreateStream();
        using var done = Device.CreateEvent();
        using var start = Device.CreateEvent();
        using var source = DeviceBuffer.Allocate(Device, 1024);
        using var pinned = PinnedBuffer<byte>.Allocate(Device, 1024);
        using var gate = new ManualResetEventSlim(false);

        start.Record(producer);
        producer.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(10)));
        source.EnqueueFill(producer, 42);
        done.Record(producer);
        consumer.Wait(done);
        source.EnqueueCopyTo(consumer, pinned);   // must see the producer's fill
        Assert.False(done.IsCompleted);
        Assert.False(consumer.Query());
        gate.Set();
        consumer.Synchronize();
        Assert.True(done.IsCompleted);
        Assert.All(pinned.Span.ToArray(), b => Assert.Equal(42, b));

        var elapsed = NpuEvent.ElapsedTime(start, done);
        Assert.True(elapsed >= TimeSpan.Zero);
    }

    [Fact]
    public void Elapsed_time_needs_timing_events()
    {
        using var stream = Device.CreateStream();
        using var a = Device.CreateEvent(timing: false);
        using var b = Device.CreateEvent(timing: false);
        a.Record(stream);
        b.Record(stream);
        stream.Synchronize();
        Assert.Throws<InvalidOperationException>(() => NpuEvent.ElapsedTime(a, b));
    }

    [Fact]
    public void Disposed_streams_and_events_throw_object_disposed()
    {
        var stream = Device.CreateStream();
        var evt = Device.CreateEvent();
        stream.Dispose();
        stream.Dispose();
        evt.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => stream.Handle);
        Assert.Throws<ObjectDisposedException>(() => evt.IsCompleted);
        using var other = Device.CreateStream();
        Assert.Throws<ObjectDisposedException>(() => other.Record(evt));
    }

    [Fact]
    public void Default_stream_runs_work()
    {
        var stream = Device.DefaultStream;
        Assert.True(stream.IsDefault);
        using var buffer = DeviceBuffer.Allocate(Device, 16);
        buffer.EnqueueFill(stream, 3);
        stream.Synchronize();
        Assert.All(buffer.ToArray<byte>(), b => Assert.Equal(3, b));
    }

    [Fact]
    public void Disposing_in_any_order_releases_every_native_object()
    {
        if (!NpuFixture.OnSimulator) Assert.Skip("live-object counts come from the simulator");
        var before = LiveCounts.Read();
        var device = NpuDevice.Open(0);
        var stream = device.CreateStream();
        var evt = device.CreateEvent();
        var buffer = DeviceBuffer.Allocate(device, 4096);
        var pinned = PinnedBuffer<float>.Allocate(device, 16);
        evt.Record(stream);
        device.Dispose();        // parent first: children keep the context alive
        buffer.EnqueueFill(stream, 1);
        stream.Synchronize();
        pinned.Dispose();
        stream.Dispose();
        evt.Dispose();
        buffer.Dispose();
        Assert.Equal(before, LiveCounts.Read());
    }
}
