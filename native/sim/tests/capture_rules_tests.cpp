// Rules while a stream is capturing (cann-abi.md, "Graph capture", rules 2-5): exact codes and
// messages for captured streams and events, unsafe synchronous calls per capture mode,
// pageable async copies, invalidation, default stream, Begin/End pairing.
#include "test_support_capture.h"

using namespace simtest;

namespace {

using CaptureRules = CaptureTest;

class CaptureRulesEveryMode : public CaptureTest, public ::testing::WithParamInterface<aclmdlRICaptureMode> {};

INSTANTIATE_TEST_SUITE_P(Modes, CaptureRulesEveryMode,
                         ::testing::Values(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL,
                                           ACL_MODEL_RI_CAPTURE_MODE_RELAXED),
                         [](const ::testing::TestParamInfo<aclmdlRICaptureMode>& i) { return ModeName(i.param); });

// Rule 2: synchronize, query, destroy of a capturing stream, and executing a model on it.
TEST_P(CaptureRulesEveryMode, CapturingStreamRefusesSyncQueryDestroyAndExecute) {
    aclmdlRI other = CaptureFillAndCopy(0x01);  // a finished model to try to execute
    ASSERT_NE(nullptr, other);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, GetParam()));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 2, kBytes, cap_));

    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtSynchronizeStream", aclrtSynchronizeStream(cap_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtSynchronizeStreamWithTimeout",
                     aclrtSynchronizeStreamWithTimeout(cap_, 10));
    aclrtStreamStatus st = ACL_STREAM_STATUS_RESERVED;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtStreamQuery", aclrtStreamQuery(cap_, &st));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtDestroyStream", aclrtDestroyStream(cap_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(other, cap_));

    aclmdlRI m = End();  // the stream survived the refused destroy and still ends its capture
    ASSERT_NE(nullptr, m);
    EXPECT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0)) << "the refused execute ran anyway";
}

// Rule 2: an event recorded in the capture cannot be waited on, queried or timed from the host.
TEST_P(CaptureRulesEveryMode, EventRecordedInCaptureRefusesHostSideUse) {
    aclrtEvent inCap = nullptr, outside = nullptr;
    ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&inCap, ACL_EVENT_SYNC));  // CANN 9.1: new-mode events in captures
    ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&outside, ACL_EVENT_SYNC));
    ASSERT_ACL_OK(aclrtRecordEvent(outside, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(outside));

    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, GetParam()));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 3, kBytes, cap_));
    ASSERT_ACL_OK(aclrtRecordEvent(inCap, cap_));

    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtSynchronizeEvent", aclrtSynchronizeEvent(inCap));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtSynchronizeEventWithTimeout",
                     aclrtSynchronizeEventWithTimeout(inCap, 10));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtQueryEventStatus", aclrtQueryEventStatus(inCap, &st));
    float ms = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtEventElapsedTime", aclrtEventElapsedTime(&ms, outside, inCap));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtEventElapsedTime", aclrtEventElapsedTime(&ms, inCap, outside));

    // An event that was not recorded in the capture stays usable.
    EXPECT_ACL_OK(aclrtQueryEventStatus(outside, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_COMPLETE, st);

    End();
    EXPECT_ACL_OK(aclrtDestroyEvent(inCap));
    EXPECT_ACL_OK(aclrtDestroyEvent(outside));
}

// Rule 4: the default stream cannot capture. The spec does not name the code.
TEST_P(CaptureRulesEveryMode, DefaultStreamCannotCapture) {
    EXPECT_ACL_FAILS("aclmdlRICaptureBegin", aclmdlRICaptureBegin(nullptr, GetParam()));
    EXPECT_NE(std::string::npos, Lower(LastMsg()).find("default")) << LastMsg();
    // The default stream still works normally.
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 4, kBytes, nullptr));
    ASSERT_ACL_OK(aclrtSynchronizeStream(nullptr));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 4));
}

// Rule 3, async side: pageable host memory on a capturing stream is a parameter error; the
// capture stays ACTIVE and ends normally.
TEST_P(CaptureRulesEveryMode, AsyncCopyWithPageableMemoryIsRefusedAndCaptureStaysActive) {
    std::vector<uint8_t> pageable(kBytes, 0x7E);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, GetParam()));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 5, kBytes, cap_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemcpyAsync",
                     aclrtMemcpyAsync(a_, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, cap_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemcpyAsync",
                     aclrtMemcpyAsync(pageable.data(), kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    EXPECT_TRUE(AllBytes(pageable, 0x7E));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 5));
    EXPECT_TRUE(AllBytes(pageable, 0x7E));
}

