namespace Ascend.Interop.Tests;

/// <summary>graph.Streams / graph.Tasks (CANN 9.1.0 introspection) joined with the SDK's operation records.</summary>
[Collection("Npu")]
public sealed class GraphIntrospectionTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Kernel_tasks_name_the_operator_they_came_from()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var pinned = PinnedBuffer<float>.Allocate(Device, 8);
        using var x = NpuTensor.FromArray(stream, new float[] { 1, -2, 3, -4, 5, -6, 7, -8 }, new TensorShape(2, 4));
        using var w = NpuTensor.FromArray(stream, new float[] { 1, 0, 0, 1, 1, 0, 0, 1 }, new TensorShape(4, 2));
        using var b = NpuTensor.FromArray(stream, new float[] { 0.5f, -0.5f }, new TensorShape(2));
        using var h = NpuTensor.Empty(stream, new TensorShape(2, 2), NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, new TensorShape(2, 2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        x.EnqueueCopyFrom(stream, pinned);   // a copy: a DEFAULT task, no operator
        Ops.MatMul(stream, x, w, h);
        Ops.Add(stream, h, b, h);
        Ops.Relu(stream, h, y);
        graph.EndCapture();

        var streams = graph.Streams;
        Assert.Single(streams);
        var tasks = graph.Tasks;
        Assert.Equal(streams[0].Tasks.Count, tasks.Count);
        Assert.Equal(stream.ToString(), streams[0].SdkStream);
        var kernels = tasks.Where(t => t.Type == NpuGraphTaskType.Kernel).ToList();
        Assert.Equal(3, kernels.Count);
        Assert.Equal(graph.Operations.Where(o => o.Name.StartsWith("aclnn")).Select(o => o.Name), kernels.Select(k => k.Operation!.Name));
        Assert.Equal([1, 2, 3], kernels.Select(k => k.Operation!.Index));
        Assert.Contains(tasks, t => t.Type == NpuGraphTaskType.Default && t.Operation is null);
        // Sequence ids: one per task, increasing along the stream.
        var seq = tasks.Select(t => t.SequenceId!.Value).ToList();
        Assert.Equal(seq.OrderBy(s => s), seq);
        Assert.Equal(seq.Count, seq.Distinct().Count());
        foreach (var kernel in kernels)
        {
            Assert.NotNull(kernel.Kernel);
            Assert.False(kernel.Kernel!.FunctionHandle.IsNull);
            Assert.True(kernel.Kernel.Arguments.Length > 0 && kernel.Kernel.Arguments.Length % 8 == 0);
            Assert.False(kernel.Kernel.InTaskGroup);
            Assert.Equal(0u, kernel.Kernel.TimeoutSeconds);
        }
        Assert.All(tasks.Where(t => t.Type != NpuGraphTaskType.Kernel), t => Assert.Null(t.Kernel));
        Assert.Equal(NpuGraphState.Ready, graph.Status);

        string description = graph.Describe();
        Assert.Contains($"tasks ({tasks.Count}, runtime view, Ready)", description);
        Assert.Contains("Kernel <- #1 aclnnMatmul", description);
        Assert.Contains("Kernel <- #3 aclnnRelu", description);
    }

    [Fact]
    public void ToDot_and_DumpJson_name_the_task_of_each_operator()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 }, new TensorShape(2));
        using var a = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Neg(stream, x, a);
        Ops.Relu(stream, a, y);
        graph.EndCapture();
        var kernels = graph.Tasks.Where(t => t.Type == NpuGraphTaskType.Kernel).ToList();
        string dot = graph.ToDot();
        Assert.Contains($"#1 aclnnRelu\\ntask 0.{kernels[1].Index} seq {kernels[1].SequenceId}", dot);

        string path = Path.Combine(Path.GetTempPath(), $"graphapi-dump-{Guid.NewGuid():N}.json");
        try
        {
            graph.DumpJson(path);
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.True(root.ContainsKey("tasks"));   // the runtime's own dump is kept
            var tasks = root["ascend_interop"]!["tasks"]!.AsArray();
            Assert.Equal(graph.Tasks.Count, tasks.Count);
            Assert.Equal(["aclnnNeg", "aclnnRelu"], tasks.Select(t => (string?)t!["operation"]).Where(n => n is not null));
            Assert.Equal("Ready", (string?)root["ascend_interop"]!["state"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Graph_ids_differ_and_task_groups_show()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2 }, new TensorShape(2));
        using var y = NpuTensor.Empty(stream, new TensorShape(2), NpuDataType.Float32);
        using var first = stream.BeginCapture();
        using (first.BeginTaskGroup("act")) Ops.Relu(stream, x, y);
        Ops.Neg(stream, x, y);
        first.EndCapture();
        using var second = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        second.EndCapture();
        Assert.NotEqual(first.Id, second.Id);
        var kernels = first.Tasks.Where(t => t.Type == NpuGraphTaskType.Kernel).ToList();
        Assert.Equal(2, kernels.Count);
        Assert.Equal("act", kernels[0].TaskGroup);
        Assert.True(kernels[0].Kernel!.InTaskGroup);
        Assert.Null(kernels[1].TaskGroup);
        Assert.False(kernels[1].Kernel!.InTaskGroup);
        Assert.Contains("[group act]", kernels[0].ToString());
    }

    [Fact]
    public void Forked_capture_matches_each_runtime_stream_to_its_SDK_stream()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var side = Device.CreateStream();
        using var forked = Device.CreateEvent(timing: false);
        using var joined = Device.CreateEvent(timing: false);
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 }, new TensorShape(4));
        using var a = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var b = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Sigmoid(stream, x, b);
        stream.Record(forked);
        side.Wait(forked);
        Ops.Relu(side, x, a);
        Ops.Neg(side, a, a);
        side.Record(joined);
        stream.Wait(joined);
        graph.EndCapture();

        var streams = graph.Streams;
        Assert.Equal(2, streams.Count);
        var bySdk = streams.ToDictionary(s => s.SdkStream!);
        Assert.Equal(["aclnnSigmoid"], bySdk[stream.ToString()].Tasks.Where(t => t.Operation is not null).Select(t => t.Operation!.Name));
        Assert.Equal(["aclnnRelu", "aclnnNeg"], bySdk[side.ToString()].Tasks.Where(t => t.Operation is not null).Select(t => t.Operation!.Name));
        Assert.Equal(3, graph.Tasks.Count(t => t.Operation is not null));
    }

    [Fact]
    public void Tasks_of_a_graph_still_capturing_are_refused()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.Introspection, "introspection needs CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        using var stream = Device.CreateStream();
        using var graph = stream.BeginCapture();
        var e = Assert.Throws<InvalidOperationException>(() => graph.Tasks);
        Assert.Contains("still capturing", e.Message);
        graph.EndCapture();
        Assert.Empty(graph.Tasks);
    }
}
