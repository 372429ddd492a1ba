using System.Diagnostics;

namespace Ascend.Interop.Llm;

/// <summary>One decode step's figures.</summary>
/// <param name="Batch">Sequences in the step.</param>
/// <param name="Bucket">Rows computed: the bucket in graph mode (padding included), the batch when eager.</param>
/// <param name="SubmitTicks">Host time (Stopwatch ticks) to queue the step: input copies, task-group updates and the replay, or the eager operators; no waiting.</param>
/// <param name="WaitTicks">Host time then spent waiting for the device (Synchronize).</param>
/// <param name="Captured">The step captured its bucket's graph first (its capture time is not in SubmitTicks).</param>
/// <param name="UpdateTicks">The part of SubmitTicks spent updating the attention task groups (graph and window modes).</param>
/// <param name="Updates">Task-group updates the step issued (graph mode: one per layer; window mode: one per layer when a sequence crossed a window boundary, else none; loop mode: none).</param>
/// <param name="Steps">Decode steps (tokens per sequence) the submission produced: 1, or in loop mode the steps one launch ran (at most <see cref="LlmEngine.LoopSteps"/>).</param>
/// <param name="HostCopies">
/// Copies the host queued besides the replay: eager and graph modes 2 (the inputs in, the tokens out), loop mode 3
/// (inputs, control block, ring); window mode 1 when the step's positions are not the ones the previous window step
/// advanced to on the device (a new batch, a jump), else 0 (its graph advances the inputs and copies the tokens out).
/// </param>
public readonly record struct DecodeStepTiming(int Batch, int Bucket, long SubmitTicks, long WaitTicks, bool Captured, long UpdateTicks = 0, int Updates = 0, int Steps = 1,
    int HostCopies = 0)
{
    /// <summary>Submission time per decode step (per token of each sequence) in microseconds.</summary>
    public double SubmitMicrosecondsPerStep => Steps == 0 ? 0 : SubmitMicroseconds / Steps;

    /// <summary>Task-group update time in microseconds.</summary>
    public double UpdateMicroseconds => UpdateTicks * 1e6 / Stopwatch.Frequency;

    /// <summary>Submission time in microseconds.</summary>
    public double SubmitMicroseconds => SubmitTicks * 1e6 / Stopwatch.Frequency;

    /// <summary>Submission plus wait in microseconds.</summary>
    public double TotalMicroseconds => (SubmitTicks + WaitTicks) * 1e6 / Stopwatch.Frequency;
}
