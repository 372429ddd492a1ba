namespace Ascend.Interop.Llm;

/// <summary>What <see cref="LlmEngine.Generate"/> produced.</summary>
public sealed class GenerationResult
{
    /// <summary>How the decode steps ran.</summary>
    public required DecodeMode Mode { get; init; }

    /// <summary>
    /// Generated tokens per sequence (the first comes from the prefill). With an end token, a sequence's tokens stop
    /// after the end token it emitted (so sequences may differ in length).
    /// </summary>
    public required int[][] Tokens { get; init; }

    /// <summary>Per generated token, the logits of every sequence [batch x vocab], when asked for.</summary>
    public IReadOnlyList<float[]>? Logits { get; init; }

    /// <summary>The decode submissions after the prefill: one per step, or in loop mode one per launch of up to K steps (see <see cref="DecodeStepTiming.Steps"/>).</summary>
    public required IReadOnlyList<DecodeStepTiming> Steps { get; init; }

    /// <summary>Decode steps run in all (tokens per sequence after the first).</summary>
    public int DecodeSteps => Steps.Sum(s => s.Steps);

    /// <summary>Task-group updates the decode steps issued in all.</summary>
    public int Updates => Steps.Sum(s => s.Updates);

    /// <summary>Wall time of the eager prefill.</summary>
    public TimeSpan PrefillTime { get; init; }
}
