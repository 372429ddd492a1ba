// Conditional nodes (CANN 9.1): every misuse code of aclmdlRICondHandleCreate, GetCondPtr,
// AddCondTask, CaptureToModelRIBegin and the child-capture rules of aclmdlRICaptureEnd.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class CondErrors : public GraphTest {};

TEST_F(CondErrors, CondHandleCreate) {
    const char* fn = "aclmdlRICondHandleCreate";
    aclmdlRICondHandle h = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI cm = Capturing(cap_);
    const auto dflt = ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICondHandleCreate(nullptr, 0, dflt, &h));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICondHandleCreate(cm, 0, dflt, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn,
                     aclmdlRICondHandleCreate(cm, 0, static_cast<aclmdlRICondHandleFlag>(2), &h));
    int notAModel = 0;
    EXPECT_ACL_ERROR(107017, fn, aclmdlRICondHandleCreate(&notAModel, 0, dflt, &h));
    EXPECT_ACL_OK(aclmdlRICondHandleCreate(cm, 0, static_cast<aclmdlRICondHandleFlag>(0), &h));
    aclmdlRI m = End();
    // An ended graph is not CAPTURE_ACTIVE.
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRICondHandleCreate(m, 0, dflt, &h));
}

TEST_F(CondErrors, CondHandleGetCondPtr) {
    const char* fn = "aclmdlRICondHandleGetCondPtr";
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    uint64_t* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICondHandleGetCondPtr(nullptr, &p));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICondHandleGetCondPtr(h, nullptr));
    int notAHandle = 0;
    EXPECT_ACL_ERROR(107017, fn, aclmdlRICondHandleGetCondPtr(&notAHandle, &p));
    EXPECT_ACL_OK(aclmdlRICondHandleGetCondPtr(h, &p));
    EXPECT_NE(nullptr, p);
    End();
}

TEST_F(CondErrors, AddCondTaskArguments) {
    const char* fn = "aclmdlRIAddCondTask";
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kids[4] = {};
    const auto IF = ACL_MODEL_RI_COND_TYPE_IF, WHILE = ACL_MODEL_RI_COND_TYPE_WHILE, SWITCH = ACL_MODEL_RI_COND_TYPE_SWITCH;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRIAddCondTask(Params(h, IF, 1, kids), nullptr, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn,
                     aclmdlRIAddCondTask(Params(h, static_cast<aclmdlRICondTaskType>(3), 1, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, IF, 0, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, IF, 3, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, WHILE, 2, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, SWITCH, 0, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, IF, 1, kids), cap_, 1));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(nullptr, IF, 1, kids), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, IF, 1, nullptr), cap_, 0));
    EXPECT_EQ(nullptr, kids[0]) << "a refused call wrote child graphs";
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_));
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, SWITCH, 4, kids), cap_, 0));
    for (aclmdlRI k : kids) EXPECT_NE(nullptr, k);
    aclmdlRI again = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIAddCondTask(Params(h, IF, 1, &again), cap_, 0));
    End();
}

TEST_F(CondErrors, AddCondTaskStreamRules) {
    const char* fn = "aclmdlRIAddCondTask";
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn,
                     aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), rep_, 0));
    // A stream that joined through an event.
    aclrtEvent e = nullptr;
    ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&e, ACL_EVENT_SYNC));
    ASSERT_ACL_OK(aclrtRecordEvent(e, cap_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(s2_, e));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                     aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), s2_, 0));
    ASSERT_ACL_OK(aclrtRecordEvent(e, s2_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, e));
    // A handle of another graph: a second capture on s3_.
    ASSERT_ACL_OK(aclmdlRICaptureBegin(s3_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn,
                     aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), s3_, 0));
    aclmdlRI other = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureEnd(s3_, &other));
    ASSERT_ACL_OK(aclmdlRIDestroy(other));
    End();
    EXPECT_ACL_OK(aclrtDestroyEvent(e));
}

TEST_F(CondErrors, CaptureToModelRIBegin) {
    const char* fn = "aclmdlRICaptureToModelRIBegin";
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    const auto g = ACL_MODEL_RI_CAPTURE_MODE_GLOBAL;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICaptureToModelRIBegin(nullptr, kid, g));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, fn, aclmdlRICaptureToModelRIBegin(s2_, nullptr, g));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRICaptureToModelRIBegin(s2_, Capturing(cap_), g));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn,
                     aclmdlRICaptureToModelRIBegin(s2_, kid, static_cast<aclmdlRICaptureMode>(7)));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, fn, aclmdlRICaptureToModelRIBegin(cap_, kid, g));
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, kid, g));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_CAPTURED, fn, aclmdlRICaptureToModelRIBegin(s3_, kid, g));
    ASSERT_ACL_OK(aclmdlRICaptureEnd(s2_, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_CAPTURED, fn, aclmdlRICaptureToModelRIBegin(s3_, kid, g));
    End();
}

TEST_F(CondErrors, RootEndWithAnOpenChildCaptureDiscardsEverything) {
    uint64_t allocations = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, kid, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI m = reinterpret_cast<aclmdlRI>(1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_SUB_ACLGRAPH_IS_CAPTURING, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    EXPECT_EQ(nullptr, m);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(s2_));
    EXPECT_EQ(allocations, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS)) << "the word of the discarded graph leaked";
    uint64_t* p = nullptr;
    EXPECT_ACL_ERROR(107017, "aclmdlRICondHandleGetCondPtr", aclmdlRICondHandleGetCondPtr(h, &p));
}

TEST_F(CondErrors, RootEndNeedsAnOutputButAChildEndDoesNot) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, kid, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_OK(aclmdlRICaptureEnd(s2_, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, nullptr));
    End();
}

TEST_F(CondErrors, AFailedChildCaptureInvalidatesTheRoot) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s2_, kid, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtValueWrite", aclrtValueWrite(h_, 1, 0, s2_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(s2_, nullptr));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
}

TEST_F(CondErrors, Cann90HasNoConditionalNodes) {
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRICondHandleCreate",
                     aclmdlRICondHandleCreate(Capturing(cap_), 0, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &h));
    EXPECT_NE(std::string::npos, LastMsg().find("9.1.0")) << LastMsg();
    aclmdlRI kid = nullptr;
    int fake = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIAddCondTask",
                     aclmdlRIAddCondTask(Params(&fake, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRICaptureToModelRIBegin",
                     aclmdlRICaptureToModelRIBegin(s2_, &fake, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    uint64_t* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRICondHandleGetCondPtr", aclmdlRICondHandleGetCondPtr(&fake, &p));
    End();
}

// CANN 9.1: aclmdlRIExecute runs built graphs only; 9.0 still ran captured ones.
TEST_F(CondErrors, ExecuteRefusesACapturedGraphFrom91) {
    aclmdlRI m = CaptureFillAndCopy(0x21);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRIExecute", aclmdlRIExecute(m, -1));
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    ASSERT_ACL_OK(aclmdlRIExecute(m, -1));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x21));
}

}  // namespace
