using System.Diagnostics.Metrics;
using Ascend.Interop.Tests.Reliability;

namespace Ascend.Interop.Tests;

/// <summary>
/// Issue 27 item 2: cheaper task-group updates. An update that re-issues the host arguments the group already holds
/// makes no runtime call; the groups updated for one step share one ordering event each way; the validating dry
/// pass skips the runtime's phase 1 for arguments the group has seen validated. Runtime calls are counted by arming
/// simulator faults on the calls an update would make (a fault that is still armed afterwards was never called),
/// and by the SDK's counters and metrics. Results are checked to be unchanged.
/// </summary>
[Collection("Npu")]
[Trait("Category", "SimulatorOnly")]
public sealed class TaskGroupUpdateCostTests(NpuFixture fixture) : IDisposable
{
    private NpuDevice Device => fixture.Device;

    public void Dispose() => Sim.Clear();

    /// <summary>Every runtime call an applied update of an Add group makes (dry pass, ordering, real pass).</summary>
    private static readonly string[] UpdateCalls =
    [
        "aclCreateScalar", "aclnnAddGetWorkspaceSize", "aclnnAdd", "aclrtRecordEvent", "aclrtStreamWaitEvent",
        "aclmdlRICaptureTaskUpdateBegin", "aclmdlRICaptureTaskUpdateEnd",
    ];

