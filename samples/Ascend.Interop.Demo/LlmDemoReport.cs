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
    /// <summary>Window mode: host submission per step (input copy, the updates at window boundaries, the replay, the token copy).</summary>
    public StepTime WindowSubmit { get; init; }

    /// <summary>Window mode: submission plus the wait.</summary>
    public StepTime WindowStep { get; init; }

    /// <summary>Task-group updates the per-step-update generation issued (one per layer and step).</summary>
    public int StepUpdates { get; init; }

    /// <summary>Task-group updates the window generation issued (one per layer when a sequence entered a new window).</summary>
    public int WindowUpdates { get; init; }

    /// <summary>Mean eager submission / mean graph-mode submission (updates and copies included).</summary>
    public double SubmitRatio => ReplaySubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / ReplaySubmit.MeanMicroseconds : 0;

    /// <summary>Mean eager submission / mean window-mode submission.</summary>
    public double WindowRatio => WindowSubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / WindowSubmit.MeanMicroseconds : 0;
}

/// <summary>Everything one LLM demo run measured and wrote.</summary>
internal sealed record LlmDemoReport : DemoRunReport
{
    public required int OperatorsPerStep { get; init; }
    public required int Tokens { get; init; }
    public int Window { get; init; } = Ascend.Interop.Llm.LlmEngine.DefaultAttentionWindow;
    public string ShownMode { get; init; } = "window";
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
        "bucket", "batch", "eager submit µs", "step submit µs", "of it updates µs", "window submit µs", "updates step / window",
        "eager / step", "eager / window", "eager step µs", "step step µs", "window step µs",
        "capture ms", "private pool", "shared pool", "streams", "tokens",
    ];

    public const string Caption =
        "submit: host time to queue one decode step (one token per sequence), without waiting, mean/median over the decode steps after the capture. " +
        "eager: its operators one by one; step (per-step updates): input copy, one attention task-group update per layer, the replay, the token copy; " +
        "window: input copy, the replay, the token copy, and the updates only in a step where a sequence entered a new attention window. " +
        "updates: task-group updates each graph mode issued over the generation. step µs columns: submit + wait for the device. " +
        "capture, private pool, shared pool: for the mode shown (--decode-mode): the bucket's first capture, eager warm-up included; the same bucket " +
        "captured with its own pool; growth of the one pool every bucket of both modes shares. streams: device streams in use after this bucket. " +
        "tokens: step and window tokens == eager tokens.";

    public string[] Cells(LlmBucketRow row) =>
    [
        row.Bucket.ToString(CultureInfo.InvariantCulture),
        row.Batch.ToString(CultureInfo.InvariantCulture),
        row.EagerSubmit.ToString(),
        row.ReplaySubmit.ToString(),
        row.UpdateSubmit.ToString(),
        row.WindowSubmit.ToString(),
        $"{row.StepUpdates} / {row.WindowUpdates}",
        row.SubmitRatio.ToString("F1", CultureInfo.InvariantCulture) + "x",
        row.WindowRatio.ToString("F1", CultureInfo.InvariantCulture) + "x",
        row.EagerStep.ToString(),
        row.GraphStep.ToString(),
        row.WindowStep.ToString(),
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
        yield return $"Per decode step: {OperatorsPerStep} operator launches eagerly; with per-step updates one replay plus one task-group update per layer " +
                     $"(the attention lengths); in window mode (W = {Window}) one replay, and the updates only when a sequence enters a new window " +
                     $"({Rows.Sum(r => r.WindowUpdates)} updates in all against {Rows.Sum(r => r.StepUpdates)} with per-step updates). Mode shown: {ShownMode}.";
        yield return "Decoding several steps per launch (--decode-mode loop) needs the runtime's WHILE graph nodes: the decoder is not built on them yet, so the loop mode is not available yet.";
        yield return Passed
            ? $"Graph-mode decoding (per-step updates and window) emitted exactly the eager tokens for every batch ({Tokens} tokens per sequence)."
            : "MISMATCH: graph-mode tokens differ from the eager tokens (see the table).";
    }

    public override string ToMarkdown()
    {
        var md = Markdown(
            "Ascend.Interop graph-mode demo: LLM decoding",
            [
                $"tokens per sequence: {Tokens} (the first from the eager prefill, then {Tokens - 1} decode steps per mode); window W = {Window}; mode shown: {ShownMode}",
                $"load time: {Seconds(LoadTime)} s; run time: {Seconds(Elapsed)} s",
            ],
            Caption, Columns, leftColumns: 2, Rows.Select(Cells), SummaryLines());
        md.AppendLine();
        foreach (var line in Samples) md.AppendLine("- " + line);
        return md.ToString();
    }
}
