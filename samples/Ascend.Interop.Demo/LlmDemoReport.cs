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

    /// <summary>True when the runtime ran the loop mode (conditional graph nodes, CANN 9.1+).</summary>
    public bool LoopAvailable { get; init; }

    /// <summary>Loop mode: host submission per token (input and control copies, one launch, the ring copy, divided by the steps the launch ran).</summary>
    public StepTime LoopSubmit { get; init; }

    /// <summary>Loop mode: submission plus the wait, per token.</summary>
    public StepTime LoopStep { get; init; }

    /// <summary>Task-group updates the loop generation issued (none: its attention reads the mask over the whole context).</summary>
    public int LoopUpdates { get; init; }

    /// <summary>Launches the loop generation made (each up to K tokens per sequence).</summary>
    public int LoopLaunches { get; init; }

    /// <summary>Mean eager submission / mean graph-mode submission (updates and copies included).</summary>
    public double SubmitRatio => ReplaySubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / ReplaySubmit.MeanMicroseconds : 0;

    /// <summary>Mean eager submission / mean window-mode submission.</summary>
    public double WindowRatio => WindowSubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / WindowSubmit.MeanMicroseconds : 0;

    /// <summary>Mean eager submission per token / mean loop-mode submission per token.</summary>
    public double LoopRatio => LoopSubmit.MeanMicroseconds > 0 ? EagerSubmit.MeanMicroseconds / LoopSubmit.MeanMicroseconds : 0;
}

/// <summary>Everything one LLM demo run measured and wrote.</summary>
internal sealed record LlmDemoReport : DemoRunReport
{
    public required int OperatorsPerStep { get; init; }
    public required int Tokens { get; init; }
    public int Window { get; init; } = Ascend.Interop.Llm.LlmEngine.DefaultAttentionWindow;

    /// <summary>K of the loop mode; 0 when the runtime has no loop mode.</summary>
    public int LoopSteps { get; init; }
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
        "bucket", "batch", "eager submit µs", "step submit µs", "of it updates µs", "window submit µs", "loop submit µs", "updates step / window / loop",
        "eager / step", "eager / window", "eager / loop", "eager step µs", "step step µs", "window step µs", "loop step µs",
        "capture ms", "private pool", "shared pool", "streams", "tokens",
    ];

    public const string Caption =
        "submit: host time to queue one decode step (one token per sequence), without waiting, mean/median over the decode steps after the capture. " +
        "eager: its operators one by one; step (per-step updates): input copy, one attention task-group update per layer, the replay, the token copy; " +
        "window: input copy, the replay, the token copy, and the updates only in a step where a sequence entered a new attention window; " +
        "loop: per token, one launch (input and control copies, the replay of the WHILE graph, the copy of the token ring) divided by the steps it ran " +
        "(up to K; n/a without conditional graph nodes). " +
        "updates: task-group updates each graph mode issued over the generation. step µs columns: submit + wait for the device (loop: per token). " +
        "capture, private pool, shared pool: for the mode shown (--decode-mode): the bucket's first capture, eager warm-up included; the same bucket " +
        "captured with its own pool; growth of the one pool every bucket of both modes shares. streams: device streams in use after this bucket. " +
        "tokens: step, window and loop tokens == eager tokens.";

    public string[] Cells(LlmBucketRow row) =>
    [
        row.Bucket.ToString(CultureInfo.InvariantCulture),
        row.Batch.ToString(CultureInfo.InvariantCulture),
        row.EagerSubmit.ToString(),
        row.ReplaySubmit.ToString(),
        row.UpdateSubmit.ToString(),
        row.WindowSubmit.ToString(),
        row.LoopAvailable ? row.LoopSubmit.ToString() : "n/a",
        $"{row.StepUpdates} / {row.WindowUpdates} / {(row.LoopAvailable ? row.LoopUpdates.ToString(CultureInfo.InvariantCulture) : "n/a")}",
        row.SubmitRatio.ToString("F1", CultureInfo.InvariantCulture) + "x",
        row.WindowRatio.ToString("F1", CultureInfo.InvariantCulture) + "x",
        row.LoopAvailable ? row.LoopRatio.ToString("F1", CultureInfo.InvariantCulture) + "x" : "n/a",
        row.EagerStep.ToString(),
        row.GraphStep.ToString(),
        row.WindowStep.ToString(),
        row.LoopAvailable ? row.LoopStep.ToString() : "n/a",
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
        yield return LoopSteps > 0
            ? $"Loop mode (K = {LoopSteps}): one launch per up to {LoopSteps} tokens per sequence, the steps inside a WHILE graph node (positions, KV-cache " +
              $"slots, the attention mask and the stop condition advanced on the device, tokens into a device ring): {Rows.Sum(r => r.LoopLaunches)} launches " +
              $"for {Rows.Sum(r => r.DecodeSteps)} decode steps, {Rows.Sum(r => r.LoopUpdates)} updates."
            : "Loop mode: not run; the loaded runtime has no conditional (WHILE) graph nodes (CANN 9.1.0+), so window mode is the default.";
        string modes = LoopSteps > 0 ? "per-step updates, window and loop" : "per-step updates and window";
        yield return Passed
            ? $"Graph-mode decoding ({modes}) emitted exactly the eager tokens for every batch ({Tokens} tokens per sequence)."
            : "MISMATCH: graph-mode tokens differ from the eager tokens (see the table).";
    }

    public override string ToMarkdown()
    {
        var md = Markdown(
            "Ascend.Interop graph-mode demo: LLM decoding",
            [
                $"tokens per sequence: {Tokens} (the first from the eager prefill, then {Tokens - 1} decode steps per mode); window W = {Window}; " +
                (LoopSteps > 0 ? $"loop K = {LoopSteps}; " : "no loop mode (no conditional graph nodes); ") + $"mode shown: {ShownMode}",
                $"load time: {Seconds(LoadTime)} s; run time: {Seconds(Elapsed)} s",
            ],
            Caption, Columns, leftColumns: 2, Rows.Select(Cells), SummaryLines());
        md.AppendLine();
        foreach (var line in Samples) md.AppendLine("- " + line);
        return md.ToString();
    }
}
