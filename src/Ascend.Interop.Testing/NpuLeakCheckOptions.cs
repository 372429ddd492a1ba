namespace Ascend.Interop.Testing;

/// <summary>Settings of the leak check made by <see cref="NpuTestContext"/> and <see cref="NpuLeakCheckAttribute"/>.</summary>
public sealed record NpuLeakCheckOptions
{
    /// <summary>The defaults: exact counts; device memory on CANN may grow by 4 MiB (runtime-internal allocations).</summary>
    public static NpuLeakCheckOptions Default { get; } = new();

    /// <summary>
    /// How many bytes the device memory in use may grow on CANN before it counts as a leak (the runtime allocates for
    /// itself, e.g. at the first kernel launch). Not used on the simulator, whose counters are exact.
    /// </summary>
    public long CannDeviceMemoryToleranceBytes { get; init; } = 4L << 20;
}
