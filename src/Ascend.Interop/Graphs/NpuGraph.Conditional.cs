using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Conditional nodes (CANN 9.1+): conditions, IF / IF-ELSE / WHILE / SWITCH nodes, and the capture of their branches
// (child graphs) on branch streams, nested to any depth (a branch's own conditions and nodes go to the innermost open
// branch).
public sealed partial class NpuGraph
{
    private readonly Stack<NpuGraphBranch> _branches = new();

    internal bool IsDisposedForConditions
    {
        get { lock (_lock) return _state == State.Disposed; }
    }

    /// <summary>The branches being captured, innermost last.</summary>
    public int OpenBranchCount
    {
        get { lock (_lock) return _branches.Count; }
    }

    /// <summary>
    /// Creates a condition word for conditional nodes of this graph (while capturing). With
    /// <paramref name="resetAtLaunch"/> every launch first sets it to <paramref name="defaultValue"/>; without, it keeps
    /// its last value between launches.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0 (no conditional nodes).</exception>
    /// <exception cref="InvalidOperationException">The graph is not capturing.</exception>
    public unsafe NpuGraphCondition CreateCondition(uint defaultValue = 0, bool resetAtLaunch = true)
    {
        NpuFeatures.Current.Require(nameof(aclmdlRICondHandleCreate), "NpuGraph.CreateCondition");
        NpuStream stream = InnermostCaptureStream("CreateCondition");
        using var lease = stream.Enter();
        aclmdlRICaptureStatus status;
        aclmdlRI model;
        AclCheck.Check(aclmdlRICaptureGetInfo(stream.Native(lease), &status, &model), nameof(aclmdlRICaptureGetInfo));
        aclmdlRICondHandle handle;
        var flag = resetAtLaunch ? aclmdlRICondHandleFlag.ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT : 0;
        AclCheck.Check(aclmdlRICondHandleCreate(model, defaultValue, flag, &handle), nameof(aclmdlRICondHandleCreate),
            $"creating a condition of {this}");
        ulong* word;
        AclCheck.Check(aclmdlRICondHandleGetCondPtr(handle, &word), nameof(aclmdlRICondHandleGetCondPtr));
        return new NpuGraphCondition(this, handle, (nint)word, defaultValue, resetAtLaunch);
    }

    /// <summary>Adds an IF node without else and begins its branch: it runs when the condition is non-zero.</summary>
    public NpuGraphBranch BeginIf(NpuGraphCondition condition) =>
        BeginBranch(NpuGraphConditionalKind.If, condition, 0, AddNode(NpuGraphConditionalKind.If, condition, 1)[0]);

    /// <summary>Adds a WHILE node and begins its body: it runs while the condition is non-zero (the body must clear it).</summary>
    public NpuGraphBranch BeginWhile(NpuGraphCondition condition) =>
        BeginBranch(NpuGraphConditionalKind.While, condition, 0, AddNode(NpuGraphConditionalKind.While, condition, 1)[0]);

    /// <summary>Adds an IF node with an else: branch 0 runs on non-zero, branch 1 on zero.</summary>
    public NpuGraphConditional AddIfElse(NpuGraphCondition condition) =>
        new(this, NpuGraphConditionalKind.If, condition, AddNode(NpuGraphConditionalKind.If, condition, 2));

    /// <summary>Adds a SWITCH node of <paramref name="branchCount"/> branches: branch [value] runs when value &lt; count.</summary>
    public NpuGraphConditional AddSwitch(NpuGraphCondition condition, int branchCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(branchCount);
        return new(this, NpuGraphConditionalKind.Switch, condition, AddNode(NpuGraphConditionalKind.Switch, condition, branchCount));
    }