// Rule 3, invalidation: a task-group error on the capturing stream invalidates the capture;
// End then fails with 507903, discards the model, and the stream leaves capture usable.
TEST_P(CaptureRulesEveryMode, TaskGroupErrorInvalidatesAndEndDiscardsTheModel) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, GetParam()));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 6, kBytes, cap_));
    ASSERT_ACL_OK(aclmdlRICaptureTaskGrpBegin(cap_));
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskGrpBegin", aclmdlRICaptureTaskGrpBegin(cap_));  // nested group
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));

    aclmdlRI m = reinterpret_cast<aclmdlRI>(0x1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_TRUE(m == nullptr || m == reinterpret_cast<aclmdlRI>(0x1)) << "a discarded model was handed out";
    EXPECT_EQ(baseModels_, Counter(ACLSIM_LIVE_MODELS));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_));
    EXPECT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0)) << "captured work of the invalid capture ran";

    // The stream works normally and can capture again.
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 7, kBytes, cap_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 7));
    aclmdlRI again = CaptureFillAndCopy(0x08);
    EXPECT_NE(nullptr, again);
}

TEST_F(CaptureRules, TaskGroupEndWithoutBeginInvalidates) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclrtTaskGrp g = nullptr;
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskGrpEnd", aclmdlRICaptureTaskGrpEnd(cap_, &g));
    EXPECT_EQ(nullptr, g);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_EQ(nullptr, m);
    EXPECT_ACL_OK(aclrtSynchronizeStream(cap_));
}

// Rule 5 and End's own checks.
TEST_F(CaptureRules, EndOnANonCapturingStreamFails) {
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_EQ(nullptr, m);
}

TEST_F(CaptureRules, EndOnAnotherStreamThanBeginFails) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(rep_, &m));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
}

TEST_F(CaptureRules, BeginOnACapturingStreamFails) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_FAILS("aclmdlRICaptureBegin", aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 1, kBytes, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
}

TEST_F(CaptureRules, BeginRejectsAnUnknownMode) {
    EXPECT_ACL_FAILS("aclmdlRICaptureBegin", aclmdlRICaptureBegin(cap_, static_cast<aclmdlRICaptureMode>(7)));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_));
}

class CaptureEndThread : public CaptureTest, public ::testing::WithParamInterface<aclmdlRICaptureMode> {};

INSTANTIATE_TEST_SUITE_P(StrictModes, CaptureEndThread,
                         ::testing::Values(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL),
                         [](const ::testing::TestParamInfo<aclmdlRICaptureMode>& i) { return ModeName(i.param); });

TEST_P(CaptureEndThread, EndFromAnotherThreadIsRefused) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, GetParam()));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 1, kBytes, cap_));
    aclrtContext ctx = ctx_;
    aclrtStream s = cap_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        aclmdlRI m = nullptr;
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_WRONG_THREAD, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(s, &m));
        EXPECT_EQ(nullptr, m);
    });
    // CANN's StreamEndCapture leaves capture on a wrong-thread End (the model is not handed out),
    // so the stream is usable again and the captured work never runs.
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_));
    EXPECT_EQ(baseModels_, Counter(ACLSIM_LIVE_MODELS));
    EXPECT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0));
}

TEST_F(CaptureRules, RelaxedCaptureMayEndOnAnotherThread) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x2F, kBytes, cap_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclrtContext ctx = ctx_;
    aclrtStream s = cap_;
    aclmdlRI m = nullptr;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        EXPECT_ACL_OK(aclmdlRICaptureEnd(s, &m));
    });
    ASSERT_NE(nullptr, m);
    models_.push_back(m);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x2F));
}

// ---- Rule 3: unsafe synchronous calls (aclrtMemcpy, aclrtMemset) per capture mode ----------

class CaptureUnsafeCalls : public CaptureTest {
protected:
    // Tries both unsafe calls on the calling thread; returns their codes.
    std::pair<aclError, aclError> TryUnsafe(uint8_t value) {
        std::vector<uint8_t> src(kBytes, value);
        aclError c = aclrtMemcpy(b_, kBytes, src.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE);
        aclError s = aclrtMemset(b_, kBytes, value, kBytes);
        return {c, s};
    }
    void ExpectRefused(uint8_t value) {
        std::vector<uint8_t> src(kBytes, value);
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, "aclrtMemcpy",
                         aclrtMemcpy(b_, kBytes, src.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, "aclrtMemset", aclrtMemset(b_, kBytes, value, kBytes));
    }
    // After the capture ended: b_ holds what the allowed calls wrote (or 0).
    std::vector<uint8_t> ReadB() { return ReadDevice(b_, kBytes); }
};

