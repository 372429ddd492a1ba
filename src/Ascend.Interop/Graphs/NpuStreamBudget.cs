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
