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
public sealed class NpuRuntime : IDisposable
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

/// <summary>Where the native runtime comes from.</summary>
public enum NpuBackend
{
    /// <summary>The CPU simulator shipped with the SDK.</summary>
    Simulator,
    /// <summary>An installed Huawei CANN toolkit.</summary>
    Cann,
}

/// <summary>
/// The process-wide reference count behind <see cref="NpuRuntime"/>: 0 -> 1 calls <c>aclInit</c>,
/// 1 -> 0 calls <c>aclFinalizeReference</c> (so a runtime that another library also initialized
/// stays up for it).
/// </summary>
internal static class RuntimeLifetime
{
    private static readonly Lock s_lock = new();
    private static int s_references;
    private static string? s_configPath;     // the file the runtime was initialized with (null: none) ...
    private static byte[]? s_configContent;  // ... and its content then

    public static int References => Volatile.Read(ref s_references);

    /// <summary>Takes a reference; true when this call initialized AscendCL.</summary>
    public static unsafe bool Acquire(string? configPath = null)
    {
        lock (s_lock)
        {
            bool first = s_references == 0;
            if (!first && configPath is not null) CheckSameConfiguration(configPath);
            if (s_references == 0)
            {
                int code;
                if (configPath is null)
                {
                    code = aclInit(null);
                }
                else
                {
                    if (!File.Exists(configPath))
                        throw new FileNotFoundException($"The aclInit configuration file '{configPath}' does not exist.", configPath);
                    byte[] path = System.Text.Encoding.UTF8.GetBytes(configPath + "\0");
                    fixed (byte* p = path) code = aclInit((sbyte*)p);
                }
                // Another library may have initialized AscendCL already: that is fine, we share it.
                if (code != 0 && code != 100002) AclCheck.Throw(code, nameof(aclInit), "initializing the NPU runtime");
                s_configPath = configPath is null ? null : Path.GetFullPath(configPath);
                s_configContent = configPath is null ? null : File.ReadAllBytes(configPath);
            }
            s_references++;
            return first;
        }
    }

    /// <summary>A second Initialize with a configuration: it must be the one the runtime has (same content).</summary>
    private static void CheckSameConfiguration(string configPath)
    {
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"The aclInit configuration file '{configPath}' does not exist.", configPath);
        byte[] content = File.ReadAllBytes(configPath);
        if (s_configContent is not null && content.AsSpan().SequenceEqual(s_configContent)) return;
        string current = s_configPath is null ? "without a configuration file" : $"with '{s_configPath}'";
        throw new InvalidOperationException(
            $"NpuRuntime.Initialize('{configPath}'): the NPU runtime is already initialized {current}" +
            (s_configPath is null ? "" : ", whose content differs") +
            ", and AscendCL reads its configuration only once (aclInit). Dispose every NpuRuntime and NpuDevice first, or call Initialize() without a path to share the running configuration.");
    }

    /// <summary>Takes a reference only if the runtime is already up (used by device objects).</summary>
    public static void AcquireExisting()
    {
        lock (s_lock)
        {
            if (s_references == 0)
                throw new InvalidOperationException("The NPU runtime is not initialized: call NpuRuntime.Initialize() first and keep it until you are done with the NPU.");
            s_references++;
        }
    }

    public static unsafe void Release()
    {
        lock (s_lock)
        {
            if (s_references <= 0) return;
            if (--s_references == 0)
            {
                ulong remaining;
                aclFinalizeReference(&remaining);
            }
        }
    }
}
