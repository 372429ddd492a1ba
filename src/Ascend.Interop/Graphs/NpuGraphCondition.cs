using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// The 64-bit condition word of conditional nodes in a captured graph (CANN 9.1+,
/// <c>aclmdlRICondHandleCreate</c>): device memory owned by the graph, read by the device when a replay
/// reaches a conditional node. Write it in stream order inside the graph, so earlier work of the same replay
/// decides the branch: by a value write (<see cref="Write"/>), or by any operator writing its int64 tensor view
/// (<see cref="AsTensor"/>), e.g. a comparison: <c>Ops.Lt(stream, counter, 16L, condition.AsTensor())</c>.
/// With <see cref="ResetsAtLaunch"/> the runtime writes <see cref="DefaultValue"/> at every launch.
/// Created by <see cref="NpuGraph.CreateCondition"/>; it lives as long as its graph.
/// </summary>
public sealed class NpuGraphCondition
{
    private readonly nint _word;

    internal NpuGraphCondition(NpuGraph graph, aclmdlRICondHandle handle, nint word, uint defaultValue, bool resetsAtLaunch)
    {
        Graph = graph;
        Handle = handle;
        _word = word;
        DefaultValue = defaultValue;
        ResetsAtLaunch = resetsAtLaunch;
    }

    /// <summary>The graph that owns the word.</summary>
    public NpuGraph Graph { get; }

    /// <summary>The value the runtime writes at each launch when <see cref="ResetsAtLaunch"/> (zero-extended to 64 bits).</summary>
    public uint DefaultValue { get; }

    /// <summary>True when every launch of the graph first sets the word to <see cref="DefaultValue"/> (ASSIGN_DEFAULT).</summary>
    public bool ResetsAtLaunch { get; }

    /// <summary>True once a conditional node uses the word (one node per condition, as CANN requires).</summary>
    public bool IsUsed { get; internal set; }

    internal aclmdlRICondHandle Handle { get; }

    /// <summary>The device address of the 8-byte word; valid while the graph is not disposed.</summary>
    public nint DevicePointer
    {
        get
        {
            if (Graph.IsDisposedForConditions)
                throw new ObjectDisposedException(nameof(NpuGraphCondition), $"The condition word of {Graph} was freed when the graph was disposed: its tensor views and pointer are no longer usable.");
            return _word;
        }
    }

    /// <summary>
    /// A tensor view of the word: one <see cref="NpuDataType.Int64"/> element, shape [1] (reshape it to a scalar
    /// or [1, 1] if an operator wants that), so operators compute the condition on the device: a comparison or a
    /// logical operator writes 1 or 0 into it, a reduction or an arithmetic operator any count (non-zero runs the
    /// IF branch or the WHILE body; SWITCH takes the value as the branch index). Use it in this graph's capture and
    /// its branches, or eagerly between launches (a host-side choice for the next launch when the condition does not
    /// reset at launch); another graph's capture is refused, since the word is freed with this graph. The view owns
    /// nothing: disposing it frees nothing, and using it after the graph is disposed throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The graph has been disposed (the word is freed).</exception>
    public NpuTensor AsTensor()
    {
        _ = DevicePointer;   // throws once the graph is disposed
        return NpuTensor.OverConditionWord(this);
    }

    /// <summary>
    /// Writes <paramref name="value"/> into the word in <paramref name="stream"/>'s order (<c>aclrtValueWrite</c>). On a
    /// stream capturing this graph (or one of its branches) the write becomes a task of the graph.
    /// </summary>
    public unsafe void Write(NpuStream stream, ulong value)
    {
        ArgumentNullException.ThrowIfNull(stream);
        nint word = DevicePointer;
        if (stream.Device.Id != Graph.Device.Id)
            throw new ArgumentException($"The condition belongs to NPU device {Graph.Device.Id} but the stream to device {stream.Device.Id}.", nameof(stream));
        using var lease = stream.Enter();
        AclCheck.Check(aclrtValueWrite((void*)word, value, 0, stream.Native(lease)), nameof(aclrtValueWrite),
            $"writing {value} into a condition of {Graph}");
    }
}
