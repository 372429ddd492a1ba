using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// How many of a device's hardware streams the SDK holds, and how many are left. CANN gives a
/// device about 2,048 streams; every stream and every live captured graph holds at least one,
/// and capture fails (207005/207008) when they run out.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Streams">Streams created through the SDK and not yet destroyed.</param>
/// <param name="Graphs">Captured graphs (and captures in progress) alive through the SDK.</param>
/// <param name="InUse">Streams in use on the device as the runtime counts them (simulator), or the SDK's own count plus the default stream.</param>
/// <param name="Limit">The device's stream limit: the simulator's, or <c>ASCEND_INTEROP_STREAM_LIMIT</c>, or 2,048.</param>
public readonly record struct NpuStreamBudget(int DeviceId, int Streams, int Graphs, int InUse, int Limit)
{
    /// <summary>Streams still free.</summary>
    public int Remaining => Math.Max(0, Limit - InUse);

    /// <inheritdoc />
    public override string ToString() =>
        $"device {DeviceId}: {InUse} of {Limit} streams in use ({Streams} SDK streams, {Graphs} graphs), {Remaining} left";
}

/// <summary>The SDK's own count of streams and graphs per device.</summary>
internal static class StreamAccounting
{
    private const int MaxDevices = 64;
    private static readonly int[] s_streams = new int[MaxDevices];
    private static readonly int[] s_graphs = new int[MaxDevices];
    private static readonly int[] s_communicators = new int[MaxDevices];

    public static void StreamCreated(int device) => Interlocked.Increment(ref s_streams[device % MaxDevices]);
    public static void StreamReleased(int device) => Interlocked.Decrement(ref s_streams[device % MaxDevices]);
    public static void GraphCreated(int device) => Interlocked.Increment(ref s_graphs[device % MaxDevices]);
    public static void GraphReleased(int device)
    {
        if (Interlocked.Decrement(ref s_graphs[device % MaxDevices]) == 0) NpuDevice.OnLastGraphReleased(device);
    }

    // An HCCL communicator holds streams of its device (one in the simulator's accounting).
    public static void CommunicatorCreated(int device) => Interlocked.Increment(ref s_communicators[device % MaxDevices]);
    public static void CommunicatorReleased(int device) => Interlocked.Decrement(ref s_communicators[device % MaxDevices]);

    public static IEnumerable<(int Device, int Graphs)> LiveGraphsByDevice()
    {
        for (int device = 0; device < MaxDevices; device++)
        {
            int graphs = Volatile.Read(ref s_graphs[device]);
            if (graphs != 0) yield return (device, graphs);
        }
    }

    public static unsafe NpuStreamBudget For(int device)
    {
        int streams = Volatile.Read(ref s_streams[device % MaxDevices]);
        int graphs = Volatile.Read(ref s_graphs[device % MaxDevices]);
        int inUse = streams + graphs + Volatile.Read(ref s_communicators[device % MaxDevices]) + 1;
        int limit = 2048;
        if (int.TryParse(Environment.GetEnvironmentVariable("ASCEND_INTEROP_STREAM_LIMIT"), out int configured) && configured > 0)
            limit = configured;
        if (NpuRuntime.IsSimulator)
        {
            uint used, max;
            if (AclSim.aclsimGetStreamBudget(device, &used, &max) == 0)
            {
                inUse = (int)used;
                limit = (int)max;
            }
        }
        return new NpuStreamBudget(device, streams, graphs, inUse, limit);
    }
}

/// <summary>
/// Capture failed because the device ran out of streams (207005 / 207008). The message says how
/// many graphs and streams are alive and what to do.
/// </summary>
public sealed class NpuStreamBudgetException : AclException
{
    internal NpuStreamBudgetException(int code, string function, string? runtimeMessage, NpuStreamBudget budget)
        : base(code, function, runtimeMessage,
            $"beginning a capture: the device has no stream left for another graph ({budget}). " +
            "Dispose graphs you no longer replay (or lower NpuGraphCache's capacity), capture fewer shape buckets, and share one NpuGraphPool between graphs of different sizes")
    {
        Budget = budget;
    }

    /// <summary>The device's stream budget when the capture failed.</summary>
    public NpuStreamBudget Budget { get; }
}
