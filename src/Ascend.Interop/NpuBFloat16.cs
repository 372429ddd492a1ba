using System.Runtime.InteropServices;

namespace Ascend.Interop;

/// <summary>
/// The bfloat16 format (the upper 16 bits of an IEEE float32), as stored in NPU tensors of
/// <see cref="NpuDataType.BFloat16"/>. Conversion from float rounds to nearest, ties to even.
/// </summary>
/// <remarks>
/// Named with the SDK's <c>Npu</c> prefix so that it cannot clash with a <c>System.Numerics.BFloat16</c> when .NET
/// ships one (both namespaces are commonly imported together with System.Numerics.Tensors).
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = 2)]
public readonly struct NpuBFloat16 : IEquatable<NpuBFloat16>
{
    /// <summary>The raw 16 bits.</summary>
    public readonly ushort Bits;

    private NpuBFloat16(ushort bits) => Bits = bits;

    /// <summary>Wraps raw bits.</summary>
    public static NpuBFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even); NaN stays NaN.</summary>
    public static explicit operator NpuBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return new NpuBFloat16((ushort)((bits >> 16) | 0x0040));
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return new NpuBFloat16((ushort)((bits + rounding) >> 16));
    }

    /// <summary>Widens exactly to float.</summary>
    public static implicit operator float(NpuBFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <inheritdoc />
    public bool Equals(NpuBFloat16 other) => Bits == other.Bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NpuBFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Bits;

    /// <inheritdoc />
    public override string ToString() => ((float)this).ToString();
}
