using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// An NPU stream: work submitted to it runs asynchronously, in order. Obtain one from
/// <see cref="NpuDevice.CreateStream"/> (or <see cref="NpuDevice.DefaultStream"/>).
/// </summary>
public sealed partial class NpuStream : NpuResource
{
    private readonly StreamHandle? _handle;          // null for the device's default (NULL) stream
    private readonly ContextHandle _context;
    private readonly ConcurrentQueue<Exception> _callbackErrors = new();
    private HostCallbackDispatcher? _callbacks;   // set once the stream launched a host callback

    // The default stream has no handle of its own: calls on it hold the device's context instead.
    private NpuStream(NpuDevice device, StreamHandle? handle) : base((NpuSafeHandle?)handle ?? device.Context, device.Context)
    {
        Device = device;
        _handle = handle;
        _context = device.Context;
    }

    internal static unsafe NpuStream Create(NpuDevice device)
    {
        using var lease = device.Enter();
        Native.aclrtStream native;
        AclCheck.Check(aclrtCreateStream(&native), nameof(aclrtCreateStream), $"creating a stream on device {device.Id}");
        return new NpuStream(device, new StreamHandle((nint)native, device.Context, device.State));
    }

    internal static NpuStream CreateDefault(NpuDevice device) => new(device, null);

    /// <summary>The device the stream belongs to.</summary>
    public NpuDevice Device { get; }

    /// <summary>The context the stream lives in (valid while the stream is).</summary>
    internal ContextHandle Context => _context;

    /// <summary>True for the device's default stream (CANN's NULL stream).</summary>
    public bool IsDefault => _handle is null;

    /// <summary>
    /// The native <c>aclrtStream</c> (<see cref="aclrtStream.Null"/> for the default stream), for calls the SDK does not
    /// wrap. It is borrowed, not owned: the caller must keep this <see cref="NpuStream"/> alive (and undisposed) while
    /// native code uses it.
    /// </summary>
    public aclrtStream Handle
    {
        get
        {
            ThrowIfDisposed();
            return NativeHandle.Stream(_handle?.DangerousGetHandle() ?? 0);
        }
    }

    /// <summary>Waits until all work submitted so far has completed, then reports host-callback failures.</summary>
    /// <exception cref="AclException">The runtime reported a failure of queued work.</exception>
    /// <exception cref="AggregateException">A host callback launched on this stream threw.</exception>
    public void Synchronize()
    {
        using (var lease = Enter())
        {
            ThrowIfCapturing("Synchronize", nameof(aclrtSynchronizeStream));
            HostCallbackDispatcher.ThrowIfOnCallbackThread("NpuStream.Synchronize");
            int code = aclrtSynchronizeStream(Native(lease));
            if (_collectedError is not null) ThrowCollectedError(code, nameof(aclrtSynchronizeStream));
            AclCheck.Check(code, nameof(aclrtSynchronizeStream));
        }
        ThrowCallbackErrors();
    }

