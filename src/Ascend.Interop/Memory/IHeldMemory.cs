namespace Ascend.Interop;

/// <summary>
/// Memory whose release can be deferred by a holder: a captured graph holds every buffer its work reads or writes, so
/// that disposing the owning object gives the handle up while the memory stays until the graph releases its hold.
/// </summary>
internal interface IHeldMemory
{
    /// <summary>Takes a hold; false when the memory is already gone (its owner was disposed).</summary>
    bool TryHold();

    /// <summary>Releases a hold taken by <see cref="TryHold"/>; the memory goes when its owner and every holder let go.</summary>
    void ReleaseHold();
}
