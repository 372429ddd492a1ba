// Graphs built on persistent streams (aclmdlRIBuildBegin ... BuildEnd), aclmdlRIExecute(timeout),
// aclmdlRIAbort, graph ids and destroy callbacks.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class BuiltGraph : public GraphTest {
protected:
    void SetUp() override {
        GraphTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStreamWithConfig(&p1_, 0, ACL_STREAM_PERSISTENT));
        ASSERT_ACL_OK(aclrtCreateStreamWithConfig(&p2_, 0, ACL_STREAM_PERSISTENT));
    }
    void TearDown() override {
        if (built_) {
            (void)aclmdlRIUnbindStream(built_, p1_);
            (void)aclmdlRIUnbindStream(built_, p2_);
            EXPECT_ACL_OK(aclmdlRIDestroy(built_));
        }
        EXPECT_ACL_OK(aclrtDestroyStream(p1_));
        EXPECT_ACL_OK(aclrtDestroyStream(p2_));
        GraphTest::TearDown();
    }
    // Builds "memset a_[0] = v0 on p1_; value write w_[0] = v1 on p2_".
    aclmdlRI Build(uint8_t v0, uint64_t v1) {
        EXPECT_ACL_OK(aclmdlRIBuildBegin(&built_, 0));
        EXPECT_ACL_OK(aclmdlRIBindStream(built_, p1_, 0));
        EXPECT_ACL_OK(aclmdlRIBindStream(built_, p2_, 0x7FFFFFFF));
        EXPECT_ACL_OK(aclrtMemsetAsync(a_, 1, v0, 1, p1_));
        EXPECT_ACL_OK(aclrtValueWrite(W(0), v1, 0, p2_));
        EXPECT_ACL_OK(aclmdlRIEndTask(built_, p1_));
        EXPECT_ACL_OK(aclmdlRIEndTask(built_, p2_));
        EXPECT_ACL_OK(aclmdlRIBuildEnd(built_, nullptr));
        return built_;
    }
    aclrtStream p1_ = nullptr;
    aclrtStream p2_ = nullptr;
    aclmdlRI built_ = nullptr;
};

TEST_F(BuiltGraph, WorkOnBoundStreamsJoinsTheGraphAndRunsAtEachExecute) {
    uint64_t models = Counter(ACLSIM_LIVE_MODELS);
    aclmdlRI m = Build(0x31, 77);
    EXPECT_EQ(models + 1, Counter(ACLSIM_LIVE_MODELS));
    ASSERT_ACL_OK(aclrtSynchronizeStream(p1_));
    EXPECT_EQ(0, A(0)) << "a task launched on a bound stream ran at once";
    EXPECT_EQ(0u, Word(W(0)));
    ASSERT_ACL_OK(aclmdlRIExecute(m, -1));
    EXPECT_EQ(0x31, A(0));
    EXPECT_EQ(77u, Word(W(0)));
    FillDevice(a_, kBytes, 0);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x31, A(0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemsetAsync", aclrtMemsetAsync(a_, 1, 1, 1, p1_));
    EXPECT_ACL_ERROR(107005, "aclrtDestroyStream", aclrtDestroyStream(p1_));
    ASSERT_ACL_OK(aclmdlRIUnbindStream(m, p1_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 0x32, 1, p1_));  // an ordinary stream again
    ASSERT_ACL_OK(aclrtSynchronizeStream(p1_));
    EXPECT_EQ(0x32, A(0));
}

TEST_F(BuiltGraph, ExecuteRulesAndTimeout) {
    ASSERT_ACL_OK(aclmdlRIBuildBegin(&built_, 0));
    ASSERT_ACL_OK(aclmdlRIBindStream(built_, p1_, 0));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 0x41, 1, p1_));
    EXPECT_ACL_ERROR(507011, "aclmdlRIExecute", aclmdlRIExecute(built_, -1));  // not ended
    ASSERT_ACL_OK(aclmdlRIEndTask(built_, p1_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemsetAsync", aclrtMemsetAsync(a_, 1, 1, 1, p1_));
    ASSERT_ACL_OK(aclmdlRIBuildEnd(built_, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIExecute", aclmdlRIExecute(built_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIExecute", aclmdlRIExecute(built_, -2));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(built_, p1_));
    ASSERT_ACL_OK(aclsimSetTaskDelay(300 * 1000));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "aclmdlRIExecute", aclmdlRIExecute(built_, 20));
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    ASSERT_ACL_OK(aclrtSynchronizeStream(nullptr));
    EXPECT_EQ(0x41, A(0));
}

