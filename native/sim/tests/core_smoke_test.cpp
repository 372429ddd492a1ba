// Smoke tests of the simulator's runtime core and graph capture (the comprehensive black-box
// suite lives in runtime_*.cpp and capture_*.cpp).
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "acl_sim/acl_sim.h"

namespace {

class CoreSmoke : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS);
    }
    void TearDown() override {
        aclsimSetTaskDelay(0);
        uint32_t n;
        aclsimClearFaults(&n);
        if (stream_) aclrtDestroyStream(stream_);
        aclrtResetDevice(0);
        aclFinalize();
    }
    aclrtStream stream_ = nullptr;
};

uint64_t counter(aclsimCounter c) {
    uint64_t v = 0;
    EXPECT_EQ(aclsimGetCounter(c, &v), ACL_SUCCESS);
    return v;
}

TEST(CoreSmokeInit, CallsBeforeInitFailAndReinitWorks) {
    int32_t dev = 0;
    EXPECT_EQ(aclrtGetDevice(&dev), ACL_ERROR_UNINITIALIZE);
    const char* msg = aclGetRecentErrMsg();
    ASSERT_NE(msg, nullptr);
    EXPECT_NE(std::strstr(msg, "aclrtGetDevice"), nullptr);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclInit(nullptr), ACL_ERROR_REPEAT_INITIALIZE);
    uint64_t refs = 99;
    EXPECT_EQ(aclFinalizeReference(&refs), ACL_SUCCESS);
    EXPECT_EQ(refs, 1u);
    EXPECT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);  // left alive: finalize must join its worker
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetDevice(&dev), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
    EXPECT_EQ(counter(ACLSIM_LIVE_STREAMS), 0u);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetDevice(&dev), ACL_ERROR_RT_CONTEXT_NULL);  // per-thread device state was torn down
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST_F(CoreSmoke, MemoryAccountingAndCopyChecks) {
    size_t freeB = 0, total = 0;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &freeB, &total), ACL_SUCCESS);
    void* d = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 1024, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    size_t freeA = 0;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &freeA, &total), ACL_SUCCESS);
    EXPECT_EQ(freeB - freeA, 1024u);
    void* huge = nullptr;
    EXPECT_EQ(aclrtMalloc(&huge, total + 1, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);

    std::vector<uint8_t> host(2048, 7), back(1024, 0);
    EXPECT_EQ(aclrtMemcpy(d, 1024, host.data(), 2048, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(d, 4096, host.data(), 2048, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(d, 1024, host.data(), 1024, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(d, 1024, host.data(), 1024, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(back.data(), 1024, d, 1024, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[1023], 7);
    EXPECT_EQ(aclrtFree(static_cast<char*>(d) + 8), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_ERROR_RT_PARAM_INVALID);
    const char* msg = aclGetRecentErrMsg();
    ASSERT_NE(msg, nullptr);
    EXPECT_NE(std::strstr(msg, "double free"), nullptr);
}

TEST_F(CoreSmoke, AsyncWorkRunsInOrderAndEventsTime) {
    void* d = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    void* pinned = nullptr;
    ASSERT_EQ(aclrtMallocHost(&pinned, 64), ACL_SUCCESS);
    aclrtEvent a, b;
    ASSERT_EQ(aclrtCreateEvent(&a), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&b), ACL_SUCCESS);
    aclsimSetTaskDelay(20000);
    ASSERT_EQ(aclrtRecordEvent(a, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 64, 3, 64, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(pinned, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(b, stream_), ACL_SUCCESS);
    aclrtStreamStatus st;
    ASSERT_EQ(aclrtStreamQuery(stream_, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_NOT_READY);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 1), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
    ASSERT_EQ(aclrtSynchronizeEvent(b), ACL_SUCCESS);
    EXPECT_EQ(static_cast<uint8_t*>(pinned)[63], 3);
    float ms = 0;
    ASSERT_EQ(aclrtEventElapsedTime(&ms, a, b), ACL_SUCCESS);
    EXPECT_GE(ms, 39.0f);
    aclrtEventRecordedStatus rs;
    ASSERT_EQ(aclrtQueryEventStatus(b, &rs), ACL_SUCCESS);
    EXPECT_EQ(rs, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    aclrtDestroyEvent(a);
    aclrtDestroyEvent(b);
    aclrtFreeHost(pinned);
    aclrtFree(d);
}

TEST_F(CoreSmoke, CaptureReplayAndRules) {
    void* d = nullptr;
    void* pinned = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&pinned, 16), ACL_SUCCESS);
    std::memset(pinned, 0, 16);
    EXPECT_EQ(aclmdlRICaptureBegin(nullptr, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 16, 9, 16, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(pinned, 16, d, 16, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_STREAM_CAPTURED);
    EXPECT_EQ(aclrtMemset(d, 16, 1, 16), ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT);
    char host[16];
    EXPECT_EQ(aclrtMemcpyAsync(d, 16, host, 16, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_ERROR_RT_PARAM_INVALID);
    aclmdlRICaptureStatus cs;
    ASSERT_EQ(aclmdlRICaptureGetInfo(stream_, &cs, nullptr), ACL_SUCCESS);
    EXPECT_EQ(cs, ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE);
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &model), ACL_SUCCESS);
    EXPECT_EQ(static_cast<uint8_t*>(pinned)[0], 0);  // captured work did not run
    uint64_t before = counter(ACLSIM_COUNT_TASKS_EXECUTED);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(aclmdlRIExecuteAsync(model, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_COUNT_TASKS_EXECUTED) - before, 6u);
    EXPECT_EQ(static_cast<uint8_t*>(pinned)[15], 9);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIExecuteAsync(model, stream_), ACL_ERROR_RT_PARAM_INVALID);
    const char* msg = aclGetRecentErrMsg();
    ASSERT_NE(msg, nullptr);
    EXPECT_NE(std::strstr(msg, "freed"), nullptr);
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
    aclrtFreeHost(pinned);
}

TEST_F(CoreSmoke, CrossStreamJoinAndTaskUpdate) {
    void* d = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    aclrtStream side;
    ASSERT_EQ(aclrtCreateStream(&side), ACL_SUCCESS);
    aclrtEvent fork, join;
    ASSERT_EQ(aclrtCreateEventExWithFlag(&fork, ACL_EVENT_SYNC), ACL_SUCCESS);  // CANN 9.1: new-mode events in captures
    ASSERT_EQ(aclrtCreateEventExWithFlag(&join, ACL_EVENT_SYNC), ACL_SUCCESS);

    // Unjoined side stream: End fails with 107025.
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(fork, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(side, fork), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 8, 1, 8, side), ACL_SUCCESS);
    aclmdlRI model = nullptr;
    EXPECT_EQ(aclmdlRICaptureEnd(stream_, &model), ACL_ERROR_RT_STREAM_UNJOINED);
    EXPECT_EQ(aclrtSynchronizeStream(side), ACL_SUCCESS);  // left the capture

    // Joined properly, with a task group on the origin stream.
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(fork, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(side, fork), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 8, 1, 8, side), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(join, side), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(stream_, join), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureTaskGrpBegin(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 8, 2, 4, stream_), ACL_SUCCESS);
    aclrtTaskGrp grp = nullptr;
    ASSERT_EQ(aclmdlRICaptureTaskGrpEnd(stream_, &grp), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &model), ACL_SUCCESS);

    uint8_t out[8];
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(out, 8, d, 8, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(out[0], 2);
    EXPECT_EQ(out[7], 1);

    // Mismatched update (wrong kind) is refused; a correct one changes later replays only.
    ASSERT_EQ(aclmdlRICaptureTaskUpdateBegin(side, grp), ACL_SUCCESS);
    // CANN maps its task-group update error to ACL_ERROR_RT_INTERNAL_ERROR.
    EXPECT_EQ(aclrtMemcpyAsync(d, 8, d, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, side), ACL_ERROR_RT_INTERNAL_ERROR);
    EXPECT_EQ(aclmdlRICaptureTaskUpdateEnd(side), ACL_ERROR_RT_INTERNAL_ERROR);
    ASSERT_EQ(aclmdlRICaptureTaskUpdateBegin(side, grp), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 8, 5, 8, side), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureTaskUpdateEnd(side), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(side), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(out, 8, d, 8, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(out[7], 5);

    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
    aclrtDestroyEvent(fork);
    aclrtDestroyEvent(join);
    aclrtDestroyStream(side);
    aclrtFree(d);
}

TEST_F(CoreSmoke, FaultInjectionAndBudget) {
    ASSERT_EQ(aclsimInjectFault("aclrtCreateEvent", 2, 507899), ACL_SUCCESS);
    aclrtEvent e1, e2;
    EXPECT_EQ(aclrtCreateEvent(&e1), ACL_SUCCESS);
    EXPECT_EQ(aclrtCreateEvent(&e2), 507899);
    EXPECT_EQ(counter(ACLSIM_LIVE_EVENTS), 1u);
    aclrtDestroyEvent(e1);
    uint32_t inUse = 0, limit = 0;
    ASSERT_EQ(aclsimGetStreamBudget(0, &inUse, &limit), ACL_SUCCESS);
    EXPECT_EQ(inUse, 2u);  // default stream + stream_
    EXPECT_EQ(limit, 2048u);
}

std::atomic<int> g_calls{0};
void on_callback(void* p) { g_calls.fetch_add(*static_cast<int*>(p)); }

TEST_F(CoreSmoke, CallbacksRunOnTheSubscribedThread) {
    int add = 5;
    EXPECT_EQ(aclrtLaunchCallback(on_callback, &add, ACL_CALLBACK_BLOCK, stream_), 107015);  // NO_CB_REG
    std::atomic<bool> stop{false};
    std::thread reporter([&] {
        while (!stop.load()) aclrtProcessReport(10);
    });
    const uint64_t tid = static_cast<uint64_t>(reporter.native_handle());
    ASSERT_EQ(aclrtSubscribeReport(tid, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchCallback(on_callback, &add, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(g_calls.load(), 5);
    stop = true;
    reporter.join();
    EXPECT_EQ(aclrtUnSubscribeReport(tid, stream_), ACL_SUCCESS);
}

TEST_F(CoreSmoke, ModelNameJsonDumpAndRunningDestroy) {
    void* d = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 32, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 32, 1, 32, stream_), ACL_SUCCESS);
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &model), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRISetName(model, "decoder"), ACL_SUCCESS);
    char name[8];
    EXPECT_EQ(aclmdlRIGetName(model, 7, name), ACL_ERROR_RT_PARAM_INVALID);
    ASSERT_EQ(aclmdlRIGetName(model, 8, name), ACL_SUCCESS);
    EXPECT_STREQ(name, "decoder");
    const char* path = "core_smoke_model.json";
    ASSERT_EQ(aclmdlRIDebugJsonPrint(model, path, 1), ACL_SUCCESS);
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    EXPECT_NE(text.str().find("\"kind\": \"memset\""), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("\"bytes\": 32"), std::string::npos) << text.str();
    std::remove(path);

    aclsimSetTaskDelay(30000);
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDestroy(model), 107037);  // ACL_ERROR_RT_MODEL_RUNNING
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_MODELS), 0u);
    aclrtFree(d);
}

TEST(CoreSmokeBudget, LiveModelsHoldStreams) {
    setenv("ASCEND_SIM_STREAM_LIMIT", "3", 1);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    unsetenv("ASCEND_SIM_STREAM_LIMIT");
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);  // default stream: 1
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);  // 2
    ASSERT_EQ(aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);  // 3
    aclmdlRI m1 = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(s, &m1), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_ERROR_RT_NO_STREAM_RESOURCE);
    aclrtStream s2;
    EXPECT_EQ(aclrtCreateStream(&s2), ACL_ERROR_RT_NO_STREAM_RESOURCE);
    ASSERT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);  // the model outlives the stream that captured it
    ASSERT_EQ(aclmdlRIExecuteAsync(m1, nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIDestroy(m1), ACL_SUCCESS);
    uint32_t inUse = 0, limit = 0;
    ASSERT_EQ(aclsimGetStreamBudget(0, &inUse, &limit), ACL_SUCCESS);
    EXPECT_EQ(inUse, 1u);
    EXPECT_EQ(limit, 3u);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

}  // namespace
