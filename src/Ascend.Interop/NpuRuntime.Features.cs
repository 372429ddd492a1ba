namespace Ascend.Interop;

// Features: what the loaded CANN offers of the version-dependent graph API.
public sealed partial class NpuRuntime
{
    /// <summary>
    /// What the loaded CANN offers of the version-dependent graph API (conditional nodes, built graphs,
    /// introspection, in-place update, external events, the stream-ordered pool, value write/wait) and its version,
    /// detected once per process.
    /// </summary>
    public NpuFeatures Features
    {
        get
        {
            ThrowIfDisposed();
            return NpuFeatures.Current;
        }
    }
}
