// Streams: asynchronous workers, FIFO order, synchronize (with timeout), query, cross-stream
// waits, host callbacks, the stream budget (ASCEND_SIM_STREAM_LIMIT).
#include "test_support.h"

using namespace simtest;
using Clock = std::chrono::steady_clock;

namespace {

class RuntimeStream : public SimTest {
protected:
    void SetUp() override {
        SimTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&s_));
        ASSERT_ACL_OK(aclrtMalloc(&dev_, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_ACL_OK(aclrtMallocHost(&host_, kBytes));
        FillDevice(dev_, kBytes, 0);
        std::memset(host_, 0, kBytes);
    }
    void TearDown() override {
        aclsimSetTaskDelay(0);
        if (s_) {
            EXPECT_ACL_OK(aclrtSynchronizeStream(s_));
            EXPECT_ACL_OK(aclrtDestroyStream(s_));
        }
        EXPECT_ACL_OK(aclrtFree(dev_));
        EXPECT_ACL_OK(aclrtFreeHost(host_));
        SimTest::TearDown();
    }
    uint8_t HostByte(size_t i) const { return static_cast<volatile uint8_t*>(host_)[i]; }

    static constexpr size_t kBytes = 64;
    aclrtStream s_ = nullptr;
    void* dev_ = nullptr;
    void* host_ = nullptr;
};

TEST_F(RuntimeStream, LaunchReturnsBeforeTheWorkRanAndSynchronizeMakesItVisible) {
    ASSERT_ACL_OK(aclsimSetTaskDelay(200 * 1000));
    auto t0 = Clock::now();
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x37, kBytes, s_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s_));
    auto launchMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_LT(launchMs, 150) << "launch waited for the work";
    EXPECT_EQ(0, HostByte(0)) << "work ran before synchronize";
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    auto syncMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_GE(syncMs, 390);  // two tasks of 200 ms each
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x37));
}

TEST_F(RuntimeStream, TasksRunInSubmissionOrder) {
    ASSERT_ACL_OK(aclsimSetTaskDelay(2000));
    void* snaps = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&snaps, 8 * kBytes));
    for (int i = 0; i < 8; ++i) {
        ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 10 + i, kBytes, s_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(static_cast<uint8_t*>(snaps) + i * kBytes, kBytes, dev_, kBytes,
                                       ACL_MEMCPY_DEVICE_TO_HOST, s_));
    }
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    for (int i = 0; i < 8; ++i)
        EXPECT_TRUE(AllBytes(static_cast<uint8_t*>(snaps) + i * kBytes, kBytes, static_cast<uint8_t>(10 + i))) << i;
    EXPECT_ACL_OK(aclrtFreeHost(snaps));
}

TEST_F(RuntimeStream, SynchronizeWithTimeoutTimesOutThenWaitsForever) {
    ASSERT_ACL_OK(aclsimSetTaskDelay(300 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x44, kBytes, s_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s_));
    auto t0 = Clock::now();
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "aclrtSynchronizeStreamWithTimeout",
                     aclrtSynchronizeStreamWithTimeout(s_, 10));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_GE(ms, 9);
    EXPECT_LT(ms, 250);
    ASSERT_ACL_OK(aclrtSynchronizeStreamWithTimeout(s_, -1));
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x44));
    // A timeout long enough succeeds.
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x45, kBytes, s_));
    EXPECT_ACL_OK(aclrtSynchronizeStreamWithTimeout(s_, 5000));
}

TEST_F(RuntimeStream, QueryReportsNotReadyThenComplete) {
    aclrtStreamStatus st = ACL_STREAM_STATUS_RESERVED;
    ASSERT_ACL_OK(aclrtStreamQuery(s_, &st));
    EXPECT_EQ(0, static_cast<int>(st));  // COMPLETE: empty stream
    ASSERT_ACL_OK(aclsimSetTaskDelay(200 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 1, kBytes, s_));
    ASSERT_ACL_OK(aclrtStreamQuery(s_, &st));
    EXPECT_EQ(1, static_cast<int>(st));  // NOT_READY
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    ASSERT_ACL_OK(aclrtStreamQuery(s_, &st));
    EXPECT_EQ(0, static_cast<int>(st));
    EXPECT_ACL_FAILS("aclrtStreamQuery", aclrtStreamQuery(s_, nullptr));
}

