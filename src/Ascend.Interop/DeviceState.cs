using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// What every <see cref="NpuDevice"/> object of one open device id shares: the context, the default stream and pool,
/// and the device's stream budget (streams, graphs and communicators the SDK holds). Children (streams, graphs,
/// communicators) reach it through the device object they were created from, so no static table is involved.
/// </summary>
internal sealed class DeviceState(int id, ContextHandle context)
{
    private int _streams, _graphs, _communicators;

    public readonly int Id = id;
    public readonly ContextHandle Context = context;

    /// <summary>NpuDevice objects open on this state (guarded by NpuDevice's registry lock).</summary>
    public int Users = 1;

    /// <summary>A device object no user holds (never disposed), for objects shared by all users: default stream, pool.</summary>
    public NpuDevice? Internal;

    public NpuStream? DefaultStream;
    public DeviceMemoryPool? Pool;

    /// <summary>A stream or communicator (<see cref="StreamBudgetHandle"/>) now holds streams of the device.</summary>
    public void Hold(StreamBudgetHolder holder) =>
        Interlocked.Increment(ref holder == StreamBudgetHolder.Stream ? ref _streams : ref _communicators);

    public void Release(StreamBudgetHolder holder) =>
        Interlocked.Decrement(ref holder == StreamBudgetHolder.Stream ? ref _streams : ref _communicators);

    /// <summary>A graph (or a capture in progress) now holds a stream of the device.</summary>
    public void GraphCreated() => Interlocked.Increment(ref _graphs);
    public void GraphReleased() => Interlocked.Decrement(ref _graphs);

    /// <summary>Graphs (and captures in progress) alive on the device.</summary>
    public int Graphs => Volatile.Read(ref _graphs);

    /// <summary>The budget as the SDK counts it, with the simulator's own figures when it runs on the simulator.</summary>
    public unsafe NpuStreamBudget Budget()
    {
        int streams = Volatile.Read(ref _streams);
        int graphs = Volatile.Read(ref _graphs);
        int inUse = streams + graphs + Volatile.Read(ref _communicators) + 1;
        int limit = 2048;
        if (int.TryParse(Environment.GetEnvironmentVariable("ASCEND_INTEROP_STREAM_LIMIT"), out int configured) && configured > 0)
            limit = configured;
        if (NpuRuntime.IsSimulator)
        {
            uint used, max;
            if (AclSim.aclsimGetStreamBudget(Id, &used, &max) == 0)
            {
                inUse = (int)used;
                limit = (int)max;
            }
        }
        return new NpuStreamBudget(Id, streams, graphs, inUse, limit);
    }
}
