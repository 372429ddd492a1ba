namespace Ascend.Interop;

/// <summary>The type of a task in a graph (CANN's <c>aclmdlRITaskType</c>, same values).</summary>
public enum NpuGraphTaskType
{
    /// <summary>Anything else: copies, fills, host callbacks, runtime-internal tasks. It has no parameters and cannot be disabled.</summary>
    Default = 0,
    /// <summary>A kernel launch (an operator).</summary>
    Kernel = 1,
    /// <summary>An event record.</summary>
    EventRecord = 2,
    /// <summary>An event wait.</summary>
    EventWait = 3,
    /// <summary>An event reset.</summary>
    EventReset = 4,
    /// <summary>A 64-bit value write (<c>aclrtValueWrite</c>).</summary>
    ValueWrite = 5,
    /// <summary>A wait for a 64-bit value (<c>aclrtValueWait</c>).</summary>
    ValueWait = 6,
}
