namespace Ascend.Interop;

/// <summary>Where the native runtime comes from.</summary>
public enum NpuBackend
{
    /// <summary>The CPU simulator shipped with the SDK.</summary>
    Simulator,
    /// <summary>An installed Huawei CANN toolkit.</summary>
    Cann,
}
