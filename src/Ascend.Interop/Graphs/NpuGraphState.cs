namespace Ascend.Interop;

/// <summary>Where a graph is in its life (<see cref="NpuGraph.Status"/>); READY, UPDATING and FAULT are CANN's model states.</summary>
public enum NpuGraphState
{
    /// <summary>Between BeginCapture and EndCapture.</summary>
    Capturing,
    /// <summary>Captured and replayable (CANN's READY).</summary>
    Ready,
    /// <summary>An edit (a disabled task, new task parameters) is staged: the graph cannot be replayed until
    /// <see cref="NpuGraph.ApplyEdits"/> (CANN's UPDATING; a launch gives 507011).</summary>
    Updating,
    /// <summary>An edit or its application failed: the graph can never run again; dispose it and capture again (CANN's FAULT, terminal).</summary>
    Fault,
    /// <summary>The capture failed or was abandoned.</summary>
    CaptureFailed,
    /// <summary>Disposed.</summary>
    Disposed,
}
