using System.Collections.Concurrent;
using System.Reflection;
using Xunit.v3;

namespace Ascend.Interop.Testing;

/// <summary>
/// Fails a test (method, class or assembly level) that leaves NPU resources alive: counts them on device
/// <see cref="DeviceId"/> before and after the test (<see cref="NpuResourceSnapshot"/>). Needs the runtime to start;
/// the test's own objects must be disposed by the time the test method returns.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Assembly)]
public sealed class NpuLeakCheckAttribute : BeforeAfterTestAttribute
{
    private static readonly ConcurrentDictionary<string, (NpuRuntime Runtime, NpuDevice Device, NpuResourceSnapshot Baseline)> s_running = new();

    /// <summary>The device whose resources are counted (default 0).</summary>
    public int DeviceId { get; set; }

    /// <summary>Bytes of device memory growth allowed on CANN (default 4 MiB).</summary>
    public long CannDeviceMemoryToleranceBytes { get; set; } = NpuLeakCheckOptions.Default.CannDeviceMemoryToleranceBytes;

    /// <inheritdoc />
    public override void Before(MethodInfo methodUnderTest, IXunitTest test)
    {
        if (NpuTestEnvironment.GetSkipReason(NpuBackendRequirement.Any, DeviceId + 1) is not null) return;
        NpuRuntime runtime = NpuRuntime.Initialize();
        NpuDevice device = NpuDevice.Open(DeviceId);
        s_running[test.UniqueID] = (runtime, device, NpuResourceSnapshot.Take(device));
    }

    /// <inheritdoc />
    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        if (!s_running.TryRemove(test.UniqueID, out var run)) return;
        IReadOnlyList<string> leaks;
        try
        {
            NpuResourceSnapshot end = NpuResourceSnapshot.Take(run.Device);
            leaks = end.GrowthSince(run.Baseline, CannDeviceMemoryToleranceBytes);
        }
        finally
        {
            run.Device.Dispose();
            run.Runtime.Dispose();
        }
        if (leaks.Count > 0) throw new NpuLeakException(test.TestDisplayName, leaks);
    }
}
