using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

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
                if (code != 0 && code != ACL_ERROR_REPEAT_INITIALIZE) AclCheck.Throw(code, nameof(aclInit), "initializing the NPU runtime");
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
