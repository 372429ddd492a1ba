using System.Buffers;
using System.Numerics.Tensors;

namespace Ascend.Interop.Tests;

/// <summary>Copies between NpuTensor and System.Numerics.Tensors (Tensor, TensorSpan, ReadOnlyTensorSpan).</summary>
[Collection("Npu")]
public sealed class NumericsTensorTests(NpuFixture fixture) : NpuLeakCheckedTest(fixture)
{
    private static float[] Iota(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    [Fact]
    public void Dense_tensors_round_trip_with_shape_and_dtype()
    {
        using var stream = Device.CreateStream();
        var host = Tensor.Create(Iota(24), [2, 3, 4]);
        using var npu = NpuTensor.FromTensor<float>(stream, host);
        Assert.Equal(new TensorShape(2, 3, 4), npu.Shape);
        Assert.Equal(NpuDataType.Float32, npu.DataType);
        Assert.Equal(Iota(24), npu.ToArray<float>(stream));

        var back = npu.ToTensor<float>(stream);
        Assert.Equal(new nint[] { 2, 3, 4 }, back.Lengths.ToArray());
        Assert.True(back.IsDense);
        Assert.False(back.IsPinned);
        Assert.Equal(Iota(24), back.ToArray());
        Assert.True(npu.ToTensor<float>(stream, pinned: true).IsPinned);

        RoundTrip(new[] { 1, -2, int.MaxValue, int.MinValue, 5, 6 });
        RoundTrip(new[] { 1L, long.MinValue, 42L, 0L, -1L, 3L });
        RoundTrip(new[] { (Half)1.5f, (Half)(-0.25f), Half.MaxValue, Half.Epsilon, (Half)0, (Half)3 });
        RoundTrip(new[] { (NpuBFloat16)1.5f, (NpuBFloat16)(-3e20f), (NpuBFloat16)0.1f, (NpuBFloat16)0, (NpuBFloat16)2, (NpuBFloat16)3 });
        RoundTrip(new[] { true, false, true, true, false, false });
        RoundTrip(new[] { Math.PI, -1e300, 0, 1, 2, 3 });

        void RoundTrip<T>(T[] values) where T : unmanaged
        {
            var source = Tensor.Create(values, [3, 2]);
            using var t = NpuTensor.FromTensor<T>(stream, source);
            Assert.Equal(NpuDataTypeExtensions.Of<T>(), t.DataType);
            Assert.Equal(values, t.ToArray<T>(stream));
            Assert.Equal(values, t.ToTensor<T>(stream).ToArray());
        }
    }

    [Fact]
    public void Strided_sources_are_gathered_in_row_major_order()
    {
        using var stream = Device.CreateStream();
        var big = Tensor.Create(Iota(24), [4, 6]);
        // Rows 1..2, columns 2..4 of a 4x6 tensor: a non-dense slice.
        ReadOnlyTensorSpan<float> slice = big.AsReadOnlyTensorSpan()[1..3, 2..5];
        Assert.False(slice.IsDense);
        using var fromSlice = NpuTensor.FromTensor(stream, slice);
        Assert.Equal([8f, 9, 10, 14, 15, 16], fromSlice.ToArray<float>(stream));

        // A transposed view (strides [1, 3]) of a 2x3 array, and a broadcast (stride 0) source.
        var data = Iota(6);
        var transposed = new ReadOnlyTensorSpan<float>(data, [3, 2], [1, 3]);
        using var t = NpuTensor.Empty(stream, [3, 2], NpuDataType.Float32);
        t.CopyFrom(stream, transposed);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToArray<float>(stream));
        var broadcast = new ReadOnlyTensorSpan<float>(new float[] { 7, 8 }, [3, 2], [0, 1]);
        t.CopyFrom(stream, broadcast);
        Assert.Equal([7f, 8, 7, 8, 7, 8], t.ToArray<float>(stream));

        // The same through a pinned staging buffer (larger than needed).
        using var staging = PinnedBuffer<float>.Allocate(Device, 10);
        t.CopyFrom(stream, transposed, staging);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToArray<float>(stream));
    }

    [Fact]
    public void Strided_destinations_receive_only_their_elements()
    {
        using var stream = Device.CreateStream();
        using var npu = NpuTensor.FromArray(stream, [1f, 2, 3, 4, 5, 6], [2, 3]);
        var big = Tensor.Create(Enumerable.Repeat(-1f, 24).ToArray(), [4, 6]);
        npu.CopyTo(stream, big.AsTensorSpan()[1..3, 2..5]);
        var expected = Enumerable.Repeat(-1f, 24).ToArray();
        expected[8] = 1; expected[9] = 2; expected[10] = 3; expected[14] = 4; expected[15] = 5; expected[16] = 6;
        Assert.Equal(expected, big.ToArray());

        // Transposed destination: element [i, j] of the NPU tensor lands at data[j * 2 + i].
        var data = new float[6];
        npu.CopyTo(stream, new TensorSpan<float>(data, [2, 3], [1, 2]));
        Assert.Equal([1f, 4, 2, 5, 3, 6], data);

        using var staging = PinnedBuffer<float>.Allocate(Device, 6);
        Array.Clear(data);
        npu.CopyTo(stream, new TensorSpan<float>(data, [2, 3], [1, 2]), staging);
        Assert.Equal([1f, 4, 2, 5, 3, 6], data);
    }

    [Fact]
    public void Npu_views_copy_to_and_from_host_tensors()
    {
        using var stream = Device.CreateStream();
        using var npu = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        using var transposed = npu.Transpose(0, 1);                     // [3, 2], strides [1, 3]
        Assert.False(transposed.IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], transposed.ToTensor<float>(stream).ToArray());
        using var staging = PinnedBuffer<float>.Allocate(Device, 6);
        var viaStaging = Tensor.Create(new float[6], [3, 2]);
        transposed.CopyTo(stream, viaStaging, staging);
        Assert.Equal([0f, 3, 1, 4, 2, 5], viaStaging.ToArray());

        // Writing through the transposed view writes the storage in transposed order.
        transposed.CopyFrom(stream, Tensor.Create(new float[] { 10, 11, 12, 13, 14, 15 }, [3, 2]));
        Assert.Equal([10f, 12, 14, 11, 13, 15], npu.ToArray<float>(stream));
        transposed.CopyFrom(stream, Tensor.Create(new float[] { 20, 21, 22, 23, 24, 25 }, [3, 2]), staging);
        Assert.Equal([20f, 22, 24, 21, 23, 25], npu.ToArray<float>(stream));

        // A slice of a column writes only that column.
        using var column = npu.Slice(1, 1, 1);                          // [2, 1] at offset 1, strides [3, 1]
        column.CopyFrom(stream, Tensor.Create(new float[] { -1, -2 }, [2, 1]));
        Assert.Equal([20f, -1, 24, 21, -2, 25], npu.ToArray<float>(stream));
    }

    [Fact]
    public void Mismatches_are_refused_with_the_rule()
    {
        using var stream = Device.CreateStream();
        using var npu = NpuTensor.FromArray(stream, Iota(6), [2, 3]);
        var wrongType = Assert.Throws<ArgumentException>(() => npu.CopyFrom(stream, Tensor.Create(new int[6], [2, 3])));
        Assert.Contains("Float32", wrongType.Message);
        var wrongShape = Assert.Throws<ArgumentException>(() => npu.CopyFrom(stream, Tensor.Create(Iota(6), [3, 2])));
        Assert.Contains("[3, 2]", wrongShape.Message);
        Assert.Contains("[2, 3]", wrongShape.Message);
        Assert.Equal("source", wrongShape.ParamName);
        Assert.Throws<ArgumentException>(() => npu.CopyTo(stream, Tensor.Create(new float[6], [6]).AsTensorSpan()));
        Assert.Throws<NotSupportedException>(() => NpuTensor.FromTensor(stream, Tensor.Create(new short[2], [2])));
        Assert.Throws<ArgumentException>(() => npu.ToTensor<Half>(stream));

        var overlap = Assert.Throws<ArgumentException>(() => npu.CopyTo(stream, new TensorSpan<float>(new float[3], [2, 3], [0, 1])));
        Assert.Contains("stride 0", overlap.Message);
        Assert.Equal("destination", overlap.ParamName);

        using var small = PinnedBuffer<float>.Allocate(Device, 5);
        var tooSmall = Assert.Throws<ArgumentException>(() => npu.CopyFrom(stream, Tensor.Create(Iota(6), [2, 3]), small));
        Assert.Equal("staging", tooSmall.ParamName);
        Assert.Equal(Iota(6), npu.ToArray<float>(stream));            // nothing was written

        using var staging = PinnedBuffer<float>.Allocate(Device, 6);
        using (var graph = stream.BeginCapture())
        {
            var captured = Assert.Throws<NpuCaptureException>(() => npu.CopyFrom(stream, Tensor.Create(Iota(6), [2, 3]), staging));
            Assert.Equal(107027, captured.Code);
            Assert.ThrowsAny<NpuCaptureException>(() => npu.CopyFrom(stream, Tensor.Create(Iota(6), [2, 3])));
            graph.EndCapture();
            Assert.Empty(graph.Operations);
        }
    }

    [Fact]
    public void Scalars_and_empty_tensors()
    {
        using var stream = Device.CreateStream();
        using var scalar = NpuTensor.FromArray(stream, [42f], TensorShape.Scalar);
        var host = scalar.ToTensor<float>(stream);
        Assert.Equal(new nint[] { 1 }, host.Lengths.ToArray());
        Assert.Equal([42f], host.ToArray());
        scalar.CopyFrom(stream, Tensor.Create(new float[] { 7 }, [1]));
        Assert.Equal([7f], scalar.ToArray<float>(stream));

        using var empty = NpuTensor.Empty(stream, [0, 3], NpuDataType.Int32);
        Assert.Equal(0, empty.ToTensor<int>(stream).FlattenedLength);
        empty.CopyFrom(stream, Tensor.Create(Array.Empty<int>(), [0, 3]));
    }
}
