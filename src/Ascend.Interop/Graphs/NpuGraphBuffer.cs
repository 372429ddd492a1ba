namespace Ascend.Interop;

/// <summary>One buffer an operation in a graph reads or writes.</summary>
/// <param name="Address">Device address of the first byte the operation touches.</param>
/// <param name="Bytes">Extent in bytes (of the tensor's storage view).</param>
/// <param name="Shape">Tensor shape, or empty for a plain buffer.</param>
/// <param name="DataType">Element type, or null for a plain buffer.</param>
public sealed record NpuGraphBuffer(nint Address, long Bytes, long[] Shape, NpuDataType? DataType)
{
    /// <summary>"float32[8, 256] @0x…" style text.</summary>
    public override string ToString() =>
        DataType is { } t
            ? $"{t.ToString().ToLowerInvariant()}[{string.Join(", ", Shape)}] @0x{Address:x}"
            : $"{Bytes} bytes @0x{Address:x}";
}
