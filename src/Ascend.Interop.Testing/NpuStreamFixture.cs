namespace Ascend.Interop.Testing;

/// <summary>
/// <see cref="NpuDeviceFixture"/> plus one stream on the device, shared by a test class, collection or assembly
/// (<c>IClassFixture</c> / <c>ICollectionFixture</c> / <c>AssemblyFixture</c>) whose tests all enqueue on the same stream.
/// Device 0 by default; derive and pass another id to the protected constructor.
/// </summary>
public class NpuStreamFixture : NpuDeviceFixture
{
    /// <summary>Opens the runtime, device 0 and a stream on it.</summary>
    public NpuStreamFixture() : this(0) { }

    /// <summary>Opens the runtime, device <paramref name="deviceId"/> and a stream on it.</summary>
    protected NpuStreamFixture(int deviceId) : base(deviceId)
    {
        try
        {
            Stream = Device.CreateStream();
        }
        catch
        {
            base.Dispose(true);
            throw;
        }
    }

    /// <summary>The stream (disposed before the device).</summary>
    public NpuStream Stream { get; }

    /// <summary>Releases the stream, then the device and the runtime reference.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Stream.Dispose();
        base.Dispose(disposing);
    }
}
