namespace Ascend.Interop;

/// <summary>How <see cref="NpuStream.Submit{TWork}"/> applies the capture protocol to a kind of stream work.</summary>
internal enum StreamWorkKind
{
    /// <summary>
    /// Device work on buffers (operators, asynchronous copies and fills): recorded into the capture the stream belongs
    /// to, compared and re-issued by task-group updates (skipped in their dry pass).
    /// </summary>
    Task,

    /// <summary>
    /// A copy from or to pageable host memory, which the runtime performs synchronously: refused on a capturing stream
    /// (the graph would keep a host address that is gone at replay), subject to the unsafe-call rules of captures
    /// elsewhere; otherwise a <see cref="Task"/>.
    /// </summary>
    PageableCopy,

    /// <summary>A collective: a <see cref="Task"/> that task-group updates cannot re-issue.</summary>
    Collective,

    /// <summary>An event record: the event remembers whether it was recorded inside a capture.</summary>
    EventRecord,

    /// <summary>An event wait: a stream that waits on an event recorded inside a capture joins that capture.</summary>
    EventWait,

    /// <summary>A host callback: a capture it is recorded into keeps its state alive.</summary>
    HostCallback,

    /// <summary>A graph launch (replay): refused on a capturing stream.</summary>
    GraphLaunch,
}
