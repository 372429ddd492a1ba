using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// A capture rule was broken. Says which operation broke which rule, in which capture mode, and
/// the CANN error code the runtime gives (or would have given: the SDK refuses what it can
/// detect before making the native call, so the stream and the capture stay usable).
/// </summary>
public sealed class NpuCaptureException : AclException
{
    internal NpuCaptureException(int code, string function, string operation, string rule, CaptureMode? mode,
        string? runtimeMessage = null, Exception? inner = null)
        : base(code, function, runtimeMessage, Describe(operation, rule, mode), inner)
    {
        Operation = operation;
        Rule = rule;
        Mode = mode;
    }

    /// <summary>The SDK operation that was refused, e.g. "NpuStream.Synchronize".</summary>
    public string Operation { get; }

    /// <summary>The capture rule, in words.</summary>
    public string Rule { get; }

    /// <summary>The mode of the capture concerned, when there is one.</summary>
    public CaptureMode? Mode { get; }

    private static string Describe(string operation, string rule, CaptureMode? mode) =>
        mode is { } m ? $"{operation} during a {m} capture: {rule}" : $"{operation}: {rule}";

    internal static NpuCaptureException StreamCaptured(string operation, string function, NpuStream stream, NpuGraph graph) =>
        graph.IsBuilt
            ? new(ACL_ERROR_RT_STREAM_CAPTURED, function, $"NpuStream.{operation}",
                $"{stream} is bound to a built graph: work on it joins the graph and never runs there, so the SDK refuses to wait on or query it as on a capturing stream; wait for the stream the graph runs on (or use NpuBuiltGraph.Execute).",
                null)
            : new(ACL_ERROR_RT_STREAM_CAPTURED, function, $"NpuStream.{operation}",
                $"{stream} is capturing a graph; it cannot be synchronized, queried, destroyed or replayed on until EndCapture (work on it is recorded, not run).",
                graph.Mode);

    internal static NpuCaptureException EventCaptured(string operation, NpuEvent evt, NpuGraph graph) =>
        new(ACL_ERROR_RT_EVENT_CAPTURED, nameof(aclrtSynchronizeEvent), $"NpuEvent.{operation}",
            "the event was recorded inside a capture; it completes only when the graph is replayed, so the host cannot wait on, query or time it before EndCapture.",
            graph.Mode);

    internal static NpuCaptureException UnsafeCall(string operation, NpuGraph graph, bool sameThread, int code = ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT) =>
        new(code, "aclrtMemcpy", operation,
            graph.Mode == CaptureMode.Global && !sameThread
                ? "a Global capture is active on another thread of the process, and Global mode forbids synchronous copies and fills on every thread. Use an async copy on the capturing stream, or capture in ThreadLocal/Relaxed mode."
                : "synchronous copies and fills are not allowed on the capturing thread. Use an async copy on the capturing stream (with pinned host memory), copy before the capture, or switch this thread to Relaxed with NpuGraph.ExchangeThreadCaptureMode.",
            graph.Mode);
}
