using System.Diagnostics.Metrics;

namespace Ascend.Interop;

/// <summary>
/// The SDK's <see cref="System.Diagnostics.Metrics"/> instruments, on the meter named
/// <see cref="MeterName"/>: listen with <c>dotnet-counters monitor --counters Ascend.Interop</c>,
/// OpenTelemetry's <c>AddMeter("Ascend.Interop")</c>, or a <see cref="MeterListener"/>.
/// </summary>
public static class NpuMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Ascend.Interop";

    private static readonly Meter s_meter = new(MeterName, typeof(NpuMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Lock s_poolsLock = new();
    private static readonly List<(WeakReference<DeviceMemoryPool> Pool, string Kind)> s_pools = new();

    internal static readonly Counter<long> Captures =
        s_meter.CreateCounter<long>("ascend.graph.captures", "{capture}", "Captures that ended successfully.");
    internal static readonly Counter<long> CaptureFailures =
        s_meter.CreateCounter<long>("ascend.graph.capture_failures", "{capture}", "Captures that failed to begin or end, or were abandoned.");
    internal static readonly Counter<long> Replays =
        s_meter.CreateCounter<long>("ascend.graph.replays", "{replay}", "Graph replays queued.");
    internal static readonly Counter<long> TaskUpdates =
        s_meter.CreateCounter<long>("ascend.graph.task_updates", "{update}", "Task-group updates applied (one aclmdlRICaptureTaskUpdateBegin/End pair each).");
    internal static readonly Counter<long> TaskUpdatesSkipped =
        s_meter.CreateCounter<long>("ascend.graph.task_updates_skipped", "{update}", "Task-group updates that re-issued the arguments the group held: no runtime call.");
    internal static readonly Counter<long> UpdateValidationsCached =
        s_meter.CreateCounter<long>("ascend.graph.update_validations_cached", "{operation}",
            "Operations of an update's validating dry pass answered by the group's cached signature instead of the runtime's phase 1.");
    internal static readonly Counter<long> UpdateOrderingEvents =
        s_meter.CreateCounter<long>("ascend.graph.update_ordering_events", "{event}",
            "Events recorded to order task-group updates with replays (after earlier replays, before later ones).");
    internal static readonly Counter<long> CacheHits =
        s_meter.CreateCounter<long>("ascend.graph_cache.hits", "{lookup}", "NpuGraphCache lookups that found a graph.");
    internal static readonly Counter<long> CacheMisses =
        s_meter.CreateCounter<long>("ascend.graph_cache.misses", "{lookup}", "NpuGraphCache lookups that had to capture.");
    internal static readonly Counter<long> TensorsReclaimed =
        s_meter.CreateCounter<long>("ascend.tensors.reclaimed", "{tensor}",
            "Pooled tensors never disposed whose memory the finalizer returned (tag reclaimed=false: dropped, their pool was gone).");
    private static long s_tensorsReclaimed;

    /// <summary>
    /// Pooled tensor storages that were never disposed and were reclaimed by the finalizer since the process started
    /// (also the <c>ascend.tensors.reclaimed</c> counter). Each one is a missing <c>Dispose</c> (or dispose scope).
    /// </summary>
    public static long TensorsReclaimedByFinalizer => Interlocked.Read(ref s_tensorsReclaimed);

    internal static void NoteTensorReclaimed(bool returned)
    {
        Interlocked.Increment(ref s_tensorsReclaimed);
        TensorsReclaimed.Add(1, new KeyValuePair<string, object?>("reclaimed", returned));
    }

    internal static readonly Counter<long> CacheEvictions =
        s_meter.CreateCounter<long>("ascend.graph_cache.evictions", "{graph}", "Graphs evicted (and disposed) by an NpuGraphCache.");

    static NpuMetrics()
    {
        s_meter.CreateObservableUpDownCounter("ascend.graphs.live", ObserveGraphs, "{graph}", "Captured graphs (and captures in progress) alive, per device.");
        s_meter.CreateObservableUpDownCounter("ascend.pool.reserved", () => ObservePools(reserved: true), "By", "Device memory held by SDK memory pools.");
        s_meter.CreateObservableUpDownCounter("ascend.pool.in_use", () => ObservePools(reserved: false), "By", "Pool memory handed out to tensors and workspaces.");
    }

    /// <summary>Makes a pool visible to the pool instruments (held weakly).</summary>
    internal static void Track(DeviceMemoryPool pool, string kind)
    {
        lock (s_poolsLock)
        {
            s_pools.RemoveAll(p => !p.Pool.TryGetTarget(out _));
            s_pools.Add((new WeakReference<DeviceMemoryPool>(pool), kind));
        }
    }

    private static IEnumerable<Measurement<long>> ObservePools(bool reserved)
    {
        var totals = new Dictionary<(string Kind, int Device), long>();
        lock (s_poolsLock)
        {
            foreach (var (weak, kind) in s_pools)
            {
                if (!weak.TryGetTarget(out var pool)) continue;
                var key = (kind, pool.Device.Id);
                totals[key] = totals.GetValueOrDefault(key) + (reserved ? pool.ReservedBytes : pool.InUseBytes);
            }
        }
        foreach (var ((kind, device), bytes) in totals)
            yield return new Measurement<long>(bytes, new KeyValuePair<string, object?>("pool.kind", kind), new KeyValuePair<string, object?>("device", device));
    }

    private static IEnumerable<Measurement<long>> ObserveGraphs()
    {
        foreach (var (device, graphs) in NpuDevice.LiveGraphsByDevice())
            yield return new Measurement<long>(graphs, new KeyValuePair<string, object?>("device", device));
    }
}
