namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// Writes slice i of <paramref name="source"/> along <paramref name="dim"/> into slice <paramref name="index"/>[i] of
    /// <paramref name="selfRef"/>, in place (aclnnInplaceIndexCopy). <paramref name="index"/> is a 0-D or 1-D int32/int64
    /// device tensor read when the kernel runs, so a captured KV-cache write follows the position stored in it on every
    /// replay. An index outside [0, size) fails the stream's work (the next synchronize throws) and writes nothing.
    /// </summary>
    public static void InplaceIndexCopy(NpuStream stream, NpuTensor selfRef, long dim, NpuTensor index, NpuTensor source) =>
        Operators.InplaceIndexCopy.Run(stream, [index, source, selfRef], [dim]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> with the slices of <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/> (aclnnIndexCopy).</summary>
    public static void IndexCopy(NpuStream stream, NpuTensor self, long dim, NpuTensor index, NpuTensor source, NpuTensor output) =>
        Operators.IndexCopy.Run(stream, [self, index, source, output], [dim]);

    /// <summary>A new tensor holding <paramref name="self"/> with the slices of <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public static NpuTensor IndexCopy(NpuStream stream, NpuTensor self, long dim, NpuTensor index, NpuTensor source) =>
        Operators.IndexCopy.Create(stream, [self, index, source], [dim]);

    /// <summary>
    /// <paramref name="output"/> = the concatenation of <paramref name="tensors"/> along <paramref name="dim"/> (aclnnCat;
    /// torch.cat). The tensors share one type (the SDK does not promote) and one rank, with equal sizes outside
    /// <paramref name="dim"/>; any may be a strided view.
    /// </summary>
    public static void Cat(NpuStream stream, ReadOnlySpan<NpuTensor> tensors, long dim, NpuTensor output) =>
        Operators.Cat.Run(stream, [output], [dim], list: tensors);

    /// <summary>A new tensor holding the concatenation of <paramref name="tensors"/> along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor Cat(NpuStream stream, ReadOnlySpan<NpuTensor> tensors, long dim = 0) =>
        Operators.Cat.Create(stream, [], [dim], list: tensors);

    /// <summary>
    /// <paramref name="output"/> = the slices of <paramref name="self"/> at positions <paramref name="index"/> (int32 or
    /// int64, 0 or 1 dimensions) along <paramref name="dim"/> (aclnnIndexSelect; torch.index_select). An index outside
    /// [0, size of <paramref name="dim"/>) makes the kernel fail without writing: <see cref="AclException"/> at the next
    /// synchronization of the stream.
    /// </summary>
    public static void IndexSelect(NpuStream stream, NpuTensor self, long dim, NpuTensor index, NpuTensor output) =>
        Operators.IndexSelect.Run(stream, [self, index, output], [dim]);

    /// <summary>A new tensor holding the slices of <paramref name="self"/> at <paramref name="index"/> along <paramref name="dim"/> (see the output overload).</summary>
    public static NpuTensor IndexSelect(NpuStream stream, NpuTensor self, long dim, NpuTensor index) =>
        Operators.IndexSelect.Create(stream, [self, index], [dim]);

    /// <summary>
    /// <paramref name="output"/> = the rows of the 2-D <paramref name="weight"/> at <paramref name="indices"/> (int32 or
    /// int64, any shape): output shape = indices' shape + [weight columns] (aclnnEmbedding; torch.nn.functional.embedding).
    /// An index outside [0, rows) makes the kernel fail without writing: <see cref="AclException"/> at the next
    /// synchronization of the stream.
    /// </summary>
    public static void Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices, NpuTensor output) =>
        Operators.Embedding.Run(stream, [weight, indices, output]);

    /// <summary>A new tensor holding the rows of <paramref name="weight"/> at <paramref name="indices"/> (see the output overload).</summary>
    public static NpuTensor Embedding(NpuStream stream, NpuTensor weight, NpuTensor indices) =>
        Operators.Embedding.Create(stream, [weight, indices]);
}
