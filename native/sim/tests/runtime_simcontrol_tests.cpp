// Simulator-only controls (acl_sim.h): live counts, cumulative counters, fault injection.
#include <chrono>
#include <thread>

#include "test_support.h"

using namespace simtest;

namespace {

using RuntimeSimControl = SimTest;

TEST_F(RuntimeSimControl, LiveCountsGoUpAndBackToBaseline) {
    const uint64_t streams = Counter(ACLSIM_LIVE_STREAMS);
    const uint64_t events = Counter(ACLSIM_LIVE_EVENTS);
    const uint64_t allocs = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    const uint64_t pinned = Counter(ACLSIM_LIVE_PINNED_BLOCKS);
    const uint64_t bytes = Counter(ACLSIM_LIVE_DEVICE_BYTES);

    aclrtStream s = nullptr;
    aclrtEvent e = nullptr;
    void* d = nullptr;
    void* h = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    ASSERT_ACL_OK(aclrtCreateEvent(&e));
    ASSERT_ACL_OK(aclrtMalloc(&d, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMallocHost(&h, 4096));
    EXPECT_EQ(streams + 1, Counter(ACLSIM_LIVE_STREAMS));
    EXPECT_EQ(events + 1, Counter(ACLSIM_LIVE_EVENTS));
    EXPECT_EQ(allocs + 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_EQ(pinned + 1, Counter(ACLSIM_LIVE_PINNED_BLOCKS));
    EXPECT_GE(Counter(ACLSIM_LIVE_DEVICE_BYTES), bytes + 4096);

    EXPECT_ACL_OK(aclrtDestroyStream(s));
    EXPECT_ACL_OK(aclrtDestroyEvent(e));
    EXPECT_ACL_OK(aclrtFree(d));
    EXPECT_ACL_OK(aclrtFreeHost(h));
    EXPECT_EQ(streams, Counter(ACLSIM_LIVE_STREAMS));
    EXPECT_EQ(events, Counter(ACLSIM_LIVE_EVENTS));
    EXPECT_EQ(allocs, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_EQ(pinned, Counter(ACLSIM_LIVE_PINNED_BLOCKS));
    EXPECT_EQ(bytes, Counter(ACLSIM_LIVE_DEVICE_BYTES));
}

TEST_F(RuntimeSimControl, CumulativeCountersOnlyGoUp) {
    const uint64_t mallocs = Counter(ACLSIM_COUNT_MALLOC_CALLS);
    const uint64_t frees = Counter(ACLSIM_COUNT_FREE_CALLS);
    const uint64_t tasks = Counter(ACLSIM_COUNT_TASKS_EXECUTED);
    void* d = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    for (int i = 0; i < 5; ++i) ASSERT_ACL_OK(aclrtMemsetAsync(d, 64, i, 64, s));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_GE(Counter(ACLSIM_COUNT_TASKS_EXECUTED), tasks + 5);
    ASSERT_ACL_OK(aclrtFree(d));
    EXPECT_EQ(mallocs + 1, Counter(ACLSIM_COUNT_MALLOC_CALLS));
    EXPECT_EQ(frees + 1, Counter(ACLSIM_COUNT_FREE_CALLS));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeSimControl, GetCounterRejectsNullAndUnknownCounters) {
    uint64_t v = 0;
    EXPECT_ACL_FAILS("aclsimGetCounter", aclsimGetCounter(ACLSIM_LIVE_STREAMS, nullptr));
    EXPECT_ACL_FAILS("aclsimGetCounter", aclsimGetCounter(static_cast<aclsimCounter>(77), &v));
}

TEST_F(RuntimeSimControl, InjectedFaultHitsExactlyTheNthCall) {
    const uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    const uint64_t mallocs = Counter(ACLSIM_COUNT_MALLOC_CALLS);
    size_t free0 = 0, total = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total));

    ASSERT_ACL_OK(aclsimInjectFault("aclrtMalloc", 2, ACL_ERROR_RT_MEMORY_ALLOCATION));
    void* a = nullptr;
    void* b = nullptr;
    void* c = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&a, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
    size_t free1 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total));

    EXPECT_ACL_ERROR(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMalloc", aclrtMalloc(&b, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(nullptr, b);
    EXPECT_EQ(live + 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));  // nothing allocated
    EXPECT_EQ(mallocs + 1, Counter(ACLSIM_COUNT_MALLOC_CALLS));
    size_t free2 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free2, &total));
    EXPECT_EQ(free1, free2);

    ASSERT_ACL_OK(aclrtMalloc(&c, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(live + 2, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    uint32_t remaining = 99;
    EXPECT_ACL_OK(aclsimClearFaults(&remaining));
    EXPECT_EQ(0u, remaining);  // the fault fired and disarmed itself
    EXPECT_ACL_OK(aclrtFree(a));
    EXPECT_ACL_OK(aclrtFree(c));
    size_t free3 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free3, &total));
    EXPECT_EQ(free0, free3);
}

