using Ascend.Interop.Native;

namespace Ascend.Interop.Testing.Tests;

public sealed class SkipTests
{
    private static string BackendWord => NpuRuntime.IsSimulator ? "simulator" : "CANN";

    [Fact]
    public void The_environment_reports_the_backend_and_its_devices()
    {
        NpuEnvironmentInfo info = NpuTestEnvironment.Current;
        Assert.True(info.IsAvailable, info.Error);
        Assert.Equal(NpuRuntime.IsSimulator ? NpuBackend.Simulator : NpuBackend.Cann, info.Backend);
        Assert.True(info.DeviceCount >= 1);
        Assert.NotNull(info.AclVersion);
        Assert.Equal(NativeLibraryResolver.LoadedLibraries, info.Libraries);
        Assert.StartsWith($"NPU backend: {BackendWord}, devices: {info.DeviceCount}, AscendCL runtime {info.AclVersion}", info.ToString());
    }

    [NpuFact(Backend = NpuBackendRequirement.Simulator)]
    public void A_cann_requirement_on_the_simulator_gives_a_reason_naming_what_to_install()
    {
        string? reason = NpuTestEnvironment.GetSkipReason(NpuBackendRequirement.Cann);
        Assert.Equal("needs an installed CANN toolkit and an Ascend NPU, but the tests run on the simulator " +
                     "(install CANN, source its set_env.sh and set ASCEND_INTEROP_BACKEND=cann)", reason);
        Assert.Equal(reason, new NpuFactAttribute { Backend = NpuBackendRequirement.Cann }.Skip);
        Assert.Equal(reason, new NpuTheoryAttribute { Backend = NpuBackendRequirement.Cann }.Skip);
    }

    [Fact]
    public void Too_few_devices_give_a_reason_with_both_counts()
    {
        int count = NpuTestEnvironment.Current.DeviceCount;
        string expected = $"needs {count + 1} NPU device(s), but the {(NpuRuntime.IsSimulator ? "simulator" : "CANN runtime")} reports {count}";
        Assert.Equal(expected, NpuTestEnvironment.GetSkipReason(minDevices: count + 1));
        Assert.Equal(expected, new NpuFactAttribute { MinDevices = count + 1 }.Skip);
        Assert.Null(new NpuFactAttribute { MinDevices = count }.Skip);
        Assert.Null(new NpuTheoryAttribute().Skip);
        Assert.Throws<ArgumentOutOfRangeException>(() => NpuTestEnvironment.GetSkipReason(minDevices: -1));
    }

    // These run through xunit's discovery of the derived attributes: if the skip did not happen, they fail.
    [NpuFact(Backend = NpuBackendRequirement.Cann)]
    public void A_cann_only_fact_runs_only_on_cann() =>
        Assert.Equal(NpuBackend.Cann, NpuTestEnvironment.Current.Backend); // on the simulator it must have been skipped

    [NpuTheory(MinDevices = 1_000)]
    [InlineData(1)]
    public void A_theory_needing_more_devices_than_exist_is_skipped(int row) =>
        Assert.Fail($"Row {row} must have been skipped: the simulator has fewer than 1,000 devices.");

    [NpuTheory(Backend = NpuBackendRequirement.Simulator)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_simulator_theory_runs_on_the_simulator(int row)
    {
        Assert.True(NpuRuntime.IsSimulator);
        Assert.InRange(row, 2, 3);
    }
}
