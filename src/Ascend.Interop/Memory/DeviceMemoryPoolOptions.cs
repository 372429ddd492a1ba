namespace Ascend.Interop;

/// <summary>Settings of a <see cref="DeviceMemoryPool"/>.</summary>
public sealed class DeviceMemoryPoolOptions
{
    /// <summary>A name used in messages (e.g. "graph pool"); default: "memory pool of NPU device N".</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Upper bound on the bytes the pool may hold from the device (0 = no limit). A rent that would
    /// exceed it first releases cached free segments, then fails like a device out-of-memory
    /// (<see cref="AclException"/> with code 207001) without calling the runtime.
    /// </summary>
    public long MaxReservedBytes { get; init; }
}
