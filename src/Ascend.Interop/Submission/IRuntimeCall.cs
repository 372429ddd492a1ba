namespace Ascend.Interop;

/// <summary>
/// One runtime call queued on a stream that reads and writes no buffer and prepares nothing (an event record or wait,
/// a host callback): what <see cref="RuntimeCallWork{TCall}"/> submits. The static members let the JIT specialise
/// the submission per call, as for every <see cref="IStreamWork"/>.
/// </summary>
internal interface IRuntimeCall
{
    /// <summary>How the capture protocol treats the call.</summary>
    static abstract StreamWorkKind Kind { get; }

    /// <summary>The C function ("aclrtRecordEvent").</summary>
    static abstract string Function { get; }

    /// <summary>The SDK operation in messages ("NpuEvent.Record").</summary>
    static abstract string Operation { get; }

    /// <summary>The object the protocol updates after the launch (the event, the callback's state).</summary>
    object Subject { get; }

    /// <summary>Queues the call on <paramref name="stream"/>; returns 0 or the runtime's code.</summary>
    int Call(Native.aclrtStream stream);

    /// <summary>The call will not be made, or was refused: release what it holds.</summary>
    void Abandon();
}
