namespace Ascend.Interop;

/// <summary>Restores the thread's previous capture mode when disposed.</summary>
public readonly struct CaptureModeScope : IDisposable
{
    private readonly CaptureMode _previous;
    private readonly int _depth;
    private readonly long _token;

    internal CaptureModeScope(CaptureMode previous, int depth, long token)
    {
        _previous = previous;
        _depth = depth;
        _token = token;
    }

    /// <summary>The thread's mode before the exchange.</summary>
    public CaptureMode Previous => _previous;

    /// <summary>
    /// Switches the thread back to <see cref="Previous"/>. Disposing an outer scope first also ends
    /// the scopes opened inside it; disposing twice does nothing.
    /// </summary>
    public void Dispose() => NpuGraph.EndCaptureModeScope(_depth, _token);
}
