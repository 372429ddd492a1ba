using System.Text;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>Simulator controls and bounded waits for the reliability tests (kept local so the suite's shared helpers can move).</summary>
internal static unsafe class Sim
{
    public static ulong Counter(aclsimCounter counter)
    {
        ulong value;
        Assert.Equal(0, AclSim.aclsimGetCounter(counter, &value));
        return value;
    }

    public static void Inject(string function, int code, uint nth = 1)
    {
        byte[] name = Encoding.UTF8.GetBytes(function + "\0");
        fixed (byte* p = name) Assert.Equal(0, AclSim.aclsimInjectFault((sbyte*)p, nth, code));
    }

    /// <summary>Disarms every fault; returns how many were still armed.</summary>
    public static uint Clear()
    {
        uint remaining;
        Assert.Equal(0, AclSim.aclsimClearFaults(&remaining));
        return remaining;
    }

    public static void TaskDelay(uint microseconds) => Assert.Equal(0, AclSim.aclsimSetTaskDelay(microseconds));

    public static (uint InUse, uint Limit) Budget(int device)
    {
        uint inUse, limit;
        Assert.Equal(0, AclSim.aclsimGetStreamBudget(device, &inUse, &limit));
        return (inUse, limit);
    }
}

internal static class Bounded
{
    /// <summary>Runs <paramref name="body"/> on a new thread; fails the test if it does not finish in <paramref name="seconds"/>.</summary>
    public static Exception? OnThread(Action body, int seconds = 30)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(seconds)), $"the thread did not finish within {seconds} s (hang)");
        return error;
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> threads released together; returns their exceptions.</summary>
    public static List<Exception> Together(int threads, Action<int> body, int seconds = 30)
    {
        var errors = new List<Exception>();
        using var barrier = new Barrier(threads);
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            workers[i] = new Thread(() =>
            {
                try
                {
                    barrier.SignalAndWait(TimeSpan.FromSeconds(seconds));
                    body(index);
                }
                catch (Exception e)
                {
                    lock (errors) errors.Add(e);
                }
            }) { IsBackground = true };
            workers[i].Start();
        }
        foreach (var worker in workers)
            Assert.True(worker.Join(TimeSpan.FromSeconds(seconds)), $"a thread did not finish within {seconds} s (hang)");
        return errors;
    }
}

/// <summary>
/// Live native objects before a test, compared after it with the device pool's caching in mind:
/// the device is synchronized and its pool trimmed, and events the pool keeps for reuse are
/// allowed for (they are counted by <see cref="DeviceMemoryPool.CachedEventCount"/>).
/// </summary>
internal readonly struct NativeBaseline
{
    private readonly LiveCounts _counts;
    private readonly int _cachedEvents0, _cachedEvents1;
    private readonly ulong _deviceBytes;
    private readonly NpuDevice _device;
    private readonly NpuDevice? _device1;

    private NativeBaseline(NpuDevice device, NpuDevice? device1)
    {
        _device = device;
        _device1 = device1;
        Settle(device, device1);
        _counts = LiveCounts.Read();
        _cachedEvents0 = device.MemoryPool.CachedEventCount;
        _cachedEvents1 = device1?.MemoryPool.CachedEventCount ?? 0;
        _deviceBytes = Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_BYTES);
    }

    public static NativeBaseline Take(NpuDevice device, NpuDevice? device1 = null) => new(device, device1);

    private static void Settle(NpuDevice device, NpuDevice? device1)
    {
        // Objects an earlier test dropped without disposing are released by their finalizers at a
        // time of the GC's choosing: let that happen now, not in the middle of the measured window.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        device.Synchronize();
        device.MemoryPool.Trim();
        if (device1 is not null)
        {
            device1.Synchronize();
            device1.MemoryPool.Trim();
        }
    }

    /// <summary>Asserts every live count is back (after synchronizing and trimming).</summary>
    public void AssertUnchanged()
    {
        Settle(_device, _device1);
        var now = LiveCounts.Read();
        int extraEvents = _device.MemoryPool.CachedEventCount - _cachedEvents0
            + (_device1 is null ? 0 : _device1.MemoryPool.CachedEventCount - _cachedEvents1);
        Assert.Equal(_counts with { Events = 0 }, now with { Events = 0 });
        Assert.Equal((long)_counts.Events + extraEvents, (long)now.Events);
        Assert.Equal(_deviceBytes, Sim.Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_BYTES));
    }
}
