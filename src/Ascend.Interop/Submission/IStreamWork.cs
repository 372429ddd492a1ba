namespace Ascend.Interop;

/// <summary>
/// One piece of stream work, described once: the C function it calls, the buffers it reads and writes, and its
/// launch. Implemented by (ref) structs built on the caller's stack and passed by reference to
/// <see cref="NpuStream.Submit{TWork}"/>, which owns everything else (capture recording, task-group updates, failure
/// poisoning, capture-mode refusals, workspaces, buffer-use bookkeeping, metrics). The JIT specializes the entry point
/// per work type, so a submission allocates nothing and calls these members directly.
/// </summary>
internal interface IStreamWork
{
    /// <summary>How the capture protocol treats this kind of work.</summary>
    static abstract StreamWorkKind Kind { get; }

    /// <summary>The C function the work calls ("aclnnAdd", "aclrtMemcpyAsync"): recorded by captures, compared by task-group updates.</summary>
    string Function { get; }

    /// <summary>The SDK operation in messages ("Ops.Add", "NpuTensor.CopyFrom", "NpuGraph.Replay").</summary>
    string Operation { get; }

    /// <summary>The object the protocol updates after the launch: the event of a record or wait, the state of a host callback; else null.</summary>
    object? Subject { get; }

    /// <summary>Buffers the work reads or writes.</summary>
    int BufferCount { get; }

    /// <summary>Buffer <paramref name="index"/> (0 to <see cref="BufferCount"/> - 1).</summary>
    BufferUse Buffer(int index);

    /// <summary>
    /// Runs first, inside the stream's lease (an operator's phase 1: the runtime validates the arguments and sizes
    /// the workspace). Returns 0 or the runtime's code; on failure it has released what it made.
    /// </summary>
    int Prepare(in StreamLaunch launch, out ulong workspaceBytes);

    /// <summary>Queues the work on the stream; returns 0 or the runtime's code. Consumes what Prepare made, whatever the outcome.</summary>
    int Launch(in StreamLaunch launch);

    /// <summary>The work will not be launched (refused, a dry update pass, no workspace): release what it holds.</summary>
    void Abandon();

    /// <summary>The exception for a failure code of <paramref name="phase"/> (reads the runtime's message: call it first).</summary>
    Exception Failure(int code, StreamWorkPhase phase);
}
