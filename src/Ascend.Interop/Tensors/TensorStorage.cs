using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// The device memory behind a tensor and all its views, reference-counted: a pool block (returned
/// to its pool, stream-ordered on the stream it was rented on, when the last view and the last graph
/// holding it go) or a caller-owned <see cref="DeviceBuffer"/> (never freed here; a graph holds the
/// buffer's memory instead). The submission path records the other streams work used it on, so that
/// the pool reuses the block only after that work completed.
/// </summary>
internal sealed class TensorStorage : IHeldMemory
{
    private readonly PoolBlock _block;
    private readonly DeviceBuffer? _buffer;
    private NpuGraphCondition? _condition;   // set once, by Wrap(NpuGraphCondition)
    private int _references = 1;
    private StreamSet _usedOn;   // streams other than Stream that eager work used the memory on (written under lock)

    private TensorStorage(NpuDevice device, NpuStream stream, PoolBlock block, DeviceBuffer? buffer, long byteLength)
    {
        Device = device;
        Stream = stream;
        _block = block;
        _buffer = buffer;
        ByteLength = byteLength;
        // Only pooled memory needs the safety net of the finalizer below.
        if (block.IsEmpty) GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The safety net for tensors nobody disposed: every view (and every graph hold) is gone without releasing the
    /// storage. The block goes back to its pool in stream order (queued; the pool returns it at its next rent or trim,
    /// so the finalizer thread makes no native call), or, when the pool is disposed (its device gone), is dropped.
    /// Counted in <see cref="NpuMetrics.TensorsReclaimedByFinalizer"/> and logged.
    /// </summary>
    ~TensorStorage()
    {
        if (Volatile.Read(ref _references) <= 0 || _block.IsEmpty || Environment.HasShutdownStarted) return;
        var pool = _block.Pool!;
        bool queued = pool.QueueOrphan(_block, Stream, _usedOn);
        NpuMetrics.NoteTensorReclaimed(queued);
        if (queued) NpuLogging.TensorReclaimed(NpuLogging.Logger, _block.Length, pool.Name);
        else NpuLogging.TensorDropped(NpuLogging.Logger, _block.Length, pool.Name);
    }

    /// <summary>Rents <paramref name="byteLength"/> bytes for work on <paramref name="stream"/> (none for an empty tensor).</summary>
    public static TensorStorage Rent(NpuStream stream, long byteLength)
    {
        var block = byteLength == 0 ? default : stream.AllocationPool.Rent(stream, byteLength);
        // Rented while the stream captures into (or updates) a graph: from that graph's pool, its own to manage.
        return new TensorStorage(stream.Device, stream, block, null, byteLength) { AllocatedFor = stream.RecordingGraph };
    }

    /// <summary>Wraps caller-owned memory; work defaults to the device's default stream.</summary>
    public static TensorStorage Wrap(DeviceBuffer buffer) =>
        new(buffer.Device, buffer.Device.DefaultStream, default, buffer, buffer.Length);

    /// <summary>Wraps the 8-byte word of a graph's condition (owned by the graph, freed with it; never freed here).</summary>
    public static TensorStorage Wrap(NpuGraphCondition condition) =>
        new(condition.Graph.Device, condition.Graph.Device.DefaultStream, default, null, sizeof(long)) { _condition = condition };

    public NpuDevice Device { get; }

    /// <summary>The stream the memory is ordered on (rented on, and returned on).</summary>
    public NpuStream Stream { get; }

    public long ByteLength { get; }

    public bool IsPooled => _buffer is null && _condition is null;

    /// <summary>The condition whose word this is (a graph's own memory), if it is one.</summary>
    public NpuGraphCondition? Condition => _condition;

    public DeviceBuffer? Buffer => _buffer;

    /// <summary>The base address; throws when caller-owned memory was disposed.</summary>
    public nint Pointer
    {
        get
        {
            if (_buffer is null) return _condition is null ? _block.Pointer : _condition.DevicePointer;
            if (_buffer.IsDisposed)
                throw new ObjectDisposedException(nameof(DeviceBuffer), "The DeviceBuffer behind this tensor has been disposed; keep it alive while tensors over it are used.");
            return _buffer.Pointer;
        }
    }

    /// <summary>The graph whose capture (or update) allocated this memory from its pool, if any.</summary>
    public NpuGraph? AllocatedFor { get; private init; }

    /// <summary>
    /// Set when a replay of another graph of the same shared pool overwrote this graph output (its memory is that
    /// graph's intermediate); cleared when the owning graph replays again. Reads through the SDK are refused meanwhile.
    /// </summary>
    public NpuGraph? OverwrittenBy;

    /// <summary>A graph that holds this memory (the first one: lets its re-issued updates skip the books).</summary>
    public NpuGraph? HeldBy;

    /// <summary>The block's first byte (for overlap checks of graph memory).</summary>
    public nint BlockAddress => _block.Pointer;

    /// <summary>
    /// Called for every eager submission that uses the memory: remembers a stream other than <see cref="Stream"/>, so
    /// the block goes back to the pool only after that stream's work is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NoteUse(NpuStream stream)
    {
        if (!ReferenceEquals(stream, Stream) && _buffer is null && !_usedOn.Contains(stream)) NoteUseSlow(stream);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NoteUseSlow(NpuStream stream)
    {
        if (_block.IsEmpty) return;
        lock (this) _usedOn.Add(stream);
    }

    public void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(NpuTensor), "The tensor's storage has already been released.");
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        if (_block.IsEmpty) return;
        GC.SuppressFinalize(this);
        _block.Pool!.Return(_block, Stream, _usedOn.IsEmpty ? default : UsedOnSnapshot());
    }

    private StreamSet UsedOnSnapshot()
    {
        lock (this) return _usedOn;
    }

    /// <summary>A graph's hold: a reference like a view's (pooled), or the caller-owned buffer's memory.</summary>
    public bool TryHold()
    {
        if (_buffer is not null) return ((IHeldMemory)_buffer).TryHold();
        if (_condition is not null) return false;   // a graph's own word: nothing to hold (NpuGraph.Hold never asks)
        int references = Volatile.Read(ref _references);
        while (references > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, references + 1, references);
            if (seen == references) return true;
            references = seen;
        }
        return false;
    }

    public void ReleaseHold()
    {
        if (_buffer is not null) ((IHeldMemory)_buffer).ReleaseHold();
        else Release();
    }
}
