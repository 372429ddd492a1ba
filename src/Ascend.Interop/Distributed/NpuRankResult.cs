namespace Ascend.Interop.Distributed;

/// <summary>What one rank process of an <see cref="NpuJob"/> did.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="ProcessId">Its process id (gone by the time the result is returned).</param>
/// <param name="ExitCode">Its exit code; -1 when the launcher killed it.</param>
/// <param name="Killed">True when the launcher killed it (another rank failed, or the job timed out).</param>
/// <param name="Output">Its stdout and stderr, interleaved as they arrived.</param>
public sealed record NpuRankResult(int Rank, int ProcessId, int ExitCode, bool Killed, string Output);
