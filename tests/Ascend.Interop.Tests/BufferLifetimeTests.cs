using Ascend.Interop.Native;
using Ascend.Interop.Tests.Reliability;

namespace Ascend.Interop.Tests;

/// <summary>
/// Buffer lifetimes that follow use (issue 23): the four ways a buffer could be reused while work or a graph still
/// used it. Each test failed on the SDK before the submission path kept these books, and uses only the public API, so
/// it runs unchanged on CANN; the simulator's live counts are checked where it has them.
/// </summary>
[Collection("Npu")]
public sealed class BufferLifetimeTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private const int N = 1024;

    private NpuDevice Device => Fixture.Device;

    private static float[] Filled(float value)
    {
        var values = new float[N];
        Array.Fill(values, value);
        return values;
    }

    [Fact]
    public void A_graph_keeps_the_memory_of_static_tensors_disposed_while_it_lives()
    {
        using var stream = Device.CreateStream();
        var x = NpuTensor.FromArray(stream, Filled(2));
        var y = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Add(stream, x, x, y);
        graph.EndCapture();

        // The static input and output are disposed while the graph lives: their handles go, their memory must not.
        x.Dispose();
        y.Dispose();
        using var first = NpuTensor.FromArray(stream, Filled(7));
        using var second = NpuTensor.FromArray(stream, Filled(9));
        graph.Replay();
        stream.Synchronize();
        Assert.Equal(Filled(7), first.ToArray<float>(stream));
        Assert.Equal(Filled(9), second.ToArray<float>(stream));
    }

    [Fact]
    public void A_graph_output_disposed_while_the_graph_lives_is_not_handed_to_a_later_capture()
    {
        using var stream = Device.CreateStream();
        using var pool = new NpuGraphPool(Device);
        using var x = NpuTensor.FromArray(stream, Filled(3));
        NpuTensor output = null!;
        using var producer = NpuGraph.Capture(stream, s => output = Ops.Add(s, x, x), warmup: 0, pool: pool);
        nint outputAddress = output.DataPointer;
        output.Dispose();   // the graph still writes there at every replay

        using var canary = NpuTensor.FromArray(stream, Filled(5));
        NpuTensor later = null!;
        using var consumer = NpuGraph.Capture(stream, s => later = Ops.Mul(s, canary, canary), warmup: 0, pool: pool);
        try
        {
            Assert.NotEqual(outputAddress, later.DataPointer);
            consumer.Replay();
            producer.Replay();
            stream.Synchronize();
            Assert.Equal(Filled(25), later.ToArray<float>(stream));
        }
        finally
        {
            later.Dispose();
        }
    }

    [Fact]
    public void A_tensor_written_on_another_stream_is_not_reused_before_that_work_completes()
    {
        using var home = Device.CreateStream();
        using var other = Device.CreateStream();
        using var source = NpuTensor.FromArray(other, Filled(4));
        var tensor = NpuTensor.Zeros(home, new TensorShape(N), NpuDataType.Float32);
        using var ready = Device.CreateEvent(timing: false);
        ready.Record(home);
        other.Wait(ready);

        using var gate = new ManualResetEventSlim(false);
        other.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(30)), blocking: true);
        try
        {
            Ops.Add(other, source, source, tensor);   // queued behind the gate: it writes 8s later
            tensor.Dispose();                         // in the home stream's order, before the other stream ran
            using var reused = NpuTensor.FromArray(home, Filled(1));
            gate.Set();
            other.Synchronize();
            home.Synchronize();
            Assert.Equal(Filled(1), reused.ToArray<float>(home));
        }
        finally
        {
            gate.Set();
            other.Synchronize();
        }
    }

    [Fact]
    public void An_output_overwritten_by_another_graph_of_a_shared_pool_is_refused_until_its_graph_replays()
    {
        using var stream = Device.CreateStream();
        using var pool = new NpuGraphPool(Device);
        using var x = NpuTensor.FromArray(stream, Filled(-2));
        using var yA = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);

        nint scratch = 0;
        using var a = NpuGraph.Capture(stream, s =>
        {
            using var h = Ops.Add(s, x, x);          // A's intermediate, freed inside A's capture
            scratch = h.DataPointer;
            Ops.Mul(s, h, h, yA);
        }, warmup: 0, pool: pool);
        NpuTensor outB = null!;
        using var b = NpuGraph.Capture(stream, s => outB = Ops.Relu(s, x), warmup: 0, pool: pool);
        try
        {
            // The shared pool gave B's output the block of A's intermediate (what makes sharing pay).
            Assert.Equal(scratch, outB.DataPointer);
            b.Replay();
            Assert.Equal(Filled(0), outB.ToArray<float>(stream));

            b.Replay();
            a.Replay();   // writes its intermediate over B's output
            var refused = Assert.Throws<InvalidOperationException>(() => outB.ToArray<float>(stream));
            Assert.Contains("overwritten", refused.Message);

            b.Replay();
            Assert.Equal(Filled(0), outB.ToArray<float>(stream));
            Assert.Equal(Filled(16), yA.ToArray<float>(stream));
        }
        finally
        {
            outB.Dispose();
        }
    }

    [Fact]
    public void A_capture_after_a_replay_makes_the_next_replay_of_the_earlier_graph_mark_the_new_output()
    {
        // A replay of the graph that marked the pool's outputs last skips the marking (nothing would change), unless a
        // capture since has put another output in that graph's scratch.
        using var stream = Device.CreateStream();
        using var pool = new NpuGraphPool(Device);
        using var x = NpuTensor.FromArray(stream, Filled(-2));
        using var yA = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);

        var scratch = new nint[2];
        using var a = NpuGraph.Capture(stream, s =>
        {
            using var h1 = Ops.Add(s, x, x);         // -4
            using var h2 = Ops.Mul(s, h1, h1);       // 16
            scratch[0] = h1.DataPointer;
            scratch[1] = h2.DataPointer;
            Ops.Add(s, h2, h1, yA);                  // 12
        }, warmup: 0, pool: pool);
        NpuTensor outB = null!, outD = null!;
        try
        {
            using var b = NpuGraph.Capture(stream, s => outB = Ops.Relu(s, x), warmup: 0, pool: pool);
            b.Replay();
            a.Replay();   // marks B's output; A is now the last marking replay
            Assert.Contains("overwritten", Assert.Throws<InvalidOperationException>(() => outB.ToArray<float>(stream)).Message);

            using var d = NpuGraph.Capture(stream, s => outD = Ops.Relu(s, x), warmup: 0, pool: pool);
            Assert.Contains(outB.DataPointer, scratch);
            Assert.Contains(outD.DataPointer, scratch);
            Assert.NotEqual(outB.DataPointer, outD.DataPointer);
            a.Replay();   // the same graph as the last marking replay, but D's output now lies in its scratch too
            Assert.Contains("overwritten", Assert.Throws<InvalidOperationException>(() => outD.ToArray<float>(stream)).Message);
            d.Replay();
            Assert.Equal(Filled(0), outD.ToArray<float>(stream));

            b.Replay();
            d.Replay();
            Assert.Equal(Filled(0), outB.ToArray<float>(stream));
            Assert.Equal(Filled(0), outD.ToArray<float>(stream));
            a.Replay();
            a.Replay();   // the second one skips the marking: the marks of the first stay
            Assert.Contains("overwritten", Assert.Throws<InvalidOperationException>(() => outB.ToArray<float>(stream)).Message);
            Assert.Contains("overwritten", Assert.Throws<InvalidOperationException>(() => outD.ToArray<float>(stream)).Message);
            Assert.Equal(Filled(12), yA.ToArray<float>(stream));
        }
        finally
        {
            outB?.Dispose();
            outD?.Dispose();
        }
    }

    [Fact]
    public void Dispose_of_a_graph_waits_for_an_update_open_on_another_thread()
    {
        using var stream = Device.CreateStream();
        using var updateStream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Filled(1));
        using var y = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);
        var budget = Device.StreamBudget;
        ulong models = NpuFixture.OnSimulator ? Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS) : 0;

        var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup("add"))
        {
            Ops.Add(stream, a, a, y);
            group = scope.Group;
        }
        graph.EndCapture();

        using var inside = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        int passes = 0;
        bool updateEnded = false, disposeEnded = false, endedInOrder = false;
        var updater = new Thread(() =>
        {
            graph.Update(updateStream, group, s =>
            {
                if (++passes == 2)
                {
                    // The real pass: between aclmdlRICaptureTaskUpdateBegin and End.
                    inside.Set();
                    release.Wait(TimeSpan.FromSeconds(30));
                }
                Ops.Add(s, a, a, y, alpha: 3);
            });
            Volatile.Write(ref updateEnded, true);
        });
        updater.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var disposer = new Thread(() =>
        {
            graph.Dispose();
            endedInOrder = Volatile.Read(ref updateEnded);
            Volatile.Write(ref disposeEnded, true);
        });
        disposer.Start();
        Thread.Sleep(300);
        Assert.False(Volatile.Read(ref disposeEnded), "Dispose returned while another thread's update was open");
        release.Set();
        Assert.True(updater.Join(TimeSpan.FromSeconds(30)));
        Assert.True(disposer.Join(TimeSpan.FromSeconds(30)));
        Assert.True(endedInOrder, "Dispose finished before the update it waited for");

        // A later update is refused; the model and its stream are released.
        Assert.Throws<ObjectDisposedException>(() => graph.Update(updateStream, group, s => Ops.Add(s, a, a, y)));
        stream.Synchronize();
        updateStream.Synchronize();
        Assert.Equal(budget.Graphs, Device.StreamBudget.Graphs);
        if (NpuFixture.OnSimulator)
        {
            Assert.Equal(models, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));
            Assert.Equal(budget.InUse, Device.StreamBudget.InUse);
        }
    }

    [Fact]
    public void A_graph_cannot_be_disposed_from_inside_its_own_update()
    {
        using var stream = Device.CreateStream();
        using var updateStream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Filled(1));
        using var y = NpuTensor.Empty(stream, new TensorShape(N), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        NpuTaskGroup group;
        using (var scope = graph.BeginTaskGroup("add"))
        {
            Ops.Add(stream, a, a, y);
            group = scope.Group;
        }
        graph.EndCapture();
        int refused = 0;
        graph.Update(updateStream, group, s =>
        {
            var error = Assert.Throws<InvalidOperationException>(() => graph.Dispose());
            Assert.Contains("from inside an Update of the same graph", error.Message);
            refused++;
            Ops.Add(s, a, a, y, alpha: 2);
        });
        Assert.Equal(2, refused);   // the dry pass and the real one
        graph.Replay();
        stream.Synchronize();
        Assert.Equal(Filled(3), y.ToArray<float>(stream));
    }
}