TEST_F(CaptureUnsafeCalls, GlobalRefusesOnTheCapturingThread) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ExpectRefused(0x11);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_)) << "a refused call must not invalidate";
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0)) << "a refused call wrote memory";
}

TEST_F(CaptureUnsafeCalls, GlobalRefusesOnAnotherThread) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclrtContext ctx = ctx_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        ExpectRefused(0x12);
    });
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0));
}

TEST_F(CaptureUnsafeCalls, ThreadLocalRefusesOnlyOnTheCapturingThread) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL));
    ExpectRefused(0x13);
    aclrtContext ctx = ctx_;
    void* b = b_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        std::vector<uint8_t> src(kBytes, 0x14);
        EXPECT_ACL_OK(aclrtMemset(b, kBytes, 0x15, kBytes));
        EXPECT_ACL_OK(aclrtMemcpy(b, kBytes, src.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
        // ... and it ran at once, outside the graph.
        std::vector<uint8_t> back(kBytes, 0);
        EXPECT_ACL_OK(aclrtMemcpy(back.data(), kBytes, b, kBytes, ACL_MEMCPY_DEVICE_TO_HOST));
        EXPECT_TRUE(AllBytes(back, 0x14));
    });
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0x14));
}

TEST_F(CaptureUnsafeCalls, RelaxedAllowsAndRunsAtOnce) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x40, kBytes, cap_));  // captured, not run
    auto rc = TryUnsafe(0x16);
    EXPECT_EQ(ACL_SUCCESS, rc.first) << RecentMsg();
    EXPECT_EQ(ACL_SUCCESS, rc.second) << RecentMsg();
    std::vector<uint8_t> back(kBytes, 0);
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(back, 0x16)) << "the relaxed call did not run at once";
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(back, 0)) << "the captured memset ran";
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0x40));
    EXPECT_TRUE(AllBytes(ReadB(), 0x16)) << "the relaxed call became part of the graph";
}

TEST_F(CaptureUnsafeCalls, ExchangeModeSwitchesTheCallingThreadAndWritesBackThePreviousMode) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ExpectRefused(0x17);

    aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
    ASSERT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&mode));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL, mode) << "a thread's initial mode is GLOBAL";
    auto rc = TryUnsafe(0x18);
    EXPECT_EQ(ACL_SUCCESS, rc.first) << RecentMsg();
    EXPECT_EQ(ACL_SUCCESS, rc.second) << RecentMsg();

    ASSERT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&mode));  // back to GLOBAL
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_MODE_RELAXED, mode);
    ExpectRefused(0x19);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0x18));
    EXPECT_ACL_FAILS("aclmdlRICaptureThreadExchangeMode", aclmdlRICaptureThreadExchangeMode(nullptr));
}

TEST_F(CaptureUnsafeCalls, AnotherThreadSwitchedToRelaxedMayCallDuringGlobalCapture) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclrtContext ctx = ctx_;
    void* b = b_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
        ASSERT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&mode));
        EXPECT_EQ(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL, mode);
        EXPECT_ACL_OK(aclrtMemset(b, kBytes, 0x1A, kBytes));
    });
    ExpectRefused(0x1B);  // the capturing thread itself is still GLOBAL
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0x1A));
}

TEST_F(CaptureUnsafeCalls, ExchangeModeIsPerThread) {
    aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
    ASSERT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&mode));
    RunOnThread([] {
        aclmdlRICaptureMode m = ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL;
        EXPECT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&m));
        EXPECT_EQ(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL, m) << "a new thread starts in GLOBAL";
    });
    mode = ACL_MODEL_RI_CAPTURE_MODE_GLOBAL;
    ASSERT_ACL_OK(aclmdlRICaptureThreadExchangeMode(&mode));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_MODE_RELAXED, mode);
}

TEST_F(CaptureUnsafeCalls, UnsafeCallsWorkAgainAfterEnd) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ExpectRefused(0x1C);
    End();
    auto rc = TryUnsafe(0x1D);
    EXPECT_EQ(ACL_SUCCESS, rc.first);
    EXPECT_EQ(ACL_SUCCESS, rc.second);
    EXPECT_TRUE(AllBytes(ReadB(), 0x1D));
}

