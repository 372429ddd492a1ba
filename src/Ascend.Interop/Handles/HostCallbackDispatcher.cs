using System.Runtime.InteropServices;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>
/// CANN runs host callbacks on a thread the application subscribes to each stream
/// (<c>aclrtSubscribeReport</c>), inside that thread's <c>aclrtProcessReport</c> loop. One dispatcher
/// thread per device does this for every SDK stream that launches a callback.
/// </summary>
internal sealed partial class HostCallbackDispatcher : IDisposable
{
    private const int ReportTimeout = ACL_ERROR_RT_REPORT_TIMEOUT;
    private readonly ContextHandle _context;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _hasSubscriptions = new(false);
    private readonly TaskCompletionSource<ulong> _threadId = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _subscriptions;

    public HostCallbackDispatcher(ContextHandle context)
    {
        _context = context;
        _thread = new Thread(Run) { IsBackground = true, Name = $"NPU {context.DeviceId} host callbacks" };
        _thread.Start();
    }

    /// <summary>Subscribes the dispatcher thread to <paramref name="stream"/> (once per stream).</summary>
    public void Subscribe(NpuStream stream, Native.aclrtStream native)
    {
        ulong id = _threadId.Task.GetAwaiter().GetResult();
        AclCheck.Check(aclrtSubscribeReport(id, native), nameof(aclrtSubscribeReport), $"subscribing the host-callback thread to {stream}");
        Interlocked.Increment(ref _subscriptions);
        _hasSubscriptions.Set();
    }

    /// <summary>Undoes <see cref="Subscribe"/> before the stream is destroyed.</summary>
    public void Unsubscribe(Native.aclrtStream native)
    {
        ulong id = _threadId.Task.GetAwaiter().GetResult();
        aclrtUnSubscribeReport(id, native);
        Interlocked.Decrement(ref _subscriptions);
    }

    [ThreadStatic] private static bool t_isCallbackThread;

    /// <summary>
    /// Refuses a host wait on NPU work from inside a host callback: the callback thread is the one
    /// that runs the callbacks such a wait depends on, so it could never finish.
    /// </summary>
    public static void ThrowIfOnCallbackThread(string operation)
    {
        if (t_isCallbackThread)
            throw new InvalidOperationException(
                $"{operation} was called from inside a host callback. Host callbacks run on the device's callback thread, which a blocking callback also holds the stream on, so the wait could never finish. Signal another thread from the callback instead.");
    }

    private void Run()
    {
        t_isCallbackThread = true;
        _threadId.SetResult((ulong)pthread_self());
        try
        {
            _context.MakeCurrent();
        }
        catch (AclException)
        {
            // Without a context the reports cannot be processed; launches will report the problem.
        }
        while (!_stopping)
        {
            if (Volatile.Read(ref _subscriptions) == 0)
            {
                _hasSubscriptions.Wait(100);
                _hasSubscriptions.Reset();
                continue;
            }
            int code = aclrtProcessReport(100);
            if (code != 0 && code != ReportTimeout && !_stopping) Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _hasSubscriptions.Set();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
    }

    [LibraryImport("libc", EntryPoint = "pthread_self")]
    private static partial nuint pthread_self();
}
