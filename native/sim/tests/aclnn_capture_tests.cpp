// GoogleTests of aclnn operators inside graph capture: launches are recorded, not run, and the
// recorded tasks own copies of everything, so they replay after executors and tensors are gone.
#include "aclnn_fixture.inc"

namespace {

class AclnnCapture : public AclnnFixture {};

TEST_F(AclnnCapture, CapturedOperatorsReplayAfterExecutorsAndTensorsAreGone) {
    const int64_t n = 4;
    std::vector<float> a(n * n), b(n * n);
    for (int64_t i = 0; i < n * n; ++i) {
        a[i] = static_cast<float>(i);
        b[i] = static_cast<float>(i % 3) - 1.0f;
    }
    void* ap = up(a);
    void* bp = up(b);
    void* sump = up(std::vector<float>(n * n, -7.0f));
    void* prodp = up(std::vector<float>(n * n, -7.0f));
    aclTensor* ta = tensor({n, n}, ACL_FLOAT, ap);
    aclTensor* tb = tensor({n, n}, ACL_FLOAT, bp);
    aclTensor* tsum = tensor({n, n}, ACL_FLOAT, sump);
    aclTensor* tprod = tensor({n, n}, ACL_FLOAT, prodp);
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    uint64_t ws1 = 0, ws2 = 0;
    aclOpExecutor* addEx = nullptr;
    aclOpExecutor* mmEx = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(ta, tb, alpha, tsum, &ws1, &addEx), ACLNN_SUCCESS) << last_error();
    // sum @ b: reads the Add's output, so the order of the two captured tasks matters.
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(tsum, tb, tprod, 0, &ws2, &mmEx), ACLNN_SUCCESS) << last_error();
    ASSERT_GT(ws2, 0u);
    void* w = dev(ws2);

    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnAdd(nullptr, 0, addEx, stream), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnMatmul(w, ws2, mmEx, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    ASSERT_NE(model, nullptr);

    // Nothing ran during capture; the single-use executors are consumed.
    EXPECT_EQ(down<float>(sump, n * n), std::vector<float>(n * n, -7.0f));
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    // Drop every host-side object before replaying.
    EXPECT_EQ(aclDestroyScalar(alpha), ACLNN_SUCCESS);
    for (aclTensor* t : tensors) EXPECT_EQ(aclDestroyTensor(t), ACLNN_SUCCESS);
    tensors.clear();

    for (int round = 0; round < 2; ++round) {
        if (round == 1) {  // new input values between replays
            for (auto& v : a) v = -v * 0.5f;
            ASSERT_EQ(aclrtMemcpy(ap, a.size() * 4, a.data(), a.size() * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        }
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
        auto sum = down<float>(sump, n * n);
        auto prod = down<float>(prodp, n * n);
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < n; ++j) {
                EXPECT_FLOAT_EQ(sum[i * n + j], double(a[i * n + j]) + b[i * n + j]) << round;
                double ref = 0;
                for (int64_t k = 0; k < n; ++k) ref += (double(a[i * n + k]) + b[i * n + k]) * b[k * n + j];
                EXPECT_NEAR(prod[i * n + j], ref, 1e-4) << round << ":" << i << "," << j;
            }
        }
    }
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

TEST_F(AclnnCapture, RepeatableExecutorCapturedTwiceAndStillUsable) {
    void* xp = up(std::vector<float>{-1, 2, -3, 4});
    void* yp = up(std::vector<float>(4, 9.0f));
    aclTensor* tx = tensor({4}, ACL_FLOAT, xp);
    aclTensor* ty = tensor({4}, ACL_FLOAT, yp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReluGetWorkspaceSize(tx, ty, &ws, &ex), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnRelu(nullptr, 0, ex, stream), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnRelu(nullptr, 0, ex, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors + 1);
    // Eager launch of the same executor still works after capture.
    run(aclnnRelu, 0, ex);
    EXPECT_EQ(down<float>(yp, 4), (std::vector<float>{0, 2, 0, 4}));
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(yp, 16, std::vector<float>(4, 9.0f).data(), 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
    EXPECT_EQ(down<float>(yp, 4), (std::vector<float>{0, 2, 0, 4}));
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

}  // namespace
