namespace Ascend.Interop.Handles;

/// <summary>What, besides graphs, holds streams of a device's budget (see <see cref="StreamBudgetHandle"/>).</summary>
internal enum StreamBudgetHolder
{
    /// <summary>A stream the SDK created.</summary>
    Stream,

    /// <summary>An HCCL communicator: it holds streams of its device (one in the simulator's accounting).</summary>
    Communicator,
}
