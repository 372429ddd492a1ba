namespace Ascend.Interop.Tests;

/// <summary>
/// Comparisons (Eq, Ne, Gt, Ge, Lt, Le with a tensor or a scalar) and logical operators (LogicalAnd, LogicalOr,
/// LogicalNot), with their in-place forms: values against references written here, NaN, mixed types, outputs of
/// other types than bool (the int64 condition word of a conditional graph node), argument errors, capture + replay
/// and the allocation-free steady state.
/// </summary>
[Collection("Npu")]
public sealed class ComparisonTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static readonly float[] Values = [-1.5f, 0f, 2f, float.NaN, 3f, 2f];

    private static bool[] Bools(NpuTensor tensor, NpuStream stream) => tensor.ToArray<bool>(stream);

    /// <summary>The values of a new result tensor, which is disposed.</summary>
    private static bool[] Bools(Func<NpuTensor> create, NpuStream stream)
    {
        using var result = create();
        return result.ToArray<bool>(stream);
    }

    [Fact]
    public void Scalar_and_tensor_comparisons_match_the_reference_in_every_overload()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Values);
        using var two = NpuTensor.FromArray(stream, new[] { 2f });
        var cases = new (string Name, Func<double, double, bool> Reference,
            Func<NpuTensor, NpuTensor> Tensor, Func<NpuTensor> Scalar, Func<NpuTensor> Long, Action<NpuTensor> Into)[]
        {
            ("Eq", (a, b) => a == b, t => Ops.Eq(stream, x, t), () => Ops.Eq(stream, x, 2.0), () => Ops.Eq(stream, x, 2L), o => Ops.Eq(stream, x, 2.0, o)),
            ("Ne", (a, b) => a != b, t => Ops.Ne(stream, x, t), () => Ops.Ne(stream, x, 2.0), () => Ops.Ne(stream, x, 2L), o => Ops.Ne(stream, x, 2.0, o)),
            ("Gt", (a, b) => a > b, t => Ops.Gt(stream, x, t), () => Ops.Gt(stream, x, 2.0), () => Ops.Gt(stream, x, 2L), o => Ops.Gt(stream, x, 2.0, o)),
            ("Ge", (a, b) => a >= b, t => Ops.Ge(stream, x, t), () => Ops.Ge(stream, x, 2.0), () => Ops.Ge(stream, x, 2L), o => Ops.Ge(stream, x, 2.0, o)),
            ("Lt", (a, b) => a < b, t => Ops.Lt(stream, x, t), () => Ops.Lt(stream, x, 2.0), () => Ops.Lt(stream, x, 2L), o => Ops.Lt(stream, x, 2.0, o)),
            ("Le", (a, b) => a <= b, t => Ops.Le(stream, x, t), () => Ops.Le(stream, x, 2.0), () => Ops.Le(stream, x, 2L), o => Ops.Le(stream, x, 2.0, o)),
        };
        foreach (var (name, reference, tensor, scalar, integral, into) in cases)
        {
            var expected = Values.Select(v => reference(v, 2)).ToArray();
            using var viaTensor = tensor(two);
            Assert.Equal(NpuDataType.Bool, viaTensor.DataType);
            Assert.Equal(x.Shape, viaTensor.Shape);
            Assert.True(expected.SequenceEqual(Bools(viaTensor, stream)), $"{name} against a tensor");
            using var viaScalar = scalar();
            Assert.True(expected.SequenceEqual(Bools(viaScalar, stream)), $"{name} against a double");
            using var viaLong = integral();
            Assert.True(expected.SequenceEqual(Bools(viaLong, stream)), $"{name} against a long");
            using var word = NpuTensor.Empty(stream, x.Shape, NpuDataType.Int64);
            into(word);
            Assert.Equal(expected.Select(b => b ? 1L : 0L), word.ToArray<long>(stream));
        }
    }

    [Fact]
    public void Operands_of_different_types_are_compared_as_CANN_promotes_them()
    {
        using var stream = Device.CreateStream();
        using var ints = NpuTensor.FromArray(stream, new[] { 1, 5, 9, -2, 5, 10 }, [2, 3]);
        using var longs = NpuTensor.FromArray(stream, new long[] { 1, 4, 10 });
        using var eq = Ops.Eq(stream, ints, longs);
        Assert.Equal([true, false, false, false, false, true], Bools(eq, stream));
        using var le = Ops.Le(stream, ints, longs);
        Assert.Equal([true, false, true, true, false, true], Bools(le, stream));
        // An integer tensor against a non-integral scalar compares as a floating type: 2 < 2.5, 2 != 2.5.
        using var twos = NpuTensor.FromArray(stream, new[] { 2, 3 });
        Assert.Equal([true, false], Bools(() => Ops.Lt(stream, twos, 2.5), stream));
        Assert.Equal([false, false], Bools(() => Ops.Eq(stream, twos, 2.5), stream));
        // A float16 tensor against a double scalar compares in float16, as the tensor holds it: half(0.1) == 0.1.
        using var tenth = NpuTensor.FromArray(stream, new[] { (Half)0.1 });
        Assert.Equal([true], Bools(() => Ops.Eq(stream, tenth, 0.1), stream));
        Assert.Equal([false], Bools(() => Ops.Lt(stream, tenth, 0.1), stream));
        using var bf = NpuTensor.FromArray(stream, new[] { (NpuBFloat16)0.1f });
        Assert.Equal([true], Bools(() => Ops.Ge(stream, bf, 0.1), stream));
        // An int64 counter against a long beyond the range of double's integers.
        using var counter = NpuTensor.FromArray(stream, new[] { (1L << 60) + 1 });
        Assert.Equal([true], Bools(() => Ops.Gt(stream, counter, 1L << 60), stream));
        // bool against a number.
        using var flags = NpuTensor.FromArray(stream, new[] { false, true });
        Assert.Equal([false, true], Bools(() => Ops.Eq(stream, flags, 1L), stream));
    }

    [Fact]
    public void Results_convert_into_outputs_of_any_type()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new[] { 1f, 4f, 9f });
        using var limit = NpuTensor.FromArray(stream, new[] { 4f });
        using var f32 = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float32);
        Ops.Ge(stream, x, limit, f32);
        Assert.Equal([0f, 1f, 1f], f32.ToArray<float>(stream));
        using var i32 = NpuTensor.Empty(stream, x.Shape, NpuDataType.Int32);
        Ops.LogicalNot(stream, x, i32);
        Assert.Equal([0, 0, 0], i32.ToArray<int>(stream));
        using var f16 = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float16);
        Ops.Ne(stream, x, 4L, f16);
        Assert.Equal([(Half)1, (Half)0, (Half)1], f16.ToArray<Half>(stream));
        // The output of a tensor form takes the broadcast shape.
        using var column = NpuTensor.FromArray(stream, new[] { 2f, 5f }, [2, 1]);
        using var grid = NpuTensor.Empty(stream, [2, 3], NpuDataType.Int64);
        Ops.Lt(stream, x, column, grid);
        Assert.Equal([1L, 0, 0, 1, 1, 0], grid.ToArray<long>(stream));
    }

    [Fact]
    public void Inplace_forms_overwrite_selfRef_in_its_own_type()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new[] { 1f, 2f, 3f });
        Ops.InplaceGt(stream, x, 1.5);
        Assert.Equal([0f, 1f, 1f], x.ToArray<float>(stream));
        using var y = NpuTensor.FromArray(stream, new long[] { 4, 5, 6, 7 }, [2, 2]);
        using var row = NpuTensor.FromArray(stream, new[] { 4, 7 });
        Ops.InplaceEq(stream, y, row);
        Assert.Equal([1L, 0, 0, 1], y.ToArray<long>(stream));
        var cases = new (Action<NpuTensor> Run, int Expected)[]
        {
            (t => Ops.InplaceEq(stream, t, 3L), 1), (t => Ops.InplaceNe(stream, t, 3L), 0), (t => Ops.InplaceGt(stream, t, 3L), 0),
            (t => Ops.InplaceGe(stream, t, 3.0), 1), (t => Ops.InplaceLt(stream, t, 3.0), 0), (t => Ops.InplaceLe(stream, t, 3L), 1),
        };
        foreach (var (run, expected) in cases)
        {
            using var three = NpuTensor.FromArray(stream, new[] { 3 });
            run(three);
            Assert.Equal([expected], three.ToArray<int>(stream));
        }
        using var word = NpuTensor.FromArray(stream, new long[] { 0, 7 });
        Ops.InplaceLogicalNot(stream, word);
        Assert.Equal([1L, 0], word.ToArray<long>(stream));
        using var other = NpuTensor.FromArray(stream, new[] { true, true });
        Ops.InplaceLogicalAnd(stream, word, other);
        Assert.Equal([1L, 0], word.ToArray<long>(stream));
        Ops.InplaceLogicalOr(stream, word, other);
        Assert.Equal([1L, 1], word.ToArray<long>(stream));
        foreach (var (name, run) in new (string, Action<NpuTensor, NpuTensor>)[]
        {
            ("InplaceNe", (s, o) => Ops.InplaceNe(stream, s, o)), ("InplaceGe", (s, o) => Ops.InplaceGe(stream, s, o)),
            ("InplaceLt", (s, o) => Ops.InplaceLt(stream, s, o)), ("InplaceLe", (s, o) => Ops.InplaceLe(stream, s, o)),
            ("InplaceGt", (s, o) => Ops.InplaceGt(stream, s, o)),
        })
        {
            using var selfRef = NpuTensor.FromArray(stream, new[] { 1f, 2f, 3f });
            using var two = NpuTensor.FromArray(stream, new[] { 2f });
            run(selfRef, two);
            float[] expected = name switch
            {
                "InplaceNe" => [1, 0, 1], "InplaceGe" => [0, 1, 1], "InplaceLt" => [1, 0, 0], "InplaceLe" => [1, 1, 0], _ => [0, 0, 1],
            };
            Assert.Equal(expected, selfRef.ToArray<float>(stream));
        }
    }

    [Fact]
    public void Logical_operators_read_nonzero_and_NaN_as_true()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new[] { 0f, -2f, float.NaN, 0f });
        using var b = NpuTensor.FromArray(stream, new[] { 0, 0, 3, 5 });
        Assert.Equal([false, false, true, false], Bools(() => Ops.LogicalAnd(stream, a, b), stream));
        Assert.Equal([false, true, true, true], Bools(() => Ops.LogicalOr(stream, a, b), stream));
        Assert.Equal([true, false, false, true], Bools(() => Ops.LogicalNot(stream, a), stream));
        using var column = NpuTensor.FromArray(stream, new[] { true, false }, [2, 1]);
        using var word = NpuTensor.Empty(stream, [2, 4], NpuDataType.Int64);
        Ops.LogicalOr(stream, column, b, word);
        Assert.Equal([1L, 1, 1, 1, 0, 0, 1, 1], word.ToArray<long>(stream));
        Ops.LogicalAnd(stream, column, b, word);
        Assert.Equal([0L, 0, 1, 1, 0, 0, 0, 0], word.ToArray<long>(stream));
    }

    [Fact]
    public void Argument_errors_name_the_operator_and_the_argument()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new[] { 1f, 2f, 3f });
        using var pair = NpuTensor.FromArray(stream, new[] { 1f, 2f });
        var nullSelf = Assert.Throws<ArgumentNullException>(() => Ops.Eq(stream, null!, 1.0));
        Assert.Equal("self", nullSelf.ParamName);
        Assert.StartsWith("Ops.Eq:", nullSelf.Message);
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => Ops.Lt(stream, x, (NpuTensor)null!)).ParamName);
        Assert.Equal("selfRef", Assert.Throws<ArgumentNullException>(() => Ops.InplaceGe(stream, null!, 1L)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Ops.LogicalNot(null!, x)).ParamName);
        var shapes = Assert.Throws<ArgumentException>(() => Ops.Gt(stream, x, pair));
        Assert.StartsWith("Ops.Gt:", shapes.Message);
        Assert.Contains("cannot broadcast", shapes.Message);
        using var column = NpuTensor.FromArray(stream, new[] { 1f, 2f }, [2, 1]);
        var grows = Assert.Throws<ArgumentException>(() => Ops.InplaceNe(stream, x, column));
        Assert.Equal("other", grows.ParamName);
        Assert.Contains("does not broadcast to 'selfRef'", grows.Message);
        using var wrongShape = NpuTensor.Empty(stream, [2], NpuDataType.Bool);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Le(stream, x, 1.0, wrongShape)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.LogicalAnd(stream, x, x, wrongShape)).ParamName);
        var disposed = NpuTensor.FromArray(stream, new[] { 1f });
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Ops.Ne(stream, disposed, 0L));
        Assert.Throws<ObjectDisposedException>(() => Ops.LogicalOr(stream, x, disposed));
        Assert.Throws<ObjectDisposedException>(() => Ops.InplaceLogicalNot(stream, disposed));
    }

    [Fact]
    public void A_captured_comparison_writes_the_condition_word_from_the_counter_at_each_replay()
    {
        using var stream = Device.CreateStream();
        using var counter = NpuTensor.FromArray(stream, new[] { 0L });
        using var word = NpuTensor.FromArray(stream, new[] { -1L });
        using var graph = stream.BeginCapture();
        Ops.Lt(stream, counter, 3L, word);
        Ops.Adds(stream, counter, 1, counter);
        graph.EndCapture();
        Assert.Equal(2, graph.Operations.Count);
        Assert.Equal("aclnnLtScalar", graph.Operations[0].Name);
        Assert.Equal([-1L], word.ToArray<long>(stream));
        for (long step = 0; step < 5; step++)
        {
            graph.Replay();
            Assert.Equal([step < 3 ? 1L : 0L], word.ToArray<long>(stream));
            Assert.Equal([step + 1], counter.ToArray<long>(stream));
        }
    }

    [Fact]
    public void Steady_state_comparisons_allocate_no_managed_memory()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, Enumerable.Range(0, 16).Select(i => 0.5f * i).ToArray(), [4, 4]);
        using var row = NpuTensor.FromArray(stream, new[] { 1f, 2f, 3f, 4f });
        using var counter = NpuTensor.FromArray(stream, new[] { 3L });
        using var mask = NpuTensor.Empty(stream, [4, 4], NpuDataType.Bool);
        using var word = NpuTensor.Empty(stream, [1], NpuDataType.Int64);

        void Step()
        {
            Ops.Gt(stream, x, row, mask);
            Ops.Le(stream, x, 2.5, mask);
            Ops.Lt(stream, counter, 8L, word);
            Ops.LogicalAnd(stream, mask, row, mask);
            Ops.LogicalNot(stream, word, word);
            Ops.InplaceEq(stream, word, 0L);
            Ops.InplaceLogicalOr(stream, mask, row);
        }

        for (int i = 0; i < 5; i++) Step();
        stream.Synchronize();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stream.Synchronize();
        Assert.Equal(0, allocated);
    }
}
