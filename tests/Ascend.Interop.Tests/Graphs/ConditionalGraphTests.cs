namespace Ascend.Interop.Tests.Graphs;

/// <summary>Conditional nodes of captured graphs (CANN 9.1+): IF, IF/ELSE, WHILE, SWITCH, nesting, misuse, version gate.</summary>
[Collection("Npu")]
public sealed class ConditionalGraphTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Theory]
    [InlineData(1u, new float[] { 11, 22 })]
    [InlineData(0u, new float[] { 1, 2 })]
    public void If_runs_its_branch_when_the_launch_default_is_non_zero(uint value, float[] expected)
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 10, 20 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(value);
        Assert.True(condition.ResetsAtLaunch);
        using (var then = graph.BeginIf(condition))
        {
            Assert.Equal(1, graph.OpenBranchCount);
            Ops.Add(then.Stream, x, y, x);
        }
        Assert.Equal(0, graph.OpenBranchCount);
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal(expected, x.ToArray<float>(stream));
    }

    [Fact]
    public void If_else_follows_a_value_written_earlier_in_the_same_replay()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 4 });
        using var thenOut = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        using var elseOut = NpuTensor.FromArray(stream, new float[] { 0, 0 });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(defaultValue: 1);
        condition.Write(stream, 0);  // in the graph, after the launch's reset to 1: the else branch runs
        var node = graph.AddIfElse(condition);
        Assert.Equal(2, node.BranchCount);
        using (var then = node.BeginBranch(0)) Ops.Relu(then.Stream, x, thenOut);
        using (var otherwise = node.BeginBranch(1)) Ops.Add(otherwise.Stream, x, x, elseOut);
        Assert.Throws<InvalidOperationException>(() => node.BeginBranch(1));
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([0f, 0], thenOut.ToArray<float>(stream));
        Assert.Equal([-2f, 8], elseOut.ToArray<float>(stream));
    }

    [Fact]
    public void While_runs_its_body_until_the_body_clears_the_condition_and_every_launch_rearms_it()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var y = NpuTensor.FromArray(stream, new float[] { 0.5f, 0.25f });
        using var graph = stream.BeginCapture();
        var condition = graph.CreateCondition(defaultValue: 1);
        using (var body = graph.BeginWhile(condition))
        {
            Ops.Add(body.Stream, x, y, x);
            condition.Write(body.Stream, 0);
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        graph.ReplayAndWait();
        Assert.Equal([2f, 2.5f], x.ToArray<float>(stream));
    }

    [Fact]
    public void Switch_runs_the_branch_of_the_value_and_nested_nodes_go_to_the_innermost_branch()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 3 });
        using var outs = NpuTensor.FromArray(stream, new float[] { 0, 0, 0, 0 });
        using var graph = stream.BeginCapture();
        var selector = graph.CreateCondition(defaultValue: 2);
        var node = graph.AddSwitch(selector, 3);
        for (int i = 0; i < 3; i++)
        {
            using var branch = node.BeginBranch(i);
            using var row = outs.Slice(0, i, 1);
            Ops.Add(branch.Stream, x, x, row);
            if (i == 2)
            {
                var inner = graph.CreateCondition(defaultValue: 1);  // created in the innermost branch
                using var nested = graph.BeginIf(inner);
                Assert.Equal(2, graph.OpenBranchCount);
                using var last = outs.Slice(0, 3, 1);
                Ops.Relu(nested.Stream, x, last);
            }
        }
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal([0f, 0, 6, 3], outs.ToArray<float>(stream));
    }

    [Fact]
    public void Misuse_is_refused_with_a_clear_exception()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1 });
        using var other = stream.BeginCapture();
        var foreign = other.CreateCondition();
        other.EndCapture();
        Assert.Throws<InvalidOperationException>(() => other.CreateCondition());  // not capturing

        using var graph = stream.BeginCapture();
        Assert.Throws<ArgumentException>(() => graph.BeginIf(foreign));
        var condition = graph.CreateCondition();
        using (var outer = graph.BeginIf(condition))
        {
            Assert.Throws<ArgumentException>(() => graph.BeginWhile(condition));  // one node per condition
            var inner = graph.BeginIf(graph.CreateCondition());
            Assert.Throws<InvalidOperationException>(() => outer.Dispose());  // the inner branch is still open
            inner.Dispose();
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddSwitch(graph.CreateCondition(), 0));
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Throws<ObjectDisposedException>(() =>
        {
            graph.Dispose();
            return condition.DevicePointer;
        });
    }

    [Fact]
    public void On_CANN_9_0_conditions_throw_NotSupportedException_naming_the_function_and_version()
    {
        Assert.SkipUnless(NpuFixture.OnSimulator, "presents an older CANN through the simulator's ASCEND_SIM_CANN_VERSION");
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        using (new CannVersionScope("9.0"))
        {
            var error = Assert.Throws<NotSupportedException>(() => graph.CreateCondition());
            Assert.Contains("aclmdlRICondHandleCreate", error.Message);
            Assert.Contains("9.1.0", error.Message);
        }
        graph.CreateCondition();
        graph.EndCapture();
    }
}
