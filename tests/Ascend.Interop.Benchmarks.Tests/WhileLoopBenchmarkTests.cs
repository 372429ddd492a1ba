namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>
/// Runs the WHILE-loop benchmark bodies (WhileLoopBenchmarks.cs): their set-up check (one WHILE launch of K steps
/// equals K replays of the step graph bit for bit, with the expected task counts) still holds after the bodies ran,
/// and the timed bodies allocate nothing.
/// </summary>
[Collection(BenchmarkCollection.Name)]
public sealed class WhileLoopBenchmarkTests
{
    [Fact]
    public void While_launch_equals_K_replays_and_the_bodies_allocate_nothing()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        using var bodies = new WhileLoopBenchmarkBodies();  // checks itself
        Assert.Equal(2 + 4 * WhileLoopBenchmarkBodies.Steps, WhileLoopBenchmarkBodies.WhileTasks);
        Assert.Equal(0, AllocatedBy(() => { bodies.WhileSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { bodies.ReplaysSubmit(); bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(bodies.WhileSubmit));
        bodies.Drain();
        bodies.Check();  // the graphs still agree after the runs above (Check resets x and the counter)
    }

    private static long AllocatedBy(Action body)
    {
        for (int i = 0; i < 3; i++) body();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) body();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
