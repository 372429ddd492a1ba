using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        NpuGraph.CheckUnsafeCall("a synchronous host-to-device copy (aclrtMemcpy)", deviceId);
        long bytes = (long)source.Length * sizeof(T);
        CheckRange(deviceOffset, bytes, deviceCapacity, "device memory");
        if (bytes == 0) return;
        fixed (T* src = source)
        {
            AclCheck.Check(aclrtMemcpy((void*)(device + (nint)deviceOffset), (nuint)(deviceCapacity - deviceOffset), src, (nuint)bytes,
                Native.aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE), nameof(aclrtMemcpy), "copying host memory to the device");
        }
    }

    /// <summary>Synchronous device to host (any memory) copy.</summary>
    public static void DeviceToHost<T>(int deviceId, nint device, long deviceCapacity, long deviceOffset, Span<T> destination) where T : unmanaged
    {
        NpuGraph.CheckUnsafeCall("a synchronous device-to-host copy (aclrtMemcpy)", deviceId);
        long bytes = (long)destination.Length * sizeof(T);
        CheckRange(deviceOffset, bytes, deviceCapacity, "device memory");
        if (bytes == 0) return;
        fixed (T* dst = destination)
        {
            AclCheck.Check(aclrtMemcpy(dst, (nuint)bytes, (void*)(device + (nint)deviceOffset), (nuint)bytes,
                Native.aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST), nameof(aclrtMemcpy), "copying device memory to the host");
        }
    }

    /// <summary>Asynchronous copy on a stream; both sides are device or pinned memory the caller keeps alive.</summary>
    public static void CopyAsync(nint destination, long destinationCapacity, nint source, long bytes,
        Native.aclrtMemcpyKind kind, NpuStream stream)
    {
        if (bytes < 0 || bytes > destinationCapacity)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"Copying {bytes} bytes does not fit in the destination of {destinationCapacity} bytes.");
        if (bytes == 0) return;
        using var lease = stream.Enter();
        if (stream.IsRecordingOperations)
        {
            stream.NoteOperation(new NpuGraphOperation("aclrtMemcpyAsync",
                [new NpuGraphBuffer(source, bytes, [], null)], [new NpuGraphBuffer(destination, bytes, [], null)]));
            if (stream.ActiveUpdate is { } update && update.SkipLaunch("aclrtMemcpyAsync")) return;
        }
        AclCheck.Check(aclrtMemcpyAsync((void*)destination, (nuint)destinationCapacity, (void*)source, (nuint)bytes, kind, stream.Native(lease)),
            nameof(aclrtMemcpyAsync));
    }

    /// <summary>
    /// A copy between device memory and pageable (managed) host memory, ordered on a stream. The
    /// runtime turns it into a stream synchronization plus a synchronous copy, so it is refused on a
    /// capturing stream (the host address would be baked into the graph) and follows the unsafe-call
    /// rules of captures elsewhere (CANN: 107041).
    /// </summary>
    public static void PageableCopyAsync(nint destination, long destinationCapacity, nint source, long bytes,
        Native.aclrtMemcpyKind kind, NpuStream stream, string operation)
    {
        if (stream.ActiveCapture is { } graph)
            throw new NpuCaptureException(Native.Acl.ACL_ERROR_RT_PARAM_INVALID, nameof(aclrtMemcpyAsync), operation,
                "managed (pageable) host memory cannot be copied on a capturing stream: the graph would keep an address that is gone at replay. " +
                "Copy inputs into a static tensor before the capture, or use CopyFromAsync/CopyToAsync with a PinnedBuffer<T>.", graph.Mode);
        NpuGraph.CheckUnsafeCall(operation + " (a pageable copy, which the runtime performs synchronously)", stream.Device.Id,
            Native.Acl.ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC);
        CopyAsync(destination, destinationCapacity, source, bytes, kind, stream);
    }

    /// <summary>Synchronous fill of device memory with a byte value.</summary>
    public static void Fill(int deviceId, nint device, long capacity, long offset, long count, byte value)
    {
        NpuGraph.CheckUnsafeCall("a synchronous fill (aclrtMemset)", deviceId);
        CheckRange(offset, count, capacity, "device memory");
        if (count == 0) return;
        AclCheck.Check(aclrtMemset((void*)(device + (nint)offset), (nuint)(capacity - offset), value, (nuint)count), nameof(aclrtMemset));
    }

    /// <summary>Asynchronous fill of device memory with a byte value on a stream.</summary>
    public static void FillAsync(nint device, long capacity, long offset, long count, byte value, NpuStream stream)
    {
        CheckRange(offset, count, capacity, "device memory");
        if (count == 0) return;
        using var lease = stream.Enter();
        if (stream.IsRecordingOperations)
        {
            stream.NoteOperation(new NpuGraphOperation("aclrtMemsetAsync", [], [new NpuGraphBuffer(device + (nint)offset, count, [], null)]));
            if (stream.ActiveUpdate is { } update && update.SkipLaunch("aclrtMemsetAsync")) return;
        }
        AclCheck.Check(aclrtMemsetAsync((void*)(device + (nint)offset), (nuint)(capacity - offset), value, (nuint)count, stream.Native(lease)),
            nameof(aclrtMemsetAsync));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ByteLength<T>(int count) where T : unmanaged => (long)count * sizeof(T);
}
