using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp;

/// <summary>
/// Moves tensors between TorchSharp (CPU tensors only) and the NPU. Every copy goes through pinned
/// host staging memory (<see cref="PinnedBuffer{T}"/>) and an asynchronous copy on an
/// <see cref="NpuStream"/>; element types map one to one (<see cref="TorchDataTypes"/>), nothing is
/// converted implicitly.
/// </summary>
/// <remarks>
/// <para>Layouts: a non-contiguous TorchSharp source is made contiguous on the CPU first (a temporary
/// <c>tensor.contiguous()</c>, disposed at once); a view's data is read from its own first element
/// (libtorch's <c>data_ptr()</c>, which includes the storage offset). A non-contiguous
/// <see cref="NpuTensor"/> goes through a contiguous device temporary and <see cref="Ops.Copy"/>. A
/// non-contiguous TorchSharp destination is written through a contiguous CPU temporary and
/// <c>copy_</c>.</para>
/// <para>Dispose scopes: tensors the bridge returns are created by TorchSharp in the caller's
/// current <see cref="DisposeScope"/> and join it; temporaries never stay in any scope.</para>
/// <para>Captured graphs: none of these copies may be captured (the host side runs now, not at
/// replay). Use the static-input/static-output pattern instead: capture the graph over NPU tensors
/// you keep, then per step call <see cref="CopyFrom(NpuTensor, NpuStream, Tensor)"/> on the inputs, <see cref="NpuGraph.Replay"/>,
/// and <see cref="CopyTo(NpuTensor, NpuStream, Tensor)"/> on the outputs. <see cref="CopyFrom(NpuTensor, NpuStream, Tensor)"/>/<see cref="CopyTo(NpuTensor, NpuStream, Tensor)"/> keep one
/// pinned staging buffer per NPU tensor for that loop (freed by <see cref="ReleaseStaging"/>, or
/// with the tensor object by the garbage collector).</para>
/// </remarks>
public static class TorchBridge
{
    private static readonly ConditionalWeakTable<NpuTensor, HostStaging> s_staging = new();

