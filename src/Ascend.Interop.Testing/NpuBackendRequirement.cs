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
