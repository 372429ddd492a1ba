namespace Ascend.Interop;

/// <summary>A snapshot of a pool's counters, read under one lock so the numbers agree.</summary>
/// <param name="ReservedBytes">Bytes held from the device (sum of segment sizes).</param>
/// <param name="InUseBytes">Bytes of rented blocks (rounded sizes).</param>
/// <param name="PeakReservedBytes">Highest <paramref name="ReservedBytes"/> since creation or <see cref="DeviceMemoryPool.ResetPeaks"/>.</param>
/// <param name="PeakInUseBytes">Highest <paramref name="InUseBytes"/> since creation or <see cref="DeviceMemoryPool.ResetPeaks"/>.</param>
/// <param name="Hits">Rents served from cached memory.</param>
/// <param name="Misses">Rents that had to call <c>aclrtMalloc</c>.</param>
/// <param name="SegmentCount">Segments (device allocations) held.</param>
/// <param name="RentedBlocks">Blocks currently rented.</param>
public readonly record struct DeviceMemoryPoolStatistics(
    long ReservedBytes, long InUseBytes, long PeakReservedBytes, long PeakInUseBytes,
    long Hits, long Misses, int SegmentCount, int RentedBlocks);