    private NpuStream InnermostCaptureStream(string operation)
    {
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, operation);
            return _branches.Count > 0 ? _branches.Peek().Stream : _stream;
        }
    }

    private unsafe aclmdlRI[] AddNode(NpuGraphConditionalKind kind, NpuGraphCondition condition, int count)
    {
        ArgumentNullException.ThrowIfNull(condition);
        NpuFeatures.Current.Require(nameof(aclmdlRIAddCondTask), $"adding a {kind} node (NpuGraph)");
        if (!ReferenceEquals(condition.Graph, this))
            throw new ArgumentException("The condition belongs to another graph.", nameof(condition));
        if (condition.IsUsed)
            throw new ArgumentException("The condition already drives a conditional node (one node per condition).", nameof(condition));
        NpuStream stream = InnermostCaptureStream($"Add {kind} node");
        var children = new aclmdlRI[count];
        fixed (aclmdlRI* array = children)
        {
            var node = new tagAclmdlRICondTaskParams
            {
                handle = condition.Handle,
                type = (aclmdlRICondTaskType)(uint)kind,
                size = (uint)count,
                modelRIArray = array,
            };
            using var lease = stream.Enter();
            AclCheck.Check(aclmdlRIAddCondTask(node, stream.Native(lease), 0), nameof(aclmdlRIAddCondTask),
                $"adding a {kind} node of {count} branch(es) to {this}");
        }
        condition.IsUsed = true;
        return children;
    }

    internal unsafe NpuGraphBranch BeginBranch(NpuGraphConditionalKind kind, NpuGraphCondition condition, int index, aclmdlRI child)
    {
        InnermostCaptureStream("BeginBranch");
        var stream = Device.CreateStream();
        var branch = new NpuGraphBranch(this, kind, condition, index, stream);
        stream.EnterCapture(this);
        _pool.Pool.BeginAllocateTo(stream);
        int code;
        using (var lease = stream.Enter())
        {
            code = aclmdlRICaptureToModelRIBegin(stream.Native(lease), child, (aclmdlRICaptureMode)(uint)Mode);
        }
        if (code != 0)
        {
            string? message = AclCheck.RecentMessage();
            ReleaseBranchStream(stream);
            throw new AclException(code, nameof(aclmdlRICaptureToModelRIBegin), message, $"beginning branch {index} of a {kind} node of {this}");
        }
        lock (_lock) _branches.Push(branch);
        return branch;
    }

    internal unsafe void EndBranch(NpuGraphBranch branch)
    {
        lock (_lock)
        {
            if (branch.IsEnded) return;
            if (_branches.Count == 0 || !ReferenceEquals(_branches.Peek(), branch))
                throw new InvalidOperationException("A branch opened inside this one is still open: dispose the inner branch scopes first.");
            _branches.Pop();
            branch.MarkEnded();
        }
        int code;
        using (var lease = branch.Stream.Enter())
        {
            code = aclmdlRICaptureEnd(branch.Stream.Native(lease), null);
        }
        string? message = code != 0 ? AclCheck.RecentMessage() : null;
        ReleaseBranchStream(branch.Stream);
        if (code != 0)
            throw new NpuCaptureException(code, nameof(aclmdlRICaptureEnd), "NpuGraphBranch.Dispose",
                "the branch's capture failed, which invalidates the whole graph's capture: EndCapture will discard it.", Mode, message);
    }

    /// <summary>
    /// Work recorded into this graph (or re-issued by one of its updates) uses a condition's word through its tensor
    /// view. The word is this graph's own memory, freed with it: nothing to hold. Another graph's word is refused,
    /// because that graph may be disposed (its word freed) while this one still replays into it; the capture is
    /// poisoned as well, since the work already reached it.
    /// </summary>
    private void HoldConditionWord(NpuGraphCondition condition)
    {
        if (ReferenceEquals(condition.Graph, this)) return;
        var refused = new InvalidOperationException(
            $"{this} recorded work on the condition word of {condition.Graph}: a condition's word belongs to the graph that created it and is freed with it, " +
            "so only that graph's own capture (its branches included) may use it. Create a condition of this graph instead.");
        NoteFailure(refused);
        throw refused;
    }

    private void ReleaseBranchStream(NpuStream stream)
    {
        _pool.Pool.EndAllocateTo(stream);
        stream.LeaveCapture(this);
        stream.Dispose();
    }
}
