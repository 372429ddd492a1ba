using Ascend.Interop.Handles;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// The per-call borrow of native handles (<see cref="HandleLease"/> over <see cref="ThreadBorrows"/>):
/// no reference counting per call, yet a concurrent Dispose never frees a handle under a call in
/// flight. The simulator's live counts show when the native object is really destroyed, and a use
/// of a destroyed handle would come back as an AclException (the simulator validates handles).
/// </summary>
[Collection("Npu")]
[Trait("Category", "SimulatorOnly")]
public sealed class HandleBorrowTests
{
    private readonly NpuFixture _fixture;

    public HandleBorrowTests(NpuFixture fixture)
    {
        _fixture = fixture;
        Assert.True(NpuFixture.OnSimulator, "the borrow tests read the simulator's live counts");
    }

    private NpuDevice Device => _fixture.Device;

    private static ulong LiveStreams => Sim.Counter(aclsimCounter.ACLSIM_LIVE_STREAMS);

    private static unsafe int RawQuery(NpuStream stream, in HandleLease lease)
    {
        aclrtStreamStatus status;
        return Acl.aclrtStreamQuery(stream.Native(lease), &status);
    }

    [Fact]
    public void A_Synchronize_in_flight_keeps_the_stream_alive_through_a_concurrent_Dispose()
    {
        var baseline = NativeBaseline.Take(Device);
        ulong before = LiveStreams;
        using var gate = new ManualResetEventSlim();
        using var gateStream = Device.CreateStream();
        using var opened = Device.CreateEvent(timing: false);
        gateStream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(30)));
        opened.Record(gateStream);
        var stream = Device.CreateStream();
        stream.Wait(opened);                                     // stream's work waits for the gate
        using var started = new ManualResetEventSlim();
        Exception? outcome = null;
        var worker = new Thread(() =>
        {
            started.Set();
            try { stream.Synchronize(); }                        // blocks in the runtime until the gate opens
            catch (Exception e) { outcome = e; }
        }) { IsBackground = true };
        worker.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Thread.Sleep(200);                                       // the worker is inside aclrtSynchronizeStream by now
        stream.Dispose();                                        // does not wait for the gate
        ulong liveAfterDispose = LiveStreams;
        gate.Set();
        Assert.True(worker.Join(TimeSpan.FromSeconds(30)), "Synchronize hung");
        if (outcome is null)
        {
            // The call was in flight: the stream outlived Dispose until it returned.
            Assert.Equal(before + 2, liveAfterDispose);
        }
        else
        {
            // The worker came late (a very loaded machine): refused, never a runtime error.
            Assert.IsType<ObjectDisposedException>(outcome);
        }
        gateStream.Synchronize();
        Assert.Equal(before + 1, LiveStreams);                   // only the gate stream is left
        gateStream.Dispose();
        opened.Dispose();
        baseline.AssertUnchanged();
    }

    [Fact]
    public void Dispose_racing_a_borrow_defers_the_destroy_to_the_borrower()
    {
        ulong before = LiveStreams;
        var stream = Device.CreateStream();
        using var borrowed = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        ulong liveDuringCall = 0;
        int codeDuringCall = -1;
        var worker = new Thread(() =>
        {
            using var lease = stream.Enter();
            borrowed.Set();
            disposed.Wait(TimeSpan.FromSeconds(30));
            liveDuringCall = LiveStreams;
            codeDuringCall = RawQuery(stream, lease);
        }) { IsBackground = true };
        worker.Start();
        Assert.True(borrowed.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        stream.Dispose();                                        // returns at once: the release is deferred
        Assert.True(stream.IsDisposed);
        Assert.Equal(before + 1, LiveStreams);                   // not destroyed while the worker's call is in flight
        Assert.Throws<ObjectDisposedException>(() => stream.Query());
        disposed.Set();
        Assert.True(worker.Join(TimeSpan.FromSeconds(30)), "the borrowing thread hung");
        Assert.Equal(before + 1, liveDuringCall);
        Assert.Equal(0, codeDuringCall);
        Assert.Equal(before, LiveStreams);                       // the borrower released it on return
    }

    [Fact]
    public void Dispose_inside_the_same_threads_borrow_releases_when_the_borrow_ends()
    {
        ulong before = LiveStreams;
        var stream = Device.CreateStream();
        using (var lease = stream.Enter())
        {
            stream.Dispose();
            Assert.Equal(before + 1, LiveStreams);
            Assert.Equal(0, RawQuery(stream, lease));
        }
        Assert.Equal(before, LiveStreams);
        Assert.Equal(0, ThreadBorrows.HeldByCurrentThread);
    }

    [Fact]
    public void Borrows_nested_beyond_the_slots_fall_back_to_reference_counting_and_still_defer_the_destroy()
    {
        ulong before = LiveStreams;
        var stream = Device.CreateStream();
        Nest(stream, ThreadBorrows.Capacity + 3, before);
        Assert.Equal(before, LiveStreams);
        Assert.Equal(0, ThreadBorrows.HeldByCurrentThread);

        static void Nest(NpuStream stream, int depth, ulong before)
        {
            using var lease = stream.Enter();
            if (depth > 1)
            {
                Nest(stream, depth - 1, before);
                Assert.Equal(before + 1, LiveStreams);           // an outer borrow still holds it
                return;
            }
            // Innermost: beyond the slots, a reference-counted lease.
            Assert.Equal(ThreadBorrows.Capacity, ThreadBorrows.HeldByCurrentThread);
            stream.Dispose();
            Assert.Equal(before + 1, LiveStreams);
            Assert.Equal(0, RawQuery(stream, lease));
        }
    }

    [Fact]
    public void A_refused_or_failing_call_leaves_no_borrow_behind()
    {
        var stream = Device.CreateStream();
        stream.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.Query());
        Assert.Equal(0, ThreadBorrows.HeldByCurrentThread);

        using var other = Device.CreateStream();
        using var graph = other.BeginCapture();
        Assert.ThrowsAny<Exception>(() => other.Query());        // refused while capturing, inside the borrow
        Assert.Equal(0, ThreadBorrows.HeldByCurrentThread);
        graph.EndCapture();
    }

    [Fact]
    public void Threads_calling_while_another_disposes_never_use_a_destroyed_stream()
    {
        var baseline = NativeBaseline.Take(Device);
        ulong liveBefore = LiveStreams;
        const int Rounds = 40, Callers = 3;
        long completed = 0, refused = 0;
        var unexpected = new List<Exception>();
        for (int round = 0; round < Rounds; round++)
        {
            var stream = Device.CreateStream();
            using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 });
            using var y = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
            stream.Synchronize();
            using var start = new Barrier(Callers + 1);
            var threads = new Thread[Callers];
            for (int t = 0; t < Callers; t++)
            {
                int kind = t;
                threads[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    for (int i = 0; i < 2_000; i++)
                    {
                        try
                        {
                            switch (kind)
                            {
                                case 0: stream.Query(); break;
                                case 1: Ops.Relu(stream, x, y); break;
                                default: stream.Synchronize(); break;
                            }
                            Interlocked.Increment(ref completed);
                        }
                        catch (ObjectDisposedException)
                        {
                            Interlocked.Increment(ref refused);
                            return;
                        }
                        catch (Exception e)
                        {
                            lock (unexpected) unexpected.Add(e);
                            return;
                        }
                    }
                }) { IsBackground = true };
                threads[t].Start();
            }
            long completedBefore = Interlocked.Read(ref completed);
            start.SignalAndWait(TestContext.Current.CancellationToken);
            // Dispose while the callers are busy: after they made some calls, at a varying moment.
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref completed) >= completedBefore + 20, TimeSpan.FromSeconds(30)));
            Thread.SpinWait(500 * (round % 8));
            stream.Dispose();
            foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a calling thread hung");
            // Every borrow ended, so the stream is gone (a failed destroy or a leak would show here).
            Assert.Equal(liveBefore, LiveStreams);
        }
        Assert.Empty(unexpected);                                // an AclException here = a call on a destroyed handle
        Assert.True(completed > 0);
        Assert.True(refused > 0, "no call ever met a disposed stream: the race was not exercised");
        baseline.AssertUnchanged();
    }

    [Fact]
    public void Replays_racing_a_graph_dispose_either_run_completely_or_are_refused()
    {
        var baseline = NativeBaseline.Take(Device);
        ulong modelsBefore = Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS);
        const int Rounds = 20, Replayers = 2;
        long replayed = 0, refused = 0;
        var unexpected = new List<Exception>();
        for (int round = 0; round < Rounds; round++)
        {
            using var capture = Device.CreateStream();
            using var x = NpuTensor.FromArray(capture, new float[] { -1, 2, -3, 4 });
            using var y = NpuTensor.Empty(capture, new TensorShape(4), NpuDataType.Float32);
            var graph = capture.BeginCapture();
            Ops.Relu(capture, x, y);
            graph.EndCapture();
            graph.ReplayAndWait();                               // y is written at least once, whoever wins the race
            ulong executionsBefore = Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS);
            long replayedBefore = Interlocked.Read(ref replayed);
            using var start = new Barrier(Replayers + 1);
            var streams = new NpuStream[Replayers];
            var threads = new Thread[Replayers];
            for (int t = 0; t < Replayers; t++)
            {
                var stream = streams[t] = Device.CreateStream();
                threads[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    for (int i = 0; i < 500; i++)
                    {
                        try
                        {
                            graph.Replay(stream);
                            Interlocked.Increment(ref replayed);
                        }
                        catch (ObjectDisposedException)
                        {
                            Interlocked.Increment(ref refused);
                            return;
                        }
                        catch (Exception e)
                        {
                            lock (unexpected) unexpected.Add(e);
                            return;
                        }
                    }
                }) { IsBackground = true };
                threads[t].Start();
            }
            start.SignalAndWait(TestContext.Current.CancellationToken);
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref replayed) >= replayedBefore + 10, TimeSpan.FromSeconds(30)));
            Thread.SpinWait(2_000 * (round % 5));
            graph.Dispose();                                     // waits for replays in flight, then for their work
            foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a replaying thread hung");
            foreach (var stream in streams)
            {
                stream.Synchronize();                            // no replay failed on the device side
                stream.Dispose();
            }
            // Every replay the SDK accepted was executed by the runtime, on a live model.
            Assert.Equal((ulong)(Interlocked.Read(ref replayed) - replayedBefore),
                Sim.Counter(aclsimCounter.ACLSIM_COUNT_MODEL_EXECUTIONS) - executionsBefore);
            Assert.Equal(modelsBefore, Sim.Counter(aclsimCounter.ACLSIM_LIVE_MODELS));
            Assert.Equal(new float[] { 0, 2, 0, 4 }, y.ToArray<float>(capture));
        }
        Assert.Empty(unexpected);
        Assert.True(replayed > 0);
        baseline.AssertUnchanged();
    }
}
