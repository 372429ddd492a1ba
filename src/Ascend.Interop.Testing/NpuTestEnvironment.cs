using System.Text;
using Ascend.Interop.Native;

namespace Ascend.Interop.Testing;

/// <summary>The backend a test needs.</summary>
public enum NpuBackendRequirement
{
    /// <summary>Any backend that loads: an installed CANN or the simulator.</summary>
    Any,
    /// <summary>The CPU simulator (tests that use the <c>aclsim*</c> controls or simulator counters).</summary>
    Simulator,
    /// <summary>An installed Huawei CANN toolkit with at least one NPU (hardware-in-the-loop).</summary>
    Cann,
}

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

/// <summary>
/// Probes the NPU environment once per process and answers whether a test's requirement is met.
/// Used by <see cref="NpuFactAttribute"/> and <see cref="NpuTheoryAttribute"/>; call it directly for dynamic skips
/// (<c>Assert.SkipWhen(NpuTestEnvironment.GetSkipReason(...) is not null, ...)</c>).
/// </summary>
public static class NpuTestEnvironment
{
    private static readonly Lazy<NpuEnvironmentInfo> s_current = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The environment, probed at the first read: loads the backend, initializes AscendCL for a moment and reads the device count.</summary>
    public static NpuEnvironmentInfo Current => s_current.Value;

    /// <summary>
    /// Why a test with these requirements cannot run here, or null when it can. The text names what is missing and how to provide it.
    /// </summary>
    public static string? GetSkipReason(NpuBackendRequirement backend = NpuBackendRequirement.Any, int minDevices = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minDevices);
        NpuEnvironmentInfo info = Current;
        if (info.Backend is null)
        {
            return $"needs the {Describe(backend)}, but no NPU backend could be loaded: {FirstLine(info.Error)}";
        }
        if (backend == NpuBackendRequirement.Cann && info.Backend != NpuBackend.Cann)
        {
            return "needs an installed CANN toolkit and an Ascend NPU, but the tests run on the simulator " +
                   $"(install CANN, source its set_env.sh and set {NativeLibraryResolver.BackendVariable}=cann)";
        }
        if (backend == NpuBackendRequirement.Simulator && info.Backend != NpuBackend.Simulator)
        {
            return $"needs the simulator (simulator controls or counters), but the tests run on CANN (set {NativeLibraryResolver.BackendVariable}=sim)";
        }
        if (info.Error is not null)
        {
            return $"needs the {Describe(backend)}, but the NPU runtime did not start: {FirstLine(info.Error)}";
        }
        if (info.DeviceCount < minDevices)
        {
            return $"needs {minDevices} NPU device(s), but the {(info.Backend == NpuBackend.Cann ? "CANN runtime" : "simulator")} reports {info.DeviceCount}";
        }
        return null;
    }

    private static string Describe(NpuBackendRequirement backend) => backend switch
    {
        NpuBackendRequirement.Cann => "CANN backend",
        NpuBackendRequirement.Simulator => "simulator backend",
        _ => "NPU runtime (CANN or the simulator)",
    };

    private static string FirstLine(string? text) => text is null ? "unknown error" : text.Split('\n')[0].TrimEnd('.') + ".";

    private static NpuEnvironmentInfo Probe()
    {
        NpuBackend backend;
        IReadOnlyList<string> libraries;
        try
        {
            backend = NativeLibraryResolver.Backend == NativeBackend.Cann ? NpuBackend.Cann : NpuBackend.Simulator;
            libraries = NativeLibraryResolver.LoadedLibraries;
        }
        catch (Exception error)
        {
            return new NpuEnvironmentInfo(null, 0, null, null, [], error.Message);
        }
        try
        {
            // One more reference when the tests already hold the runtime; otherwise aclInit now and
            // aclFinalizeReference when done, so the probe leaves the process as it found it.
            using NpuRuntime runtime = NpuRuntime.Initialize();
            return new NpuEnvironmentInfo(backend, NpuDevice.Count, runtime.AclVersion, runtime.SocName, libraries, null);
        }
        catch (Exception error)
        {
            return new NpuEnvironmentInfo(backend, 0, null, null, libraries, error.Message);
        }
    }
}
