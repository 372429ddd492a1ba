// Shared helpers of the simulator's black-box runtime and capture tests. Written from the ABI
// contract (cann-abi.md), not from the implementation: everything here goes through the exported
// C functions only, so the same tests can run against real CANN (except the aclsim controls).
#pragma once

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <future>
#include <initializer_list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "acl_sim/acl_sim.h"

namespace simtest {

// The last text RecentMsg() read on this thread (aclGetRecentErrMsg consumes the message, as
// CANN's error manager does, so a second read returns nothing).
inline std::string& LastMsg() {
    static thread_local std::string last;
    return last;
}

inline std::string RecentMsg() {
    const char* m = aclGetRecentErrMsg();
    LastMsg() = m ? std::string(m) : std::string();
    return LastMsg();
}

inline std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A failing call: exact code, and the calling thread's recent error text names `fn`.
inline ::testing::AssertionResult FailsWith(const char* callText, aclError got,
                                            std::initializer_list<aclError> expected, const char* fn) {
    bool codeOk = false;
    for (aclError e : expected) codeOk = codeOk || (got == e);
    std::string msg = RecentMsg();
    if (!codeOk) {
        auto r = ::testing::AssertionFailure();
        r << callText << " returned " << got << ", expected one of {";
        for (aclError e : expected) r << " " << e;
        return r << " } (recent error: \"" << msg << "\")";
    }
    if (msg.find(fn) == std::string::npos) {
        return ::testing::AssertionFailure() << callText << " returned " << got
                                             << " but aclGetRecentErrMsg() does not name " << fn
                                             << ": \"" << msg << "\"";
    }
    return ::testing::AssertionSuccess();
}

// A failing call whose exact code the spec leaves open: non-zero, and the message names `fn`.
inline ::testing::AssertionResult FailsAny(const char* callText, aclError got, const char* fn) {
    std::string msg = RecentMsg();
    if (got == ACL_SUCCESS) return ::testing::AssertionFailure() << callText << " succeeded, expected an error";
    if (msg.find(fn) == std::string::npos) {
        return ::testing::AssertionFailure() << callText << " returned " << got
                                             << " but aclGetRecentErrMsg() does not name " << fn
                                             << ": \"" << msg << "\"";
    }
    return ::testing::AssertionSuccess();
}

}  // namespace simtest

#define EXPECT_ACL_OK(call) EXPECT_EQ(ACL_SUCCESS, (call)) << #call << " -> " << ::simtest::RecentMsg()
#define ASSERT_ACL_OK(call) ASSERT_EQ(ACL_SUCCESS, (call)) << #call << " -> " << ::simtest::RecentMsg()
#define EXPECT_ACL_ERROR(code, fn, call) EXPECT_TRUE(::simtest::FailsWith(#call, (call), {(code)}, (fn)))
#define ASSERT_ACL_ERROR(code, fn, call) ASSERT_TRUE(::simtest::FailsWith(#call, (call), {(code)}, (fn)))
#define EXPECT_ACL_ERROR_IN(codes, fn, call) EXPECT_TRUE(::simtest::FailsWith(#call, (call), codes, (fn)))
#define EXPECT_ACL_FAILS(fn, call) EXPECT_TRUE(::simtest::FailsAny(#call, (call), (fn)))

// Runtime-level argument errors of copies, memsets and frees (kind contradicting the pointer
// classes, count > destMax, range beyond an allocation, unknown / freed / interior pointer). The
// spec allows the 107000 or 100000 family; the simulator documents ACL_ERROR_RT_PARAM_INVALID for
// these and ACL_ERROR_INVALID_PARAM for what CANN's acl layer rejects first (NULL pointers, an
// out-of-range enum); tests of the latter assert ACL_ERROR_INVALID_PARAM directly.
#define SIMTEST_MEM_ARG_ERRORS {ACL_ERROR_RT_PARAM_INVALID}
#define EXPECT_MEM_ARG_ERROR(fn, call) EXPECT_TRUE(::simtest::FailsWith(#call, (call), SIMTEST_MEM_ARG_ERRORS, (fn)))

namespace simtest {

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kGiB = size_t{1} << 30;

inline void ClearSimEnv() {
    unsetenv("ASCEND_SIM_DEVICE_COUNT");
    unsetenv("ASCEND_SIM_DEVICE_MEMORY");
    unsetenv("ASCEND_SIM_STREAM_LIMIT");
    unsetenv("ASCEND_SIM_CANN_VERSION");
}

inline uint64_t Counter(aclsimCounter c) {
    uint64_t v = ~uint64_t{0};
    EXPECT_EQ(ACL_SUCCESS, aclsimGetCounter(c, &v)) << "aclsimGetCounter(" << c << ")";
    return v;
}

// Initialized runtime with device 0 current on the test thread. Derived fixtures set simulator
// environment variables in ConfigureEnv (called before aclInit).
class SimTest : public ::testing::Test {
protected:
    virtual void ConfigureEnv() {}

