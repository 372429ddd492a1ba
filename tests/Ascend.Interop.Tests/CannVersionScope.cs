using System.Runtime.InteropServices;

namespace Ascend.Interop.Tests;

/// <summary>
/// Makes the simulator present another CANN version (ASCEND_SIM_CANN_VERSION, which it reads at every call) and the
/// SDK detect its features again; disposing restores the variable and the detection. Use only in the "Npu"
/// collection, whose tests run one at a time.
/// </summary>
internal sealed class CannVersionScope : IDisposable
{
    private const string Variable = "ASCEND_SIM_CANN_VERSION";
    private readonly string? _previous;

    public CannVersionScope(string version)
    {
        _previous = Environment.GetEnvironmentVariable(Variable);
        Set(version);
        NpuFeatures.Reset();
    }

    public void Dispose()
    {
        Set(_previous);
        NpuFeatures.Reset();
    }

    // .NET keeps its own copy of the environment on Unix: the native library's getenv sees only the C environment.
    private static void Set(string? value)
    {
        Environment.SetEnvironmentVariable(Variable, value);
        int rc = value is null ? unsetenv(Variable) : setenv(Variable, value, 1);
        if (rc != 0) throw new InvalidOperationException($"setenv({Variable}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", SetLastError = true)]
    private static extern int unsetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
