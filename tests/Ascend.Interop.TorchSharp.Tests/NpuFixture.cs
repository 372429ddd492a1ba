using Ascend.Interop.Testing;

[assembly: AssemblyFixture(typeof(Ascend.Interop.TorchSharp.Tests.NpuFixture))]

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>The runtime, device 0 and one stream, shared by every test of the assembly.</summary>
public sealed class NpuFixture : NpuStreamFixture;
