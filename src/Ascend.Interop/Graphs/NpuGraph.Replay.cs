using System.Runtime.CompilerServices;
using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Replay: one aclmdlRIExecuteAsync through the stream's submission path, ordered after the task-group updates queued
// on other streams, with no lock and no allocation in the steady state.
public sealed partial class NpuGraph
{
    /// <summary>A stream the graph was replayed on, and the update generation it already waited for.</summary>
    internal sealed class ReplayStream(NpuStream stream)
    {
        public readonly NpuStream Stream = stream;
        public int WaitedGeneration;
        public NpuEvent? Marker;
        public NpuStream? MarkedFor;   // the update stream that last waited on Marker ...
        public long MarkedAtReplay;    // ... recorded when the graph had queued this many replays
    }

    // ---- replay -------------------------------------------------------------------------------------

    /// <summary>Queues one replay of the graph on <paramref name="stream"/> (default: the capture stream).</summary>
    /// <exception cref="InvalidOperationException">The graph is still capturing, or its capture failed; or its pool was
    /// created for another replay stream (<see cref="NpuGraphPool.ReplayStream"/>).</exception>
    /// <exception cref="NpuCaptureException">The replay stream is itself capturing (107027).</exception>
    public void Replay(NpuStream? stream = null)
    {
        var target = stream ?? _stream;
        // Unlocked first look; a Dispose racing this call is decided by the model borrow below.
        if (_state != State.Captured) ThrowIfNotState(State.Captured, "Replay");
        if (_edit != 0) throw NotReadyForReplay("NpuGraph.Replay");
        // The capture stream itself (the usual target) needs no device check: no device object is read then.
        if (!ReferenceEquals(target, _stream) && target.Device.Id != _stream.Device.Id) ThrowOtherDevice(target);
        // A pool bound to one replay stream: that stream's order serialises its graphs (no pool lock, no event).
        var only = _pool.ReplayStream;
        if (only is not null && !ReferenceEquals(only, target)) ThrowOtherReplayStream("NpuGraph.Replay", target, only);
        // Before the replay bookkeeping below records anything for the stream (the submission refuses it too).
        if (target.IsCapturing) target.CheckRefusal(StreamWorkKind.GraphLaunch, "NpuGraph.Replay");
        // Updates pending on the replay stream itself are ordered by the stream (the usual decode step: update, then
        // replay, on one stream): no lock then. Read once; FlushUpdateDone decides again under the lock.
        if (Volatile.Read(ref _updateDonePending) is { } pending && !ReferenceEquals(pending, target)) FlushUpdateDone(target);
        var work = new LaunchWork(this, ReplayStreamFor(target));
        // Graphs of a shared pool never run at once (their intermediates may overlap): the pool orders their replays
        // on several streams; on its one replay stream, stream order does.
        if (_ownsPool || only is not null) target.Submit(ref work);
        else _pool.ReplaySerialized(target, ref work);
        Interlocked.Increment(ref _replays);
        if ((_overwrites is not null || _outputsAtRisk is not null) && !ReferenceEquals(Volatile.Read(ref _pool.LastMarkedReplay), this))
            MarkReplayedMemory();
    }

