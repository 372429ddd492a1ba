namespace Ascend.Interop;

/// <summary>
/// Capture failed because the device ran out of streams (207005 / 207008). The message says how
/// many graphs and streams are alive and what to do.
/// </summary>
public sealed class NpuStreamBudgetException : AclException
{
    internal NpuStreamBudgetException(int code, string function, string? runtimeMessage, NpuStreamBudget budget)
        : base(code, function, runtimeMessage,
            $"beginning a capture: the device has no stream left for another graph ({budget}). " +
            "Dispose graphs you no longer replay (or lower NpuGraphCache's capacity), capture fewer shape buckets, and share one NpuGraphPool between graphs of different sizes")
    {
        Budget = budget;
    }

    /// <summary>The device's stream budget when the capture failed.</summary>
    public NpuStreamBudget Budget { get; }
}
