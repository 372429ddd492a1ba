using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp.Tests;

public sealed class DataTypeTests
{
    public static TheoryData<ScalarType, NpuDataType> Pairs => new()
    {
        { ScalarType.Float32, NpuDataType.Float32 },
        { ScalarType.Float16, NpuDataType.Float16 },
        { ScalarType.BFloat16, NpuDataType.BFloat16 },
        { ScalarType.Float64, NpuDataType.Float64 },
        { ScalarType.Int8, NpuDataType.Int8 },
        { ScalarType.Byte, NpuDataType.UInt8 },
        { ScalarType.Int32, NpuDataType.Int32 },
        { ScalarType.Int64, NpuDataType.Int64 },
        { ScalarType.Bool, NpuDataType.Bool },
    };

    [TorchTheory]
    [MemberData(nameof(Pairs))]
    public void Maps_both_ways(ScalarType torchType, NpuDataType npuType)
    {
        Assert.Equal(npuType, torchType.ToNpuDataType());
        Assert.Equal(torchType, npuType.ToTorchScalarType());
        Assert.True(torchType.TryToNpuDataType(out var n));
        Assert.Equal(npuType, n);
        Assert.True(npuType.TryToTorchScalarType(out var t));
        Assert.Equal(torchType, t);
    }

    [TorchTheory]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.ComplexFloat32)]
    [InlineData(ScalarType.ComplexFloat64)]
    [InlineData(ScalarType.QInt8)]
    [InlineData(ScalarType.QUInt8)]
    [InlineData(ScalarType.QInt32)]
    public void Torch_types_without_a_counterpart_are_refused_by_name(ScalarType torchType)
    {
        var e = Assert.Throws<NotSupportedException>(() => torchType.ToNpuDataType());
        Assert.Contains(torchType.ToString(), e.Message);
        Assert.False(torchType.TryToNpuDataType(out _));
    }

    [TorchFact]
    public void Values_outside_NpuDataType_are_refused()
    {
        var bogus = (NpuDataType)5;
        var e = Assert.Throws<NotSupportedException>(() => bogus.ToTorchScalarType());
        Assert.Contains("(5)", e.Message);
        Assert.False(bogus.TryToTorchScalarType(out _));
    }
}
