// Task-group update (rule 8): a group captured with TaskGrpBegin/End is re-issued with new
// arguments between TaskUpdateBegin/End on a non-capturing stream; the update is ordered on
// that stream like any task.
#include "test_support_capture.h"

using namespace simtest;

namespace {

class CaptureTaskGroup : public CaptureTest {
protected:
    // Graph: [group: memset a = value] ; copy a -> b ; copy b -> h.
    aclmdlRI CaptureWithGroup(uint8_t value) {
        EXPECT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        EXPECT_ACL_OK(aclmdlRICaptureTaskGrpBegin(cap_));
        EXPECT_ACL_OK(aclrtMemsetAsync(a_, kBytes, value, kBytes, cap_));
        grp_ = nullptr;
        EXPECT_ACL_OK(aclmdlRICaptureTaskGrpEnd(cap_, &grp_));
        EXPECT_NE(nullptr, grp_);
        EXPECT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, cap_));
        EXPECT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
        return End();
    }
    void Replay(aclmdlRI m) {
        std::memset(h_, 0, kBytes);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    }
    aclrtTaskGrp grp_ = nullptr;
};

TEST_F(CaptureTaskGroup, UpdateChangesTheReplayedResult) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x11));

    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x22, kBytes, rep_));
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(rep_));
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x22));
    Replay(m);  // the update persists
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x22));
}

TEST_F(CaptureTaskGroup, UpdateTasksAreNotRunEagerly) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    FillDevice(a_, kBytes, 0x01);
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x33, kBytes, rep_));
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0x01)) << "the re-issued memset ran as a normal task";
}

TEST_F(CaptureTaskGroup, UpdateIsOrderedOnItsStream) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    void* saved = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&saved, 2 * kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
    uint8_t* s = static_cast<uint8_t*>(saved);
    {
        CallbackPump pump(ctx_);
        ASSERT_ACL_OK(pump.Subscribe(rep_));
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(rep_));  // holds everything below until opened
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(s, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, rep_));
        ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x44, kBytes, rep_));
        ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(rep_));
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(s + kBytes, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, rep_));
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
        EXPECT_ACL_OK(pump.Unsubscribe(rep_));
    }
    auto both = ReadDevice(saved, 2 * kBytes);
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(both.begin(), both.begin() + kBytes), 0x11))
        << "the replay queued before the update saw the new values";
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(both.begin() + kBytes, both.end()), 0x44))
        << "the replay queued after the update saw the old values";
    EXPECT_ACL_OK(aclrtFree(saved));
}

TEST_F(CaptureTaskGroup, TooFewTasksAtUpdateFailsAndLeavesTheGroupUnchanged) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateEnd", aclmdlRICaptureTaskUpdateEnd(rep_));
    (void)aclrtSynchronizeStream(rep_);
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x11));
}

TEST_F(CaptureTaskGroup, TooManyTasksAtUpdateFailsAndLeavesTheGroupUnchanged) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    aclError first = aclrtMemsetAsync(a_, kBytes, 0x55, kBytes, rep_);
    aclError extra = aclrtMemsetAsync(a_, kBytes, 0x56, kBytes, rep_);
    aclError end = aclmdlRICaptureTaskUpdateEnd(rep_);
    EXPECT_EQ(ACL_SUCCESS, first) << RecentMsg();
    EXPECT_TRUE(extra != ACL_SUCCESS || end != ACL_SUCCESS) << "an extra task in the update was accepted";
    (void)aclrtSynchronizeStream(rep_);
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x11)) << "a failed update changed the group";
}

TEST_F(CaptureTaskGroup, DifferentTaskKindAtUpdateIsRejected) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    aclError kind = aclrtMemcpyAsync(a_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, rep_);
    aclError end = aclmdlRICaptureTaskUpdateEnd(rep_);
    EXPECT_TRUE(kind != ACL_SUCCESS || end != ACL_SUCCESS) << "a memcpy replaced a captured memset";
    (void)aclrtSynchronizeStream(rep_);
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x11));
}

TEST_F(CaptureTaskGroup, UpdateOnACapturingStreamIsRefused) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateBegin", aclmdlRICaptureTaskUpdateBegin(cap_, grp_));
    aclmdlRI out = nullptr;
    (void)aclmdlRICaptureEnd(cap_, &out);
    if (out) models_.push_back(out);
}

