using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// Page-locked host memory from <c>aclrtMallocHost</c>, the only host memory that asynchronous
/// copies (and captured graphs) may read or write.
/// </summary>
public sealed unsafe class PinnedBuffer<T> : IDisposable, IHeldMemory where T : unmanaged
{
    private readonly PinnedMemoryHandle _handle;
    private readonly NpuDevice _device;
    private int _disposed;

    private PinnedBuffer(NpuDevice device, PinnedMemoryHandle handle, long length)
    {
        _device = device;
        _handle = handle;
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

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _disposed != 0;

    /// <summary>The memory as a span. Do not keep it beyond the buffer's lifetime, nor write it while queued copies read it.</summary>
    public Span<T> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return new Span<T>((void*)_handle.DangerousGetHandle(), (int)Length);
        }
    }

    /// <summary>The host address; keep this buffer alive while native code uses it.</summary>
    public nint Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _handle.DangerousGetHandle();
        }
    }

    internal HandleLease Lease()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new HandleLease(_handle, this);
    }

    bool IHeldMemory.TryHold()
    {
        bool added = false;
        try
        {
            if (!_handle.IsClosing) _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }
        return added;
    }

    void IHeldMemory.ReleaseHold() => _handle.DangerousRelease();

    /// <summary>Frees the memory (once no captured graph holds it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _handle.Dispose();
    }
}
