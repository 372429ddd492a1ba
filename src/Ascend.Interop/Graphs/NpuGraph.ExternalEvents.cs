using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// External events (CANN 9.2.0-beta.1): graph-to-stream and graph-to-graph ordering across the graph's boundary.
public sealed partial class NpuGraph
{
    private readonly Dictionary<NpuEvent, bool> _externalEvents = new(ReferenceEqualityComparer.Instance);   // true: recorded

    /// <summary>
    /// Captures an external record of <paramref name="evt"/> at this point of the graph (<c>aclrtRecordEventWithFlag</c>
    /// with ACL_EVENT_RECORD_EXTERNAL): every replay records it there, so a stream (<see cref="NpuStream.Wait"/>) or
    /// another graph (<see cref="WaitExternal(NpuStream, NpuEvent)"/>) outside can wait for this part of the replay without waiting for the
    /// whole graph. Needs CANN 9.2.0-beta.1.
    /// </summary>
    /// <param name="stream">The stream to record on: the capture stream or a stream that joined the capture.</param>
    /// <param name="evt">An event of the graph's device.</param>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.2.0-beta.1.</exception>
    /// <exception cref="NpuCaptureException">The stream is not capturing this graph (107029).</exception>
    public void RecordExternal(NpuStream stream, NpuEvent evt)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SubmitExternal(evt, stream, record: true);
    }

    /// <summary>As <see cref="RecordExternal(NpuStream, NpuEvent)"/> on the graph's capture stream.</summary>
    public void RecordExternal(NpuEvent evt) => SubmitExternal(evt, null, record: true);

    /// <summary>
    /// Captures an external wait for <paramref name="evt"/> at this point of the graph (<c>aclrtStreamWaitEventWithFlag</c>
    /// with ACL_EVENT_WAIT_EXTERNAL): every replay waits there for the latest record of the event made outside the graph
    /// (by a stream, or by another graph's <see cref="RecordExternal(NpuStream, NpuEvent)"/>). Needs CANN 9.2.0-beta.1.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.2.0-beta.1.</exception>
    /// <exception cref="NpuCaptureException">The stream is not capturing this graph (107029).</exception>
    public void WaitExternal(NpuStream stream, NpuEvent evt)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SubmitExternal(evt, stream, record: false);
    }

    /// <summary>As <see cref="WaitExternal(NpuStream, NpuEvent)"/> on the graph's capture stream.</summary>
    public void WaitExternal(NpuEvent evt) => SubmitExternal(evt, null, record: false);

    private void SubmitExternal(NpuEvent evt, NpuStream? stream, bool record)
    {
        ArgumentNullException.ThrowIfNull(evt);
        string function = record ? nameof(aclrtRecordEventWithFlag) : nameof(aclrtStreamWaitEventWithFlag);
        string operation = record ? "NpuGraph.RecordExternal" : "NpuGraph.WaitExternal";
        NpuFeatures.Current.Require(function, operation);
        var target = stream ?? _stream;
        if (evt.Device.Id != target.Device.Id)
            throw new ArgumentException($"The event belongs to NPU device {evt.Device.Id} but the stream to device {target.Device.Id}.", nameof(evt));
        lock (_lock)
        {
            ThrowIfNotState(State.Capturing, operation);
            // CANN's docs: one event may not be both recorded and waited (externally) in one graph's capture.
            if (_externalEvents.TryGetValue(evt, out bool recorded) && recorded != record)
                throw new InvalidOperationException(
                    $"{operation}: {evt} is already {(recorded ? "recorded" : "waited on")} externally in this graph; CANN forbids recording and waiting one event in one graph's capture. Use two events.");
        }
        if (!ReferenceEquals(target.ActiveCapture, this))
            throw new NpuCaptureException(ACL_ERROR_RT_STREAM_NOT_CAPTURED, function, operation,
                $"{target} is not capturing this graph: an external {(record ? "record" : "wait")} is part of a graph, so it goes on the capture stream or a stream that joined the capture.",
                Mode);
        var work = new ExternalEventWork(evt, record);
        target.Submit(ref work);
        lock (_lock) _externalEvents.TryAdd(evt, record);
    }
}
