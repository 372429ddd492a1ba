namespace Ascend.Interop.Tests;

/// <summary>Host values in double for the tensors of the operator tests: rounding, upload, download, ulp.</summary>
internal static class TensorValues
{
    /// <summary><paramref name="value"/> rounded to <paramref name="type"/> (via float32, as the upload does).</summary>
    public static double Round(NpuDataType type, double value) => type switch
    {
        NpuDataType.Float32 => (float)value,
        NpuDataType.Float16 => (double)(Half)(float)value,
        NpuDataType.BFloat16 => (float)(NpuBFloat16)(float)value,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a floating type of the tests"),
    };

    public static NpuTensor Upload(NpuStream stream, NpuDataType type, double[] values, TensorShape shape) => type switch
    {
        NpuDataType.Float32 => NpuTensor.FromArray(stream, values.Select(v => (float)v).ToArray(), shape),
        NpuDataType.Float16 => NpuTensor.FromArray(stream, values.Select(v => (Half)(float)v).ToArray(), shape),
        NpuDataType.BFloat16 => NpuTensor.FromArray(stream, values.Select(v => (NpuBFloat16)(float)v).ToArray(), shape),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a floating type of the tests"),
    };

    /// <summary>The values a tensor holds, in row-major order of its (logical) shape, as doubles.</summary>
    public static double[] Download(NpuTensor tensor, NpuStream? stream = null) => tensor.DataType switch
    {
        NpuDataType.Float32 => tensor.ToArray<float>(stream).Select(v => (double)v).ToArray(),
        NpuDataType.Float16 => tensor.ToArray<Half>(stream).Select(v => (double)v).ToArray(),
        NpuDataType.BFloat16 => tensor.ToArray<NpuBFloat16>(stream).Select(v => (double)(float)v).ToArray(),
        NpuDataType.Int32 => tensor.ToArray<int>(stream).Select(v => (double)v).ToArray(),
        NpuDataType.Int64 => tensor.ToArray<long>(stream).Select(v => (double)v).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor), tensor.DataType, "not a type of the tests"),
    };

    /// <summary>
    /// One unit in the last place of <paramref name="type"/> at <paramref name="value"/> (subnormal spacing below the
    /// normal range); 0 for the integer types, whose results are exact.
    /// </summary>
    public static double Ulp(NpuDataType type, double value)
    {
        (int mantissa, int minExponent) = type switch
        {
            NpuDataType.Float32 => (23, -126),
            NpuDataType.Float16 => (10, -14),
            NpuDataType.BFloat16 => (7, -126),
            _ => (0, 0),
        };
        if (type is NpuDataType.Int32 or NpuDataType.Int64) return 0;
        int exponent = value == 0 || !double.IsFinite(value) ? minExponent : Math.Max(minExponent, (int)Math.Floor(Math.Log2(Math.Abs(value))));
        return Math.ScaleB(1, exponent - mantissa);
    }
}
