// Events and graphs: CANN 9.1's new-mode rule (a capture records and waits on aclrtCreateEventExWithFlag
// events only), external events (ACL_EVENT_EXTERNAL, aclrtRecordEventWithFlag and
// aclrtStreamWaitEventWithFlag of CANN 9.2) ordering graphs and streams, and aclrtStreamWaitEventWithTimeout.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class GraphEvents : public GraphTest {
protected:
    void TearDown() override {
        for (aclrtEvent e : events_) EXPECT_ACL_OK(aclrtDestroyEvent(e));
        GraphTest::TearDown();
    }
    aclrtEvent Ex(uint32_t flags) {
        aclrtEvent e = nullptr;
        EXPECT_ACL_OK(aclrtCreateEventExWithFlag(&e, flags));
        if (e) events_.push_back(e);
        return e;
    }
    aclrtEvent Legacy() {
        aclrtEvent e = nullptr;
        EXPECT_ACL_OK(aclrtCreateEvent(&e));
        if (e) events_.push_back(e);
        return e;
    }
    std::vector<aclrtEvent> events_;
};

TEST_F(GraphEvents, CreateEventExWithFlagArguments) {
    const char* fn = "aclrtCreateEventExWithFlag";
    aclrtEvent e = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclrtCreateEventExWithFlag(nullptr, ACL_EVENT_SYNC));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclrtCreateEventExWithFlag(&e, ACL_EVENT_EXTERNAL | ACL_EVENT_SYNC));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclrtCreateEventExWithFlag(&e, 0x80));
    aclrtEvent ex = Ex(ACL_EVENT_SYNC);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtResetEvent", aclrtResetEvent(ex, rep_));
}

TEST_F(GraphEvents, From91ACaptureRecordsNewModeEventsOnly) {
    aclrtEvent legacy = Legacy();
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtRecordEvent", aclrtRecordEvent(legacy, cap_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    // The same program on CANN 9.0: fork and join with a legacy event.
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtRecordEvent(legacy, cap_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(s2_, legacy));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 0x12, 1, s2_));
    ASSERT_ACL_OK(aclrtRecordEvent(legacy, s2_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, legacy));
    End();
}

TEST_F(GraphEvents, WaitingInACaptureOnAnOutsideRecord) {
    aclrtEvent legacy = Legacy();
    aclrtEvent ex = Ex(ACL_EVENT_SYNC);
    ASSERT_ACL_OK(aclrtRecordEvent(legacy, rep_));
    ASSERT_ACL_OK(aclrtRecordEvent(ex, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtStreamWaitEvent", aclrtStreamWaitEvent(cap_, legacy));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_CAPTURE_DEPENDENCY, "aclrtStreamWaitEvent", aclrtStreamWaitEvent(cap_, ex));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
}

// Graph to stream: the graph's external record orders work of another stream after the graph's work.
TEST_F(GraphEvents, AnExternalRecordInAGraphReleasesAnOutsideWaiter) {
    aclrtEvent e = Ex(ACL_EVENT_SYNC);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x31, kBytes, cap_));
    ASSERT_ACL_OK(aclrtRecordEventWithFlag(e, cap_, ACL_EVENT_RECORD_EXTERNAL));
    aclmdlRI m = End();
    ASSERT_ACL_OK(aclsimSetTaskDelay(30 * 1000));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(s2_, e));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, s2_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s2_));
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x31)) << "the outside copy ran before the graph's record";
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    // Introspection shows the record with its flag.
    aclrtStream gs = nullptr;
    uint32_t n = 1, k = 2;
    ASSERT_ACL_OK(aclmdlRIGetStreams(m, &gs, &n));
    aclmdlRITask t[2] = {};
    ASSERT_ACL_OK(aclmdlRIGetTasksByStream(gs, t, &k));
    ASSERT_EQ(2u, k);
    aclmdlRITaskParams p;
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[1], &p));
    EXPECT_EQ(ACL_MODEL_RI_TASK_EVENT_RECORD, p.type);
    EXPECT_EQ(e, p.eventRecordTaskParams.event);
    EXPECT_EQ(ACL_EVENT_RECORD_EXTERNAL, p.eventRecordTaskParams.recordFlag);
}

