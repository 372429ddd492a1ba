using System.Runtime.InteropServices;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// One reference to the process-wide AscendCL runtime. The first <see cref="Initialize"/> calls
/// <c>aclInit</c>; the runtime is finalized when the last reference is gone, counting both
/// <see cref="NpuRuntime"/> instances and every open device, stream, event or buffer, so libraries
/// can share it and disposal order never matters.
/// </summary>
public sealed partial class NpuRuntime : IDisposable
{
    private int _disposed;

    private NpuRuntime() { }

    /// <summary>Initializes AscendCL (or takes another reference to it).</summary>
    /// <param name="configPath">
    /// Optional JSON configuration file passed to <c>aclInit</c>. When the runtime is already initialized, a file whose
    /// content differs from the configuration it was initialized with (none, or another file) throws
    /// <see cref="InvalidOperationException"/>: AscendCL reads its configuration once. Null takes a reference whatever
    /// the configuration.
    /// </param>
    public static NpuRuntime Initialize(string? configPath = null)
    {
        bool first = RuntimeLifetime.Acquire(configPath);
        var runtime = new NpuRuntime();
        if (first && NpuLogging.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
            NpuLogging.RuntimeInitialized(NpuLogging.Logger, runtime.Backend.ToString(), runtime.AclVersion.ToString(), runtime.SocName,
                string.Join(", ", runtime.LibraryPaths));
        return runtime;
    }

    /// <summary>True while at least one reference keeps AscendCL initialized.</summary>
    public static bool IsInitialized => RuntimeLifetime.References > 0;

    /// <summary>The backend the native libraries were loaded from.</summary>
    public NpuBackend Backend => NativeLibraryResolver.Backend == NativeBackend.Cann ? NpuBackend.Cann : NpuBackend.Simulator;

    /// <summary>True when the SDK runs on the simulator (no CANN installed, or chosen by ASCEND_INTEROP_BACKEND=sim).</summary>
    public static bool IsSimulator => NativeLibraryResolver.Backend != NativeBackend.Cann;

    /// <summary>The native library files that were loaded.</summary>
    public IReadOnlyList<string> LibraryPaths => NativeLibraryResolver.LoadedLibraries;

    /// <summary>The runtime version reported by <c>aclrtGetVersion</c>.</summary>
    public unsafe Version AclVersion
    {
        get
        {
            ThrowIfDisposed();
            int major, minor, patch;
            AclCheck.Check(aclrtGetVersion(&major, &minor, &patch), nameof(aclrtGetVersion));
            return new Version(major, minor, patch);
        }
    }

    /// <summary>The SoC name reported by <c>aclrtGetSocName</c> (e.g. "Ascend910B3").</summary>
    public unsafe string SocName
    {
        get
        {
            ThrowIfDisposed();
            return Marshal.PtrToStringUTF8((nint)aclrtGetSocName()) ?? string.Empty;
        }
    }

    /// <summary>Releases this reference; the last one finalizes AscendCL once every device object is gone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) RuntimeLifetime.Release();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);
}
