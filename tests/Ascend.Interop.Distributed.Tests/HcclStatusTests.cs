using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed.Tests;

/// <summary><see cref="HcclStatus"/> mirrors the generated <see cref="HcclResult"/> (our header, whose values are CANN's).</summary>
public sealed class HcclStatusTests
{
    [Fact]
    public void EveryHcclResultHasTheStatusOfTheSameNameAndValue()
    {
        foreach (HcclResult result in Enum.GetValues<HcclResult>())
        {
            if (result == HcclResult.HCCL_E_RESERVED) continue; // a bound, not a result
            var status = (HcclStatus)(int)result;
            Assert.True(Enum.IsDefined(status), $"{result} ({(int)result}) has no HcclStatus");
            Assert.Equal(result.ToString(), status.CName());
        }
        Assert.Equal(Enum.GetValues<HcclResult>().Length - 1, Enum.GetValues<HcclStatus>().Length);
    }

    [Fact]
    public void TheValuesCannChangedOrAddedInNineZero()
    {
        Assert.Equal(23, (int)HcclStatus.OperationRetryFailed);
        Assert.Equal("HCCL_E_OPRETRY_FAIL", HcclStatus.OperationRetryFailed.CName());
        Assert.Equal("HCCL_E_OOM", ((HcclStatus)24).CName());
        Assert.Equal("HCCL_E_IN_STATUS", ((HcclStatus)1041).CName());
        Assert.Equal(1042u, (uint)HcclResult.HCCL_E_RESERVED);
        Assert.Equal(255u, (uint)HcclReduceOp.HCCL_REDUCE_RESERVED);
        Assert.Equal(255u, (uint)HcclDataType.HCCL_DATA_TYPE_RESERVED);
        Assert.Equal(14u, (uint)HcclDataType.HCCL_DATA_TYPE_HIF8);
        Assert.Equal(17u, (uint)HcclDataType.HCCL_DATA_TYPE_FP8E8M0);
        Assert.Equal("HCCL_E_UNKNOWN(1042)", ((HcclStatus)1042).CName());
    }
}
