using M = Ascend.Interop.Benchmarks.ResultsReport.Measurement;

namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>The decoder rows of the generated RESULTS.md block, from made-up measurements.</summary>
public sealed class ResultsReportDecoderTests
{
    private static readonly ResultsReport.RunInfo Info = new(new DateTime(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc), "test machine", "abc", ".NET", Quick: true);

    [Fact]
    public void Decoder_rows_pair_csharp_with_cpp_and_judge_the_targets()
    {
        var cs = new Dictionary<string, M>
        {
            ["EagerDecodeEnqueue"] = new(2_000_000, 0),
            ["GraphDecodeEnqueue"] = new(50_000, 8064),
            ["WindowDecodeEnqueue"] = new(20_000, 0),
            ["LoopDecodeEnqueue"] = new(8_000, 0),
            ["ReplayDecodeEnqueue"] = new(10_000, 0),
            ["EagerDecodeStep"] = new(20_000_000, 0),
            ["GraphDecodeStep"] = new(10_000_000, 0),
            ["ReplayDecodeStep"] = new(9_000_000, 0),
        };
        var cpp = new Dictionary<string, M>
        {
            ["EagerDecodeEnqueue"] = new(1_000_000, null),
            ["GraphDecodeEnqueue"] = new(40_000, null),
            ["WindowDecodeEnqueue"] = new(16_000, null),
            ["LoopDecodeEnqueue"] = new(7_500, null),
            ["ReplayDecodeEnqueue"] = new(8_000, null),
            ["EagerDecodeStep"] = new(16_000_000, null),
            ["GraphDecodeStep"] = new(8_000_000, null),
            ["ReplayDecodeStep"] = new(6_000_000, null),
        };
        string table = ResultsReport.BuildTable(cs, cpp, Info, out int missed);

        Assert.Contains("| Eager decode step, enqueue only (95 operators, 2 copies) | 2.000 ms | 1.000 ms | 2.000 | 0 B |", table);
        Assert.Contains("| Graph decode step, enqueue only (copy, 4 attention task-group updates, replay, copy) | 50.00 µs | 40.00 µs | 1.250 | 8064 B |", table);
        Assert.Contains("| Window decode step, enqueue only (W = 64: the replay; an input copy per jump, updates per window entered) | 20.00 µs | 16.00 µs | 1.250 | 0 B |", table);
        Assert.Contains("| Eager decode enqueue / window step enqueue, C# | 100.0x | >= 50x | yes |", table);
        Assert.Contains("| Window step enqueue, C# / C++ | 1.25x | <= 1.15x | **no** |", table);
        Assert.Contains("| Loop decode, enqueue only, per token (K = 16 steps per launch: 2 copies, launch, ring copy; no update) | 8.00 µs | 7.50 µs | 1.067 | 0 B |", table);
        Assert.Contains("| Eager decode enqueue / loop enqueue per token, C# | 250.0x | >= 200x | yes |", table);
        Assert.Contains("| Eager decode enqueue / loop enqueue per token, C++ | 133.3x |  |  |", table);
        Assert.Contains("| Loop enqueue per token, C# / C++ | 1.07x | <= 1.15x | yes |", table);
        Assert.Contains("| Managed bytes per decoded token, loop enqueue (LoopDecodeEnqueue) | 0 | 0 | yes |", table);
        Assert.Contains("| Loop decode (K = 16) + wait, per token | - | - |  |  |", table);
        Assert.Contains("| Managed bytes per window decode step, enqueue (WindowDecodeEnqueue) | 0 | 0 | yes |", table);
        Assert.Contains("| Window decode step (W = 64) + wait | - | - |  |  |", table);
        Assert.Contains("| Bare replay of the captured step, enqueue only | 10.00 µs | 8.00 µs | 1.250 | 0 B |", table);
        Assert.Contains("| Bare replay of the captured step + wait | 9.000 ms | 6.000 ms | 1.500 | 0 B |", table);
        Assert.Contains("| Eager decode enqueue / bare replay enqueue, C# | 200.0x | >= 20x | yes |", table);
        Assert.DoesNotContain("| Eager decode enqueue / loop enqueue per token, C# | 250.0x | >= 200x | **no** |", table);
        Assert.Contains("| Eager decode enqueue / bare replay enqueue, C++ | 125.0x |  |  |", table);
        Assert.Contains("| Eager decode enqueue / graph step enqueue (with the updates), C# | 40.0x | >= 20x | yes |", table);
        Assert.Contains("| Eager decode step / graph step, with the wait, C++ | 2.00x |  |  |", table);
        Assert.Contains("| Managed bytes per graph decode step, enqueue (GraphDecodeEnqueue) | 8064 | 0 | **no** |", table);
        Assert.Contains("| Managed bytes per eager decode step + wait (EagerDecodeStep) | 0 | 0 | yes |", table);
        // The MLP rows are all missing here (n/a, not judged); the decoder misses: the graph step's 8064 bytes and the window C#/C++ ratio.
        Assert.Equal(2, missed);
        Assert.True(table.IndexOf("Decoder step of the LLM sample", StringComparison.Ordinal) < table.IndexOf(ResultsReport.EndMarker, StringComparison.Ordinal));
    }

    [Fact]
    public void A_slow_graph_step_misses_the_twenty_fold_target()
    {
        var cs = new Dictionary<string, M>
        {
            ["EagerDecodeEnqueue"] = new(1_000_000, 0),
            ["GraphDecodeEnqueue"] = new(100_000, 0),
            ["ReplayDecodeEnqueue"] = new(10_000, 0),
        };
        string table = ResultsReport.BuildTable(cs, new Dictionary<string, M>(), Info, out int missed);
        Assert.Contains("| Eager decode enqueue / graph step enqueue (with the updates), C# | 10.0x | >= 20x | **no** |", table);
        Assert.Contains("| Eager decode enqueue / bare replay enqueue, C# | 100.0x | >= 20x | yes |", table);
        Assert.Equal(1, missed);
    }
}
