namespace Ascend.Interop.Tests;

/// <summary>NpuStream.SynchronizeAsync and NpuGraph.ReplayAsync: ordering, cancellation, disposal, capture rules.</summary>
[Collection("Npu")]
public sealed class AsyncCompletionTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);   // a hang fails the test instead of the run

    /// <summary>The call itself throws (before any task exists), as the blocking counterpart does.</summary>
    private static T ThrowsAtCall<T>(Func<Task> call) where T : Exception
    {
        try
        {
            call();
        }
        catch (T e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name} from the call itself.");
    }

    [Fact]
    public async Task SynchronizeAsync_completes_after_the_work_queued_before_it()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, [1f, -2, 3, -4], [4]);
        using var b = NpuTensor.FromArray(stream, [10f, 20, 30, 40], [4]);
        using var y = NpuTensor.Empty(stream, [4], NpuDataType.Float32);
        using var pinned = PinnedBuffer<float>.Allocate(Device, 4);
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(20_000);      // 20 ms per task: the work is still queued below
        using (var sum = Ops.Add(stream, a, b)) Ops.Relu(stream, sum, y);
        y.EnqueueCopyTo(stream, pinned);
        var wait = stream.SynchronizeAsync(TestContext.Current.CancellationToken);
        if (NpuFixture.OnSimulator) Assert.False(wait.IsCompleted);
        await wait.WaitAsync(Bound, TestContext.Current.CancellationToken);
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(0);
        Assert.Equal([11f, 18, 33, 36], pinned.Span.ToArray());          // read without another synchronize
        Assert.Equal(0, stream.PendingWaitCount);
    }

    [Fact]
    public async Task Waits_complete_in_stream_order_and_many_can_be_pending()
    {
        using var stream = Device.CreateStream();
        int reached = 0;
        const int count = 200;
        var waits = new Task<int>[count];
        for (int i = 0; i < count; i++)
        {
            stream.LaunchHostCallback(() => Interlocked.Increment(ref reached), blocking: false);
            waits[i] = stream.SynchronizeAsync(TestContext.Current.CancellationToken).ContinueWith(
                _ => Volatile.Read(ref reached), TestContext.Current.CancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        var seen = await Task.WhenAll(waits).WaitAsync(Bound, TestContext.Current.CancellationToken);
        for (int i = 0; i < count; i++) Assert.True(seen[i] >= i + 1, $"wait {i} completed when only {seen[i]} callbacks before it had run");
        Assert.All(waits, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(0, stream.PendingWaitCount);

        // Concurrent waiters on several streams from several threads.
        var streams = Enumerable.Range(0, 4).Select(_ => Device.CreateStream()).ToArray();
        try
        {
            var all = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                var s = streams[t % streams.Length];
                using var x = NpuTensor.FromArray(s, [t, 1f], [2]);
                for (int i = 0; i < 25; i++)
                {
                    using var r = Ops.Add(s, x, x);
                    await s.SynchronizeAsync();
                    Assert.Equal([2f * t, 2], r.ToArray<float>(s));
                }
            })).ToArray();
            await Task.WhenAll(all).WaitAsync(Bound, TestContext.Current.CancellationToken);
        }
        finally
        {
            foreach (var s in streams) s.Dispose();
        }
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]   // the task delay keeps the work queued while the test acts
    public async Task Cancellation_abandons_the_wait_but_not_the_work()
    {
        Assert.True(NpuFixture.OnSimulator, "needs the simulator's task delay");
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, [1f, 2, 3], [3]);
        using var pinned = PinnedBuffer<float>.Allocate(Device, 3);
        using var cts = new CancellationTokenSource();
        SimControl.SetTaskDelay(50_000);
        using (var doubled = Ops.Add(stream, x, x)) doubled.EnqueueCopyTo(stream, pinned);
        bool afterRan = false;
        var wait = stream.SynchronizeAsync(cts.Token);
        stream.LaunchHostCallback(() => afterRan = true);
        cts.Cancel();
        var canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal(cts.Token, canceled.CancellationToken);
        Assert.True(wait.IsCanceled);
        stream.Synchronize();                                              // the device work still ran, in order
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(0);
        Assert.True(afterRan);
        Assert.Equal([2f, 4, 6], pinned.Span.ToArray());
        Assert.Equal(0, stream.PendingWaitCount);

        // An already cancelled token queues nothing.
        var early = stream.SynchronizeAsync(cts.Token);
        Assert.True(early.IsCanceled);
        Assert.Equal(0, stream.PendingWaitCount);
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]   // the task delay keeps the work queued while the test acts
    public async Task Disposing_the_stream_while_waiting_fails_the_wait_without_hanging()
    {
        Assert.True(NpuFixture.OnSimulator, "needs the simulator's task delay");
        var stream = Device.CreateStream();
        var x = NpuTensor.FromArray(stream, [1f, 2], [2]);
        SimControl.SetTaskDelay(30_000);
        var r = Ops.Add(stream, x, x);
        var waits = Enumerable.Range(0, 5).Select(_ => stream.SynchronizeAsync(TestContext.Current.CancellationToken)).ToArray();
        r.Dispose();
        x.Dispose();
        stream.Dispose();                                                  // waits for the queued work, then fails the waits
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(0);
        foreach (var wait in waits)
        {
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(Bound, TestContext.Current.CancellationToken));
            Assert.Contains("disposed while SynchronizeAsync was waiting", error.Message);
        }
        ThrowsAtCall<ObjectDisposedException>(() => stream.SynchronizeAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReplayAsync_replays_and_disposing_the_graph_while_waiting_completes_the_wait()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, [1f, -2, 3], [3]);
        using var y = NpuTensor.Empty(stream, [3], NpuDataType.Float32);
        using var pinned = PinnedBuffer<float>.Allocate(Device, 3);
        var graph = stream.BeginCapture();
        using (var doubled = Ops.Add(stream, x, x)) Ops.Relu(stream, doubled, y);
        y.EnqueueCopyTo(stream, pinned);
        graph.EndCapture();

        await graph.ReplayAsync(cancellationToken: TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal([2f, 0, 6], pinned.Span.ToArray());
        x.CopyFrom<float>(stream, [5f, 6, -7]);
        using var other = Device.CreateStream();
        await graph.ReplayAsync(other, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal([10f, 12, 0], pinned.Span.ToArray());
        Assert.Equal(2, graph.ReplayCount);

        x.CopyFrom<float>(stream, [1f, 1, 1]);
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(30_000);
        var pending = graph.ReplayAsync(TestContext.Current.CancellationToken);
        graph.Dispose();                                                  // waits for the queued replay
        if (NpuFixture.OnSimulator) SimControl.SetTaskDelay(0);
        await pending.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal([2f, 2, 2], pinned.Span.ToArray());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => graph.ReplayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SynchronizeAsync_and_ReplayAsync_follow_the_capture_rules()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, [1f, 2], [2]);
        using var y = NpuTensor.Empty(stream, [2], NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Add(stream, x, x, y);
        var sync = Assert.Throws<NpuCaptureException>(() => stream.Synchronize());
        var async = ThrowsAtCall<NpuCaptureException>(() => stream.SynchronizeAsync(TestContext.Current.CancellationToken));
        Assert.Equal(sync.Code, async.Code);
        Assert.Equal(107027, async.Code);
        Assert.Contains("SynchronizeAsync", async.Message);
        ThrowsAtCall<InvalidOperationException>(() => graph.ReplayAsync(TestContext.Current.CancellationToken));   // still capturing
        Assert.Equal(0, stream.PendingWaitCount);
        graph.EndCapture();

        // Replaying onto a stream that is capturing another graph is refused as Replay is.
        using var other = Device.CreateStream();
        using (var second = other.BeginCapture())
        {
            var refused = ThrowsAtCall<NpuCaptureException>(() => graph.ReplayAsync(other, TestContext.Current.CancellationToken));
            Assert.Equal(107027, refused.Code);
            second.EndCapture();
        }
        Assert.Equal(0, graph.ReplayCount);
        await graph.ReplayAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal([2f, 4], y.ToArray<float>(stream));
    }

    [Fact]
    public async Task Host_callback_failures_surface_from_the_wait()
    {
        using var stream = Device.CreateStream();
        stream.LaunchHostCallback(() => throw new InvalidOperationException("callback boom"));
        var error = await Assert.ThrowsAsync<AggregateException>(() => stream.SynchronizeAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal("callback boom", Assert.Single(error.InnerExceptions).Message);
        await stream.SynchronizeAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);   // reported once
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public async Task Stream_errors_surface_as_AclException()
    {
        Assert.True(NpuFixture.OnSimulator, "fault injection needs the simulator");
        using var stream = Device.CreateStream();
        SimControl.InjectFault("aclrtSynchronizeStreamWithTimeout", 1, 507011);
        var error = await Assert.ThrowsAsync<AclException>(() => stream.SynchronizeAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal(507011, error.Code);
        Assert.Equal("aclrtSynchronizeStreamWithTimeout", error.Function);
        Assert.Contains("SynchronizeAsync", error.Message);
        SimControl.InjectFault("aclrtStreamQuery", 1, 107000);
        var query = await Assert.ThrowsAsync<AclException>(() => stream.SynchronizeAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal(107000, query.Code);
        await stream.SynchronizeAsync(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
    }
}