    /// <summary>
    /// Uploads a CPU TorchSharp tensor into a new contiguous <see cref="NpuTensor"/> rented on
    /// <paramref name="stream"/>. Returns once the data has reached the device (the temporary pinned
    /// staging memory is freed before returning); the source may be changed or disposed afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not a dense CPU tensor, or has more than <see cref="TensorShape.MaxRank"/> dimensions.</exception>
    /// <exception cref="NotSupportedException">Its element type has no NPU counterpart.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="stream"/> is capturing a graph.</exception>
    public static NpuTensor ToNpu(this Tensor tensor, NpuStream stream)
    {
        const string op = "ToNpu";
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(stream);
        var dataType = CheckTorch(op, nameof(tensor), tensor);
        RefuseCapture(op, stream);
        var result = NpuTensor.Empty(stream, new TensorShape(tensor.shape), dataType);
        try
        {
            if (result.ElementCount > 0)
            {
                using var staging = HostStaging.Create(stream.Device, dataType, result.ElementCount);
                StageFrom(tensor, staging);
                staging.Upload(result, stream);
                staging.WaitForLastCopy();
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Downloads <paramref name="tensor"/> into a new contiguous CPU TorchSharp tensor of the same
    /// shape and element type, after the work queued on <paramref name="stream"/> (default: the
    /// tensor's <see cref="NpuTensor.Stream"/>). The result joins the caller's current dispose scope.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="stream"/> is capturing a graph.</exception>
    public static Tensor ToTorch(this NpuTensor tensor, NpuStream? stream = null)
    {
        const string op = "ToTorch";
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(tensor.IsDisposed, tensor);
        stream ??= tensor.Stream;
        RefuseCapture(op, stream);
        var scalarType = tensor.DataType.ToTorchScalarType();
        var result = empty(tensor.Shape.ToArray(), scalarType);
        try
        {
            if (tensor.ElementCount > 0)
            {
                using var staging = HostStaging.Create(tensor.Device, tensor.DataType, tensor.ElementCount);
                Download(tensor, staging, stream);
                UnstageInto(staging, result);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="CopyFrom(NpuTensor, NpuStream, Tensor)"/> on the tensor's own <see cref="NpuTensor.Stream"/>.</summary>
    public static void CopyFrom(this NpuTensor destination, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CopyFrom(destination, destination.Stream, source);
    }

    /// <summary>
    /// Copies a CPU TorchSharp tensor into <paramref name="destination"/> (same shape and element
    /// type), ordered on <paramref name="stream"/>. The source is read
    /// into the tensor's pinned staging buffer before this returns, so it may be changed at once; the
    /// device copy is queued, not waited for. The static-input half of the captured-graph loop.
    /// </summary>
    /// <exception cref="ArgumentException">Not a dense CPU tensor, or the shape or element type differs.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="stream"/> is capturing a graph.</exception>
    public static void CopyFrom(this NpuTensor destination, NpuStream stream, Tensor source)
    {
        var staging = BeginCopy("CopyFrom", destination, nameof(destination), stream, source, nameof(source), torchWritten: false);
        if (staging is null) return;
        lock (staging.Gate)
        {
            staging.WaitForLastCopy();
            StageFrom(source, staging);
            if (destination.IsContiguous)
            {
                staging.Upload(destination, stream);
                return;
            }
            using var contiguous = NpuTensor.Empty(stream, destination.Shape, destination.DataType);
            staging.Upload(contiguous, stream);
            Ops.Copy(stream, contiguous, destination);
        }
    }

    /// <summary>As <see cref="CopyTo(NpuTensor, NpuStream, Tensor)"/> on the tensor's own <see cref="NpuTensor.Stream"/>.</summary>
    public static void CopyTo(this NpuTensor source, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        CopyTo(source, source.Stream, destination);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into a CPU TorchSharp tensor of the same shape and element
    /// type after the work queued on <paramref name="stream"/>;
    /// returns when the data is in <paramref name="destination"/>. The static-output half of the
    /// captured-graph loop.
    /// </summary>
    /// <exception cref="ArgumentException">Not a dense CPU tensor, the shape or element type differs, or elements overlap.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="stream"/> is capturing a graph.</exception>
    public static void CopyTo(this NpuTensor source, NpuStream stream, Tensor destination)
    {
        var staging = BeginCopy("CopyTo", source, nameof(source), stream, destination, nameof(destination), torchWritten: true);
        if (staging is null) return;
        lock (staging.Gate)
        {
            staging.WaitForLastCopy();
            Download(source, staging, stream);
            UnstageInto(staging, destination);
        }
    }

    /// <summary>
    /// Frees the pinned staging buffer <see cref="CopyFrom(NpuTensor, NpuStream, Tensor)"/>/<see cref="CopyTo(NpuTensor, NpuStream, Tensor)"/> keep for
    /// <paramref name="tensor"/>, after the copies queued from or into it have completed. Returns
    /// false when the tensor had none.
    /// </summary>
    public static bool ReleaseStaging(this NpuTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!s_staging.TryGetValue(tensor, out var staging)) return false;
        lock (staging.Gate)
        {
            if (!s_staging.Remove(tensor)) return false;
            staging.WaitForLastCopy();
            staging.Dispose();
        }
        return true;
    }

    /// <summary>True when <paramref name="tensor"/> holds a staging buffer (for tests and diagnostics).</summary>
    internal static bool HasStaging(NpuTensor tensor) => s_staging.TryGetValue(tensor, out _);

    // ---- internals --------------------------------------------------------------------------

    private static HostStaging StagingFor(NpuTensor tensor) =>
        s_staging.GetValue(tensor, static t => HostStaging.Create(t.Device, t.DataType, t.ElementCount));

    /// <summary>
    /// The checks of a copy between the NPU tensor <paramref name="npu"/> and the CPU tensor <paramref name="torch"/>
    /// (CopyFrom reads it, CopyTo writes it: <paramref name="torchWritten"/>), in one order for both; the NPU tensor's
    /// staging buffer, or null when there is nothing to copy.
    /// </summary>
    private static HostStaging? BeginCopy(string op, NpuTensor npu, string npuArgument, NpuStream stream, Tensor torch, string torchArgument, bool torchWritten)
    {
        ArgumentNullException.ThrowIfNull(npu, npuArgument);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(torch, torchArgument);
        ObjectDisposedException.ThrowIf(npu.IsDisposed, npu);
        var dataType = CheckTorch(op, torchArgument, torch);
        CheckSameLayout(op, torchArgument, torch, dataType, npu);
        if (torchWritten) CheckNoOverlap(op, torch);
        RefuseCapture(op, stream);
        return npu.ElementCount == 0 ? null : StagingFor(npu);
    }

    /// <summary>Queues the device -> staging copy (through a contiguous device temporary for strided views) and waits for it.</summary>
    private static void Download(NpuTensor tensor, HostStaging staging, NpuStream stream)
    {
        if (tensor.IsContiguous)
        {
            staging.Download(tensor, stream);
        }
        else
        {
            using var contiguous = tensor.Contiguous(stream);
            staging.Download(contiguous, stream);
        }
        staging.WaitForLastCopy();
    }

    /// <summary>Copies the elements of a CPU tensor (row-major) into the staging memory.</summary>
    private static unsafe void StageFrom(Tensor tensor, HostStaging staging)
    {
        Tensor? contiguous = tensor.is_contiguous() ? null : tensor.contiguous();
        try
        {
            nint data = LibTorchSharpNative.DataPointer(contiguous ?? tensor);
            Buffer.MemoryCopy((void*)data, (void*)staging.Pointer, staging.ByteLength, staging.ByteLength);
        }
        finally
        {
            contiguous?.Dispose();
        }
    }

    /// <summary>Copies the staging memory into a CPU tensor of the same element count and type.</summary>
    private static unsafe void UnstageInto(HostStaging staging, Tensor destination)
    {
        if (destination.is_contiguous())
        {
            nint data = LibTorchSharpNative.DataPointer(destination);
            Buffer.MemoryCopy((void*)staging.Pointer, (void*)data, staging.ByteLength, staging.ByteLength);
            return;
        }
        using var contiguous = empty(destination.shape, destination.dtype);
        nint temp = LibTorchSharpNative.DataPointer(contiguous);
        Buffer.MemoryCopy((void*)staging.Pointer, (void*)temp, staging.ByteLength, staging.ByteLength);
        using (no_grad())
        {
            destination.copy_(contiguous);
        }
    }

    /// <summary>Checks a TorchSharp tensor the bridge reads or writes; returns its NPU element type.</summary>
    private static NpuDataType CheckTorch(string op, string argument, Tensor tensor)
    {
        if (tensor.IsInvalid)
            throw new ObjectDisposedException(nameof(Tensor), $"TorchBridge.{op}: the TorchSharp tensor '{argument}' has been disposed.");
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"TorchBridge.{op}: '{argument}' is on device '{tensor.device}'; the bridge accepts CPU tensors only (move it with .cpu() first).", argument);
        if (tensor.is_sparse)
            throw new ArgumentException($"TorchBridge.{op}: '{argument}' is a sparse tensor; the bridge accepts dense (strided) tensors only (use .to_dense() first).", argument);
        if (tensor.dim() > TensorShape.MaxRank)
            throw new ArgumentException($"TorchBridge.{op}: '{argument}' has {tensor.dim()} dimensions; NPU tensors have at most {TensorShape.MaxRank}.", argument);
        return tensor.dtype.ToNpuDataType();
    }

    private static void CheckSameLayout(string op, string argument, Tensor tensor, NpuDataType dataType, NpuTensor npu)
    {
        if (dataType != npu.DataType)
            throw new ArgumentException($"TorchBridge.{op}: '{argument}' holds {tensor.dtype} but the NPU tensor holds {npu.DataType}; the bridge does not convert (cast one side first).", argument);
        var shape = tensor.shape;
        if (!npu.Shape.Dims.SequenceEqual(shape))
            throw new ArgumentException($"TorchBridge.{op}: '{argument}' has shape {Format(shape)} but the NPU tensor has shape {npu.Shape}.", argument);
    }

    private static void CheckNoOverlap(string op, Tensor destination)
    {
        var shape = destination.shape;
        var strides = destination.stride();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] > 1 && strides[i] == 0)
                throw new ArgumentException($"TorchBridge.{op}: dimension {i} of 'destination' (shape {Format(shape)}, strides {Format(strides)}) has stride 0, so its elements overlap; write into a tensor that owns its elements.", nameof(destination));
        }
    }

    private static string Format(long[] values) => "[" + string.Join(", ", values) + "]";

    private static void RefuseCapture(string op, NpuStream stream)
    {
        ObjectDisposedException.ThrowIf(stream.IsDisposed, stream);
        if (stream.IsCapturing)
            throw new InvalidOperationException(
                $"TorchBridge.{op}: {stream} is capturing a graph, and a copy between TorchSharp and the NPU cannot be captured (its host side runs now, not at replay). " +
                "Capture over NPU tensors you keep, and per step call CopyFrom on the inputs, Replay, then CopyTo on the outputs.");
    }
}
