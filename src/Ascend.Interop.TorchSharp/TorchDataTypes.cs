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

    // Each shared element type once, read in both directions.
    private static readonly (ScalarType Torch, NpuDataType Npu)[] s_pairs =
    [
        (ScalarType.Float32, NpuDataType.Float32),
        (ScalarType.Float16, NpuDataType.Float16),
        (ScalarType.BFloat16, NpuDataType.BFloat16),
        (ScalarType.Float64, NpuDataType.Float64),
        (ScalarType.Int8, NpuDataType.Int8),
        (ScalarType.Byte, NpuDataType.UInt8),
        (ScalarType.Int32, NpuDataType.Int32),
        (ScalarType.Int64, NpuDataType.Int64),
        (ScalarType.Bool, NpuDataType.Bool),
    ];

    /// <summary>The NPU element type of <paramref name="type"/>, or false when it has none.</summary>
    public static bool TryToNpuDataType(this ScalarType type, out NpuDataType result)
    {
        foreach (var pair in s_pairs)
        {
            if (pair.Torch == type) { result = pair.Npu; return true; }
        }
        result = default;
        return false;
    }

    /// <summary>The TorchSharp scalar type of <paramref name="type"/>, or false when it has none.</summary>
    public static bool TryToTorchScalarType(this NpuDataType type, out ScalarType result)
    {
        foreach (var pair in s_pairs)
        {
            if (pair.Npu == type) { result = pair.Torch; return true; }
        }
        result = default;
        return false;
    }
}
