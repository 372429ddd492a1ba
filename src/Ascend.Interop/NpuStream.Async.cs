using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Awaitable completion built on host callbacks: each wait queues one non-blocking callback at the current end of the
// stream and completes a task when the device thread reaches it. No thread is held while the work runs.
public sealed partial class NpuStream
{
    private readonly HashSet<StreamWait> _pendingWaits = [];

    /// <summary>
    /// Completes when all work submitted to the stream before this call has completed, without blocking a thread
    /// while it runs (a non-blocking host callback marks the point), then reports the stream's errors like
    /// <see cref="Synchronize()"/>. Continuations run on the thread pool, never on the callback thread.
    /// </summary>
    /// <remarks>
    /// Cancelling <paramref name="cancellationToken"/> abandons the wait (the task is cancelled), never the device work:
    /// the queued work runs to completion and an error it raises is reported by the next synchronize. An error of the
    /// stream's earlier work surfaces as an <see cref="AclException"/> when the stream has drained by the time the
    /// callback ran; when newer work was already queued behind the wait, the runtime keeps the error for the next
    /// <see cref="Synchronize()"/> or <see cref="SynchronizeAsync"/> (a wait never blocks on work queued after it).
    /// Disposing the stream while a wait is pending lets the queued work finish (as <see cref="NpuResource.Dispose"/> always does);
    /// the wait then fails with <see cref="ObjectDisposedException"/>, because the stream's errors can no longer be read.
    /// </remarks>
    /// <exception cref="NpuCaptureException">The stream is capturing (107027), as for <see cref="Synchronize()"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed (thrown at once, or by the task when the
    /// stream was disposed while the wait was pending).</exception>
    /// <exception cref="AclException">The runtime reported a failure of the queued work (by the task).</exception>
    /// <exception cref="AggregateException">A host callback launched on this stream threw (by the task).</exception>
    public Task SynchronizeAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        var wait = new StreamWait(this);
        wait.ObserveCancellation(cancellationToken);
        using (var lease = Enter())
        {
            try
            {
                ThrowIfCapturing("SynchronizeAsync", nameof(aclrtSynchronizeStream));
            }
            catch
            {
                wait.Abandon();
                throw;
            }
            lock (_pendingWaits)
            {
                if (IsDisposed)
                {
                    wait.Abandon();
                    ThrowIfDisposed();
                }
                _pendingWaits.Add(wait);
            }
            try
            {
                LaunchHostCallback(wait.Reached, blocking: false);
            }
            catch
            {
                lock (_pendingWaits) _pendingWaits.Remove(wait);
                wait.Abandon();
                throw;
            }
        }
        return wait.Task;
    }

    /// <summary>Number of <see cref="SynchronizeAsync"/> waits whose callback has not run yet (for tests and diagnostics).</summary>
    internal int PendingWaitCount
    {
        get { lock (_pendingWaits) return _pendingWaits.Count; }
    }

    /// <summary>Fails the waits whose callback never ran (Dispose, after the stream's last callbacks ran).</summary>
    private void FailPendingWaits()
    {
        StreamWait[] left;
        lock (_pendingWaits)
        {
            if (_pendingWaits.Count == 0) return;
            left = [.. _pendingWaits];
            _pendingWaits.Clear();
        }
        foreach (var wait in left) wait.Fail(DisposedWhileWaiting());
    }

    private ObjectDisposedException DisposedWhileWaiting() =>
        new(nameof(NpuStream), $"{this} was disposed while SynchronizeAsync was waiting on it. Its queued work has run (Dispose waits for it), but the stream's errors can no longer be read.");

    /// <summary>
    /// After a wait's callback ran (the work before it has completed): a failure kept for the next synchronize, else the
    /// stream's recorded error, if the stream has drained, and the failures of host callbacks. Runs on a thread-pool thread.
    /// </summary>
    private unsafe Exception? CollectWaitErrors()
    {
        // A failure an SDK wait collected earlier (NpuGraph.Dispose) is older than any the runtime holds now.
        if (_collectedError is not null && TakeCollectedError() is { } collected) return collected;
        if (IsDisposed) return DisposedWhileWaiting();
        HandleLease lease;
        try
        {
            lease = Enter();
        }
        catch (ObjectDisposedException)
        {
            return DisposedWhileWaiting();
        }
        using (lease)
        {
            // A capture begun since the wait started refuses queries; its errors then wait for the next synchronize.
            if (ActiveCapture is null)
            {
                aclrtStreamStatus status;
                int code = aclrtStreamQuery(Native(lease), &status);
                if (code == 0 && status == aclrtStreamStatus.ACL_STREAM_STATUS_COMPLETE)
                {
                    // Drained: this returns at once and hands over (and clears) the error the runtime recorded.
                    code = aclrtSynchronizeStreamWithTimeout(Native(lease), 1);
                    if (code != 0 && code != ACL_ERROR_RT_STREAM_SYNC_TIMEOUT)
                        return AclCheck.Create(code, nameof(aclrtSynchronizeStreamWithTimeout), $"completing SynchronizeAsync on {this}");
                }
                else if (code != 0 && code != ACL_ERROR_RT_STREAM_CAPTURED)
                {
                    return AclCheck.Create(code, nameof(aclrtStreamQuery), $"completing SynchronizeAsync on {this}");
                }
            }
        }
        if (_callbackErrors.IsEmpty) return null;
        var errors = new List<Exception>();
        while (_callbackErrors.TryDequeue(out var e)) errors.Add(e);
        return errors.Count == 0 ? null : new AggregateException($"{errors.Count} host callback(s) launched on {this} threw.", errors);
    }

    /// <summary>One pending <see cref="SynchronizeAsync"/>.</summary>
    private sealed class StreamWait(NpuStream stream) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _cancellation;

        /// <summary>The host callback: runs on the device's callback thread once the work before it completed.</summary>
        public void Reached()
        {
            lock (stream._pendingWaits) stream._pendingWaits.Remove(this);
            // Native calls and user continuations stay off the callback thread.
            ThreadPool.UnsafeQueueUserWorkItem(static wait => wait.Finish(), this, preferLocal: false);
        }

        private void Finish()
        {
            // A cancelled wait leaves the stream's error in place for the next synchronize.
            if (Task.IsCompleted) return;
            var error = stream.CollectWaitErrors();
            if (error is null) TrySetResult();
            else TrySetException(error);
            _cancellation.Dispose();
        }

        public void Fail(Exception error)
        {
            TrySetException(error);
            _cancellation.Dispose();
        }

        /// <summary>The wait was never queued: drop the cancellation registration.</summary>
        public void Abandon() => _cancellation.Dispose();

        public void ObserveCancellation(CancellationToken token)
        {
            if (!token.CanBeCanceled) return;
            _cancellation = token.UnsafeRegister(static (state, t) => ((StreamWait)state!).TrySetCanceled(t), this);
        }
    }
}
