using System.Text;

namespace Ascend.Interop.Distributed;

/// <summary>The outcome of <see cref="NpuJob.Run"/>.</summary>
/// <param name="Ranks">Per rank, in rank order.</param>
/// <param name="TimedOut">True when the job did not finish within its timeout (every rank was killed).</param>
/// <param name="Elapsed">Wall time from start to the last exit.</param>
public sealed record NpuJobResult(IReadOnlyList<NpuRankResult> Ranks, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>True when every rank exited with 0.</summary>
    public bool Succeeded => !TimedOut && Ranks.All(r => r.ExitCode == 0 && !r.Killed);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder($"job of {Ranks.Count} ranks: {(Succeeded ? "succeeded" : TimedOut ? "timed out" : "failed")} in {Elapsed.TotalSeconds:0.0} s");
        foreach (var r in Ranks)
            text.Append($"\n--- rank {r.Rank}: exit {r.ExitCode}{(r.Killed ? " (killed)" : "")}\n").Append(r.Output.TrimEnd());
        return text.ToString();
    }
}
