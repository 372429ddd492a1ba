namespace Ascend.Interop;

// The tensor view of a graph condition's 64-bit word (NpuGraphCondition.AsTensor).
public sealed partial class NpuTensor
{
    /// <summary>An int64 [1] view of <paramref name="condition"/>'s word: storage owned by the condition's graph.</summary>
    internal static NpuTensor OverConditionWord(NpuGraphCondition condition) =>
        new(TensorStorage.Wrap(condition), new TensorShape(1L), [1], 0, NpuDataType.Int64);
}
