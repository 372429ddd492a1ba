[assembly: AssemblyFixture(typeof(Ascend.Interop.TorchSharp.Tests.NpuFixture))]

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>The runtime, device 0 and one stream, shared by every test of the assembly.</summary>
public sealed class NpuFixture : IDisposable
{
    public NpuFixture()
    {
        Runtime = NpuRuntime.Initialize();
        Device = NpuDevice.Open(0);
        Stream = Device.CreateStream();
    }

    public NpuRuntime Runtime { get; }

    public NpuDevice Device { get; }

    public NpuStream Stream { get; }

    public void Dispose()
    {
        Stream.Dispose();
        Device.Dispose();
        Runtime.Dispose();
    }
}