TEST_F(RuntimeStream, StreamWaitEventOrdersTwoStreams) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s_));
    aclrtStream s2 = nullptr;
    aclrtEvent ev = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s2));
    ASSERT_ACL_OK(aclrtCreateEvent(&ev));
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s_));
        ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x55, kBytes, s_));
        ASSERT_ACL_OK(aclrtRecordEvent(ev, s_));
        ASSERT_ACL_OK(aclrtStreamWaitEvent(s2, ev));
        ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s2));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        aclrtStreamStatus st = ACL_STREAM_STATUS_RESERVED;
        ASSERT_ACL_OK(aclrtStreamQuery(s2, &st));
        EXPECT_EQ(ACL_STREAM_STATUS_NOT_READY, st) << "s2 did not wait for the event";
        EXPECT_EQ(0, HostByte(0));
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(s2));
        EXPECT_TRUE(AllBytes(host_, kBytes, 0x55));
    }
    EXPECT_ACL_OK(aclrtSynchronizeStream(s_));
    EXPECT_ACL_OK(pump.Unsubscribe(s_));
    EXPECT_ACL_OK(aclrtDestroyEvent(ev));
    EXPECT_ACL_OK(aclrtDestroyStream(s2));
}

struct CallbackLog {
    std::mutex mu;
    std::vector<int> order;
    std::promise<void> done;
    int expected = 0;
};

struct CallbackArg {
    CallbackLog* log;
    int id;
};

void LogCallback(void* user) {
    auto* a = static_cast<CallbackArg*>(user);
    std::lock_guard<std::mutex> lock(a->log->mu);
    a->log->order.push_back(a->id);
    if (static_cast<int>(a->log->order.size()) == a->log->expected) a->log->done.set_value();
}

TEST_F(RuntimeStream, LaunchCallbackRunsEachCallbackOnceWithItsUserDataInOrder) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s_));
    CallbackLog log;
    log.expected = 4;
    CallbackArg args[4] = {{&log, 1}, {&log, 2}, {&log, 3}, {&log, 4}};
    for (auto& a : args) ASSERT_ACL_OK(aclrtLaunchCallback(&LogCallback, &a, ACL_CALLBACK_BLOCK, s_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    {
        std::lock_guard<std::mutex> lock(log.mu);
        EXPECT_EQ((std::vector<int>{1, 2, 3, 4}), log.order);  // BLOCK: done by synchronize
    }
    EXPECT_ACL_OK(pump.Unsubscribe(s_));
}

TEST_F(RuntimeStream, NonBlockingCallbackRunsEventually) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s_));
    CallbackLog log;
    log.expected = 1;
    CallbackArg arg{&log, 42};
    auto fut = log.done.get_future();
    ASSERT_ACL_OK(aclrtLaunchCallback(&LogCallback, &arg, ACL_CALLBACK_NO_BLOCK, s_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    ASSERT_EQ(std::future_status::ready, fut.wait_for(std::chrono::seconds(5)));
    std::lock_guard<std::mutex> lock(log.mu);
    EXPECT_EQ(std::vector<int>{42}, log.order);
    EXPECT_ACL_OK(pump.Unsubscribe(s_));
}

TEST_F(RuntimeStream, BlockingCallbackHoldsLaterTasks) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s_));
    Gate gate;
    ASSERT_ACL_OK(gate.Enqueue(s_));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x66, kBytes, s_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s_));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(gate.Reached());
    EXPECT_EQ(0, HostByte(0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "aclrtSynchronizeStreamWithTimeout",
                     aclrtSynchronizeStreamWithTimeout(s_, 20));
    gate.Open();
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x66));
    EXPECT_ACL_OK(pump.Unsubscribe(s_));
}

TEST_F(RuntimeStream, LaunchCallbackRejectsNullFunction) {
    EXPECT_ACL_FAILS("aclrtLaunchCallback", aclrtLaunchCallback(nullptr, nullptr, ACL_CALLBACK_BLOCK, s_));
}

