using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// In-place editing (CANN 9.1.0): disable a task or set a kernel task's parameters (the graph becomes UPDATING), then
// apply with aclmdlRIUpdate (READY again); a refused edit makes the graph FAULT for good.
public sealed partial class NpuGraph
{
    /// <summary>CANN's ACL_ERROR_RT_MODEL_EXECUTE: a launch of a graph that is not READY (UPDATING or FAULT).</summary>
    internal const int ModelNotReadyCode = 507011;

    private const int EditReady = 0, EditUpdating = 1, EditFault = 2;
    private int _edit;
    private string? _faultReason;

    /// <summary>
    /// Where the graph is: capturing, READY, UPDATING (an edit is staged: call <see cref="ApplyEdits"/> before replaying),
    /// FAULT (an edit failed: the graph cannot run again; <see cref="FaultReason"/> says why), capture failed, or disposed.
    /// </summary>
    public NpuGraphState Status
    {
        get
        {
            lock (_lock)
            {
                return _state switch
                {
                    State.Capturing => NpuGraphState.Capturing,
                    State.Captured => _edit switch { EditReady => NpuGraphState.Ready, EditUpdating => NpuGraphState.Updating, _ => NpuGraphState.Fault },
                    State.Failed => NpuGraphState.CaptureFailed,
                    _ => NpuGraphState.Disposed,
                };
            }
        }
    }

    /// <summary>Why the graph is <see cref="NpuGraphState.Fault"/> (null otherwise).</summary>
    public string? FaultReason
    {
        get { lock (_lock) return _faultReason; }
    }

    /// <summary>
    /// Applies the staged edits (<c>aclmdlRIUpdate</c>): disabled tasks are skipped from the next replay on, new kernel
    /// parameters take effect, and the graph is READY again. Nothing staged: does nothing. Waits for the graph's queued
    /// replays first (the runtime refuses to update a running graph). Needs CANN 9.1.0.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    /// <exception cref="NpuCaptureException">The graph is FAULT (107040), or the runtime refused the update (the graph is then FAULT).</exception>
    public unsafe void ApplyEdits()
    {
        NpuFeatures.Current.Require(nameof(aclmdlRIUpdate), "NpuGraph.ApplyEdits");
        lock (_lock)
        {
            ThrowIfNotState(State.Captured, "ApplyEdits");
            if (_edit == EditFault) throw Faulted("NpuGraph.ApplyEdits", nameof(aclmdlRIUpdate), ACL_ERROR_RT_MODEL_UPDATE_FAILED);
            if (_edit == EditReady) return;
        }
        WaitForQueuedReplays();
        int code;
        using (var lease = _stream.Enter())
        using (var model = new HandleLease(_model!, this))
        {
            code = aclmdlRIUpdate(NativeHandle.Model(model.Value));
        }
        if (code != 0)
        {
            string? message = AclCheck.RecentMessage();
            SetFault($"aclmdlRIUpdate failed with {code} ({AclErrorCodes.NameOf(code)})");
            throw new NpuCaptureException(code, nameof(aclmdlRIUpdate), "NpuGraph.ApplyEdits",
                "the runtime refused to apply the staged edits, so the graph is FAULT (CANN's rule: a failed update is terminal); dispose it and capture again.",
                Mode, message);
        }
        lock (_lock)
        {
            _edit = EditReady;
            if (_graphTasks is not null)
                foreach (var task in _graphTasks)
                    if (task.IsDisablePending)
                    {
                        task.IsDisablePending = false;
                        task.IsDisabled = true;
                    }
        }
    }

    internal unsafe void DisableTask(NpuGraphTask task)
    {
        const string operation = "NpuGraphTask.Disable";
        NpuFeatures.Current.Require(nameof(aclmdlRITaskDisable), operation);
        ThrowIfNotEditable(operation, nameof(aclmdlRITaskDisable));
        if (task.Type == NpuGraphTaskType.Default)
            throw new NpuCaptureException(ACL_ERROR_RT_PARAM_INVALID, nameof(aclmdlRITaskDisable), operation,
                $"{task} is a DEFAULT task (a copy, fill, host callback or runtime-internal task): only kernel, event and value tasks can be disabled. " +
                "The SDK refused it before the runtime, which would have made the graph FAULT; the graph is unchanged.", Mode);
        if (task.IsDisabled || task.IsDisablePending) return;
        WaitForQueuedReplays();
        int code;
        using (var lease = _stream.Enter())
        using (var model = new HandleLease(_model!, this))
        {
            code = aclmdlRITaskDisable(task.Handle);
        }
        if (code != 0) throw EditFailure(code, operation, nameof(aclmdlRITaskDisable), $"disabling {task}");
        lock (_lock)
        {
            task.IsDisablePending = true;
            _edit = EditUpdating;
        }
    }

