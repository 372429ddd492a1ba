using Ascend.Interop.Native;
using Ascend.Interop.Testing;

namespace Ascend.Interop.Tests;

/// <summary>
/// The runtime and device 0, shared by every test that touches the NPU (Ascend.Interop.Testing's
/// <see cref="NpuDeviceFixture"/>). The native runtime is process-wide, so these tests run in one
/// collection, one at a time.
/// </summary>
public sealed class NpuFixture : NpuDeviceFixture
{
    /// <summary>True when the tests run on the simulator (simulator-only checks are skipped on CANN).</summary>
    public static bool OnSimulator => NpuRuntime.IsSimulator;
}

[CollectionDefinition("Npu")]
public sealed class NpuCollection : ICollectionFixture<NpuFixture>;

/// <summary>Live native objects as the simulator counts them (all zero-cost reads).</summary>
public readonly record struct LiveCounts(ulong Streams, ulong Events, ulong DeviceAllocations, ulong PinnedBlocks, ulong Models, ulong Tensors, ulong AclnnObjects, ulong Executors)
{
    public static unsafe LiveCounts Read()
    {
        static ulong Get(aclsimCounter counter)
        {
            ulong value;
            int code = AclSim.aclsimGetCounter(counter, &value);
            if (code != 0) throw new InvalidOperationException($"aclsimGetCounter({counter}) failed with {code}");
            return value;
        }
        return new LiveCounts(
            Get(aclsimCounter.ACLSIM_LIVE_STREAMS), Get(aclsimCounter.ACLSIM_LIVE_EVENTS),
            Get(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS), Get(aclsimCounter.ACLSIM_LIVE_PINNED_BLOCKS),
            Get(aclsimCounter.ACLSIM_LIVE_MODELS), Get(aclsimCounter.ACLSIM_LIVE_TENSORS),
            Get(aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS), Get(aclsimCounter.ACLSIM_LIVE_EXECUTORS));
    }
}
