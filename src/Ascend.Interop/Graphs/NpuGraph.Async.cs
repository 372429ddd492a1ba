namespace Ascend.Interop;

public sealed partial class NpuGraph
{
    /// <summary>
    /// Queues one replay on <paramref name="stream"/> (default: the capture stream) like <see cref="Replay"/>, and
    /// returns a task that completes when it (and everything queued before it on that stream) has finished: the
    /// awaitable counterpart of <see cref="ReplayAndWait"/>, built on <see cref="NpuStream.SynchronizeAsync"/>, so no
    /// thread is blocked while the graph runs.
    /// </summary>
    /// <remarks>
    /// The replay is queued before this method returns, whatever happens to <paramref name="cancellationToken"/>:
    /// cancellation abandons the wait, never the replay. Disposing the graph while the task is pending waits for the
    /// queued replay first (as <see cref="Dispose"/> always does); the task then completes normally.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The graph is still capturing, or its capture failed (thrown at once).</exception>
    /// <exception cref="ObjectDisposedException">The graph or the stream was disposed (thrown at once).</exception>
    /// <exception cref="NpuCaptureException">The replay stream is itself capturing (107027, thrown at once).</exception>
    /// <exception cref="AclException">The replay failed on the device (by the task).</exception>
    public Task ReplayAsync(NpuStream? stream = null, CancellationToken cancellationToken = default)
    {
        var target = stream ?? _stream;
        Replay(target);
        return target.SynchronizeAsync(cancellationToken);
    }

    /// <summary>As <see cref="ReplayAsync(NpuStream?, CancellationToken)"/> on the capture stream.</summary>
    public Task ReplayAsync(CancellationToken cancellationToken) => ReplayAsync(null, cancellationToken);
}
