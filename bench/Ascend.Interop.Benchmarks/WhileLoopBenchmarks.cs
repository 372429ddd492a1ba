using Ascend.Interop.Native;
using BenchmarkDotNet.Attributes;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// K steps of a small model in one launch of a WHILE graph against K replays of the one-step graph (issue 26). One
/// step on 1,024 floats (4 KiB): x = x * s + y (Mul, Add), the counter + 1 (Add) and word = counter &lt; K (Lt written
/// into an int64 word): the WHILE body's word is the loop's condition, through its tensor view
/// (<see cref="NpuGraphCondition.AsTensor"/>), the step graph's a scratch int64, so both run the same four tasks per
/// step. The WHILE graph first zeroes the counter (Mul by zero) and its condition resets to 1 at each launch
/// (ASSIGN_DEFAULT), so every launch runs K bodies: 2 + 4K simulator tasks against 4K for K replays. Only the launches
/// are timed; both are checked bit for bit at setup.
/// The C++ baseline making the same calls is bench/native/while_bench.cpp.
/// </summary>
public sealed unsafe class WhileLoopBenchmarkBodies : IDisposable
{
    /// <summary>Steps per WHILE launch and replays per K-replay call (C++: kSteps).</summary>
    public const int Steps = 16;

    /// <summary>Floats of x, y, s (C++: kElements).</summary>
    public const int Elements = 1024;

    /// <summary>Simulator tasks of one step (C++: kStepTasks).</summary>
    public const int StepTasks = 4;

    /// <summary>Simulator tasks of one WHILE launch: the counter reset, the conditional task, K bodies (C++: kWhileTasks).</summary>
    public const int WhileTasks = 2 + StepTasks * Steps;

    private readonly NpuRuntime _runtime;
    private readonly NpuDevice _device;
    private readonly NpuStream _stream;
    private readonly List<IDisposable> _owned = [];
    private readonly float[] _x0;
    private readonly NpuTensor _x, _y, _s, _tmp, _counter, _one, _zero, _scratchWord, _conditionWord;
    private readonly NpuGraph _stepGraph, _whileGraph;

    public WhileLoopBenchmarkBodies()
    {
        _runtime = NpuRuntime.Initialize();
        _device = NpuDevice.Open(0);
        _stream = _device.CreateStream();
        _x0 = new float[Elements];
        var y = new float[Elements];
        var s = new float[Elements];
        for (int i = 0; i < Elements; i++)
        {
            _x0[i] = 0.37f * i - 5.0f;
            y[i] = 1.0f / (i + 3);
            s[i] = 0.75f + 0.0002f * i;  // below 1: repeated steps converge, no overflow however long the run
        }
        _x = Own(NpuTensor.FromArray(_stream, _x0));
        _y = Own(NpuTensor.FromArray(_stream, y));
        _s = Own(NpuTensor.FromArray(_stream, s));
        _tmp = Own(NpuTensor.Empty(_stream, [Elements], NpuDataType.Float32));
        _counter = Own(NpuTensor.FromArray(_stream, new float[] { 0 }));
        _one = Own(NpuTensor.FromArray(_stream, new float[] { 1 }));
        _zero = Own(NpuTensor.FromArray(_stream, new float[] { 0 }));
        _scratchWord = Own(NpuTensor.Zeros(_stream, [1], NpuDataType.Int64));
        _stream.Synchronize();

        _stepGraph = Own(_stream.BeginCapture());
        Step(_stream, _scratchWord);
        _stepGraph.EndCapture();

        _whileGraph = Own(_stream.BeginCapture());
        Ops.Mul(_stream, _counter, _zero, _counter);
        var condition = _whileGraph.CreateCondition(defaultValue: 1);
        _conditionWord = condition.AsTensor();     // disposed before the graph (Own: reverse order)
        using (var body = _whileGraph.BeginWhile(condition)) Step(body.Stream, _conditionWord);
        _whileGraph.EndCapture();
        Own(_conditionWord);

        Check();
    }

    public NpuStream Stream => _stream;

    /// <summary>Queues one launch of the WHILE graph: K steps.</summary>
    public void WhileSubmit() => _whileGraph.Replay(_stream);

    /// <summary>Queues K replays of the one-step graph.</summary>
    public void ReplaysSubmit()
    {
        for (int k = 0; k < Steps; k++) _stepGraph.Replay(_stream);
    }

    public void Drain() => _stream.Synchronize();

