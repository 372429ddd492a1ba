namespace Ascend.Interop.Tests;

/// <summary>The version gate: features detected from the loaded library and its version (the simulator presents 9.0, 9.1 or 9.2).</summary>
[Collection("Npu")]
public sealed class GraphFeaturesTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private NpuDevice Device => Fixture.Device;

    [Theory]
    [InlineData(90000000, "9.0.0")]
    [InlineData(90100000, "9.1.0")]
    [InlineData(90199801, "9.2.0-beta.1")]
    [InlineData(90199901, "9.2.0-rc.1")]
    [InlineData(90199702, "9.2.0-alpha.2")]
    [InlineData(80500000, "8.5.0")]
    public void Version_numbers_read_as_CANN_spells_them(int number, string text) =>
        Assert.Equal(text, NpuFeatures.VersionText(number));

    [Fact]
    public void First_versions_and_unknown_functions()
    {
        Assert.Equal("9.0.0", NpuFeatures.FirstVersionOf("aclmdlRIBuildBegin"));
        Assert.Equal("9.1.0", NpuFeatures.FirstVersionOf("aclmdlRIUpdate"));
        Assert.Equal("9.2.0-beta.1", NpuFeatures.FirstVersionOf("aclrtRecordEventWithFlag"));
        Assert.Null(NpuFeatures.FirstVersionOf("aclrtMalloc"));
        var e = Assert.Throws<ArgumentException>(() => Fixture.Runtime.Features.Has("aclrtMalloc"));
        Assert.Contains("aclrtMalloc", e.Message);
    }

    [Fact]
    public void Simulator_presenting_9_2_has_every_group()
    {
        if (!NpuFixture.OnSimulator) return;
        using var version = new CannVersionScope("9.2");
        var features = Fixture.Runtime.Features;
        Assert.Equal("9.2.0-beta.1", features.CannVersionText);
        Assert.Equal(90199801, features.CannVersionNumber);
        Assert.Equal(new Version(9, 2, 0), features.CannVersion);
        Assert.Equal(NpuFeatureGroup.BuiltGraphs | NpuFeatureGroup.ValueWriteWait | NpuFeatureGroup.ConditionalNodes |
                     NpuFeatureGroup.Introspection | NpuFeatureGroup.InPlaceUpdate | NpuFeatureGroup.StreamOrderedPool |
                     NpuFeatureGroup.ExternalEvents, features.Groups);
        Assert.True(features.ExternalEvents);
        Assert.True(features.Has("aclrtStreamWaitEventWithFlag"));
    }

    [Fact]
    public void Simulator_presenting_9_1_lacks_external_events_only()
    {
        if (!NpuFixture.OnSimulator) return;
        using var version = new CannVersionScope("9.1");
        var features = Fixture.Runtime.Features;
        Assert.Equal("9.1.0", features.CannVersionText);
        Assert.True(features.ConditionalNodes && features.Introspection && features.InPlaceUpdate && features.StreamOrderedPool);
        Assert.True(features.BuiltGraphs && features.ValueWriteWait);
        Assert.False(features.ExternalEvents);
        Assert.False(features.Has("aclrtRecordEventWithFlag"));
        Assert.Contains("9.1.0", features.ToString());
    }

    [Fact]
    public void Simulator_presenting_9_0_refuses_9_1_calls_with_the_function_and_its_version()
    {
        if (!NpuFixture.OnSimulator) return;
        using var version = new CannVersionScope("9.0");
        var features = Fixture.Runtime.Features;
        Assert.Equal("9.0.0", features.CannVersionText);
        Assert.Equal(NpuFeatureGroup.BuiltGraphs | NpuFeatureGroup.ValueWriteWait, features.Groups);
        Assert.False(features.Introspection);
        Assert.False(features.Has("aclmdlRIGetStreams"));

        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 }, new TensorShape(4));
        using var y = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        Ops.Relu(stream, x, y);
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal(new float[] { 0, 2, 0, 4 }, y.ToArray<float>(stream));   // capture and replay work on 9.0

        var tasks = Assert.Throws<NotSupportedException>(() => graph.Tasks);
        Assert.Contains("aclmdlRIGetStreams", tasks.Message);
        Assert.Contains("9.1.0", tasks.Message);
        Assert.Contains("CANN 9.0.0", tasks.Message);
        var id = Assert.Throws<NotSupportedException>(() => graph.Id);
        Assert.Contains("aclmdlRIGetId", id.Message);
        var apply = Assert.Throws<NotSupportedException>(graph.ApplyEdits);
        Assert.Contains("aclmdlRIUpdate", apply.Message);
        Assert.Equal(NpuGraphState.Ready, graph.Status);
        // Describe leaves the task lines out rather than fail.
        Assert.DoesNotContain("tasks (", graph.Describe());
    }

    [Theory]
    [InlineData("9.0")]
    [InlineData("9.1")]
    [InlineData("9.2")]
    public void Captures_that_fork_and_join_through_SDK_events_work_on_every_presented_version(string presented)
    {
        if (!NpuFixture.OnSimulator) return;
        using var version = new CannVersionScope(presented);
        using var stream = Device.CreateStream();
        using var side = Device.CreateStream();
        using var forked = Device.CreateEvent(timing: false);
        using var joined = Device.CreateEvent(timing: false);
        using var x = NpuTensor.FromArray(stream, new float[] { -1, 2, -3, 4 }, new TensorShape(4));
        using var a = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var b = NpuTensor.Empty(stream, new TensorShape(4), NpuDataType.Float32);
        using var graph = stream.BeginCapture();
        stream.Record(forked);
        side.Wait(forked);
        Ops.Relu(side, x, a);
        side.Record(joined);
        Ops.Neg(stream, x, b);
        stream.Wait(joined);
        graph.EndCapture();
        graph.ReplayAndWait();
        Assert.Equal(new float[] { 0, 2, 0, 4 }, a.ToArray<float>(stream));
        Assert.Equal(new float[] { 1, -2, 3, -4 }, b.ToArray<float>(stream));
    }
}
