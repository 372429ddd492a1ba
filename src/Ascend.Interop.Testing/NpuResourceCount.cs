namespace Ascend.Interop.Testing;

/// <summary>One counted resource in a <see cref="NpuResourceSnapshot"/>.</summary>
/// <param name="Name">What is counted, e.g. "streams" or "device bytes".</param>
/// <param name="Value">The count (or bytes) when the snapshot was taken.</param>
/// <param name="Source">Who counted it: "simulator" (aclsimGetCounter), "SDK" (Ascend.Interop's own accounting) or "runtime" (aclrtGetMemInfo).</param>
public readonly record struct NpuResourceCount(string Name, long Value, string Source);