    /// <summary>
    /// From the same x and counter, one WHILE launch and K replays give the same x bit for bit, the counter K, the
    /// condition word 0, and the expected simulator task counts; otherwise throws. Leaves x and the counter reset.
    /// </summary>
    public void Check()
    {
        Reset();
        ulong before = TasksExecuted();
        WhileSubmit();
        Drain();
        ulong whileTasks = TasksExecuted() - before;
        float[] viaWhile = _x.ToArray<float>(_stream);
        float whileCounter = _counter.ToArray<float>(_stream)[0];
        long whileFlag = _conditionWord.ToArray<long>(_stream)[0];

        Reset();
        before = TasksExecuted();
        ReplaysSubmit();
        Drain();
        ulong replayTasks = TasksExecuted() - before;
        float[] viaReplays = _x.ToArray<float>(_stream);
        float replayCounter = _counter.ToArray<float>(_stream)[0];
        Reset();

        if (whileCounter != Steps || replayCounter != Steps || whileFlag != 0)
            throw new InvalidOperationException($"WhileLoop check: after one WHILE launch the counter is {whileCounter} and the condition word {whileFlag}, after {Steps} replays the counter is {replayCounter}; expected {Steps}, 0, {Steps}.");
        if (whileTasks != WhileTasks || replayTasks != (ulong)(StepTasks * Steps))
            throw new InvalidOperationException($"WhileLoop check: {whileTasks} tasks per WHILE launch and {replayTasks} per {Steps} replays; expected {WhileTasks} and {StepTasks * Steps}.");
        if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(viaWhile.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(viaReplays.AsSpan())))
            throw new InvalidOperationException($"WhileLoop check: one WHILE launch of {Steps} steps differs from {Steps} replays of the step graph.");
        if (viaWhile.AsSpan().SequenceEqual(_x0))
            throw new InvalidOperationException("WhileLoop check: x did not change.");
    }

    private void Reset()
    {
        _x.CopyFrom<float>(_stream, _x0);
        _counter.CopyFrom<float>(_stream, [0f]);
        _stream.Synchronize();
    }

    // One step on `stream`: x = x * s + y, counter + 1, word = counter < K (the comparison written into the word).
    private void Step(NpuStream stream, NpuTensor word)
    {
        Ops.Mul(stream, _x, _s, _tmp);
        Ops.Add(stream, _tmp, _y, _x);
        Ops.Add(stream, _counter, _one, _counter);
        Ops.Lt(stream, _counter, (double)Steps, word);
    }

    private static ulong TasksExecuted()
    {
        ulong value;
        int code = AclSim.aclsimGetCounter(aclsimCounter.ACLSIM_COUNT_TASKS_EXECUTED, &value);
        if (code != 0) throw new InvalidOperationException($"aclsimGetCounter failed with {code}.");
        return value;
    }

    private T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public void Dispose()
    {
        _stream.Synchronize();
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _stream.Dispose();
        _device.Dispose();
        _runtime.Dispose();
    }
}

/// <summary>
/// Host submission per step, without waiting: one WHILE launch of K steps against K replays of the step graph, each
/// reported per step (OperationsPerInvoke = K). Each iteration queues 16 invocations; the stream is drained after
/// it, untimed.
/// </summary>
[InvocationCount(16)]
public class WhileLoopEnqueueBenchmarks
{
    private WhileLoopBenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new WhileLoopBenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [IterationCleanup]
    public void Drain() => _bodies.Drain();

    [Benchmark(Baseline = true, OperationsPerInvoke = WhileLoopBenchmarkBodies.Steps)]
    public void ReplayLoopEnqueue() => _bodies.ReplaysSubmit();

    [Benchmark(OperationsPerInvoke = WhileLoopBenchmarkBodies.Steps)]
    public void WhileLoopEnqueue() => _bodies.WhileSubmit();
}

/// <summary>The same with the wait for the device: K steps and the wait, per step.</summary>
public class WhileLoopStepBenchmarks
{
    private WhileLoopBenchmarkBodies _bodies = null!;

    [GlobalSetup]
    public void Setup() => _bodies = new WhileLoopBenchmarkBodies();

    [GlobalCleanup]
    public void Cleanup() => _bodies.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = WhileLoopBenchmarkBodies.Steps)]
    public void ReplayLoopStep()
    {
        _bodies.ReplaysSubmit();
        _bodies.Drain();
    }

    [Benchmark(OperationsPerInvoke = WhileLoopBenchmarkBodies.Steps)]
    public void WhileLoopStep()
    {
        _bodies.WhileSubmit();
        _bodies.Drain();
    }
}
