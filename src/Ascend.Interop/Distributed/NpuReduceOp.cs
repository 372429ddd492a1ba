namespace Ascend.Interop.Distributed;

/// <summary>Reductions of <see cref="NpuCommunicator.AllReduce"/> and <see cref="NpuCommunicator.ReduceScatter"/>; values are CANN's <c>HcclReduceOp</c>.</summary>
public enum NpuReduceOp
{
    /// <summary>Element-wise sum (<c>HCCL_REDUCE_SUM</c>).</summary>
    Sum = 0,
    /// <summary>Element-wise product (<c>HCCL_REDUCE_PROD</c>; not for Int16 or BFloat16).</summary>
    Product = 1,
    /// <summary>Element-wise maximum (<c>HCCL_REDUCE_MAX</c>).</summary>
    Max = 2,
    /// <summary>Element-wise minimum (<c>HCCL_REDUCE_MIN</c>).</summary>
    Min = 3,
}
