// aclrtValueWrite / aclrtValueWait (CANN 9.0+): stream-ordered 64-bit writes and waits, their
// comparisons, their argument errors, and both inside a captured graph.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class ValueOps : public GraphTest {};

TEST_F(ValueOps, WriteStoresSixtyFourBitsInStreamOrder) {
    ASSERT_ACL_OK(aclrtMemsetAsync(w_, 64, 0xAB, 64, rep_));
    ASSERT_ACL_OK(aclrtValueWrite(W(1), 0x1122334455667788ull, 0, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x1122334455667788ull, Word(W(1)));
    EXPECT_EQ(0xABABABABABABABABull, Word(W(0)));
    EXPECT_EQ(0xABABABABABABABABull, Word(W(2)));
}

TEST_F(ValueOps, WriteOnTheDefaultStream) {
    ASSERT_ACL_OK(aclrtValueWrite(W(), 42, 0, nullptr));
    ASSERT_ACL_OK(aclrtSynchronizeStream(nullptr));
    EXPECT_EQ(42u, Word(W()));
}

TEST_F(ValueOps, WriteArgumentErrors) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtValueWrite", aclrtValueWrite(nullptr, 1, 0, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite", aclrtValueWrite(W(), 1, 1, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite",
                     aclrtValueWrite(static_cast<char*>(w_) + 4, 1, 0, rep_));  // misaligned
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite", aclrtValueWrite(h_, 1, 0, rep_));  // host memory
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite", aclrtValueWrite(W(8), 1, 0, rep_));  // past the end
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0u, Word(W()));
}

TEST_F(ValueOps, WaitArgumentErrors) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtValueWait", aclrtValueWait(nullptr, 1, 0, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWait", aclrtValueWait(W(), 1, 4, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWait",
                     aclrtValueWait(static_cast<char*>(w_) + 1, 1, ACL_STREAM_WAIT_VALUE_EQ, rep_));
}

// Each comparison with a value that satisfies it at once: the stream completes.
TEST_F(ValueOps, WaitComparisonsThatHoldDoNotBlock) {
    struct Case {
        uint64_t word, value;
        uint32_t flag;
    } cases[] = {
        {5, 5, ACL_STREAM_WAIT_VALUE_EQ},
        {7, 5, ACL_STREAM_WAIT_VALUE_GEQ},
        {1, ~uint64_t{0}, ACL_STREAM_WAIT_VALUE_GEQ},  // signed difference: 1 - (-1) = 2 >= 0
        {0b0110, 0b0100, ACL_STREAM_WAIT_VALUE_AND},
        {0b0001, 0b0010, ACL_STREAM_WAIT_VALUE_NOR},
    };
    for (const Case& c : cases) {
        SetWord(W(), c.word);
        ASSERT_ACL_OK(aclrtValueWait(W(), c.value, c.flag, rep_));
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 0x5A, 1, rep_));
        EXPECT_ACL_OK(aclrtSynchronizeStreamWithTimeout(rep_, 5000)) << c.flag;
        EXPECT_EQ(0x5A, A(0));
        FillDevice(a_, kBytes, 0);
    }
}

// A comparison that does not hold stalls the stream until another stream writes the word.
TEST_F(ValueOps, WaitHoldsTheStreamUntilAnotherStreamWrites) {
    struct Case {
        uint64_t word, value, release;
        uint32_t flag;
    } cases[] = {
        {4, 5, 5, ACL_STREAM_WAIT_VALUE_EQ},
        {4, 5, 9, ACL_STREAM_WAIT_VALUE_GEQ},
        {0b0011, 0b0100, 0b0100, ACL_STREAM_WAIT_VALUE_AND},
        {~uint64_t{0}, 0, 0, ACL_STREAM_WAIT_VALUE_NOR},
    };
    for (const Case& c : cases) {
        SetWord(W(), c.word);
        ASSERT_ACL_OK(aclrtValueWait(W(), c.value, c.flag, rep_));
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 0x77, 1, rep_));
        EXPECT_EQ(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, aclrtSynchronizeStreamWithTimeout(rep_, 30)) << c.flag;
        EXPECT_EQ(0, A(0)) << "the task behind the wait ran before the word met the comparison";
        ASSERT_ACL_OK(aclrtValueWrite(W(), c.release, 0, s2_));
        EXPECT_ACL_OK(aclrtSynchronizeStreamWithTimeout(rep_, 5000)) << c.flag;
        EXPECT_EQ(0x77, A(0));
        FillDevice(a_, kBytes, 0);
    }
}

TEST_F(ValueOps, CapturedWriteAndWaitRunAtReplayOnly) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtValueWrite(W(0), 3, 0, cap_));
    ASSERT_ACL_OK(aclrtValueWait(W(0), 3, ACL_STREAM_WAIT_VALUE_EQ, cap_));
    ASSERT_ACL_OK(aclrtValueWrite(W(1), 4, 0, cap_));
    aclmdlRI m = End();
    EXPECT_EQ(0u, Word(W(0)));
    EXPECT_EQ(0u, Word(W(1)));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(3u, Word(W(0)));
    EXPECT_EQ(4u, Word(W(1)));
}

TEST_F(ValueOps, ABadWordInvalidatesTheCapture) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite", aclrtValueWrite(h_, 1, 0, cap_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_EQ(nullptr, m);
}

TEST_F(ValueOps, AvailableWhenPresentingCann90) {
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    ASSERT_ACL_OK(aclrtValueWrite(W(), 9, 0, rep_));
    ASSERT_ACL_OK(aclrtValueWait(W(), 9, ACL_STREAM_WAIT_VALUE_EQ, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(9u, Word(W()));
}

}  // namespace
