using System.Globalization;

namespace Ascend.Interop.Demo;

/// <summary>One batch bucket's measurements in the LLM demo.</summary>
internal sealed record LlmBucketRow(
    int Bucket,
    int Batch,
    int DecodeSteps,
    StepTime EagerSubmit,
    StepTime ReplaySubmit,
    StepTime UpdateSubmit,
    StepTime EagerStep,
    StepTime GraphStep,
    TimeSpan CaptureTime,
    TimeSpan WarmupTime,
    long CapturePeakBytes,
    long PrivatePoolBytes,
    long SharedPoolGrowthBytes,
    int StreamsInUse,
    bool TokensEqual)
{
    /// <summary>Mean eager submission / mean graph-mode submission (updates and copies included).</summary>
    public double SubmitRatio => ReplaySubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / ReplaySubmit.MeanMicroseconds : 0;
}

/// <summary>Everything one LLM demo run measured and wrote.</summary>
internal sealed record LlmDemoReport : DemoRunReport
{
    public required int OperatorsPerStep { get; init; }
    public required int Tokens { get; init; }
    public required IReadOnlyList<LlmBucketRow> Rows { get; init; }
    public required long SharedPoolBytes { get; init; }
    public required long PrivatePoolsBytes { get; init; }
    public required long KvCacheBytes { get; init; }
    public required long WeightBytes { get; init; }
    public required long StaticBufferBytes { get; init; }
    public required NpuStreamBudget StreamsBeforeModel { get; init; }
    public required NpuStreamBudget StreamsBeforeGraphs { get; init; }
    public required NpuStreamBudget StreamsWithGraphs { get; init; }
    public required NpuGraphBucketStatistics Statistics { get; init; }
    public required TimeSpan LoadTime { get; init; }
    public IReadOnlyList<string> Samples { get; init; } = [];

    /// <summary>True when graph-mode decoding gave the eager tokens for every batch.</summary>
    public override bool Passed => Rows.Count > 0 && Rows.All(r => r.TokensEqual);

    public static readonly string[] Columns =
    [
        "bucket", "batch", "eager submit µs", "graph submit µs", "of it updates µs", "submit ratio", "eager step µs", "graph step µs",
        "capture ms", "private pool", "shared pool", "streams", "tokens",
    ];

    public const string Caption =
        "submit: host time to queue one decode step, without waiting (eager: its operators; graph: input copies, one task-group update per layer " +
        "for the attention lengths, the replay, the token copy), mean/median over the decode steps after the capture; step: submit + wait for the device. " +
        "capture: the bucket's first capture, eager warm-up included. private pool: the same bucket captured with its own pool; shared pool: growth of the " +
        "one pool all buckets share. streams: device streams in use after this bucket. tokens: graph-mode tokens == eager tokens.";

    public string[] Cells(LlmBucketRow row) =>
    [
        row.Bucket.ToString(CultureInfo.InvariantCulture),
        row.Batch.ToString(CultureInfo.InvariantCulture),
        row.EagerSubmit.ToString(),
        row.ReplaySubmit.ToString(),
        row.UpdateSubmit.ToString(),
        row.SubmitRatio.ToString("F1", CultureInfo.InvariantCulture) + "x",
        row.EagerStep.ToString(),
        row.GraphStep.ToString(),
        row.CaptureTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
        DemoReport.FormatBytes(row.PrivatePoolBytes),
        "+" + DemoReport.FormatBytes(row.SharedPoolGrowthBytes),
        row.StreamsInUse.ToString(CultureInfo.InvariantCulture),
        row.TokensEqual ? "equal" : "DIFFER",
    ];

    public IEnumerable<string> SummaryLines()
    {
        long largest = Rows.Count == 0 ? 0 : Rows.Max(r => r.PrivatePoolBytes);
        double ratio = largest == 0 ? 0 : (double)SharedPoolBytes / largest;
        yield return $"Graph memory, {Rows.Count} buckets: one shared pool {DemoReport.FormatBytes(SharedPoolBytes)} ({ratio:F2}x the largest graph alone, {DemoReport.FormatBytes(largest)}); " +
                     $"private pools {DemoReport.FormatBytes(PrivatePoolsBytes)} in total.";
        yield return $"Against the model: KV cache {DemoReport.FormatBytes(KvCacheBytes)}, weights {DemoReport.FormatBytes(WeightBytes)}, static step buffers {DemoReport.FormatBytes(StaticBufferBytes)}; " +
                     $"the shared graph pool is {(KvCacheBytes == 0 ? 0 : 100.0 * SharedPoolBytes / KvCacheBytes):F1}% of the KV cache.";
        yield return $"Streams: {StreamsBeforeGraphs.InUse} in use before capturing, {StreamsWithGraphs.InUse} of {StreamsWithGraphs.Limit} with {StreamsWithGraphs.Graphs} graphs alive " +
                     $"(shared and private-pool captures; one stream per live graph, plus the engines' update streams).";
        yield return $"Bucket statistics (shared pool): {Statistics.Requests} lookups, {Statistics.Hits} hits, {Statistics.Misses} misses ({Statistics.MissesNeverSeen} first use, " +
                     $"{Statistics.MissesAfterEviction} after eviction, {Statistics.MissesAfterRemoval} after removal), {Statistics.Oversize} too large; " +
                     $"padding rows {Statistics.PaddedRows} of {Statistics.PaddedRows + Statistics.RequestedRows} computed ({100 * Statistics.PaddingRatio:F1}%).";
        yield return $"Per decode step: {OperatorsPerStep} operator launches eagerly; in graph mode one replay plus one task-group update per layer (the attention lengths).";
        yield return Passed
            ? $"Graph-mode decoding emitted exactly the eager tokens for every batch ({Tokens} tokens per sequence)."
            : "MISMATCH: graph-mode tokens differ from the eager tokens (see the table).";
    }

    public override string ToMarkdown()
    {
        var md = Markdown(
            "Ascend.Interop graph-mode demo: LLM decoding",
            [
                $"tokens per sequence: {Tokens} (the first from the eager prefill, then {Tokens - 1} decode steps per mode)",
                $"load time: {Seconds(LoadTime)} s; run time: {Seconds(Elapsed)} s",
            ],
            Caption, Columns, leftColumns: 2, Rows.Select(Cells), SummaryLines());
        md.AppendLine();
        foreach (var line in Samples) md.AppendLine("- " + line);
        return md.ToString();
    }
}