TEST_F(BuiltGraph, BuildArgumentErrors) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclmdlRIBuildBegin", aclmdlRIBuildBegin(nullptr, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIBuildBegin", aclmdlRIBuildBegin(&built_, 1));
    ASSERT_ACL_OK(aclmdlRIBuildBegin(&built_, 0));
    const char* bind = "aclmdlRIBindStream";
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, bind, aclmdlRIBindStream(nullptr, p1_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, bind, aclmdlRIBindStream(built_, p1_, 5));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, bind, aclmdlRIBindStream(built_, rep_, 0));  // not persistent
    aclrtStream fast = nullptr;
    ASSERT_ACL_OK(aclrtCreateStreamWithConfig(&fast, 0, ACL_STREAM_PERSISTENT | ACL_STREAM_FAST_LAUNCH));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, bind, aclmdlRIBindStream(built_, fast, 0));
    EXPECT_ACL_OK(aclrtDestroyStream(fast));
    ASSERT_ACL_OK(aclmdlRIBindStream(built_, p1_, 0));
    EXPECT_ACL_ERROR(107005, bind, aclmdlRIBindStream(built_, p1_, 0));
    EXPECT_ACL_ERROR(107005, "aclmdlRICaptureBegin", aclmdlRICaptureBegin(p1_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIEndTask", aclmdlRIEndTask(built_, p2_));  // not bound
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclmdlRIBuildEnd", aclmdlRIBuildEnd(built_, &fast));
    // The calls of built graphs refuse a captured graph.
    aclmdlRI captured = CaptureFillAndCopy(1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, bind, aclmdlRIBindStream(captured, p2_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIEndTask", aclmdlRIEndTask(captured, p1_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIBuildEnd", aclmdlRIBuildEnd(captured, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIUnbindStream", aclmdlRIUnbindStream(captured, p1_));
    // A capturing stream cannot be bound.
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, bind, aclmdlRIBindStream(built_, cap_, 0));
    End();
}

// A WHILE graph whose body never clears its word runs until aclmdlRIAbort; the graph runs again after.
TEST_F(BuiltGraph, AbortEndsARunningReplay) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    uint64_t* word = nullptr;
    aclmdlRICondHandle h = Cond(1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &word);
    aclmdlRI body = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_WHILE, 1, &body), cap_, 0));
    CaptureMemsetChild(body, s2_, 0, 0x51);
    aclmdlRI m = End();
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    aclrtStreamStatus st = ACL_STREAM_STATUS_COMPLETE;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_ACL_OK(aclrtStreamQuery(rep_, &st));
    EXPECT_EQ(ACL_STREAM_STATUS_NOT_READY, st);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIAbort", aclmdlRIAbort(nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIAbort", aclmdlRIAbort(body));
    ASSERT_ACL_OK(aclmdlRIAbort(m));
    EXPECT_ACL_ERROR(507011, "aclrtSynchronizeStream", aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x51, A(0));
    // The graph can be launched again (and aborted again); the stream's error was reported once.
    FillDevice(a_, kBytes, 0);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_ACL_OK(aclmdlRIAbort(m));
    EXPECT_ACL_ERROR(507011, "aclrtSynchronizeStream", aclrtSynchronizeStream(rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
}

TEST_F(BuiltGraph, IdsAreDistinctAndKnownDuringCapture) {
    const char* fn = "aclmdlRIGetId";
    uint32_t id1 = 0, id2 = 0, during = 0;
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclmdlRIGetId(Capturing(cap_), &during));
    aclmdlRI m1 = End();
    ASSERT_ACL_OK(aclmdlRIGetId(m1, &id1));
    EXPECT_EQ(during, id1);
    ASSERT_ACL_OK(aclmdlRIBuildBegin(&built_, 0));
    ASSERT_ACL_OK(aclmdlRIGetId(built_, &id2));
    EXPECT_NE(id1, id2);
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRIGetId(nullptr, &id1));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRIGetId(m1, nullptr));
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, aclmdlRIGetId(m1, &id1));
}

std::vector<int>& CallbackLog() {
    static std::vector<int> log;
    return log;
}
void CallbackA(void* user) { CallbackLog().push_back(*static_cast<int*>(user)); }
void CallbackB(void* user) { CallbackLog().push_back(*static_cast<int*>(user) + 100); }

TEST_F(BuiltGraph, DestroyCallbacksRunOnceInFunctionAddressOrder) {
    const char* reg = "aclmdlRIDestroyRegisterCallback";
    const char* unreg = "aclmdlRIDestroyUnregisterCallback";
    aclmdlRI m = CaptureFillAndCopy(2);
    int one = 1, two = 2;
    CallbackLog().clear();
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, reg, aclmdlRIDestroyRegisterCallback(nullptr, CallbackA, &one));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, reg, aclmdlRIDestroyRegisterCallback(m, nullptr, &one));
    ASSERT_ACL_OK(aclmdlRIDestroyRegisterCallback(m, CallbackB, &two));
    ASSERT_ACL_OK(aclmdlRIDestroyRegisterCallback(m, CallbackA, &one));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, reg, aclmdlRIDestroyRegisterCallback(m, CallbackA, &two));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, unreg, aclmdlRIDestroyUnregisterCallback(m, nullptr));
    ASSERT_ACL_OK(aclmdlRIDestroyUnregisterCallback(m, CallbackB));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, unreg, aclmdlRIDestroyUnregisterCallback(m, CallbackB));
    ASSERT_ACL_OK(aclmdlRIDestroyRegisterCallback(m, CallbackB, &two));
    EXPECT_TRUE(CallbackLog().empty());
    Destroy(m);
    const bool aFirst = reinterpret_cast<uintptr_t>(&CallbackA) < reinterpret_cast<uintptr_t>(&CallbackB);
    EXPECT_EQ(aFirst ? (std::vector<int>{1, 102}) : (std::vector<int>{102, 1}), CallbackLog());
}

}  // namespace
