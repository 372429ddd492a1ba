using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// Page-locked host memory from <c>aclrtMallocHost</c>, the only host memory that asynchronous
/// copies (and captured graphs) may read or write.
/// </summary>
public sealed unsafe class PinnedBuffer<T> : NpuResource, IHeldMemory where T : unmanaged
{
    private readonly NpuDevice _device;

    // Host memory: its calls need no current context.
    private PinnedBuffer(NpuDevice device, PinnedMemoryHandle handle, long length) : base(handle, context: null)
    {
        _device = device;
        Length = length;
    }

    /// <summary>Allocates <paramref name="length"/> elements of pinned host memory for use with <paramref name="device"/>.</summary>
    public static PinnedBuffer<T> Allocate(NpuDevice device, long length)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (length > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "A pinned buffer holds at most int.MaxValue elements (it is exposed as a Span).");
        long bytes = checked(length * sizeof(T));
        using var lease = device.Enter();
        void* pointer;
        AclCheck.Check(aclrtMallocHost(&pointer, (nuint)bytes), nameof(aclrtMallocHost), $"allocating {bytes} bytes of pinned host memory");
        return new PinnedBuffer<T>(device, new PinnedMemoryHandle((nint)pointer, device.Context), length);
    }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>The memory as a span. Do not keep it beyond the buffer's lifetime, nor write it while queued copies read it.</summary>
    public Span<T> Span
    {
        get
        {
            ThrowIfDisposed();
            return new Span<T>((void*)HandleValue, (int)Length);
        }
    }

    /// <summary>The host address; keep this buffer alive while native code uses it.</summary>
    public nint Pointer
    {
        get
        {
            ThrowIfDisposed();
            return HandleValue;
        }
    }

    bool IHeldMemory.TryHold() => TryHoldHandle();

    void IHeldMemory.ReleaseHold() => ReleaseHandleHold();
}
