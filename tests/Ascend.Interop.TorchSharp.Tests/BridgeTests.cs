using TorchSharp;
using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>Uploads, downloads and the static copies: values, views, layouts, checks, dispose scopes.</summary>
public sealed class BridgeTests(NpuFixture npu)
{
    private readonly NpuStream _stream = npu.Stream;

    public static TheoryData<ScalarType> BridgedTypes => new()
    {
        ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float64,
        ScalarType.Int8, ScalarType.Byte, ScalarType.Int32, ScalarType.Int64, ScalarType.Bool,
    };

    [TorchTheory]
    [MemberData(nameof(BridgedTypes))]
    public void Round_trip_keeps_every_bit(ScalarType type)
    {
        manual_seed(11);
        using var scope = NewDisposeScope();
        var source = TorchAssert.Random(type, 3, 5, 7);
        using var device = source.ToNpu(_stream);
        Assert.Equal(type.ToNpuDataType(), device.DataType);
        Assert.Equal(new long[] { 3, 5, 7 }, device.Shape.ToArray());
        Assert.True(device.IsContiguous);
        var back = device.ToTorch(_stream);
        TorchAssert.Equal(source, back);
    }

    [TorchFact]
    public void Upload_reads_the_values_the_torch_tensor_holds()
    {
        using var scope = NewDisposeScope();
        var source = tensor(new float[] { 1.5f, -2f, 3.25f, 0f, 1e-7f, -65504f }, new long[] { 2, 3 });
        using var device = source.ToNpu(_stream);
        Assert.Equal(new float[] { 1.5f, -2f, 3.25f, 0f, 1e-7f, -65504f }, device.ToArray<float>(_stream));
    }

    [TorchFact]
    public void A_contiguous_view_is_read_from_its_storage_offset()
    {
        using var scope = NewDisposeScope();
        var all = arange(0, 24, dtype: ScalarType.Float32).reshape(4, 6);
        var rows = all.narrow(0, 1, 2);
        Assert.True(rows.is_contiguous());
        Assert.Equal(6, rows.storage_offset());
        using var device = rows.ToNpu(_stream);
        Assert.Equal(Enumerable.Range(6, 12).Select(i => (float)i).ToArray(), device.ToArray<float>(_stream));
    }

