// Conditional nodes (CANN 9.1): IF with and without else, WHILE, SWITCH, nesting, ASSIGN_DEFAULT,
// conditions computed by earlier tasks of the same replay, and the lifetime of the words.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class CondGraph : public GraphTest {};

// IF with an else branch on a word the host writes between replays (no ASSIGN_DEFAULT).
TEST_F(CondGraph, IfRunsBranchZeroOnNonZeroAndTheElseOnZero) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* word = nullptr;
    aclmdlRICondHandle h = Cond(0, 0, &word);
    ASSERT_NE(nullptr, word);
    aclmdlRI kids[2] = {nullptr, nullptr};
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 2, kids), cap_, 0));
    ASSERT_NE(nullptr, kids[0]);
    ASSERT_NE(nullptr, kids[1]);
    CaptureMemsetChild(kids[0], s2_, 0, 0x11);
    CaptureMemsetChild(kids[1], s3_, 1, 0x22);
    aclmdlRI m = End();
    EXPECT_EQ(0u, Word(word)) << "a new condition word is zeroed";
    const uint64_t cases[] = {1, 0, 0x8000000000000000ull};
    for (uint64_t v : cases) {
        FillDevice(a_, kBytes, 0);
        SetWord(word, v);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        EXPECT_EQ(v ? 0x11 : 0, A(0)) << v;
        EXPECT_EQ(v ? 0 : 0x22, A(1)) << v;
    }
}

// The word is written by an earlier task of the same replay, and ASSIGN_DEFAULT resets it at each launch.
TEST_F(CondGraph, IfWithoutElseReadsTheWordWhenTheReplayReachesIt) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* word = nullptr;
    aclmdlRICondHandle h = Cond(0, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &word);
    // The word is copied from device memory (w_[0]) the host sets between replays.
    ASSERT_ACL_OK(aclrtMemcpyAsync(word, 8, w_, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, cap_));
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    CaptureMemsetChild(kid, s2_, 0, 0x33);
    aclmdlRI m = End();
    for (uint64_t v : {uint64_t{0}, uint64_t{5}, uint64_t{0}}) {
        FillDevice(a_, kBytes, 0);
        SetWord(W(), v);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        EXPECT_EQ(v ? 0x33 : 0, A(0)) << v;
    }
}

TEST_F(CondGraph, AssignDefaultRewritesTheWordAtEachLaunchAndFlagZeroKeepsIt) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t *assigned = nullptr, *kept = nullptr;
    aclmdlRICondHandle h1 = Cond(1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &assigned);
    aclmdlRICondHandle h2 = Cond(1, 0, &kept);
    aclmdlRI k1 = nullptr, k2 = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h1, ACL_MODEL_RI_COND_TYPE_IF, 1, &k1), cap_, 0));
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h2, ACL_MODEL_RI_COND_TYPE_IF, 1, &k2), cap_, 0));
    CaptureMemsetChild(k1, s2_, 0, 0x44);
    CaptureMemsetChild(k2, s2_, 1, 0x55);
    aclmdlRI m = End();
    EXPECT_EQ(0u, Word(kept)) << "flag 0: the default is not written";
    SetWord(assigned, 0);  // overwritten by the launch
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x44, A(0));
    EXPECT_EQ(0, A(1));
    EXPECT_EQ(1u, Word(assigned));
    SetWord(kept, 7);
    FillDevice(a_, kBytes, 0);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x55, A(1));
    EXPECT_EQ(7u, Word(kept));
}

TEST_F(CondGraph, SwitchRunsTheBranchOfTheValueAndNothingOutOfRange) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* word = nullptr;
    aclmdlRICondHandle h = Cond(0, 0, &word);
    aclmdlRI kids[3] = {};
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_SWITCH, 3, kids), cap_, 0));
    for (size_t i = 0; i < 3; ++i) CaptureMemsetChild(kids[i], i % 2 ? s3_ : s2_, i, static_cast<uint8_t>(0x60 + i));
    aclmdlRI m = End();
    for (uint64_t v = 0; v < 5; ++v) {
        FillDevice(a_, kBytes, 0);
        SetWord(word, v);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        for (size_t i = 0; i < 3; ++i) EXPECT_EQ(v == i ? 0x60 + i : 0u, A(i)) << "value " << v << " branch " << i;
    }
    // Bit 63 set: CANN compares signed (unknown outcome); the simulator fails the replay.
    SetWord(word, 0x8000000000000001ull);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    EXPECT_ACL_ERROR(507011, "aclrtSynchronizeStream", aclrtSynchronizeStream(rep_));
}

