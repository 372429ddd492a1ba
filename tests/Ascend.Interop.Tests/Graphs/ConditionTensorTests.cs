namespace Ascend.Interop.Tests.Graphs;

/// <summary>
/// Issue 26: a condition's word as an int64 tensor view (<see cref="NpuGraphCondition.AsTensor"/>), written by
/// operators inside the graph so the device decides IF branches and WHILE iterations at replay time; its misuse.
/// </summary>
[Collection("Npu")]
public sealed class ConditionTensorTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    private void RequireConditionalNodes() =>
        Assert.SkipUnless(Fixture.Runtime.Features.ConditionalNodes,
            "conditional nodes need CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);

    [Fact]
    public void The_view_is_one_int64_element_over_the_word_and_reads_the_launch_default()
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(defaultValue: 7);
        using var word = condition.AsTensor();
        Assert.Equal(NpuDataType.Int64, word.DataType);
        Assert.Equal(new TensorShape(1L), word.Shape);
        Assert.Equal(8, word.ByteLength);
        Assert.Equal(condition.DevicePointer, word.DataPointer);
        Assert.False(word.IsPooled);
        using (graph.BeginIf(condition)) { }
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([7L], word.ToArray<long>(stream));   // the runtime's launch-time write, read through the view
    }

    [Theory]
    [InlineData(5f, new float[] { 15, 25 })]
    [InlineData(1f, new float[] { 1, 2 })]
    public void A_comparison_written_into_the_view_decides_the_if_branch_at_each_replay(float gate, float[] expected)
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var g = NpuTensor.FromArray(stream, new float[] { 0 });
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 14, 23 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(defaultValue: 0);
        using (var word = condition.AsTensor()) Ops.Gt(stream, g, 2.0, word);   // in the graph: read at replay
        using (var then = graph.BeginIf(condition)) Ops.Add(then.Stream, x, y, x);
        graph.EndCapture();

        g.CopyFrom<float>(stream, [gate]);
        graph.ReplayAndWait();
        Assert.Equal(expected, x.ToArray<float>(stream));
    }

    [Fact]
    public void A_while_loop_runs_until_a_comparison_in_its_body_writes_zero_into_the_view()
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0.5f, 0.25f });
        using var counter = NpuTensor.Zeros(stream, [1], NpuDataType.Int64);
        using var one = NpuTensor.FromArray(stream, new long[] { 1 });
        using var limit = NpuTensor.FromArray(stream, new long[] { 5 });
        using var graph = stream.BeginCapture();
        Ops.Sub(stream, counter, counter, counter);       // every launch starts at 0
        var condition = graph.CreateCondition(defaultValue: 1);
        using (var body = graph.BeginWhile(condition))
        {
            Ops.Add(body.Stream, x, y, x);
            Ops.Add(body.Stream, counter, one, counter);
            using var word = condition.AsTensor();
            Ops.Lt(body.Stream, counter, limit, word);     // the device decides the next iteration
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([3.5f, 3.25f], x.ToArray<float>(stream));
        Assert.Equal([5L], counter.ToArray<long>(stream));
        limit.CopyFrom<long>(stream, [3]);                 // a device value: the next launch loops 3 times
        graph.ReplayAndWait();
        Assert.Equal([5f, 4f], x.ToArray<float>(stream));
        using var read = condition.AsTensor();
        Assert.Equal([0L], read.ToArray<long>(stream));
    }

    [Fact]
    public void Logical_operators_combine_device_flags_into_the_word()
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var flags = NpuTensor.FromArray(stream, new long[] { 0, 0, 1 });
        using var any = NpuTensor.Zeros(stream, [1], NpuDataType.Int64);
        using var budget = NpuTensor.FromArray(stream, new long[] { 1 });
        using var hits = NpuTensor.FromArray(stream, new float[] { 0 });
        using var one = NpuTensor.FromArray(stream, new float[] { 1 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(defaultValue: 0);
        Ops.Amax(stream, flags, [0], true, any);
        using (var word = condition.AsTensor()) Ops.LogicalAnd(stream, any, budget, word);
        using (var then = graph.BeginIf(condition)) Ops.Add(then.Stream, hits, one, hits);
        graph.EndCapture();
        graph.ReplayAndWait();                              // some flag set and budget left: runs
        budget.CopyFrom<long>(stream, [0]);
        graph.ReplayAndWait();                              // no budget: skipped
        budget.CopyFrom<long>(stream, [1]);
        flags.CopyFrom<long>(stream, [0, 0, 0]);
        graph.ReplayAndWait();                              // no flag: skipped
        Assert.Equal([1f], hits.ToArray<float>(stream));
    }

    [Fact]
    public void Written_eagerly_between_launches_the_view_chooses_the_next_launch_when_the_word_does_not_reset()
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var choice = NpuTensor.FromArray(stream, new float[] { 0 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(resetAtLaunch: false);
        using (var then = graph.BeginIf(condition)) Ops.Add(then.Stream, x, x, x);
        graph.EndCapture();
        using var word = condition.AsTensor();
        graph.ReplayAndWait();                              // the word starts at 0
        Ops.Ne(stream, choice, 1.0, word);                  // eager: 0 != 1, so the word is 1
        graph.ReplayAndWait();
        graph.ReplayAndWait();
        Assert.Equal([4f], x.ToArray<float>(stream));
    }

    [Fact]
    public void Misuse_of_the_view_is_refused_with_clear_exceptions()
    {
        RequireConditionalNodes();
        using var stream = Device.CreateStream();
        using var floats = NpuTensor.FromArray(stream, new float[] { 1 });
        using var pair = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition();
        var word = condition.AsTensor();

        // The word is 64 bits: one int64, no other shape or type.
        Assert.Throws<ArgumentException>(() => word.Reshape(2));
        var wrongType = Assert.ThrowsAny<ArgumentException>(() => Ops.Add(stream, floats, floats, word));
        Assert.Contains("Ops.Add", wrongType.Message);
        Assert.ThrowsAny<ArgumentException>(() => Ops.Lt(stream, pair, 1.5, word));   // a [2] result does not fit
        Assert.Throws<ArgumentOutOfRangeException>(() => word.Slice(0, 1, 1));
        using (graph.BeginIf(condition)) { }
        graph.EndCapture();

        // Another graph's capture may not use the word: it is freed with its own graph.
        using var other = stream.BeginCapture();
        var foreign = Assert.Throws<InvalidOperationException>(() => Ops.Gt(stream, floats, 0.0, word));
        Assert.Contains("condition word", foreign.Message);
        Assert.Throws<NpuCaptureException>(() => other.EndCapture());

        graph.Dispose();
        var gone = Assert.Throws<ObjectDisposedException>(() => word.DataPointer);
        Assert.Contains("condition word", gone.Message);
        Assert.Throws<ObjectDisposedException>(() => Ops.Gt(stream, floats, 0.0, word));
        Assert.Throws<ObjectDisposedException>(() => condition.AsTensor());
        Assert.Throws<ObjectDisposedException>(() => word.ToArray<long>(stream));
        word.Dispose();
        word.Dispose();
    }
}
