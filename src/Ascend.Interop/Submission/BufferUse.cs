namespace Ascend.Interop;

/// <summary>
/// One buffer a piece of stream work reads or writes: a tensor view, or a plain range of device or pinned host memory
/// with the object that owns it.
/// </summary>
internal readonly struct BufferUse
{
    // Four fields, so the JIT keeps a use in registers: the tensor, or the owner of a plain range.
    private readonly object? _target;

    private BufferUse(object? target, nint address, long bytes, BufferAccess access)
    {
        _target = target;
        Address = address;
        Bytes = bytes;
        Access = access;
    }

    /// <summary>The tensor view used, or null for a plain range.</summary>
    public NpuTensor? Tensor => _target as NpuTensor;

    /// <summary>For a plain range: the <see cref="DeviceBuffer"/> or <see cref="PinnedBuffer{T}"/> it belongs to (held by a capture), if any.</summary>
    public IHeldMemory? Owner => _target as IHeldMemory;

    /// <summary>For a plain range: its first byte and length.</summary>
    public readonly nint Address;
    public readonly long Bytes;

    public readonly BufferAccess Access;

    /// <summary>True for <c>default(BufferUse)</c>: no buffer (an absent optional argument).</summary>
    public bool IsNone => Access == 0;

    public bool Reads => (Access & BufferAccess.Read) != 0;
    public bool Writes => (Access & BufferAccess.Write) != 0;

    public static BufferUse Of(NpuTensor tensor, BufferAccess access) => new(tensor, 0, 0, access);

    public static BufferUse Range(IHeldMemory? owner, nint address, long bytes, BufferAccess access) => new(owner, address, bytes, access);

    /// <summary>The description a graph records.</summary>
    public NpuGraphBuffer Describe() => Tensor is { } t ? t.DescribeBuffer() : new NpuGraphBuffer(Address, Bytes, [], null);
}
