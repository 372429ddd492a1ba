using System.Numerics.Tensors;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 1: user values that become sizes, offsets, extents and byte counts are checked (the shape or
/// strides in the message, never a wrapped value), and operators refuse outputs they cannot write correctly
/// (broadcast, self-overlapping, or overlapping an input they must not alias), naming the argument.
/// </summary>
[Collection("Npu")]
public sealed class LayoutArithmeticTests(NpuFixture fixture)
{
    private NpuDevice Device => fixture.Device;

    private static T Throws<T>(Action action, string fragment) where T : Exception
    {
        var error = Assert.Throws<T>(action);
        Assert.Contains(fragment, error.Message);
        return error;
    }

    [Fact]
    public void Strides_whose_extent_overflows_are_refused_by_FromBuffer()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);
        using var canary = DeviceBuffer.Allocate(Device, 64);
        canary.Fill(0x5A);
        // (3 - 1) x 2^62 wraps to a negative reach: accepted before, and a slice then sat at a negative offset.
        long[] strides = [1L << 62, 1];
        var error = Throws<ArgumentOutOfRangeException>(
            () => NpuTensor.FromBuffer(buffer, new TensorShape(3, 2), NpuDataType.Float32, strides: strides),
            "shape [3, 2] with strides [4611686018427387904, 1] and offset 0 reaches beyond element");
        Assert.Equal("strides", error.ParamName);
        Throws<ArgumentOutOfRangeException>(
            () => NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Float32, offset: long.MaxValue - 1, strides: [2]),
            "the extent overflows a 64-bit offset");
        Throws<ArgumentOutOfRangeException>(
            () => NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [-1, 1]),
            "stride 0 of [-1, 1] is negative");
        // Nothing outside the named buffer was touched.
        Assert.All(canary.ToArray<byte>(), b => Assert.Equal(0x5A, b));
        using var fits = NpuTensor.FromBuffer(buffer, new TensorShape(4, 2), NpuDataType.Float32, strides: [2, 1]);
        using var slice = fits.Slice(0, 3, 1);
        Assert.Equal(6, slice.Offset);
    }

    [Fact]
    public void Overflowing_byte_counts_name_the_shape()
    {
        using var stream = Device.CreateStream();
        // 2^61 elements fit a long; 2^61 x 4 bytes do not.
        Throws<ArgumentOutOfRangeException>(() => NpuTensor.Empty(stream, new TensorShape(1L << 31, 1L << 30), NpuDataType.Float32),
            "NpuTensor.Empty: shape [2147483648, 1073741824] has 2305843009213693952 elements of 4 bytes");
        using var one = NpuTensor.FromArray(stream, new float[] { 1 });
        using var huge = one.Expand(new TensorShape(1L << 31, 1L << 30));
        Throws<ArgumentOutOfRangeException>(() => _ = huge.ByteLength, "shape [2147483648, 1073741824] has 2305843009213693952 elements of 4 bytes");
        Throws<ArgumentOutOfRangeException>(() => huge.Contiguous(stream), "[2147483648, 1073741824]");
        Throws<ArgumentOutOfRangeException>(() => DeviceBuffer.Allocate<double>(Device, long.MaxValue / 4), "overflow a 64-bit byte count");
        // An empty shape whose other dimensions multiply past long: its row-major strides cannot be stated.
        Throws<ArgumentOutOfRangeException>(() => new TensorShape(0, 1L << 40, 1L << 40).ContiguousStrides(), "[0, 1099511627776, 1099511627776]");
        Assert.Equal([4L, 1], new TensorShape(0, 4).ContiguousStrides());
    }

    [Fact]
    public void Tensor_interop_lengths_and_pool_sizes_are_checked()
    {
        using var stream = Device.CreateStream();
        // A System.Numerics.Tensors broadcast view (strides 0) of 2^61 float32 over one element: the lengths are
        // legal there, the byte count of an NPU tensor of that shape is not.
        static ReadOnlyTensorSpan<float> Huge() => new(new float[] { 1 }, [(nint)1 << 31, (nint)1 << 30], [0, 0]);
        Throws<ArgumentOutOfRangeException>(() => NpuTensor.FromTensor(stream, Huge()).Dispose(),
            "shape [2147483648, 1073741824] has 2305843009213693952 elements of 4 bytes");
        using var small = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        Throws<ArgumentException>(() => small.CopyFrom(stream, Huge()), "[2147483648, 1073741824]");
        Assert.Equal([1f, 2], small.ToArray<float>(stream));
        // Pool requests: long.MaxValue (its rounding up to the block granularity would wrap), just above the largest
        // block, zero and negative sizes; a negative reserve limit.
        var pool = Device.MemoryPool;
        long inUse = pool.InUseBytes, reserved = pool.ReservedBytes;
        Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, long.MaxValue), "A pool block holds at most 70368744177664 bytes");
        Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, (1L << 46) + 1), "A pool block holds at most");
        Assert.Equal("bytes", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, 0)).ParamName);
        Assert.Equal("bytes", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(stream, -1)).ParamName);
        Throws<ArgumentOutOfRangeException>(() => new DeviceMemoryPool(Device, new DeviceMemoryPoolOptions { MaxReservedBytes = -1 }),
            "MaxReservedBytes must be 0 (no limit) or positive");
        Assert.Equal(inUse, pool.InUseBytes);
        Assert.Equal(reserved, pool.ReservedBytes);
    }

    [Fact]
    public void A_broadcast_output_is_refused_naming_the_argument()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5, 6 }, new TensorShape(2, 3));
        using var row = NpuTensor.FromArray(stream, new float[] { 7, 8, 9 }, new TensorShape(1, 3));
        using var broadcast = row.Expand(new TensorShape(2, 3));
        var error = Throws<ArgumentException>(() => Ops.Add(stream, a, a, broadcast), "Ops.Add: argument 'output' is a broadcast view (shape [2, 3], strides [0, 1]): dimension 0 of size 2 has stride 0");
        Assert.Equal("output", error.ParamName);
        Throws<ArgumentException>(() => Ops.Copy(stream, a, broadcast), "Ops.Copy: argument 'destination' is a broadcast view");
        Assert.Equal([7f, 8, 9], row.ToArray<float>(stream));
        // A broadcast input is fine.
        using var sum = Ops.Add(stream, a, broadcast);
        Assert.Equal([8f, 10, 12, 11, 13, 15], sum.ToArray<float>(stream));
    }

    [Fact]
    public void A_self_overlapping_output_is_refused()
    {
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);
        buffer.Fill(0);
        // Strides [1, 1]: element (0, 1) and (1, 0) are one place.
        using var overlapping = NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [1, 1]);
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        Throws<ArgumentException>(() => Ops.Mul(stream, a, a, overlapping), "Ops.Mul: argument 'output' (shape [2, 2], strides [1, 1]) overlaps itself");
        Assert.All(buffer.ToArray<float>(), v => Assert.Equal(0f, v));
        // Strides that interleave without meeting ([3, 2] over shape [2, 2]: elements 0, 2, 3, 5) are accepted.
        using var interleaved = NpuTensor.FromBuffer(buffer, new TensorShape(2, 2), NpuDataType.Float32, strides: [3, 2]);
        Ops.Mul(stream, a, a, interleaved);
        stream.Synchronize();
        var values = buffer.ToArray<float>();
        Assert.Equal([1f, 0, 4, 9, 0, 16], values[..6]);
    }

    [Fact]
    public void An_output_overlapping_part_of_an_input_is_refused()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 5 });
        using var head = t.Slice(0, 0, 4);
        using var tail = t.Slice(0, 1, 4);
        var error = Throws<ArgumentException>(() => Ops.Add(stream, head, head, tail), "Ops.Add: output 'output' (NpuTensor(Float32[4] offset 1, device 0)) overlaps input 'self'");
        Assert.Equal("output", error.ParamName);
        Throws<ArgumentException>(() => Ops.Copy(stream, head, tail), "Ops.Copy: output 'destination'");
        Assert.Equal([1f, 2, 3, 4, 5], t.ToArray<float>(stream));
        // In place (the very same view) is what element-wise operators allow.
        Ops.Add(stream, head, head, head);
        Assert.Equal([2f, 4, 6, 8, 5], t.ToArray<float>(stream));
    }

    [Fact]
    public void Column_slices_of_one_matrix_do_not_overlap_even_though_their_ranges_interleave()
    {
        using var stream = Device.CreateStream();
        using var m = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 10, 20, 30, 40 }, new TensorShape(2, 4));
        using var left = m.Slice(1, 0, 2);
        using var right = m.Slice(1, 2, 2);
        Ops.Add(stream, left, right, left);
        Assert.Equal([4f, 6, 3, 4, 40, 60, 30, 40], m.ToArray<float>(stream));
        // Different element types over one buffer: int32 words 1..2 against float words 0..3 meet.
        using var buffer = DeviceBuffer.Allocate(Device, 32);
        buffer.Fill(0);
        using var floats = NpuTensor.FromBuffer(buffer, new TensorShape(4), NpuDataType.Float32);
        using var ints = NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Int32, offset: 1);
        using var src = NpuTensor.FromArray(stream, new float[] { 1, 2 });
        using var middle = floats.Slice(0, 1, 2);
        Throws<ArgumentException>(() => Ops.Cast(stream, middle, ints), "overlaps input 'self'");
        using var otherInts = NpuTensor.FromBuffer(buffer, new TensorShape(2), NpuDataType.Int32, offset: 4);
        using var front = floats.Slice(0, 0, 2);
        Ops.Cast(stream, front, otherInts);
        stream.Synchronize();
    }

    [Fact]
    public void A_matrix_product_into_one_of_its_operands_is_refused()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4 }, new TensorShape(2, 2));
        using var b = NpuTensor.FromArray(stream, new float[] { 1, 0, 0, 1 }, new TensorShape(2, 2));
        Throws<ArgumentException>(() => Ops.MatMul(stream, a, b, a), "Ops.MatMul: output 'output' (NpuTensor(Float32[2, 2], device 0)) overlaps input 'self' (NpuTensor(Float32[2, 2], device 0)); Ops.MatMul reads its inputs while it writes");
        Throws<ArgumentException>(() => Ops.Mm(stream, a, b, b), "overlaps input 'mat2'");
        using var parts = NpuTensor.FromArray(stream, new float[] { 1, 2, 3, 4, 0, 0, 0, 0 });
        using var first = parts.Slice(0, 0, 4);
        using var whole = parts.Slice(0, 0, 8);
        using var flat = b.Reshape(4);
        Throws<ArgumentException>(() => Ops.Cat(stream, [first, flat], 0, whole), "Ops.Cat: output 'output'");
        Assert.Equal([1f, 2, 3, 4], a.ToArray<float>(stream));
    }

    [Fact]
    public void Strides_that_address_nothing_may_be_anything()
    {
        // Found by the fuzzer: FromBuffer accepts any stride on a dimension of size 1 (it addresses nothing), but the
        // runtime's aclCreateTensor refuses strides above its limit: the descriptor takes the row-major value there.
        using var stream = Device.CreateStream();
        using var buffer = DeviceBuffer.Allocate(Device, 64);
        buffer.CopyFrom<float>([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        using var row = NpuTensor.FromBuffer(buffer, new TensorShape(1, 3), NpuDataType.Float32, strides: [1L << 62, 1]);
        using var doubled = Ops.Add(stream, row, row);
        Assert.Equal([2f, 4, 6], doubled.ToArray<float>(stream));
        // Found by the fuzzer: a slice of an empty view with huge strides overflowed computing an offset it never uses.
        using var empty = NpuTensor.FromBuffer(buffer, new TensorShape(0, 3), NpuDataType.Float32, offset: 3, strides: [1L << 62, 1L << 62]);
        using var slice = empty.Slice(1, 2, 1);
        Assert.Equal(3, slice.Offset);
        Assert.Empty(slice.ToArray<float>(stream));
    }

    [Theory]
    [InlineData("Ops.MatMul", false)]
    [InlineData("AclnnOperators.Matmul", false)]
    [InlineData("AclnnOperators.IncreFlashAttentionV4", false)]
    [InlineData("AclnnOperators.Topk", false)]
    [InlineData("Ops.Add", true)]
    [InlineData("AclnnOperators.InplaceMaskedFillScalar", true)]
    public void Only_element_wise_operators_may_write_in_place(string name, bool allowed) =>
        Assert.Equal(allowed, TensorLayout.AllowsInPlace(name));
}
