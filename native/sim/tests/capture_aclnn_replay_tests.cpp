// End to end: aclnnAdd captured once and replayed 1,000 times matches the eager result bit for bit.
#include "aclnn/acl_meta.h"
#include "aclnnop/aclnn_add.h"
#include "test_support_capture.h"

using namespace simtest;

namespace {

class CaptureAclnnReplay : public CaptureTest {
protected:
    static constexpr int64_t kN = 1024;
    static constexpr size_t kF32Bytes = kN * sizeof(float);

    aclTensor* Tensor(void* data) {
        int64_t dims[1] = {kN};
        int64_t strides[1] = {1};
        return aclCreateTensor(dims, 1, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, dims, 1, data);
    }
};

TEST_F(CaptureAclnnReplay, ThousandReplaysOfAddMatchTheEagerResultBitForBit) {
    void* x = nullptr;
    void* y = nullptr;
    void* outEager = nullptr;
    void* outGraph = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&x, kF32Bytes, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMalloc(&y, kF32Bytes, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMalloc(&outEager, kF32Bytes, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMalloc(&outGraph, kF32Bytes, ACL_MEM_MALLOC_HUGE_FIRST));
    std::vector<float> hx(kN), hy(kN);
    for (int64_t i = 0; i < kN; ++i) {
        hx[i] = 1.0f / static_cast<float>(i + 3) - 0.37f * static_cast<float>(i % 17);
        hy[i] = 3.14159f * static_cast<float>(i % 29) / 7.0f + 1e-7f * static_cast<float>(i);
    }
    ASSERT_ACL_OK(aclrtMemcpy(x, kF32Bytes, hx.data(), kF32Bytes, ACL_MEMCPY_HOST_TO_DEVICE));
    ASSERT_ACL_OK(aclrtMemcpy(y, kF32Bytes, hy.data(), kF32Bytes, ACL_MEMCPY_HOST_TO_DEVICE));

    aclTensor* tx = Tensor(x);
    aclTensor* ty = Tensor(y);
    aclTensor* tEager = Tensor(outEager);
    aclTensor* tGraph = Tensor(outGraph);
    float alphaValue = 0.3f;
    aclScalar* alpha = aclCreateScalar(&alphaValue, ACL_FLOAT);
    ASSERT_TRUE(tx && ty && tEager && tGraph && alpha);

    // Eager.
    uint64_t ws = 0;
    aclOpExecutor* exec = nullptr;
    ASSERT_EQ(0, aclnnAddGetWorkspaceSize(tx, ty, alpha, tEager, &ws, &exec)) << RecentMsg();
    void* wsEager = nullptr;
    if (ws > 0) {
        ASSERT_ACL_OK(aclrtMalloc(&wsEager, ws, ACL_MEM_MALLOC_HUGE_FIRST));
    }
    ASSERT_EQ(0, aclnnAdd(wsEager, ws, exec, rep_)) << RecentMsg();
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    std::vector<float> eager(kN);
    ASSERT_ACL_OK(aclrtMemcpy(eager.data(), kF32Bytes, outEager, kF32Bytes, ACL_MEMCPY_DEVICE_TO_HOST));
    for (int64_t i = 0; i < kN; i += 97) EXPECT_FLOAT_EQ(hx[i] + alphaValue * hy[i], eager[i]) << i;

    // Captured (workspace allocated before the capture: no malloc while capturing).
    uint64_t ws2 = 0;
    aclOpExecutor* exec2 = nullptr;
    ASSERT_EQ(0, aclnnAddGetWorkspaceSize(tx, ty, alpha, tGraph, &ws2, &exec2)) << RecentMsg();
    void* wsGraph = nullptr;
    if (ws2 > 0) {
        ASSERT_ACL_OK(aclrtMalloc(&wsGraph, ws2, ACL_MEM_MALLOC_HUGE_FIRST));
    }
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_EQ(0, aclnnAdd(wsGraph, ws2, exec2, cap_)) << RecentMsg();
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);

    void* pinnedOut = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&pinnedOut, kF32Bytes));
    int mismatches = 0;
    for (int r = 0; r < 1000; ++r) {
        ASSERT_ACL_OK(aclrtMemsetAsync(outGraph, kF32Bytes, 0xFF, kF32Bytes, rep_));
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(pinnedOut, kF32Bytes, outGraph, kF32Bytes, ACL_MEMCPY_DEVICE_TO_HOST, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        if (std::memcmp(pinnedOut, eager.data(), kF32Bytes) != 0) ++mismatches;
    }
    EXPECT_EQ(0, mismatches);

    aclDestroyTensor(tx);
    aclDestroyTensor(ty);
    aclDestroyTensor(tEager);
    aclDestroyTensor(tGraph);
    aclDestroyScalar(alpha);
    EXPECT_ACL_OK(aclrtFreeHost(pinnedOut));
    Destroy(m);
    for (void* p : {x, y, outEager, outGraph, wsEager, wsGraph}) {
        if (p) {
            EXPECT_ACL_OK(aclrtFree(p));
        }
    }
}

}  // namespace
