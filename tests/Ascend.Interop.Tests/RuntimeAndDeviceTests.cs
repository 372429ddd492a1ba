namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class RuntimeAndDeviceTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    [Fact]
    public void Runtime_reports_backend_version_and_libraries()
    {
        using var runtime = NpuRuntime.Initialize();
        Assert.True(NpuRuntime.IsInitialized);
        Assert.True(runtime.AclVersion.Major >= 1);
        Assert.NotEmpty(runtime.SocName);
        Assert.NotEmpty(runtime.LibraryPaths);
        Assert.Equal(NpuFixture.OnSimulator ? NpuBackend.Simulator : NpuBackend.Cann, runtime.Backend);
    }

    [Fact]
    public void Runtime_is_reference_counted_and_dispose_is_idempotent()
    {
        var extra = NpuRuntime.Initialize();
        extra.Dispose();
        extra.Dispose();
        // The fixture's reference keeps the runtime up.
        Assert.True(NpuRuntime.IsInitialized);
        Assert.True(NpuDevice.Count >= 1);
        Assert.Throws<ObjectDisposedException>(() => extra.AclVersion);
    }

    [Fact]
    public void Open_rejects_ids_outside_the_device_range()
    {
        int count = NpuDevice.Count;
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => NpuDevice.Open(-1));
        Assert.Contains($"{count} device(s)", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuDevice.Open(count));
    }

    [Fact]
    public void Opening_a_device_twice_shares_it_and_disposing_one_leaves_the_other_usable()
    {
        var second = NpuDevice.Open(0);
        Assert.Equal(0, second.Id);
        second.Dispose();
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => second.CreateStream());
        using var stream = Fixture.Device.CreateStream();
        stream.Synchronize();
    }

    [Fact]
    public void Memory_info_reflects_a_raw_allocation()
    {
        var (freeBefore, total) = Fixture.Device.GetMemoryInfo();
        Assert.True(total > 0 && freeBefore <= total);
        using (var buffer = DeviceBuffer.Allocate(Fixture.Device, 64L << 20))
        {
            var (freeDuring, _) = Fixture.Device.GetMemoryInfo();
            Assert.True(freeBefore - freeDuring >= 64L << 20, $"free went from {freeBefore} to {freeDuring}");
        }
        var (freeAfter, _) = Fixture.Device.GetMemoryInfo();
        Assert.Equal(freeBefore, freeAfter);
    }

    [Fact]
    public async Task A_second_device_works_from_any_thread_without_manual_set_device()
    {
        if (NpuDevice.Count < 2) Assert.Skip("needs two devices");
        using var device1 = NpuDevice.Open(1);
        float[] result = await Task.Run(() =>
        {
            using var buffer = DeviceBuffer.Allocate<float>(device1, 4);
            buffer.CopyFrom<float>([1, 2, 3, 4]);
            return buffer.ToArray<float>();
        }, TestContext.Current.CancellationToken);
        Assert.Equal([1f, 2, 3, 4], result);
    }

    [Fact]
    public void Error_codes_have_names_and_explanations()
    {
        Assert.Equal("ACL_ERROR_RT_STREAM_CAPTURED", AclErrorCodes.NameOf(107027));
        Assert.Equal("ACL_ERROR_UNKNOWN(42)", AclErrorCodes.NameOf(42));
        Assert.Contains("capturing", AclErrorCodes.ExplanationOf(107027));
        var e = new AclException(207001, "aclrtMalloc", "out of device memory");
        Assert.Equal("ACL_ERROR_RT_MEMORY_ALLOCATION", e.CodeName);
        Assert.Contains("aclrtMalloc failed with 207001", e.Message);
        Assert.Contains("out of device memory", e.Message);
    }
}
