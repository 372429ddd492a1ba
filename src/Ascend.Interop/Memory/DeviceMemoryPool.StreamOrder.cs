namespace Ascend.Interop;

// Stream order: when a free block may be taken by a stream (its last use's event, other streams' markers), all under _lock.
public sealed partial class DeviceMemoryPool
{
    private bool IsUsableBy(PoolBlockNode node, NpuStream stream)
    {
        if (!node.UsedOn.IsEmpty)
        {
            if (!OtherUsesPassed(node)) return false;
            node.UsedOn = default;
        }
        if (node.Owner is null || ReferenceEquals(node.Owner, stream)) return true;
        if (node.CaptureHold) return false;
        if (node.ReadyEvent is null && !TryMarkLastUse(node)) return false;
        if (!IsDone(node)) return false;
        Settle(node);
        return true;
    }

    /// <summary>
    /// Whether the block's event completed. The owner stream may have begun a capture on another
    /// thread between the capture check and the record, so the record was captured and has no host
    /// status (107028): then the event is dropped and the block waits for a later record.
    /// </summary>
    private bool IsDone(PoolBlockNode node)
    {
        try
        {
            return node.ReadyEvent!.IsCompleted;
        }
        catch (AclException)
        {
            node.ReadyEvent!.Dispose();
            node.ReadyEvent = null;
            return false;
        }
    }

    /// <summary>
    /// True once every other stream that used the free block has passed a marker recorded after its return. Each
    /// stream has one marker event per pool, re-recorded when a block returned after its last record needs it (a later
    /// record covers every earlier return); a stream that is capturing or disposed cannot be marked now (settled by
    /// a later rent, or by Trim).
    /// </summary>
    private bool OtherUsesPassed(PoolBlockNode node)
    {
        var usedOn = node.UsedOn;
        for (int i = 0; i < usedOn.Count; i++)
        {
            var marker = MarkerFor(usedOn[i]);
            if (marker.Sequence <= node.ReturnSequence && !Remark(marker)) return false;
            if (!MarkerPassed(marker)) return false;
        }
        return true;
    }

    private StreamMarker MarkerFor(NpuStream stream)
    {
        for (int i = 0; i < _markerCount; i++)
            if (ReferenceEquals(_markers[i].Stream, stream)) return _markers[i];
        // Markers of streams disposed since go first: their slots are reused.
        for (int i = 0; i < _markerCount; i++)
        {
            if (!_markers[i].Stream.IsDisposed) continue;
            if (_markers[i].Event is { } stale) RecycleEvent(stale);
            return _markers[i] = new StreamMarker(stream);
        }
        if (_markerCount == _markers.Length) Array.Resize(ref _markers, Math.Max(4, _markers.Length * 2));
        return _markers[_markerCount++] = new StreamMarker(stream);
    }

    /// <summary>Records the stream's marker now; false when it cannot be recorded.</summary>
    private bool Remark(StreamMarker marker)
    {
        var stream = marker.Stream;
        if (stream.IsDisposed || stream.IsCapturing) return false;
        try
        {
            marker.Event ??= TakeEvent(stream);
            marker.Event.Record(stream);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            return false;
        }
        marker.Sequence = ++_sequence;
        return true;
    }

    private static bool MarkerPassed(StreamMarker marker)
    {
        try
        {
            return marker.Event!.IsCompleted;
        }
        catch (AclException)
        {
            // Recorded into a capture begun on another thread meanwhile (107028): record again later.
            marker.Sequence = 0;
            return false;
        }
    }

    /// <summary>A stream's marker event in this pool and the sequence number of its last record.</summary>
    private sealed class StreamMarker(NpuStream stream)
    {
        public readonly NpuStream Stream = stream;
        public NpuEvent? Event;
        public long Sequence;
    }

    /// <summary>
    /// Records the event that tells other streams when the owner stream is done with a free block.
    /// Recorded now rather than at return: later than necessary, never too early.
    /// </summary>
    private bool TryMarkLastUse(PoolBlockNode node)
    {
        var owner = node.Owner!;
        if (owner.IsDisposed || owner.IsCapturing) return false; // settled by Trim, or after the capture
        NpuEvent ready;
        try
        {
            ready = TakeEvent(owner);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            return false; // no event to be had: the block stays with its stream, the rent takes other memory
        }
        try
        {
            ready.Record(owner);
        }
        catch (Exception e) when (e is AclException or ObjectDisposedException)
        {
            RecycleEvent(ready);
            return false;
        }
        node.ReadyEvent = ready;
        return true;
    }

    /// <summary>The block's last user is known to be done: any stream may take it.</summary>
    private void Settle(PoolBlockNode node)
    {
        if (node.ReadyEvent is { } evt) RecycleEvent(evt);
        node.ReadyEvent = null;
        node.Owner = null;
        node.CaptureHold = false;
    }


    /// <summary>Waits until the other streams that used a free block are done with it (its memory is about to go).</summary>
    private void WaitForOtherUses(PoolBlockNode node)
    {
        var usedOn = node.UsedOn;
        for (int i = 0; i < usedOn.Count; i++)
        {
            if (usedOn[i].IsDisposed) SynchronizeDevice();
            else usedOn[i].SynchronizeForCleanup();
        }
        node.UsedOn = default;
    }


    private NpuEvent TakeEvent(NpuStream stream)
    {
        if (_spareEventCount > 0)
        {
            var evt = _spareEvents[--_spareEventCount];
            _spareEvents[_spareEventCount] = null!;
            return evt;
        }
        // Created through the stream's device object: the pool's may be disposed while other
        // objects of the same device id (which share this pool) live on.
        return NpuEvent.Create(stream.Device, timing: false);
    }

    private void RecycleEvent(NpuEvent evt)
    {
        if (_disposed)
        {
            evt.Dispose();
            return;
        }
        if (_spareEventCount == _spareEvents.Length) Array.Resize(ref _spareEvents, _spareEvents.Length * 2);
        _spareEvents[_spareEventCount++] = evt;
    }
}
