using Ascend.Interop.Native;

namespace Ascend.Interop.Benchmarks.Tests;

/// <summary>Executes each benchmark body and checks its effect: values computed, graph replays counted, pool and allocator traffic.</summary>
[Collection(BenchmarkCollection.Name)]
public sealed unsafe class BenchmarkBodiesTests(BenchmarkBodiesFixture fixture)
{
    private readonly BenchmarkBodies _bodies = fixture.Bodies;

    [Fact]
    public void Mlp_has_at_least_twelve_operators()
    {
        Assert.Equal(13, BenchmarkShapes.MlpOperators);
        // The captured graph recorded every operator of one step.
        Assert.Equal(BenchmarkShapes.MlpOperators, _bodies.Graph.Operations.Count);
    }

    [Fact]
    public void Eager_mlp_output_matches_a_cpu_reference()
    {
        double[] expected = MlpReference.Compute();
        float[] actual = _bodies.EagerOutput;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]), $"output {i} is {actual[i]}");
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-3 * Math.Abs(expected[i]),
                $"output {i}: {actual[i]} vs reference {expected[i]}");
        }
        for (int r = 0; r < BenchmarkShapes.Batch; r++)
        {
            double sum = 0;
            for (int c = 0; c < BenchmarkShapes.Width; c++) sum += actual[r * BenchmarkShapes.Width + c];
            Assert.Equal(1.0, sum, 1e-4);
        }
    }

    [Fact]
    public void EagerMlpStep_recomputes_the_output()
    {
        _bodies.ClearOutput();
        _bodies.EagerMlpStep();
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());
    }

    [Fact]
    public void ReplayMlpStep_reproduces_the_eager_output_and_counts_a_replay()
    {
        _bodies.ClearOutput();
        long before = _bodies.Graph.ReplayCount;
        _bodies.ReplayMlpStep();
        Assert.Equal(before + 1, _bodies.Graph.ReplayCount);
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());
    }

    [Fact]
    public void Enqueue_bodies_queue_work_that_drain_completes()
    {
        ulong executionsBefore = Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
        _bodies.ClearOutput();
        _bodies.ReplayMlpEnqueue();
        _bodies.ReplayMlpEnqueue();
        _bodies.Drain();
        Assert.Equal(executionsBefore + 2, Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());

        // The raw-binding replay runs the SDK's very model.
        _bodies.ClearOutput();
        _bodies.ReplayMlpEnqueueRaw();
        _bodies.Drain();
        Assert.Equal(executionsBefore + 3, Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS));
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());

        _bodies.ClearOutput();
        ulong tasksBefore = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        _bodies.EagerMlpEnqueue();
        _bodies.Drain();
        // At least one task per operator (workspace returns may add event records).
        Assert.True(Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasksBefore >= BenchmarkShapes.MlpOperators);
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());

        // The raw-binding step launches the same 13 operators (one task each) and computes the same output.
        _bodies.ClearOutput();
        tasksBefore = Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED);
        _bodies.EagerMlpEnqueueRaw();
        _bodies.Drain();
        Assert.Equal((ulong)BenchmarkShapes.MlpOperators, Counter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED) - tasksBefore);
        Assert.Equal(_bodies.EagerOutput, _bodies.ReadOutput());
    }

    [Fact]
    public void EagerAdd_computes_the_sum()
    {
        _bodies.EagerAdd();
        float[] a = BenchmarkData.AddOperand(0), b = BenchmarkData.AddOperand(1);
        float[] sum = _bodies.ReadAddSum();
        Assert.Equal(BenchmarkShapes.AddElements, sum.Length);
        for (int i = 0; i < sum.Length; i++) Assert.Equal(a[i] + b[i], sum[i]);
    }

    [Fact]
    public void Typed_bodies_compute_what_the_declared_ones_compute_and_allocate_nothing()
    {
        float[] a = BenchmarkData.AddOperand(0), b = BenchmarkData.AddOperand(1);
        _bodies.TypedAddEnqueue();
        _bodies.Drain();
        float[] sum = _bodies.ReadAddSum();
        for (int i = 0; i < sum.Length; i++) Assert.Equal(a[i] + b[i], sum[i]);

        _bodies.DeclaredRmsNormEnqueue();
        _bodies.Drain();
        var declared = _bodies.ReadRmsNorm();
        _bodies.ClearRmsNorm();
        _bodies.TypedRmsNormEnqueue();
        _bodies.Drain();
        var typed = _bodies.ReadRmsNorm();
        Assert.Contains(typed.Normed, v => v != 0);
        Assert.Equal(declared.Normed, typed.Normed);
        Assert.Equal(declared.Rstd, typed.Rstd);

        Assert.Equal(0, AllocatedBy(_bodies.TypedAddEnqueue));
        Assert.Equal(0, AllocatedBy(_bodies.TypedRmsNormEnqueue));
        Assert.Equal(0, AllocatedBy(_bodies.DeclaredAddEnqueue));
        _bodies.Drain();
    }

    [Fact]
    public void PoolRentReturn_reuses_one_cached_block()
    {
        nint first = _bodies.PoolRentReturn();
        long hits = _bodies.Pool.Hits, misses = _bodies.Pool.Misses;
        ulong mallocs = Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS);
        int rented = _bodies.Pool.RentedBlockCount;
        nint second = _bodies.PoolRentReturn();
        Assert.NotEqual(0, first);
        Assert.Equal(first, second);
        Assert.Equal(hits + 1, _bodies.Pool.Hits);
        Assert.Equal(misses, _bodies.Pool.Misses);
        Assert.Equal(rented, _bodies.Pool.RentedBlockCount);
        Assert.Equal(mallocs, Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS));
    }

    [Fact]
    public void RawMallocFree_allocates_and_frees_once()
    {
        _bodies.BindToCurrentThread();
        ulong mallocs = Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS);
        ulong frees = Counter(aclsimCounter.ACLSIM_COUNT_FREE_CALLS);
        ulong live = Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS);
        Assert.NotEqual(0, _bodies.RawMallocFree());
        Assert.Equal(mallocs + 1, Counter(aclsimCounter.ACLSIM_COUNT_MALLOC_CALLS));
        Assert.Equal(frees + 1, Counter(aclsimCounter.ACLSIM_COUNT_FREE_CALLS));
        Assert.Equal(live, Counter(aclsimCounter.ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    }

    [Fact]
    public void Stream_queries_agree_on_an_idle_and_a_busy_stream()
    {
        _bodies.BindToCurrentThread();
        _bodies.Drain();
        Assert.True(_bodies.StreamQuerySafe());
        Assert.True(_bodies.StreamQueryRaw());
        // A delayed task keeps the stream busy long enough to be seen (simulator control, restored after).
        Assert.Equal(0, AclSim.aclsimSetTaskDelay(200_000));
        try
        {
            _bodies.ReplayMlpEnqueue();
            Assert.False(_bodies.StreamQueryRaw());
            Assert.False(_bodies.StreamQuerySafe());
        }
        finally
        {
            Assert.Equal(0, AclSim.aclsimSetTaskDelay(0));
            _bodies.Drain();
        }
        Assert.True(_bodies.StreamQuerySafe());
    }

    [Fact]
    public void Steady_state_bodies_allocate_no_managed_memory()
    {
        _bodies.BindToCurrentThread();
        Assert.Equal(0, AllocatedBy(_bodies.ReplayMlpStep));
        Assert.Equal(0, AllocatedBy(() => { _bodies.ReplayMlpEnqueue(); _bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { _bodies.EagerMlpEnqueue(); _bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => { _bodies.EagerMlpEnqueueRaw(); _bodies.Drain(); }));
        Assert.Equal(0, AllocatedBy(() => _bodies.PoolRentReturn()));
        Assert.Equal(0, AllocatedBy(_bodies.EagerAdd));
        Assert.Equal(0, AllocatedBy(_bodies.EagerMlpStep));
        Assert.Equal(0, AllocatedBy(() => _bodies.StreamQuerySafe()));
        Assert.Equal(0, AllocatedBy(() => _bodies.StreamQueryRaw()));
    }

    // Bytes the calling thread allocated over 5 calls, after 3 warm-up calls.
    private static long AllocatedBy(Action body)
    {
        for (int i = 0; i < 3; i++) body();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) body();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static ulong Counter(aclsimCounter counter)
    {
        ulong value;
        Assert.Equal(0, AclSim.aclsimGetCounter(counter, &value));
        return value;
    }
}