TEST_F(RuntimeStream, DefaultStreamWorks) {
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x21, kBytes, nullptr));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, nullptr));
    ASSERT_ACL_OK(aclrtSynchronizeStream(nullptr));
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x21));
}

TEST_F(RuntimeStream, SynchronizeDeviceWaitsForEveryStream) {
    aclrtStream s2 = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s2));
    void* host2 = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&host2, kBytes));
    std::memset(host2, 0, kBytes);
    ASSERT_ACL_OK(aclsimSetTaskDelay(50 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x12, kBytes, s_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host2, kBytes, host_, kBytes, ACL_MEMCPY_HOST_TO_HOST, s2));
    ASSERT_ACL_OK(aclrtSynchronizeDevice());
    aclrtStreamStatus st = ACL_STREAM_STATUS_RESERVED;
    EXPECT_ACL_OK(aclrtStreamQuery(s_, &st));
    EXPECT_EQ(ACL_STREAM_STATUS_COMPLETE, st);
    EXPECT_ACL_OK(aclrtStreamQuery(s2, &st));
    EXPECT_EQ(ACL_STREAM_STATUS_COMPLETE, st);
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x12));
    EXPECT_ACL_OK(aclrtDestroyStream(s2));
    EXPECT_ACL_OK(aclrtFreeHost(host2));
}

TEST_F(RuntimeStream, LiveStreamCountGoesUpAndBackDown) {
    uint64_t base = Counter(ACLSIM_LIVE_STREAMS);
    aclrtStream a = nullptr, b = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&a));
    ASSERT_ACL_OK(aclrtCreateStreamWithConfig(&b, 0, ACL_STREAM_FAST_LAUNCH));
    EXPECT_NE(a, b);
    EXPECT_EQ(base + 2, Counter(ACLSIM_LIVE_STREAMS));
    EXPECT_ACL_OK(aclrtDestroyStream(a));
    EXPECT_ACL_OK(aclrtDestroyStream(b));
    EXPECT_EQ(base, Counter(ACLSIM_LIVE_STREAMS));
}

TEST_F(RuntimeStream, DestroyedStreamHandleIsRejected) {
    aclrtStream a = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&a));
    ASSERT_ACL_OK(aclrtDestroyStream(a));
    uint64_t live = Counter(ACLSIM_LIVE_STREAMS);
    EXPECT_ACL_FAILS("aclrtDestroyStream", aclrtDestroyStream(a));
    EXPECT_ACL_FAILS("aclrtSynchronizeStream", aclrtSynchronizeStream(a));
    EXPECT_ACL_FAILS("aclrtMemsetAsync", aclrtMemsetAsync(dev_, kBytes, 0, kBytes, a));
    EXPECT_EQ(live, Counter(ACLSIM_LIVE_STREAMS));
    EXPECT_ACL_FAILS("aclrtCreateStream", aclrtCreateStream(nullptr));
}

TEST_F(RuntimeStream, DestroyingAStreamWithQueuedWorkFinishesTheWork) {
    aclrtStream a = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&a));
    ASSERT_ACL_OK(aclsimSetTaskDelay(50 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 0x71, kBytes, a));
    ASSERT_ACL_OK(aclrtMemcpyAsync(host_, kBytes, dev_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, a));
    EXPECT_ACL_OK(aclrtDestroyStream(a));
    ASSERT_ACL_OK(aclrtSynchronizeDevice());
    EXPECT_TRUE(AllBytes(host_, kBytes, 0x71));
}

class RuntimeStreamBudget : public SimTest {
    void ConfigureEnv() override { setenv("ASCEND_SIM_STREAM_LIMIT", "8", 1); }
};

