using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>Stack storage for the tensor slots of one call.</summary>
[InlineArray(AclnnOperator.MaxTensors)]
internal struct TensorSlots
{
    private NpuTensor? _element;
}
