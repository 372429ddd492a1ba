namespace Ascend.Interop;

/// <summary>Groups of version-dependent CANN graph functions (see <see cref="NpuFeatures"/>).</summary>
[Flags]
public enum NpuFeatureGroup
{
    /// <summary>None of the groups.</summary>
    None = 0,
    /// <summary>Graphs built on persistent streams, <c>aclmdlRIExecute</c>, <c>Abort</c>, destroy callbacks (CANN 9.0).</summary>
    BuiltGraphs = 1 << 0,
    /// <summary><c>aclrtValueWrite</c> / <c>aclrtValueWait</c> (CANN 9.0).</summary>
    ValueWriteWait = 1 << 1,
    /// <summary>IF / WHILE / SWITCH nodes with child graphs (CANN 9.1.0).</summary>
    ConditionalNodes = 1 << 2,
    /// <summary>Graph ids, streams, tasks, task types and parameters (CANN 9.1.0).</summary>
    Introspection = 1 << 3,
    /// <summary>Setting task parameters, disabling tasks, <c>aclmdlRIUpdate</c> (CANN 9.1.0).</summary>
    InPlaceUpdate = 1 << 4,
    /// <summary>The stream-ordered pool's <c>MallocAsync</c> / <c>FreeAsync</c> / <c>TrimTo</c> (CANN 9.1.0).</summary>
    StreamOrderedPool = 1 << 5,
    /// <summary>External event record/wait (<c>aclrtRecordEventWithFlag</c>, <c>aclrtStreamWaitEventWithFlag</c>; CANN 9.2.0-beta.1).</summary>
    ExternalEvents = 1 << 6,
}
