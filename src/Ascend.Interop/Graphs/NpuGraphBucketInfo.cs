namespace Ascend.Interop;

/// <summary>What one bucket of an <see cref="NpuGraphBuckets"/> did and costs.</summary>
/// <param name="Size">The bucket's size.</param>
/// <param name="IsCaptured">A graph for the bucket is cached now.</param>
/// <param name="Hits">Lookups it served from the cache.</param>
/// <param name="Misses">Lookups that captured it.</param>
/// <param name="LastMissReason">Why it was last captured (null if never).</param>
/// <param name="PaddedRows">Padding rows it computed over all lookups.</param>
/// <param name="CaptureTime">Wall time of its last capture, warm-up included.</param>
/// <param name="WarmupTime">The eager warm-up runs' share of <paramref name="CaptureTime"/>.</param>
/// <param name="CapturePeakBytes">Its graph's <see cref="NpuGraph.CapturePeakBytes"/> (0 until captured).</param>
/// <param name="CaptureRetainedBytes">Its graph's <see cref="NpuGraph.CaptureRetainedBytes"/> (0 until captured).</param>
/// <param name="OperationCount">Operations its graph recorded (0 until captured).</param>
public readonly record struct NpuGraphBucketInfo(
    int Size, bool IsCaptured, long Hits, long Misses, GraphCacheMissReason? LastMissReason, long PaddedRows,
    TimeSpan CaptureTime, TimeSpan WarmupTime, long CapturePeakBytes, long CaptureRetainedBytes, int OperationCount);
