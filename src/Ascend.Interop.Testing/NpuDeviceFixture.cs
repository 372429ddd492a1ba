namespace Ascend.Interop.Testing;

/// <summary>
/// The runtime and one device shared by a test class or collection (<c>IClassFixture</c> / <c>ICollectionFixture</c>).
/// The native runtime is process-wide: put every NPU test class in one collection so they run one at a time.
/// Device 0 by default; derive and pass another id to the protected constructor.
/// </summary>
public class NpuDeviceFixture : IDisposable
{
    /// <summary>Opens the runtime and device 0.</summary>
    public NpuDeviceFixture() : this(0) { }

    /// <summary>Opens the runtime and device <paramref name="deviceId"/>.</summary>
    protected NpuDeviceFixture(int deviceId)
    {
        Environment = NpuTestEnvironment.Current;
        Runtime = NpuRuntime.Initialize();
        try
        {
            Device = NpuDevice.Open(deviceId);
        }
        catch
        {
            Runtime.Dispose();
            throw;
        }
    }

    /// <summary>The backend, device count, runtime version and SoC of this process.</summary>
    public NpuEnvironmentInfo Environment { get; }

    /// <summary>The runtime reference held by the fixture.</summary>
    public NpuRuntime Runtime { get; }

    /// <summary>The device.</summary>
    public NpuDevice Device { get; }

    /// <summary>The resources alive now on <see cref="Device"/> (see <see cref="NpuResourceSnapshot.Take"/>).</summary>
    public NpuResourceSnapshot Snapshot() => NpuResourceSnapshot.Take(Device);

    /// <summary>Releases the device and the runtime reference.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the device and the runtime reference.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        Device.Dispose();
        Runtime.Dispose();
    }
}