    /// <summary>The failure of a replay's launch (the text is built only on failure).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal AclException ReplayFailure(int code) =>
        AclCheck.Create(code, nameof(aclmdlRIExecuteAsync), _name is null ? "replaying a graph" : $"replaying graph '{_name}'");

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ObjectDisposedException DisposedWhileReplaying() =>
        new(nameof(NpuGraph), "NpuGraph.Replay: the graph has been disposed.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOtherDevice(NpuStream target) =>
        throw new ArgumentException($"The graph was captured on NPU device {Device.Id} and cannot be replayed on a stream of device {target.Device.Id}.", "stream");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOtherReplayStream(string operation, NpuStream target, NpuStream only) =>
        throw new InvalidOperationException($"{operation}: {this} belongs to {_pool}, whose graphs replay only on {only} (the pool was created for that stream); it cannot run on {target}. Replay it on {only}, or capture it into a pool created with NpuGraphPool(NpuDevice), whose graphs may replay on any stream.");

    /// <summary>Replays and waits for the replay (and everything before it on the stream) to finish.</summary>
    public void ReplayAndWait(NpuStream? stream = null)
    {
        Replay(stream);
        (stream ?? _stream).Synchronize();
    }

    /// <summary>The replay bookkeeping of <paramref name="stream"/>: the last one used, without a lock, in the steady state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReplayStream ReplayStreamFor(NpuStream stream)
    {
        var last = Volatile.Read(ref _lastReplayStream);
        return last is not null && ReferenceEquals(last.Stream, stream) ? last : ReplayStreamSlow(stream);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReplayStream ReplayStreamSlow(NpuStream stream)
    {
        lock (_lock)
        {
            // Checked under the lock: Dispose reads the list after setting Disposed under it.
            ThrowIfNotState(State.Captured, "Replay");
            ReplayStream? found = null;
            foreach (var existing in _replayStreams)
                if (ReferenceEquals(existing.Stream, stream)) found = existing;
            if (found is null)
            {
                // A stream new to this graph has waited for no update yet (generation 0 = none ever ran).
                found = new ReplayStream(stream) { WaitedGeneration = 0 };
                _replayStreams.Add(found);
            }
            Volatile.Write(ref _lastReplayStream, found);
            return found;
        }
    }

    /// <summary>
    /// One replay as stream work: first, if a task-group update ran on another stream since this stream last waited
    /// for one, a wait on the update's event (a replay never overtakes an update); then <c>aclmdlRIExecuteAsync</c>
    /// with the model borrowed. Borrowing the model (no lock, no interlocked operation) is what keeps Dispose from
    /// releasing the graph's memory under the call: Dispose closes the model to new borrows and waits for the ones in
    /// flight before it synchronizes and frees anything; a replay after that point gets an ObjectDisposedException.
    /// </summary>
    internal readonly struct LaunchWork(NpuGraph graph, ReplayStream replayStream) : IStreamWork
    {
        public static StreamWorkKind Kind => StreamWorkKind.GraphLaunch;
        public string Function => nameof(aclmdlRIExecuteAsync);
        public string Operation => "NpuGraph.Replay";
        public object? Subject => graph;
        public int BufferCount => 0;
        public BufferUse Buffer(int index) => throw new ArgumentOutOfRangeException(nameof(index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Prepare(in StreamLaunch launch, out ulong workspaceBytes)
        {
            workspaceBytes = 0;
            int generation = Volatile.Read(ref graph._updateGeneration);
            return replayStream.WaitedGeneration == generation ? 0 : WaitForUpdate(in launch, generation);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private int WaitForUpdate(in StreamLaunch launch, int generation)
        {
            using var lease = graph._updateDone!.Enter();
            int code = aclrtStreamWaitEvent(launch.Stream, NativeHandle.Event(lease.Value));
            if (code == 0) replayStream.WaitedGeneration = generation;
            return code;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Launch(in StreamLaunch launch)
        {
            if (!HandleLease.TryBorrow(launch.Thread, graph._model!, out var model)) throw DisposedWhileReplaying();
            // Nothing between the borrow and its end can throw (a blittable P/Invoke): no try/finally.
            int code = aclmdlRIExecuteAsync(NativeHandle.Model(model.Value), launch.Stream);
            model.Dispose();
            return code;
        }

        public void Abandon() { }

        public Exception Failure(int code, StreamWorkPhase phase) =>
            phase == StreamWorkPhase.Prepare ? AclCheck.Create(code, nameof(aclrtStreamWaitEvent), "ordering a replay after a task-group update") : graph.ReplayFailure(code);
    }
}
