namespace Ascend.Interop;

/// <summary>Which step of a submission failed.</summary>
internal enum StreamWorkPhase
{
    /// <summary><see cref="IStreamWork.Prepare"/> (an operator's phase 1).</summary>
    Prepare,

    /// <summary><see cref="IStreamWork.Launch"/>.</summary>
    Launch,
}
