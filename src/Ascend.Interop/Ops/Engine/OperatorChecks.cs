using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// The engine's managed argument checks and shape arithmetic, shared by declared, typed and invoked operators: messages
/// name the operator and argument and are built only when throwing.
/// </summary>
internal static class OperatorChecks
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static AclException Failure(int code, string function, string op) => AclCheck.Create(code, function, $"running {op}");

    // Each check is a small test the JIT inlines into its caller; the message is built in a separate throw helper, so the
    // passing call (every operator call, several times) sets up no frame for it.

    internal static void CheckStream(string op, [System.Diagnostics.CodeAnalysis.NotNull] NpuStream? stream)
    {
        if (stream is null || stream.IsDisposed) ThrowStream(op, stream);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckTensor(string op, string name, [System.Diagnostics.CodeAnalysis.NotNull] NpuTensor? tensor, NpuStream stream)
    {
        if (tensor is null || tensor.IsDisposed || !ReferenceEquals(tensor.Device, stream.Device)) CheckTensorSlow(op, name, tensor, stream);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckSameType(string op, string name, NpuTensor tensor, string referenceName, NpuTensor reference)
    {
        if (tensor.DataType != reference.DataType) ThrowMixedTypes(op, name, tensor, referenceName, reference);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckType(string op, string name, NpuTensor tensor, NpuDataType expected)
    {
        if (tensor.DataType != expected) ThrowType(op, name, tensor, expected);
    }

    internal static void CheckFloatingPoint(string op, string name, NpuTensor tensor)
    {
        if (!tensor.DataType.IsFloatingPoint())
            throw new ArgumentException($"{op}: argument '{name}' holds {tensor.DataType}; the operator needs a floating-point type.", name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckShape(string op, string name, NpuTensor tensor, ReadOnlySpan<long> expected)
    {
        if (!tensor.Shape.Dims.SequenceEqual(expected)) ThrowShape(op, name, tensor, expected);
    }

    [MethodImpl(MethodImplOptions.NoInlining), System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowStream(string op, NpuStream? stream)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream), $"{op}: argument 'stream' is null.");
        throw new ObjectDisposedException(nameof(NpuStream), $"{op}: argument 'stream' has been disposed.");
    }

    /// <summary>Null, disposed, or another device object: throws unless that object is the stream's device under another reference.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckTensorSlow(string op, string name, [System.Diagnostics.CodeAnalysis.NotNull] NpuTensor? tensor, NpuStream stream)
    {
        if (tensor is null) throw new ArgumentNullException(name, $"{op}: argument '{name}' is null.");
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(NpuTensor), $"{op}: argument '{name}' has been disposed.");
        if (tensor.Device.Id != stream.Device.Id)
            throw new ArgumentException($"{op}: argument '{name}' is on NPU device {tensor.Device.Id} but the stream is on device {stream.Device.Id}.", name);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMixedTypes(string op, string name, NpuTensor tensor, string referenceName, NpuTensor reference) =>
        throw new ArgumentException($"{op}: argument '{name}' holds {tensor.DataType} but '{referenceName}' holds {reference.DataType}; the SDK does not promote mixed types (use Ops.Cast).", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowType(string op, string name, NpuTensor tensor, NpuDataType expected) =>
        throw new ArgumentException($"{op}: argument '{name}' holds {tensor.DataType} but must hold {expected}.", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShape(string op, string name, NpuTensor tensor, ReadOnlySpan<long> expected) =>
        throw new ArgumentException($"{op}: argument '{name}' has shape {tensor.Shape} but must have shape {TensorShape.Format(expected)}.", name);

    /// <summary>Numpy broadcast of two shapes into <paramref name="result"/>; returns the rank.</summary>
    internal static int Broadcast(string op, string nameA, ReadOnlySpan<long> a, string nameB, ReadOnlySpan<long> b, Span<long> result)
    {
        int rank = Math.Max(a.Length, b.Length);
        for (int i = 0; i < rank; i++)
        {
            int ia = a.Length - rank + i, ib = b.Length - rank + i;
            long da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
            if (da == db || db == 1) result[i] = da;
            else if (da == 1) result[i] = db;
            else throw new ArgumentException($"{op}: shapes {TensorShape.Format(a)} ('{nameA}') and {TensorShape.Format(b)} ('{nameB}') cannot broadcast: dimension {i} is {da} vs {db}.", nameB);
        }
        return rank;
    }

    /// <summary>torch.matmul's result shape (1-D operands promoted and their unit dimension removed again).</summary>
    internal static int MatMulShape(string op, ReadOnlySpan<long> a, ReadOnlySpan<long> b, Span<long> result)
    {
        if (a.Length < 1 || b.Length < 1)
            throw new ArgumentException($"{op}: matrix operands need at least one dimension; got {TensorShape.Format(a)} and {TensorShape.Format(b)}.", a.Length < 1 ? "self" : "mat2");
        bool vectorA = a.Length == 1, vectorB = b.Length == 1;
        long m = vectorA ? 1 : a[^2], ka = a[^1];
        long kb = vectorB ? b[0] : b[^2], n = vectorB ? 1 : b[^1];
        if (ka != kb)
            throw new ArgumentException($"{op}: inner dimensions differ: 'self' {TensorShape.Format(a)} has {ka} columns, 'mat2' {TensorShape.Format(b)} has {kb} rows.", "mat2");
        var batchA = vectorA ? ReadOnlySpan<long>.Empty : a[..^2];
        var batchB = vectorB ? ReadOnlySpan<long>.Empty : b[..^2];
        int rank = Broadcast(op, "self (batch)", batchA, "mat2 (batch)", batchB, result);
        if (!vectorA) result[rank++] = m;
        if (!vectorB) result[rank++] = n;
        if (rank > TensorShape.MaxRank)
            throw new ArgumentException($"{op}: the result would have rank {rank}, above {TensorShape.MaxRank}.", "mat2");
        return rank;
    }
}
