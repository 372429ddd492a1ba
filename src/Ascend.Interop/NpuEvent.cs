using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>An NPU event: a marker recorded on a stream, used to wait, order streams and time work.</summary>
public sealed class NpuEvent : NpuResource
{
    private NpuEvent(NpuDevice device, EventHandle handle, bool timing) : base(handle, device.Context)
    {
        Device = device;
        HasTiming = timing;
    }

    internal static unsafe NpuEvent Create(NpuDevice device, bool timing)
    {
        using var lease = device.Enter();
        Native.aclrtEvent native;
        // ACL_EVENT_SYNC lets the host wait on it; ACL_EVENT_TIME_LINE adds timestamps. A "new mode" event
        // (aclrtCreateEventExWithFlag, CANN 8.0.RC1+): from CANN 9.1 a capture records and waits on these only.
        // The SDK never resets an event (aclrtResetEvent refuses new-mode events).
        uint flags = ACL_EVENT_SYNC | (timing ? ACL_EVENT_TIME_LINE : 0u);
        AclCheck.Check(aclrtCreateEventExWithFlag(&native, flags), nameof(aclrtCreateEventExWithFlag), $"creating an event on device {device.Id}");
        return new NpuEvent(device, new EventHandle((nint)native, device.Context), timing);
    }

    /// <summary>The device the event belongs to.</summary>
    public NpuDevice Device { get; }

    /// <summary>True when the event records timestamps (<see cref="ElapsedTime"/> works).</summary>
    public bool HasTiming { get; }

    /// <summary>
    /// The native <c>aclrtEvent</c>, for calls the SDK does not wrap. It is borrowed, not owned: keep this
    /// <see cref="NpuEvent"/> alive (and undisposed) while native code uses it.
    /// </summary>
    public aclrtEvent Handle
    {
        get
        {
            ThrowIfDisposed();
            return NativeHandle.Event(HandleValue);
        }
    }

    /// <summary>Records the event at the current end of <paramref name="stream"/>.</summary>
    public void Record(NpuStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Device.Id != Device.Id)
            throw new ArgumentException($"The event belongs to NPU device {Device.Id} but the stream to device {stream.Device.Id}.", nameof(stream));
        var work = new RuntimeCallWork<EventRecordCall>(new(this));
        stream.Submit(ref work);
    }

    /// <summary>Waits until the work before the event's last record has completed.</summary>
    public void Synchronize()
    {
        using var lease = Enter();
        ThrowIfCapturedRecord("Synchronize");
        Handles.HostCallbackDispatcher.ThrowIfOnCallbackThread("NpuEvent.Synchronize");
        AclCheck.Check(aclrtSynchronizeEvent(NativeHandle.Event(lease.Value)), nameof(aclrtSynchronizeEvent));
    }

    /// <summary>Waits at most <paramref name="timeout"/>; false when the event did not complete in time.</summary>
    public bool Synchronize(TimeSpan timeout)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : checked((int)Math.Ceiling(timeout.TotalMilliseconds));
        if (ms < -1) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        using var lease = Enter();
        ThrowIfCapturedRecord("Synchronize");
        Handles.HostCallbackDispatcher.ThrowIfOnCallbackThread("NpuEvent.Synchronize");
        int code = aclrtSynchronizeEventWithTimeout(NativeHandle.Event(lease.Value), ms);
        if (code == ACL_ERROR_RT_EVENT_SYNC_TIMEOUT) return false;
        AclCheck.Check(code, nameof(aclrtSynchronizeEventWithTimeout));
        return true;
    }

    /// <summary>True when the work before the event's last record has completed (or it was never recorded).</summary>
    public unsafe bool IsCompleted
    {
        get
        {
            using var lease = Enter();
            ThrowIfCapturedRecord("IsCompleted");
            Native.aclrtEventRecordedStatus status;
            AclCheck.Check(aclrtQueryEventStatus(NativeHandle.Event(lease.Value), &status), nameof(aclrtQueryEventStatus));
            return status == Native.aclrtEventRecordedStatus.ACL_EVENT_RECORDED_STATUS_COMPLETE;
        }
    }

    /// <summary>Device time between two completed events, both created with timing.</summary>
    public static unsafe TimeSpan ElapsedTime(NpuEvent start, NpuEvent end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (!start.HasTiming || !end.HasTiming)
            throw new InvalidOperationException("Both events must be created with timing: true to measure elapsed time.");
        using var startLease = start.Enter();
        using var endLease = end.Enter();
        start.ThrowIfCapturedRecord("ElapsedTime");
        end.ThrowIfCapturedRecord("ElapsedTime");
        float ms;
        AclCheck.Check(aclrtEventElapsedTime(&ms, NativeHandle.Event(startLease.Value), NativeHandle.Event(endLease.Value)), nameof(aclrtEventElapsedTime));
        return TimeSpan.FromMilliseconds(ms);
    }

    // Capture awareness: an event recorded inside a capture cannot be waited on by the host
    // until the graph runs (CANN: 107028). The stream's submission path sets this at every record.
    internal NpuGraph? CapturedIn { get; set; }

    private void ThrowIfCapturedRecord(string operation) => NpuStream.ThrowIfCapturedRecord(this, operation);
}
