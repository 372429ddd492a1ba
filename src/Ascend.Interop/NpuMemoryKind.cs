namespace Ascend.Interop;

/// <summary>Kinds of device memory for <see cref="NpuDevice.GetMemoryInfo"/>; values are <c>aclrtMemAttr</c>.</summary>
public enum NpuMemoryKind
{
    /// <summary>DDR memory.</summary>
    Ddr = 0,
    /// <summary>High-bandwidth memory (the device's main memory).</summary>
    Hbm = 1,
}
