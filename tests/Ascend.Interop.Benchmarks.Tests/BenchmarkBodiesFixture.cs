namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>One set of benchmark bodies (device, tensors, captured graph) shared by the tests; they never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection : ICollectionFixture<BenchmarkBodiesFixture>
{
    public const string Name = "Benchmark bodies";
}

public sealed class BenchmarkBodiesFixture : IDisposable
{
    public BenchmarkBodiesFixture()
    {
        // The bodies run on the simulator, as the Bench target does.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND")))
            Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", "sim");
        Bodies = new BenchmarkBodies();
    }

    public BenchmarkBodies Bodies { get; }

    public void Dispose() => Bodies.Dispose();
}
