using Ascend.Interop.Native;

namespace Ascend.Interop.Tests;

public sealed class TensorShapeTests
{
    [Fact]
    public void Shapes_compare_by_value_and_describe_themselves()
    {
        TensorShape a = [2, 3, 4];
        var b = new TensorShape(2L, 3L, 4L);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.NotEqual(a, new TensorShape(2, 4, 3));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(24, a.ElementCount);
        Assert.Equal(3, a.Rank);
        Assert.Equal(4, a[-1]);
        Assert.Equal("[2, 3, 4]", a.ToString());
        Assert.Equal(new long[] { 12, 4, 1 }, a.ContiguousStrides());
        Assert.Equal(1, TensorShape.Scalar.ElementCount);
        Assert.Equal(0, TensorShape.Scalar.Rank);
        Assert.Equal(0, new TensorShape(3, 0).ElementCount);
    }

    [Fact]
    public void Invalid_shapes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorShape(2, -1));
        Assert.Throws<ArgumentException>(() => new TensorShape(1, 1, 1, 1, 1, 1, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorShape(long.MaxValue, 2L));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorShape(2, 3)[2]);
    }
}

[Collection("Npu")]
public sealed class TensorTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Iota(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    [Fact]
    public void Upload_and_download_round_trip_every_element_type()
    {
        using var stream = Device.CreateStream();
        using (var t = NpuTensor.FromArray(stream, Iota(6), [2, 3]))
        {
            Assert.Equal(NpuDataType.Float32, t.DataType);
            Assert.Equal(new TensorShape(2, 3), t.Shape);
            Assert.Equal(new long[] { 3, 1 }, t.Strides.ToArray());
            Assert.Equal(0, t.Offset);
            Assert.Equal(6, t.ElementCount);
            Assert.Equal(24, t.ByteLength);
            Assert.True(t.IsContiguous);
            Assert.True(t.IsPooled);
            Assert.Same(stream, t.Stream);
            Assert.Equal(Device.Id, t.Device.Id);
            Assert.Equal(Iota(6), t.ToArray<float>());
        }
        RoundTrip(new[] { 1, -2, int.MaxValue, int.MinValue });
        RoundTrip(new[] { 1L, long.MinValue, 42L });
        RoundTrip(new[] { (Half)1.5f, (Half)(-0.25f), Half.MaxValue });
        RoundTrip(new[] { (NpuBFloat16)1.5f, (NpuBFloat16)(-3e20f), (NpuBFloat16)0.1f });
        RoundTrip(new[] { true, false, true });
        RoundTrip(new byte[] { 0, 255, 7 });
        RoundTrip(new sbyte[] { -128, 127, 0 });
        RoundTrip(new[] { Math.PI, -1e300 });

        void RoundTrip<T>(T[] values) where T : unmanaged
        {
            using var t = NpuTensor.FromArray(stream, values);
            Assert.Equal(NpuDataTypeExtensions.Of<T>(), t.DataType);
            Assert.Equal(values, t.ToArray<T>());
        }
    }

    [Fact]
    public void Element_type_and_length_mismatches_are_refused()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        var wrongType = Assert.Throws<ArgumentException>(() => t.ToArray<Half>());
        Assert.Contains("Float32", wrongType.Message);
        Assert.Throws<ArgumentException>(() => t.CopyFrom<int>(new int[6]));
        Assert.Throws<ArgumentException>(() => t.CopyFrom<float>(new float[5]));
        Assert.Throws<ArgumentException>(() => t.CopyTo<float>(new float[7]));
        Assert.Throws<ArgumentException>(() => NpuTensor.FromArray(stream, Iota(5), [2, 3]));
        Assert.Throws<NotSupportedException>(() => t.ToArray<char>());
    }

    [Fact]
    public void Views_share_storage_and_read_the_right_elements()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, Iota(12), [3, 4]);      // row-major 0..11

        using var columns = t.Slice(1, 1, 2);                               // [[1,2],[5,6],[9,10]]
        Assert.Equal(new TensorShape(3, 2), columns.Shape);
        Assert.False(columns.IsContiguous);
        Assert.Equal(1, columns.Offset);
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10 }, columns.ToArray<float>());

        using var rows = t.Slice(0, 1, 2);                                  // rows 1..2: contiguous
        Assert.True(rows.IsContiguous);
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }, rows.ToArray<float>());

        using var transposed = t.Transpose(0, 1);
        Assert.Equal(new TensorShape(4, 3), transposed.Shape);
        Assert.Equal(new long[] { 1, 4 }, transposed.Strides.ToArray());
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, transposed.ToArray<float>());

        using var reshaped = t.Reshape(2, -1, 3);
        Assert.Equal(new TensorShape(2, 2, 3), reshaped.Shape);
        using var permuted = reshaped.Permute(2, 0, 1);                     // [3,2,2]: p[k,i,j] = r[i,j,k]
        var expected = new float[12];
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    expected[k * 4 + i * 2 + j] = i * 6 + j * 3 + k;
        Assert.Equal(expected, permuted.ToArray<float>());

        using var lastRow = t.Slice(0, 2, 1);
        using var row = lastRow.Reshape(4);
        using var unsqueezed = row.Unsqueeze(0);
        using var expanded = unsqueezed.Expand([2, 4]);
        Assert.Equal(new long[] { 0, 1 }, expanded.Strides.ToArray());
        Assert.Equal(new float[] { 8, 9, 10, 11, 8, 9, 10, 11 }, expanded.ToArray<float>());

        Assert.Throws<InvalidOperationException>(() => transposed.Reshape(12));
        Assert.Throws<ArgumentException>(() => t.Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => t.Reshape(-1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(1, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(2, 0, 1));
        Assert.Throws<ArgumentException>(() => t.Permute(0, 0));
        Assert.Throws<ArgumentException>(() => t.Expand([3, 5]));
    }

    [Fact]
    public void Writing_through_a_strided_view_updates_the_base()
    {
        using var stream = Device.CreateStream();
        using var t = NpuTensor.Zeros(stream, [2, 3], NpuDataType.Float32);
        Assert.Equal(new float[6], t.ToArray<float>());
        using (var transposed = t.Transpose(0, 1))
            transposed.CopyFrom<float>([1, 2, 3, 4, 5, 6]);                // transposed[i,j] = t[j,i]
        Assert.Equal(new float[] { 1, 3, 5, 2, 4, 6 }, t.ToArray<float>());
        using (var column = t.Slice(1, 2, 1))
            column.CopyFrom<float>([-1, -2]);
        Assert.Equal(new float[] { 1, 3, -1, 2, 4, -2 }, t.ToArray<float>());
    }

    [Fact]
    public void Pooled_memory_returns_when_the_last_view_is_disposed()
    {
        using var stream = Device.CreateStream();
        var pool = Device.MemoryPool;
        long before = pool.InUseBytes;
        var t = NpuTensor.FromArray(stream, Iota(1000), [10, 100]);
        Assert.Equal(before + 4096, pool.InUseBytes);                      // 4000 bytes rounded to 512
        var view = t.Slice(0, 5, 5);
        t.Dispose();
        t.Dispose();                                                        // idempotent
        Assert.True(t.IsDisposed);
        Assert.Equal(before + 4096, pool.InUseBytes);                      // the view keeps the storage
        Assert.Equal(Iota(1000)[500..], view.ToArray<float>());
        view.Dispose();
        Assert.Equal(before, pool.InUseBytes);
    }

    [Fact]
    public void A_disposed_tensor_refuses_every_use()
    {
        using var stream = Device.CreateStream();
        var t = NpuTensor.FromArray(stream, Iota(4));
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => t.CopyFrom<float>(Iota(4)));
        Assert.Throws<ObjectDisposedException>(() => t.Slice(0, 0, 1));
        Assert.Throws<ObjectDisposedException>(() => t.Reshape(2, 2));
        Assert.Throws<ObjectDisposedException>(() => t.DataPointer);
        Assert.Contains("disposed", t.ToString());
    }

    [Fact]
    public void Tensors_over_caller_owned_buffers()
    {
        using var stream = Device.CreateStream();
        var buffer = DeviceBuffer.Allocate<float>(Device, 16);
        buffer.CopyFrom<float>(Iota(16));
        using var t = NpuTensor.FromBuffer(buffer, [2, 3], NpuDataType.Float32, offset: 4, strides: [6, 2]);
        Assert.False(t.IsPooled);
        Assert.Equal(new float[] { 4, 6, 8, 10, 12, 14 }, t.ToArray<float>(stream));

        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => NpuTensor.FromBuffer(buffer, [4, 4], NpuDataType.Float32, offset: 1));
        Assert.Contains("reaches element 16", outside.Message);
        Assert.Throws<ArgumentException>(() => NpuTensor.FromBuffer(buffer, [4], NpuDataType.Float32, strides: [1, 1]));

        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>(stream));
        Assert.Throws<ObjectDisposedException>(() => NpuTensor.FromBuffer(buffer, [4], NpuDataType.Float32));
    }

    [Fact]
    public void Pinned_copies_are_queued_on_the_stream()
    {
        using var stream = Device.CreateStream();
        using var input = PinnedBuffer<float>.Allocate(Device, 8);
        using var output = PinnedBuffer<float>.Allocate(Device, 8);
        Iota(8).CopyTo(input.Span);
        using var t = NpuTensor.Empty(stream, [8], NpuDataType.Float32);
        t.EnqueueCopyFrom(stream, input);
        t.EnqueueCopyTo(stream, output);
        stream.Synchronize();
        Assert.Equal(Iota(8), output.Span.ToArray());
        using var matrix = t.Reshape(2, 4);
        using var view = matrix.Transpose(0, 1);
        Assert.Throws<InvalidOperationException>(() => view.EnqueueCopyTo(stream, output));
        using var small = PinnedBuffer<float>.Allocate(Device, 4);
        Assert.Throws<ArgumentException>(() => t.EnqueueCopyFrom(stream, small));
    }

    [Fact]
    public void Empty_and_scalar_tensors()
    {
        using var stream = Device.CreateStream();
        using var empty = NpuTensor.Empty(stream, [3, 0], NpuDataType.Float32);
        Assert.Equal(0, empty.ElementCount);
        Assert.Empty(empty.ToArray<float>());
        empty.CopyFrom<float>([]);
        using var scalar = NpuTensor.FromArray(stream, new[] { 7.5f }, TensorShape.Scalar);
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(new[] { 7.5f }, scalar.ToArray<float>());
    }

    [Fact]
    public void A_stream_of_another_device_is_refused()
    {
        if (NpuDevice.Count < 2) Assert.Skip("needs two devices");
        using var device1 = NpuDevice.Open(1);
        using var stream1 = device1.CreateStream();
        using var stream = Device.CreateStream();
        using var t = NpuTensor.FromArray(stream, Iota(4));
        var e = Assert.Throws<ArgumentException>(() => t.ToArray<float>(stream1));
        Assert.Contains("device 1", e.Message);
        device1.MemoryPool.Trim();
    }

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void The_native_descriptor_is_created_once_and_destroyed_with_the_tensor()
    {
        using var stream = Device.CreateStream();
        using var a = NpuTensor.FromArray(stream, Iota(4));
        using var b = NpuTensor.FromArray(stream, Iota(4));
        ulong tensors = SimControl.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS);
        var c = Ops.Add(stream, a, b);
        Assert.Equal(tensors + 3, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS));
        for (int i = 0; i < 5; i++) Ops.Add(stream, a, b, c);
        Assert.Equal(tensors + 3, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS));
        c.Dispose();
        Assert.Equal(tensors + 2, SimControl.Counter(aclsimCounter.ACLSIM_LIVE_TENSORS));
    }
}
