using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// A stream of a captured graph as the runtime reports it (<c>aclmdlRIGetStreams</c>). For a captured graph these are
/// the runtime's internal capture streams, one per stream that took part in the capture, not the <see cref="NpuStream"/>s
/// the work was submitted on; <see cref="SdkStream"/> names the SDK stream the SDK matched it to.
/// </summary>
public sealed class NpuGraphStream
{
    internal NpuGraphStream(int index, nint handle)
    {
        Index = index;
        Handle = (aclrtStream)handle;
    }

    /// <summary>Position in the runtime's list (the order is the runtime's, not a documented contract).</summary>
    public int Index { get; }

    /// <summary>The runtime's stream handle (valid while the graph lives).</summary>
    public aclrtStream Handle { get; }

    /// <summary>The tasks on this stream, in the runtime's order.</summary>
    public IReadOnlyList<NpuGraphTask> Tasks { get; internal set; } = [];

    /// <summary>The SDK stream (its description, as in <see cref="NpuGraphOperation.Stream"/>) whose operations this stream's kernel tasks were matched to; null when none was.</summary>
    public string? SdkStream { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"graph stream {Index} ({Tasks.Count} tasks{(SdkStream is null ? "" : $", from {SdkStream}")})";
}
