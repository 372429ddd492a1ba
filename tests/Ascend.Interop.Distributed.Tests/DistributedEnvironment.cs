using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed.Tests;

/// <summary>Settings every test of this assembly (and every rank process it starts) runs with.</summary>
internal static class DistributedEnvironment
{
    /// <summary>HCCL connect/execution timeout of the simulator in these tests.</summary>
    public const int TimeoutMs = 2000;

    // Before the runtime starts: four simulated devices (two- and four-rank cases in one process) and a
    // short HCCL timeout. Variables already set (e.g. by a CI job) win.
    [ModuleInitializer]
    internal static void Configure()
    {
        SetDefault("ASCEND_SIM_DEVICE_COUNT", "4");
        SetDefault("ASCEND_SIM_HCCL_TIMEOUT_MS", TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // .NET keeps its own copy of the environment on Unix: the simulator (getenv) needs the C library's
    // too; child processes get the managed one.
    private static void SetDefault(string name, string value)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) return;
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux()) _ = setenv(name, value, 1);
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int setenv(string name, string value, int overwrite);

    public static bool OnSimulator => NpuRuntime.IsSimulator;

    /// <summary>Live native objects as the simulator counts them.</summary>
    public static unsafe (ulong Streams, ulong Allocations, ulong Models) LiveCounts()
    {
        ulong Get(aclsimCounter c)
        {
            ulong v;
            Assert.Equal(0, AclSim.aclsimGetCounter(c, &v));
            return v;
        }
        return (Get(aclsimCounter.ACLSIM_LIVE_STREAMS), Get(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS), Get(aclsimCounter.ACLSIM_LIVE_MODELS));
    }
}

/// <summary>The runtime, shared by the tests of this assembly (they run one at a time).</summary>
public sealed class RuntimeFixture : IDisposable
{
    public RuntimeFixture() => Runtime = NpuRuntime.Initialize();

    public NpuRuntime Runtime { get; }

    public void Dispose() => Runtime.Dispose();
}

[CollectionDefinition("Hccl")]
public sealed class HcclCollection : ICollectionFixture<RuntimeFixture>;
