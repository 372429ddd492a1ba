using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Task groups and Update: re-issuing a group's operations with new arguments (a dry pass, then the real one).
public sealed partial class NpuGraph
{
    [ThreadStatic] private static NpuGraph? t_updating;
    private int _updatesInFlight;
    private NpuStream? _updateDonePending;   // an update stream whose applied updates have no "update done" record yet
    private long _orderingEvents;

    /// <summary>
    /// Starts a task group: the operations issued until the scope is disposed can later be re-issued
    /// with new arguments by <see cref="Update"/>, without capturing again.
    /// </summary>
    public NpuTaskGroupScope BeginTaskGroup(string? name = null)
    {
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, "BeginTaskGroup");
            if (_openGroup is not null)
                throw new InvalidOperationException($"Task group '{_openGroup.Name}' is still open; task groups do not nest.");
        }
        using (var lease = _stream.Enter())
        {
            AclCheck.Check(aclmdlRICaptureTaskGrpBegin(_stream.Native(lease)), nameof(aclmdlRICaptureTaskGrpBegin));
        }
        lock (_lock)
        {
            _openGroup = new NpuTaskGroup(this, name ?? $"group{_groups.Count}");
            return new NpuTaskGroupScope(this, _openGroup);
        }
    }

    internal unsafe void EndTaskGroup(NpuTaskGroup group)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_openGroup, group)) return;
        }
        aclrtTaskGrp handle;
        int code;
        using (var lease = _stream.Enter())
        {
            code = aclmdlRICaptureTaskGrpEnd(_stream.Native(lease), &handle);
        }
        lock (_lock)
        {
            _openGroup = null;
            if (code == 0)
            {
                group.Handle = handle;
                _groups.Add(group);
                // What the group holds passed the runtime's phase 1 when it was captured. Signatures only count when
                // every operation of the group has one, in order.
                if (group.Held.Complete(group.Operations.Count)) group.Validated.CopyFrom(group.Held);
                else group.Held.Clear();
            }
        }
        AclCheck.Check(code, nameof(aclmdlRICaptureTaskGrpEnd), $"ending task group '{group.Name}'");
    }

    /// <summary>While a task group is open in this capture: the signature slot of its next operation, else null.</summary>
    internal ArgumentSignature? OpenGroupSignature()
    {
        lock (_lock)
        {
            return _state == State.Capturing && _openGroup is { } group ? group.Held.At(group.Operations.Count) : null;
        }
    }

    /// <summary>
    /// Re-issues the operations of <paramref name="group"/> with new arguments: <paramref name="reissue"/>
    /// must submit the same operations (same count and kinds, same order) on the stream it is given.
    /// It runs twice: first dry (operations are validated and compared with the group, nothing is
    /// launched), then for real; so keep it deterministic and free of other side effects.
    /// The update runs on <paramref name="updateStream"/> after every replay queued before this call,
    /// and every later replay waits for it, so an update never overtakes, nor is overtaken by, a replay.
    /// In loops, prefer the overload that passes state to a static body: it allocates nothing.
    /// </summary>
    /// <exception cref="NpuCaptureException">The re-issued operations differ from the group's (107033); the group is unchanged.</exception>
    public void Update(NpuStream updateStream, NpuTaskGroup group, Action<NpuStream> reissue)
    {
        ArgumentNullException.ThrowIfNull(reissue);
        Update(updateStream, group, reissue, static (stream, body) => body(stream));
    }

    /// <summary>
    /// <see cref="Update(NpuStream, NpuTaskGroup, Action{NpuStream})"/> with the body's arguments passed as
    /// <paramref name="state"/>, so a static lambda needs no closure: a steady-state update then allocates
    /// nothing on the managed heap, e.g.
    /// <c>graph.Update(updateStream, group, (model, lengths), static (s, st) => st.model.Reissue(s, st.lengths))</c>.
    /// </summary>
    /// <typeparam name="TState">The body's state (a struct avoids boxing).</typeparam>
    /// <param name="group">A task group of this graph.</param>
    /// <param name="updateStream">A stream that is neither capturing nor updating.</param>
    /// <param name="state">Passed to <paramref name="reissue"/>.</param>
    /// <param name="reissue">Submits the group's operations with new arguments on the stream it is given (runs twice).</param>
    /// <exception cref="NpuCaptureException">The re-issued operations differ from the group's (107033); the group is unchanged.</exception>
    public void Update<TState>(NpuStream updateStream, NpuTaskGroup group, TState state, Action<NpuStream, TState> reissue)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(updateStream);
        ArgumentNullException.ThrowIfNull(reissue);
        if (!ReferenceEquals(group.Graph, this))
            throw new ArgumentException($"Task group '{group.Name}' belongs to another graph.", nameof(group));
        lock (_lock)
        {
            // Counted under the lock that Dispose marks the graph under: Dispose waits for every update counted here.
            ThrowIfNotState(State.Captured, "Update");
            Interlocked.Increment(ref _updatesInFlight);
        }
        var outer = t_updating;
        t_updating = this;
        try
        {
            UpdateChecked(group, updateStream, state, reissue);
        }
        finally
        {
            t_updating = outer;
            Interlocked.Decrement(ref _updatesInFlight);
        }
    }

    private void UpdateChecked<TState>(NpuTaskGroup group, NpuStream updateStream, TState state, Action<NpuStream, TState> reissue)
    {
        if (updateStream.Device.Id != Device.Id)
            throw new ArgumentException($"The update stream belongs to NPU device {updateStream.Device.Id}, the graph to device {Device.Id}.", nameof(updateStream));
        if (updateStream.ActiveCapture is not null || updateStream.ActiveUpdate is not null)
            throw new InvalidOperationException($"{updateStream} is capturing or already updating; updates run on a stream that is doing neither.");
        if (updateStream.StuckUpdate is { } stuck) throw stuck.Unusable(updateStream, "NpuGraph.Update");
        if (group.StuckOn is { IsDisposed: false } stuckOn)
            throw new InvalidOperationException(
                $"NpuGraph.Update: task group '{group.Name}' may still be in the unfinished update on {stuckOn} (its aclmdlRICaptureTaskUpdateEnd failed); " +
                "dispose that stream first (destroying it discards the update), then update the group on another stream.");
        // One update of a group at a time (CANN refuses a second TaskUpdateBegin on a group being updated):
        // the group's two sessions are reused by every update, so a steady-state update allocates nothing.
        if (Interlocked.CompareExchange(ref group.Updating, 1, 0) != 0)
            throw new InvalidOperationException($"Task group '{group.Name}' is being updated on another thread; update a group from one thread at a time.");
        try
        {
            UpdateExclusive(group, updateStream, state, reissue);
        }
        finally
        {
            Volatile.Write(ref group.Updating, 0);
        }
    }

    private void UpdateExclusive<TState>(NpuTaskGroup group, NpuStream updateStream, TState state, Action<NpuStream, TState> reissue)
    {
        // Pass 1, dry: the operations are validated and compared with the group, nothing reaches the
        // runtime, so a wrong update leaves the group exactly as it was.
        var dry = group.Session(this, dryRun: true);
        updateStream.EnterUpdate(dry);
        _pool.Pool.BeginAllocateTo(updateStream);
        try
        {
            reissue(updateStream, state);
        }
        finally
        {
            updateStream.LeaveUpdate();
            _pool.Pool.EndAllocateTo(updateStream);
        }
        if (dry.Mismatch(out string mismatch))
            throw new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{mismatch} The group is unchanged; re-issue exactly the group's operations with new arguments.", Mode);

        // Nothing to change: the group already holds exactly these arguments (from its capture or its last applied
        // update), so the update makes no runtime call at all, not even the ordering events.
        if (dry.Signatures.SameAs(group.Held, group.Operations.Count))
        {
            group.SkippedUpdateCount++;
            NpuMetrics.TaskUpdatesSkipped.Add(1);
            return;
        }

        // Order after every replay queued so far on other streams (the list only grows; read each entry under the lock).
        for (int i = 0; ; i++)
        {
            ReplayStream replayed;
            lock (_lock)
            {
                if (i >= _replayStreams.Count) break;
                replayed = _replayStreams[i];
            }
            if (ReferenceEquals(replayed.Stream, updateStream) || replayed.Stream.IsDisposed) continue;
            // Already ordered: this update stream waits on a marker recorded after every replay queued so far
            // (the decoder's consecutive updates of its layers' groups, one replay per step).
            long replays = Interlocked.Read(ref _replays);
            if (ReferenceEquals(replayed.MarkedFor, updateStream) && replayed.MarkedAtReplay == replays) continue;
            replayed.Marker ??= replayed.Stream.Device.CreateEvent(timing: false);
            replayed.Marker.Record(replayed.Stream);
            Interlocked.Increment(ref _orderingEvents);
            NpuMetrics.UpdateOrderingEvents.Add(1);
            updateStream.Wait(replayed.Marker);
            replayed.MarkedFor = updateStream;
            replayed.MarkedAtReplay = replays;
        }

        // Pass 2: the same operations, for real, between TaskUpdateBegin and TaskUpdateEnd.
        var session = group.Session(this, dryRun: false);
        int beginCode;
        using (var lease = updateStream.Enter())
        {
            using var modelLease = new HandleLease(_model!, this);
            beginCode = aclmdlRICaptureTaskUpdateBegin(updateStream.Native(lease), group.Handle);
        }
        if (beginCode != 0) AclCheck.Throw(beginCode, nameof(aclmdlRICaptureTaskUpdateBegin), $"updating task group '{group.Name}'");
        updateStream.EnterUpdate(session);
        _pool.Pool.BeginAllocateTo(updateStream);
        int endCode;
        string? endMessage;
        Exception? reissueError = null;
        try
        {
            reissue(updateStream, state);
        }
        catch (Exception e)
        {
            reissueError = e;
        }
        finally
        {
            updateStream.LeaveUpdate();
            _pool.Pool.EndAllocateTo(updateStream);
            using var lease = updateStream.Enter();
            endCode = aclmdlRICaptureTaskUpdateEnd(updateStream.Native(lease));
            endMessage = endCode == 0 ? null : AclCheck.RecentMessage();
        }
        if (reissueError is not null)
        {
            if (endCode == 0) group.Held.Clear();   // what the group holds now is partly unknown
            // The body failed on the second pass although the first passed (it is not deterministic,
            // or the runtime failed): the runtime discards an incomplete update.
            throw new InvalidOperationException(
                $"NpuGraph.Update: the update of task group '{group.Name}' failed while being applied; " +
                (endCode == 0 ? "the runtime accepted the operations issued before the failure." : "the runtime discarded it."), reissueError);
        }
        if (session.Mismatch(out mismatch))
            throw new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{mismatch} The update body issued different operations on its second run; keep it deterministic.", Mode, endMessage);
        if (endCode != 0)
        {
            // Nothing the SDK saw explains the failure, so the runtime may have kept the stream in task-update mode
            // (CANN has no call that leaves it without applying the update, and the model cannot be destroyed while a
            // stream updates it). The stream is not used for updates or captures again: destroying it discards the
            // update; Dispose of this graph ends it first so the model is always destroyed.
            updateStream.StuckUpdate = new StuckTaskUpdate(this, group, endCode);
            group.StuckOn = updateStream;
            lock (_lock) _stuckStreams.Add(updateStream);
            throw new NpuCaptureException(endCode, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"the runtime refused the update of task group '{group.Name}'; the group is unchanged. The runtime did not say that {updateStream} " +
                "left task-update mode, so the SDK no longer updates or captures on it: dispose it (destroying a stream discards its unfinished update) " +
                "and update the group on another stream.", Mode, endMessage);
        }

        lock (_lock)
        {
            // The "update done" event is recorded once, before the next replay on another stream needs it
            // (FlushUpdateDone), so the groups updated for one step share it. Updates on a second update stream
            // first record it after the pending ones on the first.
            if (_updateDonePending is { } pending && !ReferenceEquals(pending, updateStream))
            {
                if (pending.IsDisposed) _updateDonePending = null;   // disposing a stream waits for its work: its updates are done
                else RecordUpdateDone(pending);
            }
            _updateDonePending = updateStream;
            foreach (var replayed in _replayStreams)
                if (ReferenceEquals(replayed.Stream, updateStream)) replayed.WaitedGeneration = _updateGeneration + 1;
            Volatile.Write(ref _updateGeneration, _updateGeneration + 1);
        }
        group.Held.CopyFrom(dry.Signatures);
        if (group.Held.Complete(group.Operations.Count)) group.Validated.CopyFrom(group.Held);
        else group.Held.Clear();
        group.UpdateCount++;
        NpuMetrics.TaskUpdates.Add(1);
    }

    /// <summary>Records the "update done" event after the pending updates on <paramref name="updateStream"/> (under the lock).</summary>
    private void RecordUpdateDone(NpuStream updateStream)
    {
        _updateDone ??= Device.CreateEvent(timing: false);
        _updateDone.Record(updateStream);
        _updateDonePending = null;
        Interlocked.Increment(ref _orderingEvents);
        NpuMetrics.UpdateOrderingEvents.Add(1);
    }

    /// <summary>
    /// Before a replay on <paramref name="replayStream"/>: records the "update done" event of updates not yet
    /// recorded, unless they ran on that very stream (stream order already puts them first). The replay then waits on it.
    /// </summary>
    private void FlushUpdateDone(NpuStream replayStream)
    {
        lock (_lock)
        {
            if (_updateDonePending is not { } pending || ReferenceEquals(pending, replayStream)) return;
            if (!pending.IsDisposed)
            {
                RecordUpdateDone(pending);
                return;
            }
            // Disposing a stream waits for its work, so its updates are done: nothing to record. A replay then waits
            // only for an event recorded earlier for another update stream, or, when there is none, for nothing.
            _updateDonePending = null;
            if (_updateDone is null)
                foreach (var replayed in _replayStreams) replayed.WaitedGeneration = _updateGeneration;
        }
    }

    /// <summary>
    /// Events this graph recorded to order its task-group updates with its replays: a marker after earlier replays
    /// (one per update stream and step, shared by every group updated before the next replay) and an "update done"
    /// event before later replays (likewise one for all the groups updated since the last replay).
    /// </summary>
    public long UpdateOrderingEventCount => Interlocked.Read(ref _orderingEvents);
}
