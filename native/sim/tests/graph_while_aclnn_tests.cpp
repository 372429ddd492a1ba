// A WHILE graph running K iterations of a small computation (x = x * s + y, counter + 1, and the
// condition word = counter < K computed on the device by aclnnLtScalar into the word) equals K eager
// iterations bit for bit, in one launch.
#include "aclnn_fixture.inc"
#include "aclnnop/aclnn_lt_scalar.h"

namespace {

class WhileAclnn : public AclnnFixture {
protected:
    // Checks a GetWorkspaceSize result (no workspace needed) and makes the executor repeatable if asked.
    void prepare(aclnnStatus st, aclOpExecutor* ex, uint64_t ws, bool repeatable) {
        ASSERT_EQ(st, ACLNN_SUCCESS) << last_error();
        EXPECT_EQ(ws, 0u) << "the test launches without workspace";
        if (repeatable) {
            EXPECT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_SUCCESS);
        }
    }
};

TEST_F(WhileAclnn, KIterationsInOneLaunchEqualKEagerIterations) {
    constexpr int64_t n = 64;
    constexpr int K = 7;
    std::vector<float> x0(n), y(n), s(n);
    for (int64_t i = 0; i < n; ++i) {
        x0[i] = 0.37f * static_cast<float>(i) - 5.0f;
        y[i] = 1.0f / static_cast<float>(i + 3);
        s[i] = 0.9f + 0.003f * static_cast<float>(i);
    }
    void* xp = up(x0);
    void* yp = up(y);
    void* sp = up(s);
    void* tmpp = dev(n * 4);
    void* ctrp = up(std::vector<float>{0.0f});
    void* onep = up(std::vector<float>{1.0f});
    aclTensor* tx = tensor({n}, ACL_FLOAT, xp);
    aclTensor* ty = tensor({n}, ACL_FLOAT, yp);
    aclTensor* ts = tensor({n}, ACL_FLOAT, sp);
    aclTensor* ttmp = tensor({n}, ACL_FLOAT, tmpp);
    aclTensor* tctr = tensor({1}, ACL_FLOAT, ctrp);
    aclTensor* tone = tensor({1}, ACL_FLOAT, onep);
    float alphaValue = 1.0f, limitValue = static_cast<float>(K);
    aclScalar* alpha = aclCreateScalar(&alphaValue, ACL_FLOAT);
    aclScalar* limit = aclCreateScalar(&limitValue, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor *mulEx = nullptr, *addEx = nullptr, *ctrEx = nullptr, *ltEx = nullptr;
    aclnnStatus st = aclnnMulGetWorkspaceSize(tx, ts, ttmp, &ws, &mulEx);
    prepare(st, mulEx, ws, true);
    st = aclnnAddGetWorkspaceSize(ttmp, ty, alpha, tx, &ws, &addEx);
    prepare(st, addEx, ws, true);
    st = aclnnAddGetWorkspaceSize(tctr, tone, alpha, tctr, &ws, &ctrEx);
    prepare(st, ctrEx, ws, true);

    // Eager: K iterations, K x 3 launches.
    for (int k = 0; k < K; ++k) {
        ASSERT_EQ(aclnnMul(nullptr, 0, mulEx, stream), ACLNN_SUCCESS) << last_error();
        ASSERT_EQ(aclnnAdd(nullptr, 0, addEx, stream), ACLNN_SUCCESS) << last_error();
        ASSERT_EQ(aclnnAdd(nullptr, 0, ctrEx, stream), ACLNN_SUCCESS) << last_error();
    }
    const std::vector<float> eager = down<float>(xp, n);
    ASSERT_EQ(down<float>(ctrp, 1), std::vector<float>{static_cast<float>(K)});

    // The same computation as one WHILE graph.
    aclrtStream body = nullptr;
    ASSERT_EQ(aclrtCreateStream(&body), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    aclmdlRI root = nullptr;
    ASSERT_EQ(aclmdlRICaptureGetInfo(stream, nullptr, &root), ACL_SUCCESS);
    aclmdlRICondHandle h = nullptr;
    ASSERT_EQ(aclmdlRICondHandleCreate(root, 1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &h), ACL_SUCCESS) << last_error();
    uint64_t* word = nullptr;
    ASSERT_EQ(aclmdlRICondHandleGetCondPtr(h, &word), ACL_SUCCESS);
    aclTensor* tword = tensor({1}, ACL_INT64, word);
    st = aclnnLtScalarGetWorkspaceSize(tctr, limit, tword, &ws, &ltEx);
    prepare(st, ltEx, ws, false);
    aclmdlRI loop = nullptr;
    aclmdlRICondTaskParams p{};
    p.handle = h;
    p.type = ACL_MODEL_RI_COND_TYPE_WHILE;
    p.size = 1;
    p.modelRIArray = &loop;
    ASSERT_EQ(aclmdlRIAddCondTask(p, stream, 0), ACL_SUCCESS) << last_error();
    ASSERT_EQ(aclmdlRICaptureToModelRIBegin(body, loop, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    ASSERT_EQ(aclnnMul(nullptr, 0, mulEx, body), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclnnAdd(nullptr, 0, addEx, body), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclnnAdd(nullptr, 0, ctrEx, body), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclnnLtScalar(nullptr, 0, ltEx, body), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclmdlRICaptureEnd(body, nullptr), ACL_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS) << last_error();

    for (int round = 0; round < 2; ++round) {  // the second launch relies on ASSIGN_DEFAULT re-arming the loop
        ASSERT_EQ(aclrtMemcpy(xp, n * 4, x0.data(), n * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        float zero = 0.0f;
        ASSERT_EQ(aclrtMemcpy(ctrp, 4, &zero, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        const uint64_t tasksBefore = counter(ACLSIM_COUNT_TASKS_EXECUTED);
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS) << last_error();
        const std::vector<float> graph = down<float>(xp, n);
        EXPECT_EQ(0, std::memcmp(graph.data(), eager.data(), n * 4)) << "round " << round << ": not bit-identical";
        EXPECT_EQ(down<float>(ctrp, 1), std::vector<float>{static_cast<float>(K)}) << round;
        uint64_t w = 99;
        ASSERT_EQ(aclrtMemcpy(&w, 8, word, 8, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        EXPECT_EQ(w, 0u);
        // One conditional task plus K bodies of 4 tasks each.
        EXPECT_EQ(counter(ACLSIM_COUNT_TASKS_EXECUTED) - tasksBefore, 1u + 4u * K) << round;
    }
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(body), ACL_SUCCESS);
    for (aclOpExecutor* ex : {mulEx, addEx, ctrEx}) EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyScalar(alpha), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyScalar(limit), ACLNN_SUCCESS);
}

}  // namespace
