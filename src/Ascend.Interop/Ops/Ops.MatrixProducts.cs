namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> with torch.matmul rules: 1-D
    /// operands are vectors, leading (batch) dimensions broadcast.
    /// </summary>
    public static void MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.MatMul.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> (torch.matmul rules).</summary>
    public static NpuTensor MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.MatMul.Create(stream, [self, mat2], [mathType]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static void Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.Mm.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static NpuTensor Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.Mm.Create(stream, [self, mat2], [mathType]);

    /// <summary>
    /// <paramref name="output"/>[i] = <paramref name="self"/>[i] @ <paramref name="mat2"/>[i] for 3-D operands
    /// [B, M, K] and [B, K, N] (aclnnBatchMatMul); a batch of 1 on either side is broadcast.
    /// </summary>
    public static void BatchMatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.BatchMatMul.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new [B, M, N] tensor holding the batched product of <paramref name="self"/> and <paramref name="mat2"/>.</summary>
    public static NpuTensor BatchMatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        Operators.BatchMatMul.Create(stream, [self, mat2], [mathType]);
}
