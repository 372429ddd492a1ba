namespace Ascend.Interop;

// The graph's memory books: what it holds (every buffer its work reads or writes, until it is disposed), what its
// capture used as scratch in its pool, and which outputs of other graphs of a shared pool its replays overwrite.
public sealed partial class NpuGraph
{
    private readonly HashSet<object> _heldSet = new(ReferenceEqualityComparer.Instance);
    private readonly List<IHeldMemory> _holds = new();
    private HashSet<TensorStorage>? _captureAllocated = new();   // pool memory the capture allocated and used (until EndCapture)
    private readonly HashSet<(nint Address, long Bytes)> _scratch = new();   // a set: updates re-issue the same workspaces
    private List<TensorStorage>? _overwrites;    // outputs of later graphs of the pool that live in this graph's scratch
    private List<TensorStorage>? _outputsAtRisk; // this graph's outputs that live in an earlier graph's scratch

    /// <summary>
    /// Holds memory recorded (or re-issued) work of this graph uses, so that disposing its owner does not return it
    /// while the graph may replay into it. Memory the capture itself allocated from the graph's pool is decided at
    /// EndCapture instead: still alive, it is an output and held; freed during the capture, it was scratch.
    /// </summary>
    internal void Hold(TensorStorage storage)
    {
        if (ReferenceEquals(storage.HeldBy, this)) return;   // re-issued updates: no lock in the steady state
        if (storage.Condition is { } condition)
        {
            HoldConditionWord(condition);   // a condition's word: the graph's own memory (NpuGraph.Conditional.cs)
            return;
        }
        lock (_lock)
        {
            if (ReferenceEquals(storage.AllocatedFor, this))
            {
                // Allocated by this capture: decided at EndCapture. Allocated by an update: the update's own.
                _captureAllocated?.Add(storage);
                return;
            }
            if (!HoldLocked(storage)) return;
        }
        storage.HeldBy ??= this;
    }

    /// <summary>Holds a caller-owned buffer (device or pinned memory) the graph's work uses.</summary>
    internal void Hold(IHeldMemory memory)
    {
        lock (_lock) HoldLocked(memory);
    }

    private bool HoldLocked(IHeldMemory memory)
    {
        if (_state is State.Failed or State.Disposed || !_heldSet.Add(memory)) return false;
        if (memory.TryHold())
        {
            _holds.Add(memory);
            return true;
        }
        // Disposed by another thread while this work was being submitted: the graph cannot keep it.
        _heldSet.Remove(memory);
        if (_state == State.Capturing)
            _poisonedBy ??= new ObjectDisposedException(memory.GetType().Name, "Memory used by a captured operation was disposed during its submission.");
        return false;
    }

    /// <summary>A workspace (or other pool memory) the graph's tasks use, returned to the pool right after the launch.</summary>
    internal void NoteScratch(nint address, long bytes)
    {
        lock (_lock) _scratch.Add((address, bytes));
    }

    /// <summary>
    /// At EndCapture: memory the capture allocated and used is held when still alive (an output), or was scratch when
    /// the capture freed it. In a shared pool, an output that lies in an earlier graph's scratch is overwritten by
    /// every replay of that graph: the pair is recorded so that reading the output is refused until this graph
    /// replays again (see <see cref="NpuStream"/>'s submission path).
    /// </summary>
    private void SettleCaptureMemory()
    {
        List<TensorStorage>? outputs = null;
        lock (_lock)
        {
            foreach (var storage in _captureAllocated!)
            {
                if (HoldLocked(storage))
                {
                    storage.HeldBy ??= this;
                    (outputs ??= new()).Add(storage);
                }
                else if (!_heldSet.Contains(storage))
                {
                    _scratch.Add((storage.BlockAddress, storage.ByteLength));
                }
            }
            _captureAllocated = null;
        }
        if (outputs is null || _ownsPool) return;
        foreach (var earlier in _pool.Graphs())
        {
            if (ReferenceEquals(earlier, this)) continue;
            foreach (var output in outputs)
            {
                if (!earlier.ScratchOverlaps(output)) continue;
                earlier.AddOverwrite(output);
                lock (_lock) (_outputsAtRisk ??= new()).Add(output);
            }
        }
    }

    private bool ScratchOverlaps(TensorStorage output)
    {
        nint start = output.BlockAddress;
        nint end = start + (nint)Math.Max(1, output.ByteLength);
        lock (_lock)
        {
            if (_state != State.Captured) return false;
            foreach (var (address, bytes) in _scratch)
                if (address < end && start < address + (nint)Math.Max(1, bytes)) return true;
        }
        return false;
    }

    private void AddOverwrite(TensorStorage output)
    {
        lock (_lock)
        {
            var list = _overwrites ?? new();
            list.Add(output);
            Volatile.Write(ref _overwrites, list);
            // This graph's next replay marks one more output: it must not skip the marking.
            Volatile.Write(ref _pool.LastMarkedReplay, null);
        }
    }

    /// <summary>After a replay is queued: outputs of other graphs in this graph's scratch are overwritten, this graph's own are valid again.</summary>
    private void MarkReplayedMemory()
    {
        lock (_lock)
        {
            if (_overwrites is { } overwritten)
                foreach (var output in overwritten) output.OverwrittenBy = this;
            if (_outputsAtRisk is { } mine)
                foreach (var output in mine) output.OverwrittenBy = null;
            Volatile.Write(ref _pool.LastMarkedReplay, this);
        }
    }

    /// <summary>Gives back every hold (the graph is gone, or its capture failed): the memory returns to its pools now.</summary>
    private void ReleaseHolds()
    {
        IHeldMemory[] holds;
        lock (_lock)
        {
            holds = [.. _holds];
            _holds.Clear();
            _heldSet.Clear();
            _captureAllocated = null;
            _overwrites = null;
        }
        Interlocked.CompareExchange(ref _pool.LastMarkedReplay, null, this);
        foreach (var other in _pool.Graphs())
            if (!ReferenceEquals(other, this)) other.ForgetOverwrites(holds);
        foreach (var memory in holds) memory.ReleaseHold();
    }

    private void ForgetOverwrites(IHeldMemory[] released)
    {
        lock (_lock)
        {
            if (_overwrites is not { } list) return;
            list.RemoveAll(o => Array.IndexOf(released, o) >= 0);
            if (list.Count == 0) _overwrites = null;
        }
    }
}
