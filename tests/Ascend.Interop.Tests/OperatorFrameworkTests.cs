using System.Runtime.InteropServices;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

/// <summary>
/// The declared-operator launcher (AclnnOperator) on features the eleven original operators do not use:
/// optional inputs, int arrays, tensor lists, string attributes, the reduce shape rule, the binding of declared slots
/// to C parameters. The probes wrap real aclnn functions and record what their phase 1 saw.
/// </summary>
[Collection("Npu")]
public sealed unsafe class OperatorFrameworkTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly List<string> Seen = [];

    /// <summary>
    /// aclnnAdd with extra C parameters the probe's phase 1 inspects but does not pass on: the declaration binds its slots
    /// to them by name, in an order unlike the declaration's (attributes between tensors, arrays and lists after).
    /// </summary>
    private static readonly AclnnFunction ProbeFunction = new("Probe", "aclnnAdd",
        "tensor self, string layout, tensor other, tensor bias?, scalar alpha, bool flag, intArray dims, tensorList extra?, tensor out",
        &ProbeWorkspaceSize, &AclnnOps.aclnnAdd);

    private static int ProbeWorkspaceSize(ReadOnlySpan<nint> a, ulong* w, aclOpExecutor** e)
    {
        Seen.Clear();
        Seen.Add($"bias={(a[3] == 0 ? "null" : "set")}");
        Seen.Add($"dims={(a[6] == 0 ? "null" : "set")}");
        Seen.Add($"extra={(a[7] == 0 ? "null" : "set")}");
        Seen.Add($"layout={Marshal.PtrToStringUTF8(a[1]) ?? "null"}");
        Seen.Add($"flag={(byte)a[5]}");
        return AclnnOps.aclnnAddGetWorkspaceSize((aclTensor*)a[0], (aclTensor*)a[2], (aclScalar*)a[4], (aclTensor*)a[8], w, e);
    }

    private static readonly AclnnOperator Probe = new("Ops.Probe", ProbeFunction)
    {
        Inputs = ["self", "other", "bias?"],
        Attributes = [OperatorAttribute.Scalar("alpha"), OperatorAttribute.String("layout"), OperatorAttribute.Value("flag")],
        IntArrays = ["dims"],
        TensorLists = ["extra?"],
        Types = InputTypes.Same(DataTypeSet.Arithmetic),
        Shapes = ShapeRules.Broadcast,
    };

    /// <summary>A reduce-shaped output handed to aclnnRelu, which refuses it: the inferred shape is what the rule gave.</summary>
    private static readonly AclnnOperator ReduceProbe = new("Ops.ReduceProbe", new AclnnFunction("ReduceProbe", "aclnnRelu",
        "tensor self, bool keepDim, intArray dim?, tensor out", &ReduceProbeWorkspaceSize, &AclnnOps.aclnnRelu))
    {
        Inputs = ["self"],
        Attributes = [OperatorAttribute.Value("keepDim")],
        IntArrays = ["dim?"],
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            ReduceShape!(in c, ref shapes);
            Seen.Clear();
            Seen.Add(new TensorShape(shapes.Get(0)).ToString());
        },
    };

    private static readonly ShapeRule ReduceShape = ShapeRules.Reduce(0, 0);

    private static int ReduceProbeWorkspaceSize(ReadOnlySpan<nint> a, ulong* w, aclOpExecutor** e) =>
        AclnnOps.aclnnReluGetWorkspaceSize((aclTensor*)a[0], (aclTensor*)a[3], w, e);

    /// <summary>Declarations that do not fit their C function fail on first use, naming the operator, the function and what does not fit.</summary>
    [Fact]
    public void Declarations_bind_their_slots_to_the_C_parameters_by_name()
    {
        var sources = Probe.BindArguments();
        Assert.Equal(
            [(ArgumentSourceKind.Tensor, 0), (ArgumentSourceKind.Attribute, 1), (ArgumentSourceKind.Tensor, 1), (ArgumentSourceKind.Tensor, 2),
             (ArgumentSourceKind.Attribute, 0), (ArgumentSourceKind.AttributeValue, 2), (ArgumentSourceKind.IntArray, 0), (ArgumentSourceKind.TensorList, 0),
             (ArgumentSourceKind.Tensor, 3)],
            sources.Select(s => (s.Kind, s.Index)));
        // The native slot each is read from per call: 4 tensors, then 3 attributes, then 2 int arrays, then the lists.
        Assert.Equal([0, 5, 1, 2, 4, -1, 7, 9, 3], sources.Select(s => s.Slot));

        var misnamed = new AclnnOperator("Ops.Misnamed", AclnnFunctions.Add) { Inputs = ["self", "others"], Shapes = ShapeRules.Broadcast };
        var error = Assert.Throws<InvalidOperationException>(() => misnamed.BindArguments());
        Assert.Contains("Ops.Misnamed: the declaration does not fit aclnnAdd(", error.Message);
        Assert.Contains("'others' names none of its parameters", error.Message);

        var unbound = new AclnnOperator("Ops.Unbound", AclnnFunctions.Add) { Inputs = ["self", "other"], Shapes = ShapeRules.Broadcast };
        Assert.Contains("parameter 'alpha' is bound by no input", Assert.Throws<InvalidOperationException>(() => unbound.BindArguments()).Message);

        var wrongKind = new AclnnOperator("Ops.WrongKind", AclnnFunctions.Add)
        {
            Inputs = ["self", "other"],
            Attributes = [OperatorAttribute.Value("alpha")],
            Shapes = ShapeRules.Broadcast,
        };
        Assert.Contains("cannot bind parameter 'alpha' (Scalar)", Assert.Throws<InvalidOperationException>(() => wrongKind.BindArguments()).Message);
    }

    /// <summary>The float and bool arrays Ops.Invoke makes for aclFloatArray*/aclBoolArray* parameters (no simulated operator takes one).</summary>
    [Fact]
    public void Float_and_bool_arrays_are_made_and_released()
    {
        var floats = AclnnArguments.CreateFloatArray("Ops.Test", "scales", [1f, 2.5f, -3f]);
        Assert.True(floats != null);
        Assert.Equal(0, AclNN.aclDestroyFloatArray(floats));
        var bools = AclnnArguments.CreateBoolArray("Ops.Test", "mask", [true, false, true]);
        Assert.True(bools != null);
        Assert.Equal(0, AclNN.aclDestroyBoolArray(bools));
    }

    /// <summary>Every declaration of the engine binds (a mismatch would otherwise surface only when its operator first runs).</summary>
    [Fact]
    public void Every_engine_declaration_binds()
    {
        int count = 0;
        foreach (var field in typeof(Operators).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
        {
            var value = field.GetValue(null);
            IEnumerable<AclnnOperator> declared = value switch
            {
                AclnnOperator op => [op],
                Operators.Comparison c => [c.Tensor, c.Scalar, c.InplaceTensor, c.InplaceScalar],
                _ => [],
            };
            foreach (var op in declared)
            {
                Assert.Equal(op.CFunction.ArgumentCount, op.BindArguments().Length);
                count++;
            }
        }
        Assert.True(count >= 71, $"only {count} declarations found");
    }

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
