using BenchmarkDotNet.Attributes;

namespace Ascend.Interop.Benchmarks;

// The BenchmarkDotNet classes: thin shells over BenchmarkBodies (one instance per class and process).
// Method names match the C++ benchmark names in bench/native/bench_main.cpp; the report pairs them by name.

/// <summary>Eager operators and graph replay, each followed by a stream synchronize.</summary>
public class StepBenchmarks
{
    private BenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new BenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [Benchmark]
    public void EagerAdd() => _bodies.EagerAdd();

    [Benchmark]
    public void EagerMlpStep() => _bodies.EagerMlpStep();

    [Benchmark]
    public void ReplayMlpStep() => _bodies.ReplayMlpStep();
}

/// <summary>
/// Host cost of submitting work alone: each iteration queues <see cref="BenchmarkShapes.EnqueueBatch"/> submissions
/// and the stream is drained after the iteration, untimed (the C++ side does the same per batch).
/// </summary>
[InvocationCount(BenchmarkShapes.EnqueueBatch)]
public class EnqueueBenchmarks
{
    private BenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new BenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [IterationCleanup]
    public void Drain() => _bodies.Drain();

    [Benchmark]
    public void EagerMlpEnqueue() => _bodies.EagerMlpEnqueue();

    [Benchmark]
    public void EagerMlpEnqueueRaw() => _bodies.EagerMlpEnqueueRaw();

    [Benchmark]
    public void ReplayMlpEnqueue() => _bodies.ReplayMlpEnqueue();

    [Benchmark]
    public void ReplayMlpEnqueueRaw() => _bodies.ReplayMlpEnqueueRaw();
}

/// <summary>The device pool against raw aclrtMalloc + aclrtFree.</summary>
public class MemoryBenchmarks
{
    private BenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bodies = new BenchmarkBodies();
        _bodies.BindToCurrentThread();
    }

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [Benchmark]
    public nint PoolRentReturn() => _bodies.PoolRentReturn();

    [Benchmark]
    public nint RawMallocFree() => _bodies.RawMallocFree();
}

/// <summary>A trivial runtime call (aclrtStreamQuery) through the safe layer and through the raw binding.</summary>
public class RuntimeCallBenchmarks
{
    private BenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bodies = new BenchmarkBodies();
        _bodies.BindToCurrentThread();
    }

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [Benchmark]
    public bool StreamQuerySafe() => _bodies.StreamQuerySafe();

    [Benchmark]
    public bool StreamQueryRaw() => _bodies.StreamQueryRaw();
}

/// <summary>
/// A generated typed entry point (<c>AclnnOperators</c>, docs/operators.md "Typed operators") against the declared
/// operator of the same C function, host cost of the submission alone (as <see cref="EnqueueBenchmarks"/>: batches of
/// <see cref="BenchmarkShapes.EnqueueBatch"/>, drained untimed). No C++ counterpart: the ratio typed/declared is the row.
/// </summary>
[InvocationCount(BenchmarkShapes.EnqueueBatch)]
public class TypedOperatorBenchmarks
{
    private BenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new BenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [IterationCleanup]
    public void Drain() => _bodies.Drain();

    [Benchmark]
    public void DeclaredAddEnqueue() => _bodies.DeclaredAddEnqueue();

    [Benchmark]
    public void TypedAddEnqueue() => _bodies.TypedAddEnqueue();

    [Benchmark]
    public void DeclaredRmsNormEnqueue() => _bodies.DeclaredRmsNormEnqueue();

    [Benchmark]
    public void TypedRmsNormEnqueue() => _bodies.TypedRmsNormEnqueue();
}
