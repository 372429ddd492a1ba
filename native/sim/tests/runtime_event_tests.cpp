// Events: record / reset / synchronize (with timeout) / query / elapsed time.
#include <cstring>

#include "test_support.h"

using namespace simtest;

namespace {

class RuntimeEvent : public SimTest {
protected:
    void SetUp() override {
        SimTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&s_));
        ASSERT_ACL_OK(aclrtCreateEvent(&ev_));
        ASSERT_ACL_OK(aclrtMalloc(&dev_, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    }
    void TearDown() override {
        aclsimSetTaskDelay(0);
        EXPECT_ACL_OK(aclrtSynchronizeStream(s_));
        EXPECT_ACL_OK(aclrtDestroyEvent(ev_));
        EXPECT_ACL_OK(aclrtDestroyStream(s_));
        EXPECT_ACL_OK(aclrtFree(dev_));
        SimTest::TearDown();
    }
    aclrtStream s_ = nullptr;
    aclrtEvent ev_ = nullptr;
    void* dev_ = nullptr;
};

TEST_F(RuntimeEvent, RecordedStatusValuesAreTheReverseOfEventStatus) {
    // The ABI fact the simulator and the bindings must share.
    EXPECT_EQ(0, static_cast<int>(ACL_EVENT_RECORDED_STATUS_NOT_READY));
    EXPECT_EQ(1, static_cast<int>(ACL_EVENT_RECORDED_STATUS_COMPLETE));
    EXPECT_EQ(0, static_cast<int>(ACL_EVENT_STATUS_COMPLETE));
    EXPECT_EQ(1, static_cast<int>(ACL_EVENT_STATUS_NOT_READY));
}

TEST_F(RuntimeEvent, QueryReportsNotReadyWhileWorkIsPendingThenComplete) {
    ASSERT_ACL_OK(aclsimSetTaskDelay(200 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 1, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_COMPLETE;
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(0, static_cast<int>(st));  // NOT_READY
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(1, static_cast<int>(st));  // COMPLETE
    EXPECT_ACL_FAILS("aclrtQueryEventStatus", aclrtQueryEventStatus(ev_, nullptr));
}

TEST_F(RuntimeEvent, SynchronizeEventWithTimeoutTimesOutThenSucceeds) {
    ASSERT_ACL_OK(aclsimSetTaskDelay(300 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 1, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, "aclrtSynchronizeEventWithTimeout",
                     aclrtSynchronizeEventWithTimeout(ev_, 10));
    EXPECT_ACL_OK(aclrtSynchronizeEventWithTimeout(ev_, -1));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_COMPLETE, st);
}

TEST_F(RuntimeEvent, EventSynchronizeDoesNotWaitForLaterTasks) {
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 1, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));  // nothing slow before the record
    ASSERT_ACL_OK(aclsimSetTaskDelay(300 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 2, 64, s_));
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(ms, 200);
}

TEST_F(RuntimeEvent, ElapsedTimeCoversAKnownTaskDelay) {
    aclrtEvent end = nullptr;
    ASSERT_ACL_OK(aclrtCreateEvent(&end));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));
    ASSERT_ACL_OK(aclsimSetTaskDelay(60 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 3, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(end, s_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(end));
    float ms = -1.0f;
    ASSERT_ACL_OK(aclrtEventElapsedTime(&ms, ev_, end));
    EXPECT_GE(ms, 59.0f);
    EXPECT_LT(ms, 5000.0f);
    EXPECT_ACL_FAILS("aclrtEventElapsedTime", aclrtEventElapsedTime(nullptr, ev_, end));
    EXPECT_ACL_OK(aclrtDestroyEvent(end));
}

TEST_F(RuntimeEvent, ElapsedTimeOnAPendingEventFails) {
    aclrtEvent end = nullptr;
    ASSERT_ACL_OK(aclrtCreateEvent(&end));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    ASSERT_ACL_OK(aclsimSetTaskDelay(200 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 3, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(end, s_));
    float ms = -1.0f;
    EXPECT_ACL_FAILS("aclrtEventElapsedTime", aclrtEventElapsedTime(&ms, ev_, end));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    EXPECT_ACL_OK(aclrtDestroyEvent(end));
}

TEST_F(RuntimeEvent, ResetThenRecordAgain) {
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    ASSERT_ACL_OK(aclrtResetEvent(ev_, s_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_COMPLETE;
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_NOT_READY, st);  // strict reading: reset clears the record
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, s_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_COMPLETE, st);
}

TEST_F(RuntimeEvent, CreateWithFlagAndLiveCount) {
    uint64_t base = Counter(ACLSIM_LIVE_EVENTS);
    aclrtEvent a = nullptr, b = nullptr;
    ASSERT_ACL_OK(aclrtCreateEventWithFlag(&a, ACL_EVENT_SYNC));
    ASSERT_ACL_OK(aclrtCreateEventWithFlag(&b, ACL_EVENT_TIME_LINE));
    EXPECT_EQ(base + 2, Counter(ACLSIM_LIVE_EVENTS));
    ASSERT_ACL_OK(aclrtRecordEvent(a, s_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(a));
    EXPECT_ACL_OK(aclrtDestroyEvent(a));
    EXPECT_ACL_OK(aclrtDestroyEvent(b));
    EXPECT_EQ(base, Counter(ACLSIM_LIVE_EVENTS));
    EXPECT_ACL_FAILS("aclrtCreateEvent", aclrtCreateEvent(nullptr));
    EXPECT_ACL_FAILS("aclrtDestroyEvent", aclrtDestroyEvent(nullptr));
}

TEST_F(RuntimeEvent, EventsRecordOnTheDefaultStream) {
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 9, 64, nullptr));
    ASSERT_ACL_OK(aclrtRecordEvent(ev_, nullptr));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(ev_));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    ASSERT_ACL_OK(aclrtQueryEventStatus(ev_, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_COMPLETE, st);
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, 64), 9));
}

TEST_F(RuntimeEvent, DestroyingAnEventKeepsTheWaitsAlreadyQueuedOnIt) {
    // The producer's memset is slow; the consumer waits on an event that is destroyed at once.
    aclrtStream consumer = nullptr;
    aclrtEvent done = nullptr;
    void* pinned = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&consumer));
    ASSERT_ACL_OK(aclrtCreateEvent(&done));
    ASSERT_ACL_OK(aclrtMallocHost(&pinned, 64));
    memset(pinned, 0, 64);
    ASSERT_ACL_OK(aclrtMemset(dev_, 64, 0, 64));
    ASSERT_ACL_OK(aclsimSetTaskDelay(100 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, 64, 7, 64, s_));
    ASSERT_ACL_OK(aclrtRecordEvent(done, s_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(consumer, done));
    ASSERT_ACL_OK(aclrtDestroyEvent(done));
    ASSERT_ACL_OK(aclrtMemcpyAsync(pinned, 64, dev_, 64, ACL_MEMCPY_DEVICE_TO_HOST, consumer));
    ASSERT_ACL_OK(aclrtSynchronizeStream(consumer));
    for (int i = 0; i < 64; i++) ASSERT_EQ(7, static_cast<unsigned char*>(pinned)[i]) << "byte " << i;
    // The handle is gone for the API.
    EXPECT_NE(ACL_SUCCESS, aclrtSynchronizeEvent(done));
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    ASSERT_ACL_OK(aclrtDestroyStream(consumer));
    ASSERT_ACL_OK(aclrtFreeHost(pinned));
}

}  // namespace