    /// <summary>Waits at most <paramref name="timeout"/>; returns false when the work did not finish in time.</summary>
    public bool Synchronize(TimeSpan timeout)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : checked((int)Math.Ceiling(timeout.TotalMilliseconds));
        if (ms < -1) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        using (var lease = Enter())
        {
            ThrowIfCapturing("Synchronize", nameof(aclrtSynchronizeStreamWithTimeout));
            HostCallbackDispatcher.ThrowIfOnCallbackThread("NpuStream.Synchronize");
            int code = aclrtSynchronizeStreamWithTimeout(Native(lease), ms);
            if (_collectedError is not null) ThrowCollectedError(code, nameof(aclrtSynchronizeStreamWithTimeout));
            if (code == ACL_ERROR_RT_STREAM_SYNC_TIMEOUT) return false;
            AclCheck.Check(code, nameof(aclrtSynchronizeStreamWithTimeout));
        }
        ThrowCallbackErrors();
        return true;
    }

    /// <summary>True when all work submitted so far has completed (does not wait).</summary>
    public unsafe bool Query()
    {
        ThrowIfCapturing("Query", nameof(aclrtStreamQuery));
        aclrtStreamStatus status;
        var lease = Enter();
        // No try/finally: nothing between the borrow and its end can throw (a blittable P/Invoke).
        int code = aclrtStreamQuery(Native(lease), &status);
        lease.Dispose();
        AclCheck.Check(code, nameof(aclrtStreamQuery));
        return status == aclrtStreamStatus.ACL_STREAM_STATUS_COMPLETE;
    }

    /// <summary>Makes work submitted to this stream after this call wait until <paramref name="evt"/> completes.</summary>
    public void Wait(NpuEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (evt.Device.Id != Device.Id)
            throw new ArgumentException($"The event belongs to NPU device {evt.Device.Id} but the stream to device {Device.Id}.", nameof(evt));
        var work = new RuntimeCallWork<EventWaitCall>(new(evt));
        Submit(ref work);
    }

    /// <summary>Records <paramref name="evt"/> at the current end of this stream.</summary>
    public void Record(NpuEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        evt.Record(this);
    }

    /// <summary>
    /// Runs <paramref name="callback"/> on a host thread once all work submitted before it has
    /// completed. With <paramref name="blocking"/>, later work on the stream waits for the callback.
    /// An exception thrown by the callback is rethrown (in an <see cref="AggregateException"/>) by
    /// the next <see cref="Synchronize()"/>.
    /// </summary>
    public unsafe void LaunchHostCallback(Action callback, bool blocking = true)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (_callbacks is null)
        {
            using var lease = Enter();
            var dispatcher = _context.Callbacks;
            dispatcher.Subscribe(this, Native(lease));
            _callbacks = dispatcher;
        }
        var state = new HostCallback(callback, this, freeAfterRun: !IsCapturing);
        state.Handle = GCHandle.ToIntPtr(GCHandle.Alloc(state));
        var work = new RuntimeCallWork<HostCallbackCall>(new(state, &OnHostCallback, blocking));
        Submit(ref work);
    }

    /// <summary>A host callback's state: its GC handle is the user data the runtime passes back.</summary>
    internal sealed class HostCallback(Action action, NpuStream stream, bool freeAfterRun)
    {
        public readonly Action Action = action;
        public readonly NpuStream Stream = stream;
        public readonly bool FreeAfterRun = freeAfterRun;
        public nint Handle;
    }

    [UnmanagedCallersOnly]
    private static unsafe void OnHostCallback(void* userData)
    {
        var state = GCHandle.FromIntPtr((nint)userData);
        var callback = (HostCallback)state.Target!;
        try
        {
            callback.Action();
        }
        catch (Exception e)
        {
            callback.Stream._callbackErrors.Enqueue(e);
        }
        finally
        {
            if (callback.FreeAfterRun) state.Free();
        }
    }

    /// <summary>
    /// A failure of this stream's queued work that a wait of the SDK's own collected (<see cref="NpuGraph.Dispose"/> waits
    /// for its replays): the runtime reports such a failure at one synchronize only, so the SDK keeps it for the
    /// stream's next <see cref="Synchronize()"/>, <see cref="Synchronize(TimeSpan)"/> or <see cref="SynchronizeAsync"/>.
    /// </summary>
    private CollectedFailure? _collectedError;

    private sealed record CollectedFailure(AclException Error, string CollectedBy);

    /// <summary>Keeps <paramref name="error"/>, collected by <paramref name="collectedBy"/>, for the next synchronize (the first one kept wins).</summary>
    internal void KeepForNextSynchronize(AclException error, string collectedBy) =>
        Interlocked.CompareExchange(ref _collectedError, new CollectedFailure(error, collectedBy), null);

    /// <summary>
    /// After a synchronize's wait returned <paramref name="code"/>: throws the kept failure, the older one; a failure of
    /// this wait is kept in its place for the next synchronize, so neither is dropped.
    /// </summary>
    private void ThrowCollectedError(int code, string function)
    {
        if (TakeCollectedError() is not { } collected) return;
        if (code != 0 && code != ACL_ERROR_RT_STREAM_SYNC_TIMEOUT)
            KeepForNextSynchronize(AclCheck.Create(code, function, $"synchronizing {this}"), "a synchronize that reported an older failure first");
        throw collected;
    }

    /// <summary>The kept failure as the exception a synchronize reports, once (null: none, or a concurrent synchronize took it).</summary>
    private AclException? TakeCollectedError()
    {
        if (Interlocked.Exchange(ref _collectedError, null) is not { } collected) return null;
        var error = collected.Error;
        return new AclException(error.Code, error.Function, error.RuntimeMessage,
            $"reporting a failure of work queued on {this} that {collected.CollectedBy} collected first", error);
    }

    private void ThrowCallbackErrors()
    {
        if (_callbackErrors.IsEmpty) return;
        var errors = new List<Exception>();
        while (_callbackErrors.TryDequeue(out var e)) errors.Add(e);
        throw new AggregateException($"{errors.Count} host callback(s) launched on {this} threw.", errors);
    }

    /// <summary>A lease for cleanup paths: works on a stream whose Dispose has begun.</summary>
    internal HandleLease EnterForCleanup()
    {
        var lease = new HandleLease((NpuSafeHandle?)_handle ?? _context, this);
        _context.MakeCurrentForRelease();
        return lease;
    }

    /// <summary>Waits for queued work without the capture checks or callback errors (cleanup paths).</summary>
    internal void SynchronizeForCleanup()
    {
        using var lease = EnterForCleanup();
        AclCheck.Check(aclrtSynchronizeStream(Native(lease)), nameof(aclrtSynchronizeStream));
    }

    /// <summary>The native stream value for a lease taken by <see cref="NpuResource.Enter()"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal aclrtStream Native(in HandleLease lease) => NativeHandle.Stream(_handle is null ? 0 : lease.Value);

    /// <summary>Destroys the stream once its queued work is done (the default stream is never destroyed).</summary>
    private protected override void ReleaseResource()
    {
        OnDisposing();
        if (_callbacks is not null)
        {
            // Queued callbacks must run before the dispatcher lets go of the stream.
            try { SynchronizeForCleanup(); } catch (AclException) { }
            using var lease = EnterForCleanup();
            _callbacks.Unsubscribe(Native(lease));
        }
        FailPendingWaits();
        _handle?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => IsDefault ? $"default stream of NPU device {Device.Id}" : $"stream 0x{_handle!.DangerousGetHandle():x} on NPU device {Device.Id}";
}