TEST_F(RuntimeStreamBudget, ExhaustionFailsWithNoStreamResourceAndReleasesOnDestroy) {
    uint32_t inUse = 0, limit = 0;
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &inUse, &limit));
    EXPECT_EQ(8u, limit);
    ASSERT_LT(inUse, limit);
    const uint32_t baseline = inUse;

    std::vector<aclrtStream> streams;
    for (uint32_t i = baseline; i < limit; ++i) {
        aclrtStream s = nullptr;
        ASSERT_ACL_OK(aclrtCreateStream(&s)) << "stream #" << i;
        streams.push_back(s);
        uint32_t now = 0, lim = 0;
        ASSERT_ACL_OK(aclsimGetStreamBudget(0, &now, &lim));
        EXPECT_EQ(i + 1, now);
    }
    aclrtStream extra = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclrtCreateStream", aclrtCreateStream(&extra));
    EXPECT_EQ(nullptr, extra);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclrtCreateStreamWithConfig",
                     aclrtCreateStreamWithConfig(&extra, 0, 0));
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &inUse, &limit));
    EXPECT_EQ(limit, inUse);

    // Device 1 has its own budget.
    ASSERT_ACL_OK(aclrtSetDevice(1));
    ASSERT_ACL_OK(aclrtCreateStream(&extra));
    EXPECT_ACL_OK(aclrtDestroyStream(extra));
    ASSERT_ACL_OK(aclrtSetDevice(0));

    ASSERT_ACL_OK(aclrtDestroyStream(streams.back()));
    streams.pop_back();
    ASSERT_ACL_OK(aclrtCreateStream(&extra));
    streams.push_back(extra);
    for (aclrtStream s : streams) EXPECT_ACL_OK(aclrtDestroyStream(s));
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &inUse, &limit));
    EXPECT_EQ(baseline, inUse);
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

TEST_F(RuntimeStreamBudget, BudgetQueryRejectsBadArguments) {
    uint32_t inUse = 0, limit = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclsimGetStreamBudget", aclsimGetStreamBudget(2, &inUse, &limit));
    EXPECT_ACL_FAILS("aclsimGetStreamBudget", aclsimGetStreamBudget(0, nullptr, &limit));
    EXPECT_ACL_FAILS("aclsimGetStreamBudget", aclsimGetStreamBudget(0, &inUse, nullptr));
}

TEST_F(RuntimeStream, StreamsRunConcurrently) {
    aclrtStream s2 = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s2));
    ASSERT_ACL_OK(aclsimSetTaskDelay(300 * 1000));
    auto t0 = Clock::now();
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 1, kBytes, s_));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBytes, 2, kBytes, s2));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s2));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_GE(ms, 290);
    EXPECT_LT(ms, 590) << "the two streams ran one after the other (serial would take >= 600 ms)";
    EXPECT_ACL_OK(aclrtDestroyStream(s2));
}

TEST_F(RuntimeStream, ManyThreadsSubmittingToOneStreamLoseNothing) {
    const uint64_t tasks0 = Counter(ACLSIM_COUNT_TASKS_EXECUTED);
    aclrtContext ctx = ctx_;
    aclrtStream s = s_;
    void* d = dev_;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([=] {
            aclrtSetCurrentContext(ctx);
            for (int i = 0; i < 250; ++i) EXPECT_EQ(ACL_SUCCESS, aclrtMemsetAsync(d, kBytes, t, kBytes, s));
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_ACL_OK(aclrtSynchronizeStream(s_));
    EXPECT_GE(Counter(ACLSIM_COUNT_TASKS_EXECUTED), tasks0 + 1000);
}

TEST_F(RuntimeStream, ConcurrentAllocationsKeepExactAccounting) {
    const uint64_t live0 = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    size_t free0 = 0, total = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total));
    aclrtContext ctx = ctx_;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            aclrtSetCurrentContext(ctx);
            std::vector<void*> mine;
            for (int i = 0; i < 200; ++i) {
                void* p = nullptr;
                if (aclrtMalloc(&p, 512 + 64 * t, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS) ++failures;
                else mine.push_back(p);
                if (i % 3 == 2) {
                    if (aclrtFree(mine.back()) != ACL_SUCCESS) ++failures;
                    mine.pop_back();
                }
            }
            for (void* p : mine)
                if (aclrtFree(p) != ACL_SUCCESS) ++failures;
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(0, failures.load());
    EXPECT_EQ(live0, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    size_t free1 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total));
    EXPECT_EQ(free0, free1);
}

}  // namespace