// Async work on a non-capturing stream is unaffected by a capture elsewhere.
TEST_F(CaptureRules, OtherStreamsRunEagerlyDuringACapture) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, kBytes, 0x3D, kBytes, rep_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x3D));
    End();
}

// Rule 3: outside capture CANN turns a pageable async copy into stream sync + sync copy; that
// synchronous copy hits the capture-mode check and fails with 107041.
TEST_F(CaptureUnsafeCalls, PageableAsyncCopyOnAnotherStreamDuringGlobalCaptureIsBlockAsync) {
    std::vector<uint8_t> pageable(kBytes, 0x4C);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC, "aclrtMemcpyAsync",
                     aclrtMemcpyAsync(b_, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep_));
    aclrtContext ctx = ctx_;
    aclrtStream rep = rep_;
    void* b = b_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC, "aclrtMemcpyAsync",
                         aclrtMemcpyAsync(b, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep));
    });
    // Pinned memory is a real async copy and is fine on a non-capturing stream.
    std::memset(h_, 0x4D, kBytes);
    EXPECT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, h_, kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadB(), 0x4D));
}

TEST_F(CaptureUnsafeCalls, PageableAsyncCopyDuringThreadLocalCaptureIsRefusedOnlyOnTheCapturingThread) {
    std::vector<uint8_t> pageable(kBytes, 0x4E);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC, "aclrtMemcpyAsync",
                     aclrtMemcpyAsync(b_, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep_));
    aclrtContext ctx = ctx_;
    aclrtStream rep = rep_;
    void* b = b_;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        EXPECT_ACL_OK(aclrtMemcpyAsync(b, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep));
        EXPECT_ACL_OK(aclrtSynchronizeStream(rep));
    });
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0x4E));
}

TEST_F(CaptureUnsafeCalls, PageableAsyncCopyDuringRelaxedCaptureWorksOnOtherStreams) {
    std::vector<uint8_t> pageable(kBytes, 0x4F);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    EXPECT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, pageable.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE, rep_));
    EXPECT_ACL_OK(aclrtSynchronizeStream(rep_));
    End();
    EXPECT_TRUE(AllBytes(ReadB(), 0x4F));
}

// "Every thread of the context": a thread on another device's context is not blocked.
TEST_F(CaptureUnsafeCalls, GlobalCaptureDoesNotBlockAnotherDevice) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetDevice(1));
        void* d1 = nullptr;
        ASSERT_ACL_OK(aclrtMalloc(&d1, 64, ACL_MEM_MALLOC_HUGE_FIRST));
        EXPECT_ACL_OK(aclrtMemset(d1, 64, 0x50, 64));
        std::vector<uint8_t> back(64, 0);
        EXPECT_ACL_OK(aclrtMemcpy(back.data(), 64, d1, 64, ACL_MEMCPY_DEVICE_TO_HOST));
        EXPECT_TRUE(AllBytes(back, 0x50));
        EXPECT_ACL_OK(aclrtFree(d1));
    });
    ExpectRefused(0x51);  // device 0 is still blocked
    End();
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

TEST_F(CaptureRules, ModelOfAnUnfinishedCaptureCannotExecute) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x52, kBytes, cap_));
    aclmdlRI during = nullptr;
    ASSERT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_, &during));
    ASSERT_NE(nullptr, during);
    EXPECT_ACL_FAILS("aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(during, rep_));
    EXPECT_ACL_FAILS("aclmdlRIDestroy", aclmdlRIDestroy(during));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    End();
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0));
}

TEST_F(CaptureRules, ModelOutlivesTheStreamItWasCapturedOn) {
    aclrtStream tmp = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&tmp));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(tmp, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x53, kBytes, tmp));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, tmp));
    aclmdlRI m = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureEnd(tmp, &m));
    ASSERT_NE(nullptr, m);
    models_.push_back(m);
    ASSERT_ACL_OK(aclrtDestroyStream(tmp));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x53));
}

TEST_F(CaptureRules, TwoStreamsCaptureIndependentlyAtTheSameTime) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(rep_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x54, kBytes, cap_));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, kBytes, 0x55, kBytes, rep_));
    aclmdlRI m1 = nullptr, m2 = nullptr;
    ASSERT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_, &m1));
    ASSERT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(rep_, &m2));
    EXPECT_NE(m1, m2);
    aclmdlRI e2 = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureEnd(rep_, &e2));
    models_.push_back(e2);
    aclmdlRI e1 = End();
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(e2, cap_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0));
    EXPECT_TRUE(AllBytes(ReadDevice(b_, kBytes), 0x55));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(e1, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0x54));
}

}  // namespace
