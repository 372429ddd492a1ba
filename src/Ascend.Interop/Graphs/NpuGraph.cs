using System.Runtime.InteropServices;
using System.Text;
using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// A captured graph (CANN <c>aclmdlRI</c>): work recorded once on a stream and replayed with one
/// launch. Created by <see cref="NpuStream.BeginCapture"/>; always use it in a <c>using</c>:
/// <code>
/// using var graph = stream.BeginCapture();
/// Ops.MatMul(stream, x, w, h);
/// Ops.Relu(stream, h, y);
/// graph.EndCapture();
/// graph.Replay();
/// </code>
/// If an exception leaves the block while capturing, <see cref="Dispose"/> ends and discards the
/// capture and the stream is usable again.
/// </summary>
public sealed partial class NpuGraph : IDisposable
{
    private enum State { Capturing, Captured, Failed, Disposed }

    private readonly Lock _lock = new();
    private readonly NpuStream _stream;
    private readonly NpuGraphPool _pool;
    private readonly bool _ownsPool;
    private readonly int _captureThread;
    private readonly List<NpuGraphOperation> _operations = new();
    private readonly List<NpuTaskGroup> _groups = new();
    private readonly List<GCHandle> _keepAlive = new();
    private readonly List<NpuStream> _joined = new();
    private readonly List<ReplayStream> _replayStreams = new();
    private readonly List<NpuStream> _stuckStreams = new();  // update streams whose TaskUpdateEnd failed (see StuckTaskUpdate)
    private State _state;
    private string _failure = string.Empty;
    private ModelHandle? _model;
    private NpuTaskGroup? _openGroup;
    private string? _name;
    private long _replays;
    private NpuEvent? _updateDone;
    private int _updateGeneration;
    private long _inUseAtBegin;
    private ReplayStream? _lastReplayStream;  // the replay fast path's cache (set under _lock)
    private Exception? _poisonedBy;  // first SDK operation that failed during the capture

    private NpuGraph(NpuStream stream, CaptureMode mode, NpuGraphPool pool, bool ownsPool, bool built = false)
    {
        _built = built;
        _stream = stream;
        Mode = mode;
        _pool = pool;
        _ownsPool = ownsPool;
        _captureThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>The capture mode.</summary>
    public CaptureMode Mode { get; }

    /// <summary>The managed thread that began the capture (the unsafe-call rules and EndCapture's thread check).</summary>
    internal int CaptureThread => _captureThread;

    /// <summary>The captured model (null until EndCapture succeeded).</summary>
    internal ModelHandle? Model => _model;

    /// <summary>The stream the capture began on (replays default to it).</summary>
    public NpuStream CaptureStream => _stream;

    /// <summary>The device of the graph.</summary>
    public NpuDevice Device => _stream.Device;

    /// <summary>The pool that holds the graph's memory (private unless one was passed to BeginCapture).</summary>
    public NpuGraphPool Pool => _pool;

    /// <summary>True when the graph owns a private pool.</summary>
    public bool HasPrivatePool => _ownsPool;

    /// <summary>
    /// Device memory of the graph's pool: its private pool's bytes, or for a shared pool the whole
    /// pool's bytes (the same figure for every graph of the pool; see <see cref="OwnMemoryBytes"/>).
    /// </summary>
    public long MemoryBytes => _pool.ReservedBytes;

    /// <summary>
    /// Device memory this graph itself accounts for. With a private pool, the whole pool
    /// (<see cref="MemoryBytes"/>: the graph alone pays for its segments). With a shared pool,
    /// <see cref="CapturePeakBytes"/>: what the graph needs of the pool (its intermediates, workspaces
    /// and retained outputs at their peak), which the pool keeps for it while it lives; so three graphs
    /// sharing one pool report their own figures, not the pool's total three times.
    /// </summary>
    public long OwnMemoryBytes => _ownsPool ? _pool.ReservedBytes : CapturePeakBytes;

    /// <summary>
    /// The most pool memory the capture had handed out at once, above what the pool had in use when
    /// the capture began: what this graph needs, independent of the pool's segment granularity.
    /// </summary>
    public long CapturePeakBytes { get; private set; }

    /// <summary>
    /// Pool memory still handed out when the capture ended (the graph's outputs and any buffers the
    /// captured code did not dispose), above what the pool had in use when the capture began.
    /// </summary>
    public long CaptureRetainedBytes { get; private set; }

    /// <summary>True between BeginCapture and EndCapture.</summary>
    public bool IsCapturing
    {
        get { lock (_lock) return _state == State.Capturing; }
    }

    /// <summary>True once EndCapture succeeded and until Dispose: the graph can be replayed.</summary>
    public bool IsReady
    {
        get { lock (_lock) return _state == State.Captured; }
    }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed
    {
        get { lock (_lock) return _state == State.Disposed; }
    }

    /// <summary>Number of replays queued so far.</summary>
    public long ReplayCount => Interlocked.Read(ref _replays);

    /// <summary>The operations the SDK recorded, in capture order.</summary>
    public IReadOnlyList<NpuGraphOperation> Operations
    {
        get { lock (_lock) return _operations.ToArray(); }
    }

    /// <summary>The task groups defined during capture.</summary>
    public IReadOnlyList<NpuTaskGroup> TaskGroups
    {
        get { lock (_lock) return _groups.ToArray(); }
    }

    /// <summary>A name for diagnostics (also given to the runtime with <c>aclmdlRISetName</c> once captured).</summary>
    public unsafe string? Name
    {
        get => _name;
        set
        {
            _name = value;
            // A built graph has its model from the start; a captured one once EndCapture succeeded.
            if (value is not null && (IsReady || (_built && IsCapturing))) ApplyName(value);
        }
    }

    /// <summary>The raw <c>aclmdlRI</c> (0 until captured); keep the graph alive while using it.</summary>
    public aclmdlRI Handle => NativeHandle.Model(_model?.DangerousGetHandle() ?? 0);


    private static string StateText(State state) => state switch
    {
        State.Capturing => "capturing",
        State.Captured => "ready",
        State.Failed => "capture failed",
        _ => "disposed",
    };

    private unsafe void ApplyName(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name + "\0");
        using var lease = _stream.Enter();
        using var modelLease = new HandleLease(_model!, this);
        fixed (byte* p = bytes)
        {
            AclCheck.Check(aclmdlRISetName(NativeHandle.Model(modelLease.Value), (sbyte*)p), nameof(aclmdlRISetName));
        }
    }

    private void ThrowIfNotReady(string operation)
    {
        lock (_lock) ThrowIfNotState(State.Captured, operation);
    }

    private void ThrowIfNotState(State expected, string operation)
    {
        if (_state == expected) return;
        string type = TypeName;
        if (_state == State.Disposed) throw new ObjectDisposedException(type, $"{type}.{operation}: the graph has been disposed.");
        string work = _built ? "build" : "capture";
        string why = _state switch
        {
            State.Capturing => _built ? "the graph is still being built; call EndBuild first" : "the graph is still capturing; call EndCapture first",
            State.Captured => $"the {work} has already ended",
            State.Failed => $"the {work} failed ({_failure})",
            _ => _state.ToString(),
        };
        throw new InvalidOperationException($"{type}.{operation}: {why}.");
    }

    /// <inheritdoc />
    public override string ToString() => $"NpuGraph{(_name is null ? "" : $" '{_name}'")} ({StateText(_state)}, {_operations.Count} operations)";
}
