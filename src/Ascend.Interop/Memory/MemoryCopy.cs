using System.Runtime.CompilerServices;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// The checked copy and fill primitives every SDK memory type builds on. Lengths and ranges are
/// validated here, in managed code, before any native call.
/// </summary>
internal static unsafe class MemoryCopy
{
    public static void CheckRange(long offsetBytes, long countBytes, long capacityBytes, string what)
    {
        if (offsetBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(offsetBytes), offsetBytes, $"The offset into the {what} must not be negative.");
        if (countBytes < 0 || offsetBytes > capacityBytes || countBytes > capacityBytes - offsetBytes)
            throw new ArgumentOutOfRangeException(nameof(countBytes),
                $"Copying {countBytes} bytes at offset {offsetBytes} does not fit in the {what} of {capacityBytes} bytes.");
    }

    /// <summary>Synchronous host (any memory) to device copy.</summary>
    public static void HostToDevice<T>(int deviceId, nint device, long deviceCapacity, long deviceOffset, ReadOnlySpan<T> source) where T : unmanaged
    {
        fixed (T* src = source)
            SynchronousCopy(deviceId, device, deviceCapacity, deviceOffset, src, (long)source.Length * sizeof(T), toDevice: true);
    }

    /// <summary>Synchronous device to host (any memory) copy.</summary>
    public static void DeviceToHost<T>(int deviceId, nint device, long deviceCapacity, long deviceOffset, Span<T> destination) where T : unmanaged
    {
        fixed (T* dst = destination)
            SynchronousCopy(deviceId, device, deviceCapacity, deviceOffset, dst, (long)destination.Length * sizeof(T), toDevice: false);
    }

    // aclrtMemcpy between `bytes` of host memory and device memory at deviceOffset, in either direction.
    private static void SynchronousCopy(int deviceId, nint device, long deviceCapacity, long deviceOffset, void* host, long bytes, bool toDevice)
    {
        NpuStream.CheckUnsafeCall(toDevice ? "a synchronous host-to-device copy (aclrtMemcpy)" : "a synchronous device-to-host copy (aclrtMemcpy)", deviceId);
        CheckRange(deviceOffset, bytes, deviceCapacity, "device memory");
        if (bytes == 0) return;
        void* onDevice = (void*)(device + (nint)deviceOffset);
        int code = toDevice
            ? aclrtMemcpy(onDevice, (nuint)(deviceCapacity - deviceOffset), host, (nuint)bytes, Native.aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE)
            : aclrtMemcpy(host, (nuint)bytes, onDevice, (nuint)bytes, Native.aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST);
        AclCheck.Check(code, nameof(aclrtMemcpy), toDevice ? "copying host memory to the device" : "copying device memory to the host");
    }

    /// <summary>Asynchronous copy on a stream; both sides are device or pinned memory the caller keeps alive.</summary>
    public static void EnqueueCopy(nint destination, long destinationCapacity, nint source, long bytes,
        Native.aclrtMemcpyKind kind, NpuStream stream, BufferUse written, BufferUse read)
    {
        if (bytes < 0 || bytes > destinationCapacity)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"Copying {bytes} bytes does not fit in the destination of {destinationCapacity} bytes.");
        if (bytes == 0) return;
        var work = new CopyWork(destination, destinationCapacity, source, bytes, kind, written, read);
        stream.Submit(ref work);
    }

    /// <summary>
    /// A copy between device memory and pageable (managed) host memory, ordered on a stream. The
    /// runtime turns it into a stream synchronization plus a synchronous copy, so it is refused on a
    /// capturing stream (the host address would be baked into the graph) and follows the unsafe-call
    /// rules of captures elsewhere (CANN: 107041).
    /// </summary>
    public static void EnqueuePageableCopy(nint destination, long destinationCapacity, nint source, long bytes,
        Native.aclrtMemcpyKind kind, NpuStream stream, string operation, BufferUse written, BufferUse read)
    {
        if (bytes < 0 || bytes > destinationCapacity)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"Copying {bytes} bytes does not fit in the destination of {destinationCapacity} bytes.");
        var work = new PageableCopyWork(new CopyWork(destination, destinationCapacity, source, bytes, kind, written, read), operation);
        if (bytes == 0) return;
        stream.Submit(ref work);
    }

    /// <summary>Synchronous fill of device memory with a byte value.</summary>
    public static void Fill(int deviceId, nint device, long capacity, long offset, long count, byte value)
    {
        NpuStream.CheckUnsafeCall("a synchronous fill (aclrtMemset)", deviceId);
        CheckRange(offset, count, capacity, "device memory");
        if (count == 0) return;
        AclCheck.Check(aclrtMemset((void*)(device + (nint)offset), (nuint)(capacity - offset), value, (nuint)count), nameof(aclrtMemset));
    }

    /// <summary>Asynchronous fill of device memory with a byte value on a stream.</summary>
    public static void EnqueueFill(nint device, long capacity, long offset, long count, byte value, NpuStream stream, BufferUse written)
    {
        CheckRange(offset, count, capacity, "device memory");
        if (count == 0) return;
        var work = new FillWork(device + (nint)offset, capacity - offset, count, value, written);
        stream.Submit(ref work);
    }

    /// <summary>As above, for a plain range of memory nobody tracks (tests).</summary>
    public static void EnqueueFill(nint device, long capacity, long offset, long count, byte value, NpuStream stream) =>
        EnqueueFill(device, capacity, offset, count, value, stream, BufferUse.Range(null, device + (nint)offset, count, BufferAccess.Write));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ByteLength<T>(int count) where T : unmanaged => (long)count * sizeof(T);
}
