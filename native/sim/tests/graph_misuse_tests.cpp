// The remaining misuse codes of the CANN 9.x graph API: other contexts, capturing graphs and streams,
// child graphs and built graphs where only root captured graphs are accepted.
#include "test_support_graph.h"

namespace {

using namespace simtest;

class GraphMisuse : public GraphTest {};

TEST_F(GraphMisuse, LaunchesOfCapturingGraphsAndOnCapturingStreams) {
    aclmdlRI done = CaptureFillAndCopy(3);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    aclmdlRI open = Capturing(cap_);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_CAPTURED, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(open, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_CAPTURED, "aclmdlRIDestroy", aclmdlRIDestroy(open));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURED, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(done, cap_));
    End();
}

TEST_F(GraphMisuse, AbortOfAnotherContextsGraph) {
    uint32_t devices = 0;
    ASSERT_ACL_OK(aclrtGetDeviceCount(&devices));
    if (devices < 2) GTEST_SKIP() << "needs two simulated devices";
    aclmdlRI m = CaptureFillAndCopy(4);
    aclrtContext other = nullptr;
    ASSERT_ACL_OK(aclrtCreateContext(&other, 1));
    EXPECT_ACL_ERROR(107004, "aclmdlRIAbort", aclmdlRIAbort(m));
    ASSERT_ACL_OK(aclrtSetCurrentContext(ctx_));
    EXPECT_ACL_OK(aclmdlRIAbort(m));
    EXPECT_ACL_OK(aclrtDestroyContext(other));
    ASSERT_ACL_OK(aclrtSetCurrentContext(ctx_));
}

TEST_F(GraphMisuse, ChildGraphsRefuseRootOnlyCalls) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRICondHandle h = Cond(0, 0, nullptr);
    aclmdlRI kid = nullptr;
    ASSERT_ACL_OK(aclmdlRIAddCondTask(Params(h, ACL_MODEL_RI_COND_TYPE_IF, 1, &kid), cap_, 0));
    CaptureMemsetChild(kid, s2_, 0, 1);
    End();
    const int notSupported = ACL_ERROR_RT_FEATURE_NOT_SUPPORT;
    uint32_t n = 0;
    EXPECT_ACL_ERROR(notSupported, "aclmdlRIGetStreams", aclmdlRIGetStreams(kid, nullptr, &n));
    EXPECT_ACL_ERROR(notSupported, "aclmdlRIUpdate", aclmdlRIUpdate(kid));
    EXPECT_ACL_ERROR(notSupported, "aclmdlRIExecute", aclmdlRIExecute(kid, -1));
    EXPECT_ACL_ERROR(notSupported, "aclmdlRIDestroyRegisterCallback",
                     aclmdlRIDestroyRegisterCallback(kid, [](void*) {}, nullptr));
    ASSERT_ACL_OK(aclmdlRISetName(kid, "then"));  // names work on child graphs
    char name[8] = {};
    ASSERT_ACL_OK(aclmdlRIGetName(kid, sizeof name, name));
    EXPECT_STREQ("then", name);
}

TEST_F(GraphMisuse, BuiltGraphsRefuseCaptureOnlyCalls) {
    aclrtStream p = nullptr;
    ASSERT_ACL_OK(aclrtCreateStreamWithConfig(&p, 0, ACL_STREAM_PERSISTENT));
    aclmdlRI m = nullptr;
    ASSERT_ACL_OK(aclmdlRIBuildBegin(&m, 0));
    ASSERT_ACL_OK(aclmdlRIBindStream(m, p, 0));
    ASSERT_ACL_OK(aclrtValueWrite(W(0), 1, 0, p));
    ASSERT_ACL_OK(aclmdlRIEndTask(m, p));
    ASSERT_ACL_OK(aclmdlRIBuildEnd(m, nullptr));
    aclmdlRICondHandle h = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRICondHandleCreate",
                     aclmdlRICondHandleCreate(m, 0, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &h));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIUpdate", aclmdlRIUpdate(m));
    aclrtStream s = nullptr;
    uint32_t n = 1;
    ASSERT_ACL_OK(aclmdlRIGetStreams(m, &s, &n));
    EXPECT_EQ(p, s) << "a built graph's streams are its bound streams";
    aclmdlRITask t = nullptr;
    n = 1;
    ASSERT_ACL_OK(aclmdlRIGetTasksByStream(p, &t, &n));
    uint32_t seq = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRITaskGetSeqId", aclmdlRITaskGetSeqId(t, &seq));
    aclmdlRITaskParams params;
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t, &params));
    EXPECT_EQ(ACL_MODEL_RI_TASK_VALUE_WRITE, params.type);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRITaskSetParams", aclmdlRITaskSetParams(t, &params));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRITaskDisable", aclmdlRITaskDisable(t));
    ASSERT_ACL_OK(aclmdlRIUnbindStream(m, p));
    ASSERT_ACL_OK(aclmdlRIDestroy(m));
    EXPECT_ACL_ERROR(107017, "aclmdlRIGetStreams", aclmdlRIGetStreams(m, nullptr, &n));
    EXPECT_ACL_OK(aclrtDestroyStream(p));
}

}  // namespace
