// Cross-stream capture (rule 6): a stream that waits on an event recorded in the capture joins
// it; every joined stream must join back before End (else 107025).
#include "test_support_capture.h"

using namespace simtest;

namespace {

class CaptureCrossStream : public CaptureTest {
protected:
    void SetUp() override {
        CaptureTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&side_));
        ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&fork_, ACL_EVENT_SYNC));  // CANN 9.1: captures use new-mode events
        ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&join_, ACL_EVENT_SYNC));
        ASSERT_ACL_OK(aclrtMalloc(&c_, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
        FillDevice(c_, kBytes, 0);
    }
    void TearDown() override {
        aclmdlRICaptureStatus st = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
        aclmdlRI m = nullptr;
        if (aclmdlRICaptureGetInfo(side_, &st, &m) == ACL_SUCCESS && st != ACL_MODEL_RI_CAPTURE_STATUS_NONE) {
            aclrtRecordEvent(join_, side_);  // join back so that the origin can end
            aclrtStreamWaitEvent(cap_, join_);
        }
        if (aclmdlRICaptureGetInfo(cap_, &st, &m) == ACL_SUCCESS && st != ACL_MODEL_RI_CAPTURE_STATUS_NONE) {
            aclmdlRI out = nullptr;
            if (aclmdlRICaptureEnd(cap_, &out) == ACL_SUCCESS && out) models_.push_back(out);
        }
        EXPECT_ACL_OK(aclrtSynchronizeStream(side_));
        EXPECT_ACL_OK(aclrtDestroyStream(side_));
        EXPECT_ACL_OK(aclrtDestroyEvent(fork_));
        EXPECT_ACL_OK(aclrtDestroyEvent(join_));
        EXPECT_ACL_OK(aclrtFree(c_));
        CaptureTest::TearDown();
    }

    // Origin: memset a = 0x61, fork; side: memset c = 0x62, copy c -> b (second half of h later);
    // origin: copy a -> h (first half). Join back when `join` is true.
    void CaptureForkJoin(bool join) {
        ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x61, kBytes, cap_));
        ASSERT_ACL_OK(aclrtRecordEvent(fork_, cap_));
        ASSERT_ACL_OK(aclrtStreamWaitEvent(side_, fork_));
        ASSERT_ACL_OK(aclrtMemsetAsync(c_, kBytes, 0x62, kBytes, side_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, c_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, side_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes / 2, a_, kBytes / 2, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
        if (join) {
            ASSERT_ACL_OK(aclrtRecordEvent(join_, side_));
            ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, join_));
            ASSERT_ACL_OK(aclrtMemcpyAsync(H() + kBytes / 2, kBytes / 2, b_, kBytes / 2, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
        }
    }

    aclrtStream side_ = nullptr;
    aclrtEvent fork_ = nullptr;
    aclrtEvent join_ = nullptr;
    void* c_ = nullptr;
};

TEST_F(CaptureCrossStream, WaitingOnACapturedEventJoinsTheCapture) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI origin = nullptr;
    ASSERT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_, &origin));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(side_));
    ASSERT_ACL_OK(aclrtRecordEvent(fork_, cap_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(side_, fork_));
    aclmdlRI joined = nullptr;
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(side_, &joined));
    EXPECT_EQ(origin, joined);
    // The joined stream is a capturing stream now: rule 2 applies to it as well.
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtSynchronizeStream", aclrtSynchronizeStream(side_));
    ASSERT_ACL_OK(aclrtRecordEvent(join_, side_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, join_));
    End();
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(side_));
}

TEST_F(CaptureCrossStream, ForkJoinGraphReplaysBothBranches) {
    CaptureForkJoin(true);
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(side_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(side_));  // a joined-back stream is usable again
    EXPECT_TRUE(AllBytes(h_, kBytes, 0)) << "captured work ran during capture";
    EXPECT_TRUE(AllBytes(ReadDevice(c_, kBytes), 0)) << "side-stream work ran during capture";

    for (int r = 0; r < 3; ++r) {
        std::memset(h_, 0, kBytes);
        FillDevice(b_, kBytes, 0);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        EXPECT_TRUE(AllBytes(H(), kBytes / 2, 0x61)) << "replay " << r;
        EXPECT_TRUE(AllBytes(H() + kBytes / 2, kBytes / 2, 0x62)) << "replay " << r;
    }
}

TEST_F(CaptureCrossStream, UnjoinedStreamMakesEndFail) {
    CaptureForkJoin(false);
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_UNJOINED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_EQ(nullptr, m);
}

TEST_F(CaptureCrossStream, EventRecordedOnAJoinedStreamIsACapturedEvent) {
    CaptureForkJoin(true);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_EVENT_CAPTURED, "aclrtSynchronizeEvent", aclrtSynchronizeEvent(join_));
    End();
}

TEST_F(CaptureCrossStream, WaitingOnANonCapturedEventDoesNotJoin) {
    ASSERT_ACL_OK(aclrtRecordEvent(fork_, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(fork_));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(side_, fork_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(side_));
    ASSERT_ACL_OK(aclrtMemsetAsync(c_, kBytes, 0x63, kBytes, side_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(side_));
    End();
    EXPECT_TRUE(AllBytes(ReadDevice(c_, kBytes), 0x63));
}

TEST_F(CaptureCrossStream, EndOnAJoinedStreamIsRefusedAndTheCaptureContinues) {
    CaptureForkJoin(false);
    aclmdlRI m = nullptr;
    EXPECT_ACL_FAILS("aclmdlRICaptureEnd", aclmdlRICaptureEnd(side_, &m));
    EXPECT_EQ(nullptr, m);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    ASSERT_ACL_OK(aclrtRecordEvent(join_, side_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, join_));
    EXPECT_NE(nullptr, End());
}

}  // namespace