TEST_F(RuntimeSimControl, ClearFaultsDisarmsAndReportsWhatWasArmed) {
    ASSERT_ACL_OK(aclsimInjectFault("aclrtMalloc", 1, ACL_ERROR_RT_MEMORY_ALLOCATION));
    ASSERT_ACL_OK(aclsimInjectFault("aclrtCreateStream", 3, ACL_ERROR_RT_NO_STREAM_RESOURCE));
    uint32_t remaining = 0;
    ASSERT_ACL_OK(aclsimClearFaults(&remaining));
    EXPECT_EQ(2u, remaining);
    void* p = nullptr;
    EXPECT_ACL_OK(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_ACL_OK(aclrtFree(p));
}

TEST_F(RuntimeSimControl, ArmingAgainReplacesTheFault) {
    ASSERT_ACL_OK(aclsimInjectFault("aclrtCreateStream", 1, ACL_ERROR_RT_NO_STREAM_RESOURCE));
    ASSERT_ACL_OK(aclsimInjectFault("aclrtCreateStream", 2, ACL_ERROR_RT_RESOURCE_ALLOC_FAIL));
    aclrtStream s = nullptr, t = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_RESOURCE_ALLOC_FAIL, "aclrtCreateStream", aclrtCreateStream(&t));
    EXPECT_EQ(nullptr, t);
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeSimControl, FaultOnAnAsyncCallEnqueuesNothing) {
    aclrtStream s = nullptr;
    void* d = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    ASSERT_ACL_OK(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    FillDevice(d, 64, 0x01);
    ASSERT_ACL_OK(aclsimInjectFault("aclrtMemsetAsync", 1, ACL_ERROR_RT_INTERNAL_ERROR));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemsetAsync", aclrtMemsetAsync(d, 64, 0x02, 64, s));
    EXPECT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_TRUE(AllBytes(ReadDevice(d, 64), 0x01));
    EXPECT_ACL_OK(aclrtFree(d));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeSimControl, InjectFaultRejectsBadArguments) {
    EXPECT_ACL_FAILS("aclsimInjectFault", aclsimInjectFault(nullptr, 1, ACL_ERROR_RT_MEMORY_ALLOCATION));
    EXPECT_ACL_FAILS("aclsimInjectFault", aclsimInjectFault("aclrtMalloc", 0, ACL_ERROR_RT_MEMORY_ALLOCATION));
    EXPECT_ACL_FAILS("aclsimInjectFault", aclsimInjectFault("aclrtMalloc", 1, ACL_SUCCESS));
}

TEST_F(RuntimeSimControl, TaskDelaySlowsEveryTask) {
    aclrtStream s = nullptr;
    void* d = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    ASSERT_ACL_OK(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclsimSetTaskDelay(30 * 1000));
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) ASSERT_ACL_OK(aclrtMemsetAsync(d, 64, i, 64, s));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(ms, 119);
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    EXPECT_ACL_OK(aclrtFree(d));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

// Releases the hold however the test ends (a failed ASSERT returns early; a hold left set would stall every later test).
struct ReleaseHold {
    ~ReleaseHold() { aclsimHoldStreams(0); }
};

TEST_F(RuntimeSimControl, HeldStreamsStartNothingUntilReleased) {
    ReleaseHold release;
    aclrtStream s = nullptr;
    void* d = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    ASSERT_ACL_OK(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    FillDevice(d, 64, 0x01);
    const uint64_t executed = Counter(ACLSIM_COUNT_TASKS_EXECUTED);
    ASSERT_ACL_OK(aclsimHoldStreams(1));
    for (int i = 2; i <= 4; ++i) ASSERT_ACL_OK(aclrtMemsetAsync(d, 64, i, 64, s));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    aclrtStreamStatus status = ACL_STREAM_STATUS_COMPLETE;
    EXPECT_ACL_OK(aclrtStreamQuery(s, &status));
    EXPECT_EQ(ACL_STREAM_STATUS_NOT_READY, status);
    EXPECT_EQ(executed, Counter(ACLSIM_COUNT_TASKS_EXECUTED));
    EXPECT_TRUE(AllBytes(ReadDevice(d, 64), 0x01));
    ASSERT_ACL_OK(aclsimHoldStreams(0));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_EQ(executed + 3, Counter(ACLSIM_COUNT_TASKS_EXECUTED));
    EXPECT_TRUE(AllBytes(ReadDevice(d, 64), 0x04));
    EXPECT_ACL_OK(aclrtFree(d));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeSimControl, DestroyingAHeldStreamRunsItsQueuedWork) {
    ReleaseHold release;
    aclrtStream s = nullptr;
    void* d = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    ASSERT_ACL_OK(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    FillDevice(d, 64, 0x01);
    ASSERT_ACL_OK(aclsimHoldStreams(1));
    ASSERT_ACL_OK(aclrtMemsetAsync(d, 64, 0x05, 64, s));
    EXPECT_ACL_OK(aclrtDestroyStream(s));  // returns: the stopping worker drains its queue although held
    ASSERT_ACL_OK(aclsimHoldStreams(0));
    EXPECT_TRUE(AllBytes(ReadDevice(d, 64), 0x05));
    EXPECT_ACL_OK(aclrtFree(d));
}

TEST_F(RuntimeSimControl, VersionStringNamesTheSimulator) {
    const char* v = aclsimGetVersion();
    ASSERT_NE(nullptr, v);
    EXPECT_NE(std::string::npos, std::string(v).find("ascend-sim"));
}

}  // namespace
