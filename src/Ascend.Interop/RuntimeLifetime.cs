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

    public static int References => Volatile.Read(ref s_references);

    /// <summary>Takes a reference; true when this call initialized AscendCL.</summary>
    public static unsafe bool Acquire(string? configPath = null)
    {
        lock (s_lock)
        {
            bool first = s_references == 0;
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
            }
            s_references++;
            return first;
        }
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
