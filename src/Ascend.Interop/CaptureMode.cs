namespace Ascend.Interop;

/// <summary>How strictly a capture refuses unsafe (synchronous) calls; values are <c>aclmdlRICaptureMode</c>.</summary>
public enum CaptureMode
{
    /// <summary>Unsafe calls are refused on every thread while the capture is active (the default; the safest).</summary>
    Global = 0,
    /// <summary>Unsafe calls are refused on the capturing thread only.</summary>
    ThreadLocal = 1,
    /// <summary>Unsafe calls are allowed; they run at once, outside the graph.</summary>
    Relaxed = 2,
}