// WHILE checks the word before each iteration; the body clears it on its third run.
TEST_F(CondGraph, WhileRunsTheBodyUntilTheWordIsZero) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* word = nullptr;
    aclmdlRICondHandle h = Cond(1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &word);
    aclmdlRI body = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_WHILE, 1, &body), cap_, 0));
    // Body: shift the byte window a_[0..3] left by one (a_[i] = a_[i+1]), then copy w_[1] (3 replays: 1, 1, 0) into
    // the word from a ring of words w_[1..3] that the body also rotates.
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, body, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemcpyAsync(b_, 8, static_cast<char*>(b_) + 1, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, s2_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(word, 8, W(1), 8, ACL_MEMCPY_DEVICE_TO_DEVICE, s2_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(W(1), 16, W(2), 16, ACL_MEMCPY_DEVICE_TO_DEVICE, s2_));
    ASSERT_ACL_OK(aclmdlRICaptureEnd(s2_, nullptr));
    aclmdlRI m = End();
    const uint8_t bytes[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    ASSERT_ACL_OK(aclrtMemcpy(b_, 9, bytes, 9, ACL_MEMCPY_HOST_TO_DEVICE));
    SetWord(W(1), 1);
    SetWord(W(2), 1);
    SetWord(W(3), 0);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(4, ReadDevice(b_, 1)[0]) << "the body should have run exactly 3 times";
    EXPECT_EQ(0u, Word(word));
}

TEST_F(CondGraph, NestedConditionsInsideAWhileBody) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* loop = nullptr;
    aclmdlRICondHandle h = Cond(1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &loop);
    aclmdlRI body = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_WHILE, 1, &body), cap_, 0));
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, body, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_EQ(body, Capturing(s2_));
    uint64_t* inner = nullptr;
    aclmdlRICondHandle h2 = Cond(0, 0, &inner, s2_);
    ASSERT_ACL_OK(aclrtValueWrite(inner, 1, 0, s2_));  // the inner IF is taken
    aclmdlRI branches[2] = {};
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h2, ACL_MODEL_RI_COND_TYPE_IF, 2, branches), s2_, 0));
    CaptureMemsetChild(branches[0], s3_, 0, 0x71);
    CaptureMemsetChild(branches[1], s3_, 1, 0x72);
    ASSERT_ACL_OK(aclrtValueWrite(loop, 0, 0, s2_));  // one iteration
    aclmdlRI out = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureEnd(s2_, &out));
    EXPECT_EQ(body, out);
    aclmdlRI m = End();
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_EQ(0x71, A(0));
    EXPECT_EQ(0, A(1));
    EXPECT_EQ(1u, Word(inner));
}

TEST_F(CondGraph, DestroyingTheRootFreesTheWordsAndTheChildren) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    CaptureMemsetChild(kid, s2_, 0, 1);
    aclmdlRI m = End();
    EXPECT_EQ(baseAllocations_ + 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS)) << "the word is device memory";
    uint64_t* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIDestroy", aclmdlRIDestroy(kid));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(kid, rep_));
    Destroy(m);
    EXPECT_EQ(baseAllocations_, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_ACL_ERROR(107017, "aclmdlRICondHandleGetCondPtr", aclmdlRICondHandleGetCondPtr(h, &p));
    EXPECT_ACL_ERROR(107017, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(kid, rep_));
}

TEST_F(CondGraph, TheWordCannotBeFreedByTheApplication) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* word = nullptr;
    Cond(0, 0, &word);
    End();
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtFree", aclrtFree(word));
}

}  // namespace