    [Fact]
    public void An_update_with_the_arguments_the_group_holds_makes_no_runtime_call()
    {
        Assert.True(NpuFixture.OnSimulator, "counts runtime calls with simulator faults");
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        using var y = NpuTensor.FromArray(stream, new float[] { 10, 20, 30 });
        using var output = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup("bias"))
        {
            Ops.Add(stream, x, y, output, alpha: 1);      // x + y
            group = scope.Group;
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([11f, 22, 33], output.ToArray<float>(stream));

        // The capture's own arguments: nothing reaches the runtime (every call an update makes would fail).
        foreach (string call in UpdateCalls) Sim.Inject(call, 107000);
        graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 1));
        Assert.Equal((uint)UpdateCalls.Length, Sim.Clear());             // not one of them was called
        Assert.Equal((0, 1), (group.UpdateCount, group.SkippedUpdateCount));
        Assert.Equal(0, graph.UpdateOrderingEventCount);

        // New arguments are applied; the same ones again are skipped; the earlier ones are applied again.
        graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 2));
        graph.ReplayAndWait();
        Assert.Equal([21f, 42, 63], output.ToArray<float>(stream));
        foreach (string call in UpdateCalls) Sim.Inject(call, 107000);
        graph.Update(updater, group, s => Ops.Add(s, x, y, output, alpha: 2));
        Assert.Equal((uint)UpdateCalls.Length, Sim.Clear());
        Assert.Equal((1, 2), (group.UpdateCount, group.SkippedUpdateCount));
        graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 2));  // another tensor: applied
        graph.ReplayAndWait();
        Assert.Equal([3f, 6, 9], output.ToArray<float>(stream));
        Assert.Equal((2, 2), (group.UpdateCount, group.SkippedUpdateCount));

        // A mismatched re-issue is still refused (the comparison never hides a wrong update) and changes nothing.
        var wrong = Assert.Throws<NpuCaptureException>(() => graph.Update(updater, group, s => Ops.Mul(s, x, y, output)));
        Assert.Equal(107033, wrong.Code);
        graph.ReplayAndWait();
        Assert.Equal([3f, 6, 9], output.ToArray<float>(stream));
        updater.Synchronize();
    }

    [Fact]
    public void The_groups_updated_for_one_step_share_one_ordering_event_each_way_and_keep_order()
    {
        const int groups = 4;
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2, 3 });
        var outputs = new NpuTensor[groups];
        for (int g = 0; g < groups; g++) outputs[g] = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        using var log = PinnedBuffer<float>.Allocate(Device, 3 * groups);
        var taskGroups = new NpuTaskGroup[groups];
        using var graph = stream.BeginCapture();
        for (int g = 0; g < groups; g++)
        {
            using var scope = graph.BeginTaskGroup($"layer{g}");
            Ops.Add(stream, x, x, outputs[g], alpha: 1);      // 2x
            taskGroups[g] = scope.Group;
        }
        using var all = NpuTensor.Empty(stream, new TensorShape(groups, 3), NpuDataType.Float32);
        for (int g = 0; g < groups; g++)
        {
            using var row = all.Slice(0, g, 1);
            using var flat = row.Reshape(3);
            Ops.Copy(stream, outputs[g], flat);
        }
        all.EnqueueCopyTo(stream, log);
        graph.EndCapture();
        graph.ReplayAndWait();

        long before = graph.UpdateOrderingEventCount;
        using var gate = new ManualResetEventSlim(false);
        for (int step = 1; step <= 3; step++)
        {
            // The replay stream is held back, so an update or replay out of order would show in the log.
            stream.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(10)));
            for (int g = 0; g < groups; g++)
            {
                double alpha = step + g + 1;     // never the capture's 1: every update applies
                graph.Update(updater, taskGroups[g], (x, outputs[g], alpha), static (s, st) => Ops.Add(s, st.x, st.x, st.Item2, alpha: st.alpha));
            }
            graph.Replay();
            gate.Set();
            stream.Synchronize();
            gate.Reset();
            for (int g = 0; g < groups; g++)
            {
                float a = step + g + 1;
                Assert.Equal([1 + a, 2 * (1 + a), 3 * (1 + a)], log.Span.Slice(3 * g, 3).ToArray());
            }
        }
        // Per step: one marker after the earlier replay, one "update done" before the next: 2 events, not 1 + 4.
        Assert.Equal(3 * 2, graph.UpdateOrderingEventCount - before);
        Assert.All(taskGroups, g => Assert.Equal(3, g.UpdateCount));
        updater.Synchronize();
        foreach (var t in outputs) t.Dispose();
    }

    [Fact]
    public void A_replay_on_the_update_stream_itself_records_no_update_event()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup())
        {
            Ops.Add(stream, x, x, output);
            group = scope.Group;
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        long before = graph.UpdateOrderingEventCount;
        graph.Update(stream, group, s => Ops.Add(s, x, x, output, alpha: 3));   // updated on the replay stream: stream order suffices
        graph.ReplayAndWait();
        Assert.Equal([4f, 8], output.ToArray<float>(stream));
        Assert.Equal(before, graph.UpdateOrderingEventCount);
        graph.ReplayAndWait();                                   // again on the update stream: still nothing to record
        Assert.Equal(before, graph.UpdateOrderingEventCount);
        // The update stays pending for the other streams: the first replay on one records the event it waits on, once.
        using var other = Device.CreateStream();
        graph.ReplayAndWait(other);
        graph.ReplayAndWait(other);
        Assert.Equal(before + 1, graph.UpdateOrderingEventCount);
        Assert.Equal([4f, 8], output.ToArray<float>(stream));
    }

    [Fact]
    public void A_replay_after_the_update_stream_was_disposed_runs_with_the_update()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup())
        {
            Ops.Add(stream, x, x, output);
            group = scope.Group;
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        using (var updater = Device.CreateStream())
            graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 4));   // its "update done" event is not recorded yet
        graph.ReplayAndWait();                                                     // the stream is gone: its work is done
        Assert.Equal([5f, 10], output.ToArray<float>(stream));
        using (var second = Device.CreateStream())
        {
            graph.Update(second, group, s => Ops.Add(s, x, x, output, alpha: 2));
            graph.ReplayAndWait();
        }
        Assert.Equal([3f, 6], output.ToArray<float>(stream));
    }

    [Fact]
    public void The_dry_pass_skips_phase_1_for_attention_lengths_its_rules_check_and_still_refuses_bad_ones()
    {
        Assert.True(NpuFixture.OnSimulator, "counts runtime calls with simulator faults");
        const int batch = 2, seq = 8, hidden = 16;
        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        var random = new Random(3);
        Half[] Values(int n) => Enumerable.Range(0, n).Select(_ => (Half)(random.NextDouble() * 2 - 1)).ToArray();
        using var query = NpuTensor.FromArray(stream, Values(batch * hidden), new TensorShape(batch, 1, hidden));
        using var keys = NpuTensor.FromArray(stream, Values(batch * seq * hidden), new TensorShape(batch, seq, hidden));
        using var values = NpuTensor.FromArray(stream, Values(batch * seq * hidden), new TensorShape(batch, seq, hidden));
        using var output = NpuTensor.Empty(stream, new TensorShape(batch, 1, hidden), NpuDataType.Float16);
        var options = new IncreFlashAttentionOptions { NumHeads = 2, ScaleValue = 0.25, Layout = AttentionLayout.Bsh };
        Half[] Eager(long[] lengths)
        {
            using var eager = Ops.IncreFlashAttention(stream, query, [keys], [values], null, lengths, options);
            return eager.ToArray<Half>(stream);
        }

        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup("attention"))
        {
            Ops.IncreFlashAttention(stream, query, [keys], [values], null, [1, 1], options, output);
            group = scope.Group;
        }
        graph.EndCapture();

        // New lengths: the dry pass answers from the signature validated at capture (only the lengths differ and the
        // operator's rules check them), so the real pass's phase 1 is the first call: a fault armed for the second
        // call stays armed.
        Sim.Inject("aclnnIncreFlashAttentionV4GetWorkspaceSize", 107000, nth: 2);
        var replayed = new List<Half[]>();
        for (int step = 0; step < 3; step++)
        {
            long[] lengths = [3 + step, 5 + step];
            graph.Update(updater, group, lengths, (s, l) => Ops.IncreFlashAttention(s, query, [keys], [values], null, l, options, output));
            graph.ReplayAndWait();
            replayed.Add(output.ToArray<Half>(stream));
            if (step == 0) Assert.Equal(1u, Sim.Clear());    // armed for the second call: the dry pass made none
        }
        for (int step = 0; step < 3; step++) Assert.Equal(Eager([3 + step, 5 + step]), replayed[step]);
        Assert.Equal(3, group.CachedValidationCount);
        Assert.Equal(3, group.UpdateCount);

        // A length past the cache is refused by the rules before anything reaches the runtime; the group is unchanged.
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() =>
            graph.Update(updater, group, s => Ops.IncreFlashAttention(s, query, [keys], [values], null, [seq + 1, 1], options, output)));
        Assert.Equal("actualSeqLengths", refused.ParamName);
        graph.ReplayAndWait();
        Assert.Equal(Eager([5, 7]), output.ToArray<Half>(stream));
        Assert.Equal(3, group.UpdateCount);

        // Another tensor is not answered from the cache: its phase 1 runs in the dry pass.
        using var otherOutput = NpuTensor.Empty(stream, new TensorShape(batch, 1, hidden), NpuDataType.Float16);
        Sim.Inject("aclnnIncreFlashAttentionV4GetWorkspaceSize", 107000, nth: 1);
        var failed = Assert.ThrowsAny<AclException>(() =>
            graph.Update(updater, group, s => Ops.IncreFlashAttention(s, query, [keys], [values], null, [2, 2], options, otherOutput)));
        Assert.Equal(107000, failed.Code);
        Assert.Equal(0u, Sim.Clear());
        Assert.Equal(3, group.UpdateCount);
        updater.Synchronize();
    }

    [Fact]
    public void Update_metrics_count_applied_and_skipped_updates_cached_validations_and_ordering_events()
    {
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NpuMetrics.MeterName && instrument.Name.StartsWith("ascend.graph.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (totals) totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();

        using var stream = Device.CreateStream();
        using var updater = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var output = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        NpuTaskGroup group;
        using var graph = stream.BeginCapture();
        using (var scope = graph.BeginTaskGroup())
        {
            Ops.Add(stream, x, x, output, alpha: 1);
            group = scope.Group;
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 1));   // skipped (its dry pass answered from the cache)
        graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 2));   // applied: marker + (at the replay) done
        graph.Update(updater, group, s => Ops.Add(s, x, x, output, alpha: 3));   // applied: no new marker (no replay since), done recorded once
        graph.ReplayAndWait();
        updater.Synchronize();
        Assert.Equal([4f, 8], output.ToArray<float>(stream));
        listener.Dispose();

        // Other tests may update graphs meanwhile: at least this test's counts.
        long Total(string name)
        {
            lock (totals) return totals.GetValueOrDefault(name);
        }
        Assert.True(Total("ascend.graph.task_updates") >= 2);
        Assert.True(Total("ascend.graph.task_updates_skipped") >= 1);
        Assert.True(Total("ascend.graph.update_validations_cached") >= 1);
        Assert.True(Total("ascend.graph.update_ordering_events") >= 2);
        // The skipped update's dry pass was answered from the signature validated at capture.
        Assert.Equal((2, 1, 1), (group.UpdateCount, group.SkippedUpdateCount, group.CachedValidationCount));
        Assert.Equal(2, graph.UpdateOrderingEventCount);
    }
}
