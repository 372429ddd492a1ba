using Ascend.Interop.Native;

namespace Ascend.Interop.Testing;

/// <summary>
/// The NPU resources alive at one moment, for leak checks. On the simulator: its live counters (streams, events,
/// captured graphs, device allocations and bytes, pinned blocks, contexts, aclnn objects). On CANN: the SDK's
/// stream and graph accounting (<see cref="NpuDevice.StreamBudget"/>) and the device memory in use
/// (<see cref="NpuDevice.GetMemoryInfo"/>). On both: blocks rented from the device's memory pool.
/// </summary>
public sealed class NpuResourceSnapshot
{
    internal const string DeviceMemoryInUse = "device memory in use (bytes)";

    private NpuResourceSnapshot(NpuBackend backend, IReadOnlyList<NpuResourceCount> counts)
    {
        Backend = backend;
        Counts = counts;
    }

    /// <summary>The backend the snapshot was taken on.</summary>
    public NpuBackend Backend { get; }

    /// <summary>Every counted resource, in a fixed order.</summary>
    public IReadOnlyList<NpuResourceCount> Counts { get; }

    /// <summary>The value of one resource by name; throws when it was not counted on this backend.</summary>
    public long this[string name] => Counts.First(c => c.Name == name).Value;

    /// <summary>
    /// Counts the resources alive now. Synchronizes <paramref name="device"/> and trims its memory pool first, so
    /// finished work and cached (free) pool segments are not mistaken for leaks.
    /// </summary>
    public static unsafe NpuResourceSnapshot Take(NpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.Synchronize();
        DeviceMemoryPool pool = device.MemoryPool;
        pool.Trim();
        var counts = new List<NpuResourceCount>();
        NpuStreamBudget budget = device.StreamBudget;
        NpuBackend backend = NpuRuntime.IsSimulator ? NpuBackend.Simulator : NpuBackend.Cann;
        if (backend == NpuBackend.Simulator)
        {
            void Add(string name, aclsimCounter counter)
            {
                ulong value;
                int code = AclSim.aclsimGetCounter(counter, &value);
                if (code != 0) throw new InvalidOperationException($"aclsimGetCounter({counter}) failed with {code}.");
                counts.Add(new NpuResourceCount(name, checked((long)value), "simulator"));
            }
            Add("streams", aclsimCounter.ACLSIM_LIVE_STREAMS);
            Add("events", aclsimCounter.ACLSIM_LIVE_EVENTS);
            Add("graphs (aclmdlRI models)", aclsimCounter.ACLSIM_LIVE_MODELS);
            Add("device allocations", aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS);
            Add("device bytes", aclsimCounter.ACLSIM_LIVE_DEVICE_BYTES);
            Add("pinned host blocks", aclsimCounter.ACLSIM_LIVE_PINNED_BLOCKS);
            Add("contexts", aclsimCounter.ACLSIM_LIVE_CONTEXTS);
            Add("aclTensor objects", aclsimCounter.ACLSIM_LIVE_TENSORS);
            Add("aclnn scalars/arrays/tensor lists", aclsimCounter.ACLSIM_LIVE_ACLNN_OBJECTS);
            Add("aclnn executors", aclsimCounter.ACLSIM_LIVE_EXECUTORS);
        }
        else
        {
            (long free, long total) = device.GetMemoryInfo(NpuMemoryKind.Hbm);
            counts.Add(new NpuResourceCount(DeviceMemoryInUse, total - free, "runtime"));
        }
        counts.Add(new NpuResourceCount("SDK streams", budget.Streams, "SDK"));
        counts.Add(new NpuResourceCount("SDK graphs", budget.Graphs, "SDK"));
        counts.Add(new NpuResourceCount("memory pool blocks rented", pool.RentedBlockCount, "SDK"));
        return new NpuResourceSnapshot(backend, counts);
    }

    /// <summary>
    /// What grew since <paramref name="baseline"/>, one line per resource ("1 more stream(s): 3 -> 4 (simulator)"); empty when nothing did.
    /// Device memory in use on CANN may grow by up to <paramref name="deviceMemoryToleranceBytes"/> (the runtime allocates for itself).
    /// </summary>
    public IReadOnlyList<string> GrowthSince(NpuResourceSnapshot baseline, long deviceMemoryToleranceBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var growth = new List<string>();
        foreach (NpuResourceCount now in Counts)
        {
            NpuResourceCount? before = baseline.Counts.Cast<NpuResourceCount?>().FirstOrDefault(c => c!.Value.Name == now.Name);
            if (before is null) continue;
            long delta = now.Value - before.Value.Value;
            long allowed = now.Name == DeviceMemoryInUse ? deviceMemoryToleranceBytes : 0;
            if (delta > allowed)
            {
                growth.Add($"{delta} more {now.Name}: {before.Value.Value} -> {now.Value} ({now.Source})");
            }
        }
        return growth;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Counts.Select(c => $"{c.Name} {c.Value}"));
}