// Stream to graph: the graph's external wait holds its replay until an outside record.
TEST_F(GraphEvents, AnExternalWaitInAGraphHoldsTheReplay) {
    aclrtEvent e = Ex(ACL_EVENT_SYNC);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtStreamWaitEventWithFlag(cap_, e, 0, ACL_EVENT_WAIT_EXTERNAL));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s2_));
    Gate gate;
    ASSERT_ACL_OK(gate.Enqueue(s2_));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x42, kBytes, s2_));
    ASSERT_ACL_OK(aclrtRecordEvent(e, s2_));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    EXPECT_EQ(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, aclrtSynchronizeStreamWithTimeout(rep_, 30));
    gate.Open();
    ASSERT_ACL_OK(aclrtSynchronizeStreamWithTimeout(rep_, 5000));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x42));
}

TEST_F(GraphEvents, AnExternalEventIsNeverPulledIntoTheCapture) {
    aclrtEvent e = Ex(ACL_EVENT_EXTERNAL);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtRecordEvent(e, cap_));
    // A waiter outside the capture does not join it (the record is a graph task, not a capture edge).
    ASSERT_ACL_OK(aclrtStreamWaitEvent(s2_, e));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(s2_));
    aclmdlRI m = End();
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeEvent(e));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    ASSERT_ACL_OK(aclrtQueryEventStatus(e, &st));
    EXPECT_EQ(ACL_EVENT_RECORDED_STATUS_COMPLETE, st);
}

TEST_F(GraphEvents, WithFlagArgumentsAndRules) {
    const char* rec = "aclrtRecordEventWithFlag";
    const char* wait = "aclrtStreamWaitEventWithFlag";
    aclrtEvent ex = Ex(ACL_EVENT_SYNC);
    aclrtEvent timeline = Ex(ACL_EVENT_TIME_LINE);
    aclrtEvent legacy = Legacy();
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, rec, aclrtRecordEventWithFlag(ex, rep_, 2));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, rec, aclrtRecordEventWithFlag(nullptr, rep_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, wait, aclrtStreamWaitEventWithFlag(rep_, ex, 0, 2));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, wait, aclrtStreamWaitEventWithFlag(rep_, ex, 1, ACL_EVENT_WAIT_EXTERNAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, rec, aclrtRecordEventWithFlag(ex, rep_, ACL_EVENT_RECORD_EXTERNAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, wait, aclrtStreamWaitEventWithFlag(rep_, ex, 0, ACL_EVENT_WAIT_EXTERNAL));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, rec, aclrtRecordEventWithFlag(legacy, cap_, ACL_EVENT_RECORD_EXTERNAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, rec, aclrtRecordEventWithFlag(timeline, cap_, ACL_EVENT_RECORD_EXTERNAL));
    End();
    // DEFAULT is the plain record / wait.
    ASSERT_ACL_OK(aclrtRecordEventWithFlag(ex, rep_, ACL_EVENT_RECORD_DEFAULT));
    ASSERT_ACL_OK(aclrtStreamWaitEventWithFlag(s2_, ex, 5, ACL_EVENT_WAIT_DEFAULT));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s2_));
    setenv("ASCEND_SIM_CANN_VERSION", "9.1", 1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, rec, aclrtRecordEventWithFlag(ex, rep_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, wait, aclrtStreamWaitEventWithFlag(rep_, ex, 0, 0));
}

TEST_F(GraphEvents, WaitWithTimeoutFailsTheStreamWhenTheRecordIsLate) {
    const char* fn = "aclrtStreamWaitEventWithTimeout";
    aclrtEvent e = Ex(ACL_EVENT_SYNC);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclrtStreamWaitEventWithTimeout(rep_, e, 0));
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s2_));
    Gate gate;
    ASSERT_ACL_OK(gate.Enqueue(s2_));
    ASSERT_ACL_OK(aclrtRecordEvent(e, s2_));
    ASSERT_ACL_OK(aclrtStreamWaitEventWithTimeout(rep_, e, 20));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_WAIT_TIMEOUT, "aclrtSynchronizeStream", aclrtSynchronizeStream(rep_));
    gate.Open();
    ASSERT_ACL_OK(aclrtSynchronizeStream(s2_));
    ASSERT_ACL_OK(aclrtStreamWaitEventWithTimeout(rep_, e, 1000));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
}

}  // namespace
