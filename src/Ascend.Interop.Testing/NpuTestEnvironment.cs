using Ascend.Interop.Native;

namespace Ascend.Interop.Testing;

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
