using Ascend.Interop.Native;

// The simulator's live counters are process-wide: NPU tests that check leaks must not run in parallel.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace Ascend.Interop.Testing.Tests;

public sealed class LeakDetectionTests
{
    [NpuFact]
    public void A_clean_test_passes_the_check_and_gets_a_working_stream()
    {
        var context = NpuTestContext.Open();
        using (var buffer = DeviceBuffer.Allocate(context.Device, 64))
        {
            buffer.EnqueueFill(context.Stream, 3);
            context.Stream.Synchronize();
            Assert.All(buffer.ToArray<byte>(), b => Assert.Equal(3, b));
        }
        Assert.Empty(context.FindLeaks());
        context.Dispose(); // no exception: nothing leaked
        context.Dispose(); // second dispose is a no-op
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)] // exact simulator counters in the expected text
    public void An_undisposed_stream_fails_the_check_with_a_message_naming_it()
    {
        var context = NpuTestContext.Open();
        NpuStream leaked = context.Device.CreateStream();
        try
        {
            Assert.Equal(["1 more streams: 1 -> 2 (simulator)", "1 more SDK streams: 1 -> 2 (SDK)"], context.FindLeaks());
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            Assert.Equal(["1 more streams: 0 -> 1 (simulator)", "1 more SDK streams: 0 -> 1 (SDK)"], error.Leaks);
            Assert.Contains(nameof(An_undisposed_stream_fails_the_check_with_a_message_naming_it), error.Message);
            Assert.Contains("leaked NPU resources", error.Message);
            Assert.Contains("1 more streams: 0 -> 1", error.Message);
        }
        finally
        {
            leaked.Dispose();
        }
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)] // exact simulator counters in the expected text
    public void An_undisposed_event_fails_the_check()
    {
        var context = NpuTestContext.Open();
        NpuEvent leaked = context.Device.CreateEvent();
        try
        {
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            Assert.Equal(["1 more events: 0 -> 1 (simulator)"], error.Leaks);
        }
        finally
        {
            leaked.Dispose();
        }
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)] // exact simulator counters in the expected text
    public void Undisposed_device_memory_fails_the_check_with_its_bytes()
    {
        var context = NpuTestContext.Open();
        long bytesBefore = context.Baseline["device bytes"];
        DeviceBuffer leaked = DeviceBuffer.Allocate(context.Device, 4096);
        try
        {
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            Assert.Contains("1 more device allocations: ", error.Message);
            Assert.Contains($"more device bytes: {bytesBefore} -> ", error.Message);
            Assert.DoesNotContain("streams", error.Message);
        }
        finally
        {
            leaked.Dispose();
        }
    }

    [NpuFact]
    public void A_block_rented_from_the_memory_pool_and_not_returned_fails_the_check()
    {
        using var runtime = NpuRuntime.Initialize();
        using var keeper = NpuDevice.Open(0); // keeps the device (and its pool) open after the context is gone
        var context = NpuTestContext.Open();
        PoolBlock block = context.Device.MemoryPool.Rent(context.Device.DefaultStream, 1024);
        var error = Assert.Throws<NpuLeakException>(context.Dispose);
        Assert.Contains("1 more memory pool blocks rented: 0 -> 1 (SDK)", error.Leaks);
        keeper.MemoryPool.Return(keeper.DefaultStream, block);
        keeper.Synchronize();
        keeper.MemoryPool.Trim();
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)] // exact simulator counters in the expected text
    public void An_undisposed_captured_graph_fails_the_check()
    {
        var context = NpuTestContext.Open();
        using var buffer = DeviceBuffer.Allocate(context.Device, 64);
        NpuGraph graph = NpuGraph.Capture(context.Stream, s => buffer.EnqueueFill(s, 1));
        try
        {
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            Assert.Contains("1 more graphs (aclmdlRI models): 0 -> 1 (simulator)", error.Leaks);
            Assert.Contains("1 more SDK graphs: 0 -> 1 (SDK)", error.Leaks);
        }
        finally
        {
            graph.Dispose();
        }
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)] // exact simulator counters in the expected text
    public void Snapshots_count_what_grew_and_ignore_what_shrank()
    {
        using var fixture = new NpuDeviceFixture();
        NpuEvent first = fixture.Device.CreateEvent();
        NpuResourceSnapshot before = fixture.Snapshot();
        first.Dispose();
        using var second = fixture.Device.CreateStream();
        NpuResourceSnapshot after = fixture.Snapshot();
        Assert.Equal(NpuBackend.Simulator, after.Backend);
        Assert.Equal(before["events"] - 1, after["events"]);
        Assert.Equal(["1 more streams: " + before["streams"] + " -> " + after["streams"] + " (simulator)",
                      "1 more SDK streams: " + before["SDK streams"] + " -> " + after["SDK streams"] + " (SDK)"],
                     after.GrowthSince(before));
        Assert.DoesNotContain(before.GrowthSince(after), l => l.Contains("streams"));
    }

    [NpuFact]
    public void An_undisposed_stream_is_named_on_every_backend()
    {
        var context = NpuTestContext.Open();
        NpuStream leaked = context.Device.CreateStream();
        try
        {
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            Assert.Contains("1 more SDK streams: 0 -> 1 (SDK)", error.Leaks);
        }
        finally
        {
            leaked.Dispose();
        }
    }

    [NpuFact]
    public void Undisposed_device_memory_beyond_the_tolerance_fails_on_every_backend()
    {
        var context = NpuTestContext.Open();
        DeviceBuffer leaked = DeviceBuffer.Allocate(context.Device, 16L << 20); // above CANN's 4 MiB tolerance
        try
        {
            var error = Assert.Throws<NpuLeakException>(context.Dispose);
            string expected = NpuRuntime.IsSimulator ? "more device bytes: " : "more device memory in use (bytes): ";
            Assert.Contains(error.Leaks, line => line.Contains(expected, StringComparison.Ordinal));
        }
        finally
        {
            leaked.Dispose();
        }
    }

    [NpuFact]
    [NpuLeakCheck]
    public void The_leak_check_attribute_lets_a_clean_test_pass()
    {
        using var runtime = NpuRuntime.Initialize();
        using var device = NpuDevice.Open(0);
        using var stream = device.CreateStream();
        using var done = device.CreateEvent();
        done.Record(stream);
        done.Synchronize();
    }
}
