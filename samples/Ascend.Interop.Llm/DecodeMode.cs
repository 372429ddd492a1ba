namespace Ascend.Interop.Llm;

/// <summary>How decode steps run.</summary>
public enum DecodeMode
{
    /// <summary>Every step submits its operators one by one.</summary>
    Eager,
    /// <summary>Every step replays the captured graph of its batch bucket, after updating the attention lengths (one task-group update per layer).</summary>
    Graph,
    /// <summary>
    /// Every step replays the graph of its batch bucket captured with attention over lengths rounded up to a window
    /// (<see cref="LlmEngine.AttentionWindow"/>) and the device attention mask the step maintains itself; the attention
    /// task groups are updated only in a step where a sequence crosses a window boundary.
    /// </summary>
    Window,
    /// <summary>
    /// One launch runs up to <see cref="LlmEngine.LoopSteps"/> decode steps inside a WHILE node of the graph captured
    /// for the batch's bucket (CANN 9.1+ conditional nodes): positions, cache slots and the attention mask advance on
    /// the device, each step's tokens go into a device ring, and the loop stops at the token budget or when every
    /// sequence has emitted the end token (a device comparison written into the condition word). Attention reads the
    /// device mask over the whole context, so no task group is ever updated.
    /// </summary>
    Loop,
}