    internal unsafe void SetKernelParameters(NpuGraphTask task, NpuKernelTaskParameters parameters)
    {
        const string operation = "NpuGraphTask.DangerousSetKernelParameters";
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(parameters.Arguments);
        NpuFeatures.Current.Require(nameof(aclmdlRITaskSetParams), operation);
        ThrowIfNotEditable(operation, nameof(aclmdlRITaskSetParams));
        if (task.Type != NpuGraphTaskType.Kernel)
            throw new NpuCaptureException(ACL_ERROR_RT_PARAM_INVALID, nameof(aclmdlRITaskSetParams), operation,
                $"{task} is not a kernel task; kernel parameters go to kernel tasks only. The graph is unchanged.", Mode);
        if (parameters.FunctionHandle.IsNull || parameters.Arguments.Length == 0)
            throw new ArgumentException("A kernel needs a function handle and a non-empty argument block (take them from NpuGraphTask.Kernel).", nameof(parameters));
        WaitForQueuedReplays();
        int code;
        using (var lease = _stream.Enter())
        using (var model = new HandleLease(_model!, this))
        fixed (byte* args = parameters.Arguments)
        {
            aclmdlRITaskParams p = default;
            p.type = aclmdlRITaskType.ACL_MODEL_RI_TASK_KERNEL;
            p.kernelTaskParams.funcHandle = parameters.FunctionHandle;
            p.kernelTaskParams.args = args;
            p.kernelTaskParams.isHostArgs = 1;  // the runtime copies the block
            p.kernelTaskParams.argsSize = (nuint)parameters.Arguments.Length;
            p.kernelTaskParams.numBlocks = parameters.BlockCount;
            code = aclmdlRITaskSetParams(task.Handle, &p);
        }
        if (code != 0) throw EditFailure(code, operation, nameof(aclmdlRITaskSetParams), $"setting the parameters of {task}");
        lock (_lock) _edit = EditUpdating;
    }

    /// <summary>
    /// A refused edit. 107040 is a refused precondition (the graph stays as it was, unless it already was FAULT);
    /// anything else, after the preconditions passed, makes the graph FAULT (CANN's rule; the strict reading for 207000).
    /// </summary>
    private NpuCaptureException EditFailure(int code, string operation, string function, string what)
    {
        string? message = AclCheck.RecentMessage();
        if (code == ACL_ERROR_RT_MODEL_UPDATE_FAILED)
            return new NpuCaptureException(code, function, operation,
                $"the runtime refused {what}: a graph can be edited only when captured, not running, and READY or UPDATING.", Mode, message);
        SetFault($"{function} failed with {code} ({AclErrorCodes.NameOf(code)}) while {what}");
        return new NpuCaptureException(code, function, operation,
            $"the runtime refused {what}, so the graph is FAULT (CANN's rule: a failed edit is terminal); it can never be replayed again: dispose it and capture again.",
            Mode, message);
    }

    private void SetFault(string reason)
    {
        lock (_lock)
        {
            _edit = EditFault;
            _faultReason ??= reason;
        }
    }

    private void ThrowIfNotEditable(string operation, string function)
    {
        lock (_lock)
        {
            ThrowIfNotState(State.Captured, operation);
            if (_edit == EditFault) throw Faulted(operation, function, ACL_ERROR_RT_MODEL_UPDATE_FAILED);
        }
    }

    private NpuCaptureException Faulted(string operation, string function, int code) =>
        new(code, function, operation, $"the graph is FAULT ({_faultReason}); a FAULT graph can never run or be edited again: dispose it and {(_built ? "build" : "capture")} again.", ExceptionMode);

    /// <summary>A replay of a graph that is UPDATING or FAULT: refused before the launch (the runtime would give 507011).</summary>
    internal NpuCaptureException NotReadyForReplay(string operation)
    {
        lock (_lock)
        {
            return _edit == EditFault
                ? Faulted(operation, nameof(aclmdlRIExecuteAsync), ModelNotReadyCode)
                : new NpuCaptureException(ModelNotReadyCode, nameof(aclmdlRIExecuteAsync), operation,
                    "the graph has staged edits (it is UPDATING: a task was disabled or given new parameters); call NpuGraph.ApplyEdits before replaying it.", ExceptionMode);
        }
    }

    /// <summary>Waits until every replay of this graph queued so far has finished (the runtime refuses to edit a running graph).</summary>
    private void WaitForQueuedReplays()
    {
        ReplayStream[] streams;
        lock (_lock) streams = _replayStreams.ToArray();
        foreach (var replayed in streams)
            if (!replayed.Stream.IsDisposed) replayed.Stream.Synchronize();
    }
}