    [TorchFact]
    public void Strided_and_expanded_views_are_uploaded_in_row_major_order()
    {
        using var scope = NewDisposeScope();
        var all = arange(0, 24, dtype: ScalarType.Int32).reshape(4, 6);
        var columns = all.narrow(1, 2, 3);            // strides [6, 1], offset 2
        var transposed = all.t();                     // strides [1, 6]
        var expectedTransposed = transposed.contiguous().data<int>().ToArray();
        var expanded = arange(0, 3, dtype: ScalarType.Int32).expand(2, 3); // stride 0
        Assert.False(columns.is_contiguous());
        Assert.False(transposed.is_contiguous());
        int before = scope.DisposablesCount;
        using (var device = columns.ToNpu(_stream))
            Assert.Equal(new[] { 2, 3, 4, 8, 9, 10, 14, 15, 16, 20, 21, 22 }, device.ToArray<int>(_stream));
        using (var device = transposed.ToNpu(_stream))
            Assert.Equal(expectedTransposed, device.ToArray<int>(_stream));
        using (var device = expanded.ToNpu(_stream))
            Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, device.ToArray<int>(_stream));
        // The CPU temporaries (contiguous copies) were disposed, not left in the caller's scope.
        Assert.Equal(before, scope.DisposablesCount);
    }

    [TorchFact]
    public void A_strided_npu_view_downloads_in_row_major_order()
    {
        using var scope = NewDisposeScope();
        var all = arange(0, 24, dtype: ScalarType.Float32).reshape(4, 6);
        using var device = all.ToNpu(_stream);
        using var view = device.Transpose(0, 1).Slice(0, 1, 3); // [3, 4] view, strides [1, 6], offset 1
        Assert.False(view.IsContiguous);
        var back = view.ToTorch(_stream);
        TorchAssert.Equal(all.t().narrow(0, 1, 3).contiguous(), back);
    }

    [TorchFact]
    public void Returned_tensors_join_the_callers_dispose_scope()
    {
        Tensor inside;
        using var device = arange(0, 6, dtype: ScalarType.Float32).reshape(2, 3).ToNpu(_stream);
        using (var scope = NewDisposeScope())
        {
            int before = scope.DisposablesCount;
            inside = device.ToTorch(_stream);
            Assert.True(scope.Contains(inside));
            Assert.Equal(before + 1, scope.DisposablesCount);
            using var view = device.Transpose(0, 1);
            var strided = view.ToTorch(_stream);
            Assert.True(scope.Contains(strided));
            Assert.Equal(before + 2, scope.DisposablesCount);
            Assert.False(inside.IsInvalid);
        }
        Assert.True(inside.IsInvalid);

        // Without a scope the caller owns the result.
        using var owned = device.ToTorch(_stream);
        Assert.False(owned.IsInvalid);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, owned.data<float>().ToArray());
    }

    [TorchFact]
    public void CopyFrom_and_CopyTo_reuse_the_tensors_staging_buffer()
    {
        using var scope = NewDisposeScope();
        using var device = NpuTensor.Zeros(_stream, [4, 8], NpuDataType.Float32);
        var output = zeros(4, 8);
        for (int step = 0; step < 3; step++)
        {
            var input = randn(4, 8);
            device.CopyFrom(_stream, input);
            device.CopyTo(_stream, output);
            TorchAssert.Equal(input, output);
        }
        Assert.True(TorchBridge.HasStaging(device));
        Assert.True(device.ReleaseStaging());
        Assert.False(TorchBridge.HasStaging(device));
        Assert.False(device.ReleaseStaging());
    }

    [TorchFact]
    public void CopyFrom_does_not_wait_and_the_source_may_change_at_once()
    {
        using var scope = NewDisposeScope();
        using var device = NpuTensor.Zeros(_stream, [1000], NpuDataType.Float32);
        var source = arange(0, 1000, dtype: ScalarType.Float32);
        device.CopyFrom(_stream, source);
        source.fill_(-1);                                   // staged already: the device gets 0..999
        var sum = zeros(1000);
        device.CopyTo(_stream, sum);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray(), sum.data<float>().ToArray());
    }

    [TorchFact]
    public void CopyFrom_into_a_strided_npu_view_writes_only_the_view()
    {
        using var scope = NewDisposeScope();
        using var whole = NpuTensor.Zeros(_stream, [4, 6], NpuDataType.Float32);
        using var middle = whole.Slice(1, 1, 3);            // [4, 3], strides [6, 1], offset 1
        var values = arange(1, 13, dtype: ScalarType.Float32).reshape(4, 3);
        middle.CopyFrom(_stream, values);
        var expected = zeros(4, 6);
        expected.narrow(1, 1, 3).copy_(values);
        TorchAssert.Equal(expected, whole.ToTorch(_stream));
        Assert.True(middle.ReleaseStaging());
    }

    [TorchFact]
    public void CopyTo_into_a_strided_torch_view_writes_only_the_view()
    {
        using var scope = NewDisposeScope();
        var values = arange(1, 16, dtype: ScalarType.Float64).reshape(5, 3);
        using var device = values.ToNpu(_stream);
        var big = zeros(new long[] { 5, 8 }, ScalarType.Float64);
        var window = big.narrow(1, 2, 3);                    // strides [8, 1], offset 2
        int before = scope.DisposablesCount;
        device.CopyTo(_stream, window);
        Assert.Equal(before, scope.DisposablesCount);        // the contiguous temporary did not stay
        var expected = zeros(new long[] { 5, 8 }, ScalarType.Float64);
        expected.narrow(1, 2, 3).copy_(values);
        TorchAssert.Equal(expected, big);
        Assert.True(device.ReleaseStaging());
    }

    [TorchFact]
    public void Mismatched_shapes_and_types_are_refused()
    {
        using var scope = NewDisposeScope();
        using var device = NpuTensor.Zeros(_stream, [2, 3], NpuDataType.Float32);
        var e1 = Assert.Throws<ArgumentException>(() => device.CopyFrom(_stream, zeros(3, 2)));
        Assert.Contains("[3, 2]", e1.Message);
        Assert.Contains("[2, 3]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => device.CopyFrom(_stream, zeros(new long[] { 2, 3 }, ScalarType.Float64)));
        Assert.Contains("Float64", e2.Message);
        Assert.Throws<ArgumentException>(() => device.CopyTo(_stream, zeros(new long[] { 2, 3 }, ScalarType.Int32)));
        Assert.Throws<ArgumentException>(() => device.CopyTo(_stream, zeros(6)));
        var e3 = Assert.Throws<ArgumentException>(() => device.CopyTo(_stream, zeros(1, 3).expand(2, 3)));
        Assert.Contains("stride 0", e3.Message);
        Assert.False(TorchBridge.HasStaging(device));        // refused before any staging was made
    }

    [TorchFact]
    public void Only_dense_cpu_tensors_are_accepted()
    {
        using var scope = NewDisposeScope();
        var meta = empty(new long[] { 2, 3 }, device: META);
        var e1 = Assert.Throws<ArgumentException>(() => meta.ToNpu(_stream));
        Assert.Contains("CPU tensors only", e1.Message);
        using var device = NpuTensor.Zeros(_stream, [2, 3], NpuDataType.Float32);
        Assert.Throws<ArgumentException>(() => device.CopyFrom(_stream, meta));
        Assert.Throws<ArgumentException>(() => device.CopyTo(_stream, meta));
        var sparse = eye(3).to_sparse();
        var e2 = Assert.Throws<ArgumentException>(() => sparse.ToNpu(_stream));
        Assert.Contains("sparse", e2.Message);
        var int16 = zeros(new long[] { 2 }, ScalarType.Int16);
        var e3 = Assert.Throws<NotSupportedException>(() => int16.ToNpu(_stream));
        Assert.Contains("Int16", e3.Message);
        var disposed = zeros(2);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.ToNpu(_stream));
    }

    [TorchFact]
    public void Copies_are_refused_while_the_stream_captures()
    {
        using var scope = NewDisposeScope();
        using var stream = npu.Device.CreateStream();
        using var device = NpuTensor.Zeros(stream, [2, 3], NpuDataType.Float32);
        stream.Synchronize();
        var input = ones(2, 3);
        using (var graph = stream.BeginCapture())
        {
            var e = Assert.Throws<InvalidOperationException>(() => device.CopyFrom(stream, input));
            Assert.Contains("capturing", e.Message);
            Assert.Throws<InvalidOperationException>(() => input.ToNpu(stream));
            Assert.Throws<InvalidOperationException>(() => device.ToTorch(stream));
            Assert.Throws<InvalidOperationException>(() => device.CopyTo(stream, zeros(2, 3)));
        }
        // The abandoned capture left the stream usable, and nothing was staged.
        Assert.False(TorchBridge.HasStaging(device));
        device.CopyFrom(stream, input);
        TorchAssert.Equal(input, device.ToTorch(stream));
    }

    [TorchFact]
    public void Empty_tensors_round_trip()
    {
        using var scope = NewDisposeScope();
        var source = zeros(0, 4);
        using var device = source.ToNpu(_stream);
        Assert.Equal(0, device.ElementCount);
        var back = device.ToTorch(_stream);
        Assert.Equal(new long[] { 0, 4 }, back.shape);
        device.CopyFrom(_stream, source);
        device.CopyTo(_stream, back);
        Assert.False(TorchBridge.HasStaging(device));
    }
}