TEST_F(CaptureTaskGroup, UpdateEndWithoutBeginFails) {
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateEnd", aclmdlRICaptureTaskUpdateEnd(rep_));
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateBegin", aclmdlRICaptureTaskUpdateBegin(rep_, nullptr));
}

TEST_F(CaptureTaskGroup, GroupEndOnANonCapturingStreamFails) {
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskGrpBegin", aclmdlRICaptureTaskGrpBegin(rep_));
    aclrtTaskGrp g = nullptr;
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskGrpEnd", aclmdlRICaptureTaskGrpEnd(rep_, &g));
    EXPECT_EQ(nullptr, g);
}

TEST_F(CaptureTaskGroup, GroupOfTwoKindsUpdatesInOrderAndRejectsASwappedOrder) {
    // Graph: [group: memset a = 0x11 ; copy a -> b] ; copy b -> h.
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclmdlRICaptureTaskGrpBegin(cap_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x11, kBytes, cap_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, cap_));
    aclrtTaskGrp g = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureTaskGrpEnd(cap_, &g));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);

    // Swapped order: refused somewhere between the first task and UpdateEnd; group unchanged.
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, g));
    aclError r1 = aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, rep_);
    aclError r2 = aclrtMemsetAsync(a_, kBytes, 0x66, kBytes, rep_);
    aclError r3 = aclmdlRICaptureTaskUpdateEnd(rep_);
    EXPECT_TRUE(r1 != ACL_SUCCESS || r2 != ACL_SUCCESS || r3 != ACL_SUCCESS);
    (void)aclrtSynchronizeStream(rep_);
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x11));

    // Same kinds, same order, new arguments: the copy now reads the second half of a.
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, g));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x77, kBytes / 2, rep_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, rep_));
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(rep_));
    FillDevice(a_, kBytes, 0x00);
    Replay(m);
    EXPECT_TRUE(AllBytes(H(), kBytes / 2, 0x77));
    EXPECT_TRUE(AllBytes(H() + kBytes / 2, kBytes / 2, 0x00));
}

TEST_F(CaptureTaskGroup, UpdateOnAnotherStreamIsOrderedWithEvents) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    aclrtStream upd = nullptr;
    aclrtEvent done = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&upd));
    ASSERT_ACL_OK(aclrtCreateEvent(&done));
    {
        CallbackPump pump(ctx_);
        ASSERT_ACL_OK(pump.Subscribe(upd));
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(upd));  // the update stream is held
        ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(upd, grp_));
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x5B, kBytes, upd));
        ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(upd));
        ASSERT_ACL_OK(aclrtRecordEvent(done, upd));
        Replay(m);  // not ordered after the update, which has not run yet
        EXPECT_TRUE(AllBytes(h_, kBytes, 0x11)) << "the update took effect before its stream ran it";
        gate.Open();
        ASSERT_ACL_OK(aclrtStreamWaitEvent(rep_, done));
        Replay(m);
        EXPECT_TRUE(AllBytes(h_, kBytes, 0x5B));
        ASSERT_ACL_OK(aclrtSynchronizeStream(upd));
        EXPECT_ACL_OK(pump.Unsubscribe(upd));
    }
    EXPECT_ACL_OK(aclrtDestroyEvent(done));
    EXPECT_ACL_OK(aclrtDestroyStream(upd));
}

TEST_F(CaptureTaskGroup, SecondUpdateBeginOnAStreamIsRefused) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateBegin", aclmdlRICaptureTaskUpdateBegin(rep_, grp_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x12, kBytes, rep_));
    EXPECT_ACL_OK(aclmdlRICaptureTaskUpdateEnd(rep_));
    Replay(m);
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x12));
}

TEST_F(CaptureTaskGroup, GroupOfADestroyedModelCannotBeUpdated) {
    aclmdlRI m = CaptureWithGroup(0x11);
    ASSERT_NE(nullptr, m);
    Destroy(m);
    aclError b = aclmdlRICaptureTaskUpdateBegin(rep_, grp_);
    if (b == ACL_SUCCESS) {
        (void)aclrtMemsetAsync(a_, kBytes, 0x13, kBytes, rep_);
        EXPECT_ACL_FAILS("aclmdlRICaptureTaskUpdateEnd", aclmdlRICaptureTaskUpdateEnd(rep_));
    } else {
        EXPECT_NE(std::string::npos, RecentMsg().find("aclmdlRICaptureTaskUpdateBegin")) << LastMsg();
    }
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0)) << "an update of a dead group ran as a normal task";
}

}  // namespace
