using System.Globalization;

namespace Ascend.Interop.Demo;

/// <summary>One batch size's measurements.</summary>
internal sealed record BatchRow(
    int Batch,
    int Operators,
    StepTime Eager,
    StepTime Replay,
    long PrivatePoolBytes,
    long SharedPoolGrowthBytes,
    long SharedPoolBytesAfter,
    int StreamsInUse,
    double MaxAbsDiff,
    bool BitwiseEqual,
    double SharedMaxAbsDiff,
    bool SharedBitwiseEqual)
{
    /// <summary>Mean eager time / mean replay time.</summary>
    public double SpeedUp => Replay.MeanMicroseconds > 0 ? Eager.MeanMicroseconds / Replay.MeanMicroseconds : 0;

    /// <summary>Median eager time / median replay time.</summary>
    public double MedianSpeedUp => Replay.MedianMicroseconds > 0 ? Eager.MedianMicroseconds / Replay.MedianMicroseconds : 0;
}

/// <summary>Host time per step: mean and median over the timed steps, in microseconds.</summary>
internal readonly record struct StepTime(double MeanMicroseconds, double MedianMicroseconds)
{
    public static StepTime From(long[] stopwatchTicks)
    {
        if (stopwatchTicks.Length == 0) return default;
        var sorted = (long[])stopwatchTicks.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        double toMicros = 1e6 / System.Diagnostics.Stopwatch.Frequency;
        return new StepTime(sorted.Average() * toMicros, median * toMicros);
    }

    public override string ToString() =>
        MeanMicroseconds.ToString("F1", CultureInfo.InvariantCulture) + "/" + MedianMicroseconds.ToString("F1", CultureInfo.InvariantCulture);
}

/// <summary>Everything one demo run measured and wrote.</summary>
internal sealed record DemoReport : DemoRunReport
{
    public required int Iterations { get; init; }
    public required IReadOnlyList<BatchRow> Rows { get; init; }
    public required long PrivatePoolsTotalBytes { get; init; }
    public required long SharedPoolBytes { get; init; }
    public required NpuStreamBudget BudgetBeforeCapture { get; init; }
    public required NpuStreamBudget BudgetWithGraphs { get; init; }
    public required GraphCacheStatistics PrivateCacheStatistics { get; init; }
    public required GraphCacheStatistics SharedCacheStatistics { get; init; }
    public required int PrivateCacheCount { get; init; }
    public required int SharedCacheCount { get; init; }
    public required double Tolerance { get; init; }

    /// <summary>True when every graph output matched the eager output (bit for bit on the simulator, within <see cref="Tolerance"/> on CANN).</summary>
    public override bool Passed => Rows.All(r => Matches(r.BitwiseEqual, r.MaxAbsDiff) && Matches(r.SharedBitwiseEqual, r.SharedMaxAbsDiff));

    private bool Matches(bool bitwise, double diff) => Tolerance == 0 ? bitwise : diff <= Tolerance;

    public static readonly string[] Columns =
    [
        "batch", "eager µs/step", "replay µs/step", "speed-up", "private pool", "shared pool", "streams", "max abs diff", "graph == eager",
    ];

    /// <summary>What the columns mean.</summary>
    public const string Caption =
        "µs/step: host time per step, mean/median; speed-up: from the means/from the medians. private pool: bytes the graph's own pool " +
        "holds; shared pool: how much the one shared NpuGraphPool grew when this batch size was captured into it. streams: the device's " +
        "streams in use after capturing this batch size (one per live graph). max abs diff: private-pool graph vs eager on a fresh input " +
        "copied into the graph's static input; graph == eager covers the shared-pool graph too.";

    /// <summary>The cells of a row, as printed and written to table.md.</summary>
    public string[] Cells(BatchRow row) =>
    [
        row.Batch.ToString(CultureInfo.InvariantCulture),
        row.Eager.ToString(),
        row.Replay.ToString(),
        row.SpeedUp.ToString("F2", CultureInfo.InvariantCulture) + "x/" + row.MedianSpeedUp.ToString("F2", CultureInfo.InvariantCulture) + "x",
        FormatBytes(row.PrivatePoolBytes),
        "+" + FormatBytes(row.SharedPoolGrowthBytes),
        row.StreamsInUse.ToString(CultureInfo.InvariantCulture),
        row.MaxAbsDiff.ToString("G3", CultureInfo.InvariantCulture),
        Equality(row),
    ];

    private string Equality(BatchRow row)
    {
        bool ok = Matches(row.BitwiseEqual, row.MaxAbsDiff) && Matches(row.SharedBitwiseEqual, row.SharedMaxAbsDiff);
        if (!ok) return "NO";
        return row.BitwiseEqual && row.SharedBitwiseEqual ? "bitwise" : "within tolerance";
    }

    /// <summary>The summary lines under the table.</summary>
    public IEnumerable<string> SummaryLines()
    {
        long largest = Rows.Count == 0 ? 0 : Rows.Max(r => r.PrivatePoolBytes);
        yield return $"Graph memory, {Rows.Count} batch sizes: private pools {FormatBytes(PrivatePoolsTotalBytes)} ({PrivatePoolsTotalBytes:N0} bytes) in total; " +
                     $"one shared NpuGraphPool {FormatBytes(SharedPoolBytes)} ({SharedPoolBytes:N0} bytes); largest single graph {FormatBytes(largest)}.";
        yield return $"Streams: {BudgetBeforeCapture.InUse} in use before capturing, {BudgetWithGraphs.InUse} of {BudgetWithGraphs.Limit} with " +
                     $"{BudgetWithGraphs.Graphs} graphs alive ({BudgetWithGraphs.Remaining} left).";
        yield return $"Graph caches: private-pool cache {PrivateCacheCount} graphs, {PrivateCacheStatistics.Hits} hits / {PrivateCacheStatistics.Misses} misses / {PrivateCacheStatistics.Evictions} evictions; " +
                     $"shared-pool cache {SharedCacheCount} graphs, {SharedCacheStatistics.Hits} hits / {SharedCacheStatistics.Misses} misses / {SharedCacheStatistics.Evictions} evictions.";
        yield return Passed
            ? $"Graph output == eager output for every batch size ({(Tolerance == 0 ? "bit for bit" : $"max |diff| <= {Tolerance:G3}")}), private and shared pools."
            : "MISMATCH: a graph output differs from the eager output (see the table).";
    }

    /// <summary>The table and summary as Markdown (table.md).</summary>
    public override string ToMarkdown() => Markdown(
        "Ascend.Interop graph-mode demo",
        [
            $"timing: host time per step over {Iterations} steps, mean / median (Stopwatch around submit + Synchronize, eager and replay steps alternating); eager = the forward's {Rows.FirstOrDefault()?.Operators ?? 0} operator calls, replay = NpuGraphCache lookup + Replay",
            $"run time: {Seconds(Elapsed)} s",
        ],
        Caption, Columns, leftColumns: 1, Rows.Select(Cells), SummaryLines()).ToString();

    public static string FormatBytes(long bytes)
    {
        const double KiB = 1024, MiB = 1024 * 1024;
        return bytes >= MiB
            ? (bytes / MiB).ToString("F2", CultureInfo.InvariantCulture) + " MiB"
            : (bytes / KiB).ToString("F1", CultureInfo.InvariantCulture) + " KiB";
    }
}
