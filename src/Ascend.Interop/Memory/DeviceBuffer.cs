using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// A raw block of device memory from <c>aclrtMalloc</c>, outside any pool. Prefer tensors and
/// <see cref="DeviceMemoryPool"/>; use this when you need memory with its own lifetime.
/// </summary>
public sealed class DeviceBuffer : NpuResource, IHeldMemory
{
    private DeviceBuffer(NpuDevice device, DeviceMemoryHandle handle, long length) : base(handle, device.Context)
    {
        Device = device;
        Length = length;
    }

    /// <summary>Allocates <paramref name="bytes"/> bytes on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not positive.</exception>
    /// <exception cref="AclException">The device is out of memory (207001 / 207018).</exception>
    public static unsafe DeviceBuffer Allocate(NpuDevice device, long bytes)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        using var lease = device.Enter();
        void* pointer;
        AclCheck.Check(aclrtMalloc(&pointer, (nuint)bytes, Native.aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), nameof(aclrtMalloc),
            $"allocating {bytes} bytes on device {device.Id}");
        return new DeviceBuffer(device, new DeviceMemoryHandle((nint)pointer, device.Context), bytes);
    }

    /// <summary>Allocates room for <paramref name="count"/> elements of <typeparamref name="T"/>.</summary>
    public static unsafe DeviceBuffer Allocate<T>(NpuDevice device, long count) where T : unmanaged =>
        Allocate(device, count > long.MaxValue / sizeof(T)
            ? throw new ArgumentOutOfRangeException(nameof(count), count, $"DeviceBuffer.Allocate<{typeof(T).Name}>: {count} elements of {sizeof(T)} bytes overflow a 64-bit byte count.")
            : count * sizeof(T));

    /// <summary>The device that owns the memory.</summary>
    public NpuDevice Device { get; }

    /// <summary>Size in bytes.</summary>
    public long Length { get; }

    /// <summary>The device address; keep this buffer alive while native code uses it.</summary>
    public nint Pointer
    {
        get
        {
            ThrowIfDisposed();
            return HandleValue;
        }
    }

    /// <summary>Copies <paramref name="source"/> from host memory to the buffer at <paramref name="offsetBytes"/> (synchronous).</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source, long offsetBytes = 0) where T : unmanaged
    {
        using var lease = Enter();
        MemoryCopy.HostToDevice(Device.Id, lease.Value, Length, offsetBytes, source);
    }

    /// <summary>Copies from the buffer at <paramref name="offsetBytes"/> into <paramref name="destination"/> (synchronous).</summary>
    public void CopyTo<T>(Span<T> destination, long offsetBytes = 0) where T : unmanaged
    {
        using var lease = Enter();
        MemoryCopy.DeviceToHost(Device.Id, lease.Value, Length, offsetBytes, destination);
    }

    /// <summary>Reads the whole buffer as elements of <typeparamref name="T"/>.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        if (Length % sizeof(T) != 0)
            throw new InvalidOperationException($"The buffer's {Length} bytes are not a whole number of {typeof(T).Name} elements.");
        var result = new T[Length / sizeof(T)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>
    /// Enqueues a copy of <paramref name="source"/> (pinned host memory) into the buffer at <paramref name="offsetBytes"/>
    /// on <paramref name="stream"/> and returns at once; keep <paramref name="source"/> unchanged until the stream reaches it.
    /// </summary>
    public unsafe void EnqueueCopyFrom<T>(NpuStream stream, PinnedBuffer<T> source, long offsetBytes = 0) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        EnqueuePinnedCopy(stream, source, offsetBytes, toDevice: true);
    }

    /// <summary>
    /// Enqueues a copy of the buffer (from <paramref name="offsetBytes"/>) into <paramref name="destination"/> (pinned host
    /// memory) on <paramref name="stream"/> and returns at once; read <paramref name="destination"/> after the stream reaches it.
    /// </summary>
    public unsafe void EnqueueCopyTo<T>(NpuStream stream, PinnedBuffer<T> destination, long offsetBytes = 0) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnqueuePinnedCopy(stream, destination, offsetBytes, toDevice: false);
    }

    // One asynchronous copy between the whole of `pinned` and the buffer's bytes from offsetBytes, in either direction.
    private unsafe void EnqueuePinnedCopy<T>(NpuStream stream, PinnedBuffer<T> pinned, long offsetBytes, bool toDevice) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckStreamDevice(stream);
        long bytes = pinned.Length * sizeof(T);
        MemoryCopy.CheckRange(offsetBytes, bytes, Length, "device buffer");
        using var lease = Enter();
        using var pinnedLease = pinned.Lease();
        nint device = lease.Value + (nint)offsetBytes;
        if (toDevice)
            MemoryCopy.EnqueueCopy(device, Length - offsetBytes, pinnedLease.Value, bytes, Native.aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE, stream,
                BufferUse.Range(this, device, bytes, BufferAccess.Write), BufferUse.Range(pinned, pinnedLease.Value, bytes, BufferAccess.Read));
        else
            MemoryCopy.EnqueueCopy(pinnedLease.Value, bytes, device, bytes, Native.aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST, stream,
                BufferUse.Range(pinned, pinnedLease.Value, bytes, BufferAccess.Write), BufferUse.Range(this, device, bytes, BufferAccess.Read));
    }

    /// <summary>Sets <paramref name="count"/> bytes from <paramref name="offsetBytes"/> to <paramref name="value"/> (synchronous).</summary>
    public void Fill(byte value, long offsetBytes = 0, long? count = null)
    {
        using var lease = Enter();
        MemoryCopy.Fill(Device.Id, lease.Value, Length, offsetBytes, count ?? Length - offsetBytes, value);
    }

    /// <summary>Enqueues a fill of <paramref name="count"/> bytes from <paramref name="offsetBytes"/> with <paramref name="value"/> on <paramref name="stream"/>.</summary>
    public void EnqueueFill(NpuStream stream, byte value, long offsetBytes = 0, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckStreamDevice(stream);
        using var lease = Enter();
        long bytes = count ?? Length - offsetBytes;
        MemoryCopy.EnqueueFill(lease.Value, Length, offsetBytes, bytes, value, stream,
            BufferUse.Range(this, lease.Value + (nint)offsetBytes, bytes, BufferAccess.Write));
    }

    private void CheckStreamDevice(NpuStream stream)
    {
        if (stream.Device.Id != Device.Id)
            throw new ArgumentException($"The buffer is on NPU device {Device.Id} but the stream belongs to device {stream.Device.Id}.", nameof(stream));
    }

    bool IHeldMemory.TryHold() => TryHoldHandle();

    void IHeldMemory.ReleaseHold() => ReleaseHandleHold();
}
