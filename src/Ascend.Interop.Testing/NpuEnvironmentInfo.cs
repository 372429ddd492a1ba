using System.Text;

namespace Ascend.Interop.Testing;

/// <summary>What the test process can reach: backend, devices, runtime version and SoC, as probed once per process.</summary>
/// <param name="Backend">The backend the native libraries were loaded from; null when none loaded.</param>
/// <param name="DeviceCount">Devices the runtime reports (0 when the runtime did not start).</param>
/// <param name="AclVersion">The runtime version (<c>aclrtGetVersion</c>), when the runtime started.</param>
/// <param name="SocName">The SoC name (<c>aclrtGetSocName</c>), when the runtime started.</param>
/// <param name="Libraries">The native library files that were loaded.</param>
/// <param name="Error">Why the backend or the runtime is unavailable; null when both are fine.</param>
public sealed record NpuEnvironmentInfo(
    NpuBackend? Backend, int DeviceCount, Version? AclVersion, string? SocName, IReadOnlyList<string> Libraries, string? Error)
{
    /// <summary>True when a backend loaded and the runtime started.</summary>
    public bool IsAvailable => Error is null && Backend is not null;

    /// <summary>A few lines for test output and reports.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Backend is null)
        {
            return text.Append("NPU backend: none (").Append(Error).Append(')').ToString();
        }
        text.Append("NPU backend: ").Append(Backend == NpuBackend.Cann ? "CANN" : "simulator");
        text.Append(", devices: ").Append(DeviceCount);
        if (AclVersion is not null) text.Append(", AscendCL runtime ").Append(AclVersion);
        if (!string.IsNullOrEmpty(SocName)) text.Append(", SoC ").Append(SocName);
        if (Libraries.Count > 0) text.Append("\nNative libraries: ").AppendJoin(", ", Libraries);
        if (Error is not null) text.Append("\nProblem: ").Append(Error);
        return text.ToString();
    }
}
