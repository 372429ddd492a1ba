using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp;

/// <summary>
/// The element types TorchSharp and the NPU share: float32, float16, bfloat16, float64, int8, uint8,
/// int32, int64 and bool. Every other type (int16, complex, quantized) has no NPU counterpart here
/// and is refused with a <see cref="NotSupportedException"/> that names it.
/// </summary>
public static class TorchDataTypes
{
    private const string Supported = "float32, float16, bfloat16, float64, int8, uint8, int32, int64, bool";

    /// <summary>The NPU element type of a TorchSharp scalar type.</summary>
    /// <exception cref="NotSupportedException">The type has no NPU counterpart (int16, complex, quantized).</exception>
    public static NpuDataType ToNpuDataType(this ScalarType type) =>
        TryToNpuDataType(type, out var result)
            ? result
            : throw new NotSupportedException($"TorchSharp's {type} has no NPU element type; the bridge supports {Supported}. Convert the tensor first (e.g. tensor.to_type(ScalarType.Float32)).");

    /// <summary>The TorchSharp scalar type of an NPU element type.</summary>
    /// <exception cref="NotSupportedException">The value is not one of the NPU element types the bridge supports.</exception>
    public static ScalarType ToTorchScalarType(this NpuDataType type) =>
        TryToTorchScalarType(type, out var result)
            ? result
            : throw new NotSupportedException($"NpuDataType {type} ({(int)type}) has no TorchSharp scalar type; the bridge supports {Supported}.");

    /// <summary>The NPU element type of <paramref name="type"/>, or false when it has none.</summary>
    public static bool TryToNpuDataType(this ScalarType type, out NpuDataType result)
    {
        switch (type)
        {
            case ScalarType.Float32: result = NpuDataType.Float32; return true;
            case ScalarType.Float16: result = NpuDataType.Float16; return true;
            case ScalarType.BFloat16: result = NpuDataType.BFloat16; return true;
            case ScalarType.Float64: result = NpuDataType.Float64; return true;
            case ScalarType.Int8: result = NpuDataType.Int8; return true;
            case ScalarType.Byte: result = NpuDataType.UInt8; return true;
            case ScalarType.Int32: result = NpuDataType.Int32; return true;
            case ScalarType.Int64: result = NpuDataType.Int64; return true;
            case ScalarType.Bool: result = NpuDataType.Bool; return true;
            default: result = default; return false;
        }
    }

    /// <summary>The TorchSharp scalar type of <paramref name="type"/>, or false when it has none.</summary>
    public static bool TryToTorchScalarType(this NpuDataType type, out ScalarType result)
    {
        switch (type)
        {
            case NpuDataType.Float32: result = ScalarType.Float32; return true;
            case NpuDataType.Float16: result = ScalarType.Float16; return true;
            case NpuDataType.BFloat16: result = ScalarType.BFloat16; return true;
            case NpuDataType.Float64: result = ScalarType.Float64; return true;
            case NpuDataType.Int8: result = ScalarType.Int8; return true;
            case NpuDataType.UInt8: result = ScalarType.Byte; return true;
            case NpuDataType.Int32: result = ScalarType.Int32; return true;
            case NpuDataType.Int64: result = ScalarType.Int64; return true;
            case NpuDataType.Bool: result = ScalarType.Bool; return true;
            default: result = default; return false;
        }
    }
}
