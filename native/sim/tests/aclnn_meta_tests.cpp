// GoogleTests of aclnn meta objects, executors and the two-phase error paths.
#include "aclnn_fixture.inc"

namespace {

class AclnnMeta : public AclnnFixture {
protected:
    // A ready Add: out = self + other on 4 floats; returns the executor.
    aclOpExecutor* makeAdd(void** outp = nullptr, aclTensor** selfT = nullptr) {
        aclTensor* s = tensor({4}, ACL_FLOAT, up(std::vector<float>{1, 2, 3, 4}));
        aclTensor* o = tensor({4}, ACL_FLOAT, up(std::vector<float>{10, 20, 30, 40}));
        void* p = dev(16);
        aclTensor* out = tensor({4}, ACL_FLOAT, p);
        float one = 1.0f;
        aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
        uint64_t ws = 1;
        aclOpExecutor* ex = nullptr;
        EXPECT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
        EXPECT_EQ(ws, 0u);
        aclDestroyScalar(alpha);
        if (outp) *outp = p;
        if (selfT) *selfT = s;
        return ex;
    }
};

// ---- tensor creation ----------------------------------------------------------------------------

TEST_F(AclnnMeta, CreateTensorValidatesArguments) {
    void* p = dev(64);
    const uint64_t before = counter(ACLSIM_LIVE_TENSORS);
    int64_t dims[9] = {2, 2, 1, 1, 1, 1, 1, 1, 1}, strides[9] = {2, 1, 1, 1, 1, 1, 1, 1, 1}, storage[1] = {4};
    // rank 9
    EXPECT_EQ(aclCreateTensor(dims, 9, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_NE(last_error().find("aclCreateTensor"), std::string::npos) << last_error();
    // null dims / strides / storage with non-zero counts
    EXPECT_EQ(aclCreateTensor(nullptr, 2, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, nullptr, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, nullptr, 1, p), nullptr);
    // negative dim, negative stride, negative offset
    int64_t negDims[2] = {2, -1}, negStrides[2] = {-2, 1};
    EXPECT_EQ(aclCreateTensor(negDims, 2, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, negStrides, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, strides, -1, ACL_FORMAT_ND, storage, 1, p), nullptr);
    // view reaching beyond its storage: offset 1 + 3 = element 4 of a 4-element storage
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, strides, 1, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_NE(last_error().find("outside the storage"), std::string::npos) << last_error();
    int64_t wide[2] = {3, 1};
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_FLOAT, wide, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    // unsupported dtype
    EXPECT_EQ(aclCreateTensor(dims, 2, ACL_STRING, strides, 0, ACL_FORMAT_ND, storage, 1, p), nullptr);
    EXPECT_EQ(counter(ACLSIM_LIVE_TENSORS), before);
    // The same arguments with offset 0 are fine; an empty view may reach nothing.
    aclTensor* ok = aclCreateTensor(dims, 2, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, storage, 1, p);
    ASSERT_NE(ok, nullptr) << last_error();
    int64_t emptyDims[2] = {0, 5}, zero[1] = {0};
    aclTensor* empty = aclCreateTensor(emptyDims, 2, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, zero, 1, nullptr);
    ASSERT_NE(empty, nullptr) << last_error();
    EXPECT_EQ(counter(ACLSIM_LIVE_TENSORS), before + 2);
    EXPECT_EQ(aclDestroyTensor(ok), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyTensor(empty), ACLNN_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_TENSORS), before);
}

TEST_F(AclnnMeta, ScalarsArraysListsCountAndDestroy) {
    const uint64_t before = counter(ACLSIM_LIVE_ACLNN_OBJECTS);
    float f = 1.5f;
    int64_t ints[3] = {1, 2, 3};
    float floats[2] = {0.5f, 1.5f};
    bool bools[2] = {true, false};
    aclScalar* s = aclCreateScalar(&f, ACL_FLOAT);
    aclIntArray* ia = aclCreateIntArray(ints, 3);
    aclFloatArray* fa = aclCreateFloatArray(floats, 2);
    aclBoolArray* ba = aclCreateBoolArray(bools, 2);
    aclTensor* t = tensor({2}, ACL_FLOAT, dev(8));
    const aclTensor* list[2] = {t, t};
    aclTensorList* tl = aclCreateTensorList(list, 2);
    ASSERT_TRUE(s && ia && fa && ba && tl);
    EXPECT_EQ(counter(ACLSIM_LIVE_ACLNN_OBJECTS), before + 5);
    EXPECT_EQ(aclCreateScalar(nullptr, ACL_FLOAT), nullptr);
    EXPECT_EQ(aclCreateScalar(&f, ACL_STRING), nullptr);
    EXPECT_EQ(aclCreateIntArray(nullptr, 2), nullptr);
    const aclTensor* withNull[2] = {t, nullptr};
    EXPECT_EQ(aclCreateTensorList(withNull, 2), nullptr);
    EXPECT_EQ(counter(ACLSIM_LIVE_ACLNN_OBJECTS), before + 5);
    EXPECT_EQ(aclDestroyScalar(s), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyIntArray(ia), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyFloatArray(fa), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyBoolArray(ba), ACLNN_SUCCESS);
    const uint64_t liveTensors = counter(ACLSIM_LIVE_TENSORS);
    EXPECT_EQ(aclDestroyTensorList(tl), ACLNN_SUCCESS);  // destroys its tensors too (t, listed twice, once)
    EXPECT_EQ(counter(ACLSIM_LIVE_ACLNN_OBJECTS), before);
    EXPECT_EQ(counter(ACLSIM_LIVE_TENSORS), liveTensors - 1);
    this->tensors.erase(std::remove(this->tensors.begin(), this->tensors.end(), t), this->tensors.end());  // gone with the list
    // Destroying NULL is a successful no-op.
    EXPECT_EQ(aclDestroyTensor(nullptr), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyScalar(nullptr), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyTensorList(nullptr), ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyAclOpExecutor(nullptr), ACLNN_SUCCESS);
}

// ---- phase-1 errors -----------------------------------------------------------------------------

TEST_F(AclnnMeta, NullPointersGive161001WithArgumentName) {
    aclTensor* a = tensor({2}, ACL_FLOAT, dev(8));
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnAddGetWorkspaceSize(nullptr, a, alpha, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("aclnnAddGetWorkspaceSize: self"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a, a, nullptr, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("alpha"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a, a, alpha, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a, a, alpha, a, nullptr, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a, a, alpha, a, &ws, nullptr), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnMulGetWorkspaceSize(a, nullptr, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnReluGetWorkspaceSize(nullptr, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSiluGetWorkspaceSize(a, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSoftmaxGetWorkspaceSize(nullptr, 0, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnCastGetWorkspaceSize(a, ACL_FLOAT, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnInplaceCopyGetWorkspaceSize(nullptr, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnMatmulGetWorkspaceSize(a, nullptr, a, 0, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnMmGetWorkspaceSize(a, a, a, 0, &ws, nullptr), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnRmsNormGetWorkspaceSize(a, nullptr, 1e-6, a, a, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    aclDestroyScalar(alpha);
}

TEST_F(AclnnMeta, ShapeDtypeAndAlphaErrorsGive161002) {
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    aclTensor* a23 = tensor({2, 3}, ACL_FLOAT, dev(24));
    aclTensor* a4 = tensor({4}, ACL_FLOAT, dev(16));
    aclTensor* o23 = tensor({2, 3}, ACL_FLOAT, dev(24));
    aclTensor* o33 = tensor({3, 3}, ACL_FLOAT, dev(36));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a23, a4, alpha, o23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("cannot broadcast"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnAddGetWorkspaceSize(a23, a23, alpha, o33, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("out shape [3,3] must be [2,3]"), std::string::npos) << last_error();
    // Output that is only broadcast-compatible is still wrong: it must be exactly [2,3].
    aclTensor* o123 = tensor({1, 2, 3}, ACL_FLOAT, dev(24));
    EXPECT_EQ(aclnnMulGetWorkspaceSize(a23, a23, o123, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Operators other than Add/Sub/Mul refuse mixed dtypes (no promotion, no output cast).
    aclTensor* h23 = tensor({2, 3}, ACL_FLOAT16, dev(12));
    EXPECT_EQ(aclnnReluGetWorkspaceSize(a23, h23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("FLOAT16"), std::string::npos) << last_error();
    aclTensor* h33 = tensor({3, 3}, ACL_FLOAT16, dev(18));
    EXPECT_EQ(aclnnMatmulGetWorkspaceSize(o33, h33, o33, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Add/Sub/Mul promote, but a float result cannot go into an integer out.
    aclTensor* i23o = tensor({2, 3}, ACL_INT32, dev(24));
    EXPECT_EQ(aclnnMulGetWorkspaceSize(a23, h23, i23o, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("cannot be cast to out dtype INT32"), std::string::npos) << last_error();
    // Unsupported dtypes.
    aclTensor* d23 = tensor({2, 3}, ACL_DOUBLE, dev(48));
    EXPECT_EQ(aclnnAddGetWorkspaceSize(d23, d23, alpha, d23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* i23 = tensor({2, 3}, ACL_INT32, dev(24));
    EXPECT_EQ(aclnnSiluGetWorkspaceSize(i23, i23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnSoftmaxGetWorkspaceSize(i23, 0, i23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnMatmulGetWorkspaceSize(i23, i23, i23, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Float alpha with integer tensors (PyTorch refuses it too).
    EXPECT_EQ(aclnnAddGetWorkspaceSize(i23, i23, alpha, i23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("alpha"), std::string::npos) << last_error();
    // Softmax dim out of range; Cast target differing from out's dtype.
    EXPECT_EQ(aclnnSoftmaxGetWorkspaceSize(a23, 2, o23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnSoftmaxGetWorkspaceSize(a23, -3, o23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnCastGetWorkspaceSize(a23, ACL_INT32, o23, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    aclDestroyScalar(alpha);
}

TEST_F(AclnnMeta, DataNotInDeviceMemoryIsRefused) {
    std::vector<float> host(4, 1.0f);
    aclTensor* h = tensor({4}, ACL_FLOAT, host.data());
    aclTensor* d = tensor({4}, ACL_FLOAT, dev(16));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnReluGetWorkspaceSize(h, d, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("device allocation"), std::string::npos) << last_error();
    void* pinned = nullptr;
    ASSERT_EQ(aclrtMallocHost(&pinned, 16), ACL_SUCCESS);
    aclTensor* pt = tensor({4}, ACL_FLOAT, pinned);
    EXPECT_EQ(aclnnReluGetWorkspaceSize(d, pt, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Storage larger than its allocation.
    void* small = dev(8);
    aclTensor* big = tensor({4}, ACL_FLOAT, small);
    EXPECT_EQ(aclnnReluGetWorkspaceSize(big, d, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    EXPECT_EQ(aclrtFreeHost(pinned), ACL_SUCCESS);
}

// ---- launch errors and executor life cycle ------------------------------------------------------

TEST_F(AclnnMeta, SingleUseExecutorCannotRunTwice) {
    void* outp = nullptr;
    aclOpExecutor* ex = makeAdd(&outp);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors + 1);
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(outp, 4), (std::vector<float>{11, 22, 33, 44}));
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    EXPECT_EQ(aclnnAdd(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("unknown"), std::string::npos) << last_error();
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnAdd(nullptr, 0, nullptr, stream), ACLNN_ERR_PARAM_NULLPTR);
}

TEST_F(AclnnMeta, ExecutorOfAnotherOperatorIsRefused) {
    aclOpExecutor* ex = makeAdd();
    EXPECT_EQ(aclnnMul(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("aclnnAdd"), std::string::npos) << last_error();
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);  // not consumed by the refused launch
}

TEST_F(AclnnMeta, WorkspaceChecks) {
    const int64_t n = 8;
    aclTensor* a = tensor({n, n}, ACL_FLOAT, up(std::vector<float>(n * n, 1.0f)));
    void* outp = dev(n * n * 4);
    aclTensor* out = tensor({n, n}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    // Too small: 161002, and the single-use executor is consumed.
    ASSERT_EQ(aclnnMmGetWorkspaceSize(a, a, out, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    ASSERT_GT(ws, 0u);
    void* w = dev(ws);
    EXPECT_EQ(aclnnMm(w, ws - 1, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("smaller than the required"), std::string::npos) << last_error();
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    // Null workspace with a size: 161001.
    ASSERT_EQ(aclnnMmGetWorkspaceSize(a, a, out, 0, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnMm(nullptr, ws, ex, stream), ACLNN_ERR_PARAM_NULLPTR);
    // Host memory as workspace: 161002.
    std::vector<char> host(ws);
    ASSERT_EQ(aclnnMmGetWorkspaceSize(a, a, out, 0, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnMm(host.data(), ws, ex, stream), ACLNN_ERR_PARAM_INVALID);
    // A workspace allocation too small for the required size, though the size argument claims enough.
    void* tiny = dev(16);
    ASSERT_EQ(aclnnMmGetWorkspaceSize(a, a, out, 0, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnMm(tiny, ws, ex, stream), ACLNN_ERR_PARAM_INVALID);
    // A larger workspace than required is fine.
    void* bigw = dev(ws + 64);
    ASSERT_EQ(aclnnMmGetWorkspaceSize(a, a, out, 0, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnMm(bigw, ws + 64, ex, stream), ACLNN_SUCCESS) << last_error();
    auto r = down<float>(outp, n * n);
    for (float v : r) EXPECT_EQ(v, static_cast<float>(n));
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

TEST_F(AclnnMeta, FreedMemoryIsRefusedAtLaunch) {
    void* buf = nullptr;
    ASSERT_EQ(aclrtMalloc(&buf, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    aclTensor* s = tensor({4}, ACL_FLOAT, buf);
    void* outp = dev(16);
    aclTensor* out = tensor({4}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReluGetWorkspaceSize(s, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclrtFree(buf), ACL_SUCCESS);
    EXPECT_EQ(aclnnRelu(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("input tensor 0"), std::string::npos) << last_error();
}

TEST_F(AclnnMeta, RepeatableExecutorRunsAgainWithNewAddresses) {
    aclTensor* selfT = nullptr;
    void* outp = nullptr;
    aclOpExecutor* ex = makeAdd(&outp, &selfT);
    ASSERT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_SUCCESS);
    run(aclnnAdd, 0, ex);
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(outp, 4), (std::vector<float>{11, 22, 33, 44}));
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors + 1);
    // New input 0 and output 0 addresses.
    void* in2 = up(std::vector<float>{100, 200, 300, 400});
    void* out2 = dev(16);
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, selfT, in2), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclSetOutputTensorAddr(ex, 0, nullptr, out2), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(out2, 4), (std::vector<float>{110, 220, 330, 440}));
    // Index out of range, host address, null address.
    EXPECT_EQ(aclSetInputTensorAddr(ex, 2, nullptr, in2), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclSetOutputTensorAddr(ex, 1, nullptr, out2), ACLNN_ERR_PARAM_INVALID);
    std::vector<float> host(4);
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, nullptr, host.data()), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, nullptr, nullptr), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    EXPECT_EQ(aclnnAdd(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
}

TEST_F(AclnnMeta, SetTensorAddrNeedsRepeatableExecutor) {
    aclOpExecutor* ex = makeAdd();
    void* p = dev(16);
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, nullptr, p), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("not repeatable"), std::string::npos) << last_error();
    EXPECT_EQ(aclSetInputTensorAddr(nullptr, 0, nullptr, p), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclSetAclOpExecutorRepeatable(nullptr), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_ERR_PARAM_INVALID);
}

TEST_F(AclnnMeta, LaunchIsAsynchronous) {
    void* outp = nullptr;
    aclOpExecutor* ex = makeAdd(&outp);
    ASSERT_EQ(aclsimSetTaskDelay(300000), ACL_SUCCESS);  // each task first sleeps 300 ms
    ASSERT_EQ(aclnnAdd(nullptr, 0, ex, stream), ACLNN_SUCCESS) << last_error();
    aclrtStreamStatus st = ACL_STREAM_STATUS_COMPLETE;
    EXPECT_EQ(aclrtStreamQuery(stream, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_NOT_READY) << "the kernel must not have run inside aclnnAdd";
    ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
    ASSERT_EQ(aclsimSetTaskDelay(0), ACL_SUCCESS);
    EXPECT_EQ(down<float>(outp, 4), (std::vector<float>{11, 22, 33, 44}));
}

TEST_F(AclnnMeta, InvalidStreamIsRefusedByTheRuntime) {
    aclOpExecutor* ex = makeAdd();
    aclrtStream dead = nullptr;
    ASSERT_EQ(aclrtCreateStream(&dead), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyStream(dead), ACL_SUCCESS);
    // A destroyed handle: 107017 (ACL_ERROR_RT_INVALID_HANDLE) from CANN 9.1's handle validation, 107000 before.
    EXPECT_EQ(aclnnAdd(nullptr, 0, ex, dead), 107017);
    EXPECT_NE(last_error().find("aclnnAdd"), std::string::npos) << last_error();
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors) << "a refused launch consumes a single-use executor";
}

TEST_F(AclnnMeta, TensorOnAnotherDeviceIsRefusedAtLaunch) {
    uint32_t count = 0;
    ASSERT_EQ(aclrtGetDeviceCount(&count), ACL_SUCCESS);
    if (count < 2) GTEST_SKIP() << "needs two simulated devices";
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    void* other = nullptr;
    ASSERT_EQ(aclrtMalloc(&other, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclTensor* s = tensor({4}, ACL_FLOAT, other);
    aclTensor* out = tensor({4}, ACL_FLOAT, dev(16));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReluGetWorkspaceSize(s, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnRelu(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("device 1"), std::string::npos) << last_error();
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(other), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(1), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
}

// Simulator-only: fault injection reaches the aclnn entry points.
TEST_F(AclnnMeta, InjectedFaultsHitAclnnEntryPoints) {
    ASSERT_EQ(aclsimInjectFault("aclCreateTensor", 1, ACLNN_ERR_INNER), ACL_SUCCESS);
    int64_t d = 4, st = 1;
    EXPECT_EQ(aclCreateTensor(&d, 1, ACL_FLOAT, &st, 0, ACL_FORMAT_ND, &d, 1, dev(16)), nullptr);
    EXPECT_NE(last_error().find("aclCreateTensor"), std::string::npos) << last_error();
    aclOpExecutor* ex = makeAdd();
    ASSERT_EQ(aclsimInjectFault("aclnnAdd", 1, ACLNN_ERR_RUNTIME_ERROR), ACL_SUCCESS);
    EXPECT_EQ(aclnnAdd(nullptr, 0, ex, stream), ACLNN_ERR_RUNTIME_ERROR);
    // A launch that failed at entry consumed its single-use executor, like every failed launch.
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    EXPECT_EQ(aclnnAdd(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    ASSERT_EQ(aclsimInjectFault("aclnnMulGetWorkspaceSize", 1, ACLNN_ERR_PARAM_INVALID), ACL_SUCCESS);
    aclTensor* t = tensor({4}, ACL_FLOAT, dev(16));
    uint64_t ws = 0;
    EXPECT_EQ(aclnnMulGetWorkspaceSize(t, t, t, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// Simulator-only (fault injection). Only a launch consumes a single-use executor: a failure of
// aclSetAclOpExecutorRepeatable or aclSetInput/OutputTensorAddr, injected faults included, leaves the executor
// live, with its repeatable flag and its addresses as they were (issue 23: these calls carried launch's
// consume-on-entry-failure block under a condition that could never hold).
TEST_F(AclnnMeta, FailedExecutorCallsLeaveTheExecutorAsItWas) {
    aclTensor* selfT = nullptr;
    void* outp = nullptr;
    aclOpExecutor* ex = makeAdd(&outp, &selfT);
    ASSERT_EQ(aclsimInjectFault("aclSetAclOpExecutorRepeatable", 1, ACLNN_ERR_RUNTIME_ERROR), ACL_SUCCESS);
    EXPECT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_ERR_RUNTIME_ERROR);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors + 1) << "a refused call must not consume the executor";
    // Still single-use: addresses cannot be set yet; made repeatable now, it runs twice.
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, nullptr, dev(16)), ACLNN_ERR_PARAM_INVALID);
    ASSERT_EQ(aclSetAclOpExecutorRepeatable(ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, 0, ex);
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(outp, 4), (std::vector<float>{11, 22, 33, 44}));
    // A refused address update keeps the old addresses (the executor's and the tensor's).
    void* in2 = up(std::vector<float>{100, 200, 300, 400});
    void* out2 = dev(16);
    ASSERT_EQ(aclsimInjectFault("aclSetInputTensorAddr", 1, ACLNN_ERR_RUNTIME_ERROR), ACL_SUCCESS);
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, selfT, in2), ACLNN_ERR_RUNTIME_ERROR);
    ASSERT_EQ(aclsimInjectFault("aclSetOutputTensorAddr", 1, ACLNN_ERR_RUNTIME_ERROR), ACL_SUCCESS);
    EXPECT_EQ(aclSetOutputTensorAddr(ex, 0, nullptr, out2), ACLNN_ERR_RUNTIME_ERROR);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors + 1);
    ASSERT_EQ(aclrtMemset(outp, 16, 0, 16), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(out2, 16, 0, 16), ACL_SUCCESS);
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(outp, 4), (std::vector<float>{11, 22, 33, 44}));
    EXPECT_EQ(down<float>(out2, 4), (std::vector<float>{0, 0, 0, 0}));
    // The same updates, not refused, take effect.
    EXPECT_EQ(aclSetInputTensorAddr(ex, 0, selfT, in2), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclSetOutputTensorAddr(ex, 0, nullptr, out2), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, 0, ex);
    EXPECT_EQ(down<float>(out2, 4), (std::vector<float>{110, 220, 330, 440}));
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

TEST_F(AclnnMeta, AclnnInitAndFinalize) {
    EXPECT_EQ(aclnnInit(nullptr), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnFinalize(), ACLNN_SUCCESS);
}

}  // namespace
