using System.Runtime.InteropServices;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// The declared-operator launcher (AclnnOperator) on features the eleven original operators do not use:
/// optional inputs, int arrays, tensor lists, string attributes, the reduce shape rule. The probes wrap
/// real aclnn functions and record what their phase-1 lambda saw.
/// </summary>
[Collection("Npu")]
public sealed unsafe class OperatorFrameworkTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly List<string> Seen = [];

    /// <summary>aclnnAdd with extra arguments the lambda inspects but does not pass on.</summary>
    private static readonly AclnnOperator Probe = new("Ops.Probe", nameof(AclnnOps.aclnnAdd), &AclnnOps.aclnnAdd,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
        {
            Seen.Clear();
            Seen.Add($"bias={(c.Tensor(2) == null ? "null" : "set")}");
            Seen.Add($"dims={(c.IntArray(0) == null ? "null" : "set")}");
            Seen.Add($"extra={(c.TensorList(0) == null ? "null" : "set")}");
            Seen.Add($"layout={Marshal.PtrToStringUTF8((nint)c.String(1)) ?? "null"}");
            Seen.Add($"flag={c.Bool(2)}");
            return AclnnOps.aclnnAddGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Scalar(0), c.OutputTensor(0), w, e);
        })
    {
        Inputs = ["self", "other", "bias?"],
        Attributes = [OperatorAttribute.Scalar("alpha"), OperatorAttribute.String("layout"), OperatorAttribute.Value("flag")],
        IntArrays = ["dims"],
        TensorLists = ["extra?"],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = ShapeRules.Broadcast,
    };

    /// <summary>A reduce-shaped output handed to aclnnRelu, which refuses it: the inferred shape is what the lambda saw.</summary>
    private static readonly AclnnOperator ReduceProbe = new("Ops.ReduceProbe", nameof(AclnnOps.aclnnRelu), &AclnnOps.aclnnRelu,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
        {
            Seen.Clear();
            Seen.Add(c.Output(0)!.Shape.ToString());
            return AclnnOps.aclnnReluGetWorkspaceSize(c.Tensor(0), c.Tensor(1), w, e);
        })
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Value("keepDim")],
        IntArrays = ["dim?"],
        Shapes = ShapeRules.Reduce(0, 0),
    };

    [Fact]
    public void Optional_inputs_int_arrays_lists_and_strings_reach_phase_one_and_are_released()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new[] { 1f, 2, 3 });
        using var b = NpuTensor.FromArray(stream, new[] { 10f, 20, 30 });
        using var output = NpuTensor.Empty(stream, [3], NpuDataType.Float32);

        Probe.Run(stream, [a, b, null, output], [2.0, "BSH", true], ints: [0, 1], list: [a, b]);
        Assert.Equal(new[] { 21f, 42, 63 }, output.ToArray<float>());
        Assert.Equal(new[] { "bias=null", "dims=set", "extra=set", "layout=BSH", "flag=1" }, Seen);

        using var sum = Probe.Create(stream, [a, b, a], [1.0, null, false], ints: [3]);
        Assert.Equal(new[] { 11f, 22, 33 }, sum.ToArray<float>());
        Assert.Equal(new[] { "bias=set", "dims=set", "extra=null", "layout=null", "flag=0" }, Seen);
        // The leak check of the base class proves the list's fresh descriptors went with the list.
    }

    [Fact]
    public void Framework_argument_errors_name_operator_and_argument()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new[] { 1f, 2, 3 });
        using var output = NpuTensor.Empty(stream, [3], NpuDataType.Float32);

        var empty = Assert.Throws<ArgumentException>(() => Probe.Run(stream, [a, a, null, output], [1.0, "x", true]));
        Assert.Equal("dims", empty.ParamName);
        Assert.Contains("Ops.Probe: int array 'dims' is empty", empty.Message);

        var gone = NpuTensor.FromArray(stream, new[] { 1f });
        gone.Dispose();
        var disposed = Assert.Throws<ObjectDisposedException>(() => Probe.Run(stream, [a, a, null, output], [1.0, "x", true], ints: [1], list: [a, gone]));
        Assert.Contains("Ops.Probe: argument 'extra' has been disposed", disposed.Message);

        using var ints = NpuTensor.FromArray(stream, new[] { 1, 2, 3 });
        var mixed = Assert.Throws<ArgumentException>(() => Probe.Run(stream, [a, a, ints, output], [1.0, "x", true], ints: [1]));
        Assert.Equal("bias", mixed.ParamName);
        Assert.Contains("holds Int32 but 'self' holds Float32", mixed.Message);

        var arity = Assert.Throws<InvalidOperationException>(() => Probe.Run(stream, [a, a, output], [1.0]));
        Assert.Contains("Ops.Probe", arity.Message);
    }

    [Fact]
    public void Reduce_rule_infers_the_shape_and_checks_dimensions()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.Zeros(stream, [2, 3, 4], NpuDataType.Float32);
        long inUse = Device.MemoryPool.InUseBytes;

        // Relu refuses the reduced output; the inferred output goes back to the pool.
        Assert.Throws<AclException>(() => ReduceProbe.Create(stream, [x], [true], ints: [-1, 0]));
        Assert.Equal(["[1, 3, 1]"], Seen);
        Assert.Throws<AclException>(() => ReduceProbe.Create(stream, [x], [false], ints: [1]));
        Assert.Equal(["[2, 4]"], Seen);
        Assert.Throws<AclException>(() => ReduceProbe.Create(stream, [x], [false]));   // no dims: all
        Assert.Equal(["[]"], Seen);
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => ReduceProbe.Create(stream, [x], [false], ints: [3]));
        Assert.Contains("Ops.ReduceProbe: dimension 3 in 'dim' is out of range for rank 3", range.Message);
        var twice = Assert.Throws<ArgumentException>(() => ReduceProbe.Create(stream, [x], [false], ints: [1, -2]));
        Assert.Contains("appears twice", twice.Message);
    }
}
