using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Lifetime: Dispose waits for open updates and queued replays, then releases the model, memory and stream accounting.
public sealed partial class NpuGraph
{
    /// <summary>
    /// Ends an unfinished capture (discarding it) or destroys the captured model after its queued
    /// replays finished, then releases the graph's memory (a shared pool keeps it for its other graphs).
    /// </summary>
    public void Dispose()
    {
        State previous;
        lock (_lock)
        {
            previous = _state;
            if (previous == State.Disposed) return;
        }
        if (ReferenceEquals(t_updating, this))
            throw new InvalidOperationException("NpuGraph.Dispose was called from inside an Update of the same graph; dispose the graph after Update returns.");
        if (previous == State.Capturing) AbandonCapture("the graph was disposed before EndCapture");
        lock (_lock)
        {
            previous = _state;
            _state = State.Disposed;
        }
        if (previous != State.Captured) return; // a failed capture already released everything

        // Updates that began before (another thread between TaskUpdateBegin and End) finish first: the runtime
        // refuses to destroy a model a stream is updating, which would leak the model and its stream.
        var spin = new SpinWait();
        while (Volatile.Read(ref _updatesInFlight) != 0) spin.SpinOnce(sleep1Threshold: 20);

        // Replays that passed their state check before Dispose finish submitting first; later
        // ones are refused by the model borrow (see Replay).
        _model!.CloseAndWaitForBorrowers();

        // Queued replays read the graph's memory: let them finish before it goes.
        bool lostReplayStream = false;
        foreach (var replayed in _replayStreams)
        {
            if (replayed.Stream.IsDisposed)
            {
                lostReplayStream = true;
                continue;
            }
            // A failed wait proves nothing about the replays queued there: wait again, and if that fails too, for the
            // whole device (a device-wide wait may collect other streams' errors, so it is the last resort).
            if (!TrySynchronizeForCleanup(replayed.Stream) && !TrySynchronizeForCleanup(replayed.Stream)) lostReplayStream = true;
        }
        if (lostReplayStream) SynchronizeDeviceForCleanup();
        foreach (var replayed in _replayStreams) replayed.Marker?.Dispose();
        _updateDone?.Dispose();
        EndStuckUpdates();
        if (_built) ReleaseBoundStreams();
        _model.Dispose();
        FreeDestroyCallbacks();
        _stream.Device.State.GraphReleased();
        FreeKeepAlive();
        ReleaseHolds();
        ReleasePool();
        // Everything else is released; a model the runtime refused to destroy is reported, never dropped.
        if (_model.ReleaseCode is not 0 and var code)
            throw new AclException(code, nameof(aclmdlRIDestroy), _model.ReleaseMessage,
                $"destroying {(_name is null ? "a graph" : $"graph '{_name}'")} in NpuGraph.Dispose (its memory and stream accounting were released)");
        ThrowDestroyCallbackErrors();
    }

    /// <summary>A stream the graph was replayed on was disposed, or waiting for it failed: wait for the whole device before the graph's memory goes.</summary>
    private void SynchronizeDeviceForCleanup()
    {
        try
        {
            using var lease = new HandleLease(_stream.Context, this);
            _stream.Context.MakeCurrentForRelease();
            _ = aclrtSynchronizeDevice();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Waits for <paramref name="stream"/>; a failure of its work (reported at one synchronize only) is kept for the
    /// stream's next synchronize: it belongs to the stream's user, not to this Dispose.
    /// </summary>
    private static bool TrySynchronizeForCleanup(NpuStream stream)
    {
        try
        {
            stream.SynchronizeForCleanup();
            return true;
        }
        catch (AclException e)
        {
            stream.KeepForNextSynchronize(e, "NpuGraph.Dispose (waiting for the graph's replays)");
            return false;
        }
    }

    private void FreeKeepAlive()
    {
        lock (_lock)
        {
            foreach (var handle in _keepAlive) handle.Free();
            _keepAlive.Clear();
        }
    }

    private void ReleasePool()
    {
        _pool.ReleaseGraph(this);
        if (_ownsPool) _pool.Dispose();
    }
}