    void SetUp() override {
        ClearSimEnv();
        ConfigureEnv();
        ASSERT_ACL_OK(aclInit(nullptr));
        ASSERT_ACL_OK(aclrtSetDevice(0));
        ASSERT_ACL_OK(aclrtGetCurrentContext(&ctx_));
        ASSERT_NE(nullptr, ctx_);
    }

    void TearDown() override {
        aclsimSetTaskDelay(0);
        aclsimClearFaults(nullptr);
        EXPECT_ACL_OK(aclrtResetDevice(0));
        EXPECT_ACL_OK(aclFinalize());
        ClearSimEnv();
    }

    aclrtContext ctx_ = nullptr;
};

// Runs `fn` on a fresh std::thread and waits for it (gtest assertions inside are recorded).
template <typename F>
void RunOnThread(F&& fn) {
    std::thread t(std::forward<F>(fn));
    t.join();
}

// Host-callback pump, the CANN way: a thread subscribed to a stream loops aclrtProcessReport
// so that aclrtLaunchCallback's callbacks run on it.
class CallbackPump {
public:
    CallbackPump(aclrtContext ctx) : ctx_(ctx) {
        thread_ = std::thread([this] {
            aclrtSetCurrentContext(ctx_);
            started_.set_value();
            while (!stop_.load()) {
                if (aclrtProcessReport(20) != ACL_SUCCESS) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        started_.get_future().wait();
    }
    ~CallbackPump() {
        for (aclrtStream s : subscribed_) aclrtUnSubscribeReport(ThreadId(), s);
        stop_.store(true);
        thread_.join();
    }
    uint64_t ThreadId() { return static_cast<uint64_t>(thread_.native_handle()); }
    aclError Subscribe(aclrtStream s) {
        aclError rc = aclrtSubscribeReport(ThreadId(), s);
        if (rc == ACL_SUCCESS) subscribed_.push_back(s);
        return rc;
    }
    // Unsubscribes before the stream is destroyed.
    aclError Unsubscribe(aclrtStream s) {
        for (size_t i = 0; i < subscribed_.size(); ++i) {
            if (subscribed_[i] == s) {
                subscribed_.erase(subscribed_.begin() + static_cast<long>(i));
                return aclrtUnSubscribeReport(ThreadId(), s);
            }
        }
        return ACL_SUCCESS;
    }

private:
    aclrtContext ctx_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::promise<void> started_;
    std::vector<aclrtStream> subscribed_;
};

// A BLOCK callback that holds its stream until Open() is called: proves that later tasks are
// queued, not run.
class Gate {
public:
    Gate() : future_(promise_.get_future().share()) {}
    ~Gate() { Open(); }
    aclError Enqueue(aclrtStream s) { return aclrtLaunchCallback(&Gate::Wait, this, ACL_CALLBACK_BLOCK, s); }
    void Open() {
        if (!opened_.exchange(true)) promise_.set_value();
    }
    bool Reached() const { return reached_.load(); }

private:
    static void Wait(void* self) {
        auto* g = static_cast<Gate*>(self);
        g->reached_.store(true);
        g->future_.wait_for(std::chrono::seconds(20));
    }
    std::promise<void> promise_;
    std::shared_future<void> future_;
    std::atomic<bool> opened_{false};
    std::atomic<bool> reached_{false};
};

// Device buffer helpers.
inline std::vector<uint8_t> ReadDevice(const void* dev, size_t bytes) {
    std::vector<uint8_t> out(bytes, 0xEE);
    EXPECT_EQ(ACL_SUCCESS, aclrtMemcpy(out.data(), bytes, dev, bytes, ACL_MEMCPY_DEVICE_TO_HOST))
        << "ReadDevice: " << RecentMsg();
    return out;
}

inline void FillDevice(void* dev, size_t bytes, uint8_t value) {
    EXPECT_EQ(ACL_SUCCESS, aclrtMemset(dev, bytes, value, bytes)) << "FillDevice: " << RecentMsg();
}

inline bool AllBytes(const std::vector<uint8_t>& v, uint8_t value) {
    for (uint8_t b : v)
        if (b != value) return false;
    return true;
}

inline bool AllBytes(const void* p, size_t n, uint8_t value) {
    auto* b = static_cast<const volatile uint8_t*>(p);
    for (size_t i = 0; i < n; ++i)
        if (b[i] != value) return false;
    return true;
}

inline std::string PtrText(const void* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", p);
    return buf;
}

}  // namespace simtest
