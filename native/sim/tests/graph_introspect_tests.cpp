// Introspection (aclmdlRIGetStreams, GetTasksByStream, TaskGetType/SeqId/Params,
// KernelTaskGetAttribute) and in-place editing (TaskSetParams, TaskDisable, Update) of captured graphs.
#include "aclnn/aclnn_base.h"
#include "aclnnop/aclnn_relu.h"
#include "test_support_graph.h"

namespace {

using namespace simtest;

class GraphEdit : public GraphTest {
protected:
    void TearDown() override {
        if (relu_) {
            EXPECT_EQ(ACLNN_SUCCESS, aclDestroyAclOpExecutor(relu_));
        }
        for (aclTensor* t : {x_, y_}) {
            if (t) {
                EXPECT_EQ(ACLNN_SUCCESS, aclDestroyTensor(t));
            }
        }
        GraphTest::TearDown();
    }
    // Captures: memset a_ = 0x61 (DEFAULT), value write w0 = 5, value wait w0 == 5, relu(b_) -> b_ (KERNEL).
    aclmdlRI CaptureFour() {
        const int64_t n = 4, stride = 1;
        x_ = aclCreateTensor(&n, 1, ACL_FLOAT, &stride, 0, ACL_FORMAT_ND, &n, 1, b_);
        y_ = aclCreateTensor(&n, 1, ACL_FLOAT, &stride, 0, ACL_FORMAT_ND, &n, 1, b_);
        uint64_t ws = 0;
        EXPECT_EQ(ACLNN_SUCCESS, aclnnReluGetWorkspaceSize(x_, y_, &ws, &relu_));
        EXPECT_EQ(ACLNN_SUCCESS, aclSetAclOpExecutorRepeatable(relu_));
        EXPECT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        EXPECT_ACL_OK(aclrtMemsetAsync(a_, 4, 0x61, 4, cap_));
        EXPECT_ACL_OK(aclrtValueWrite(W(0), 5, 0, cap_));
        EXPECT_ACL_OK(aclrtValueWait(W(0), 5, ACL_STREAM_WAIT_VALUE_EQ, cap_));
        EXPECT_EQ(ACLNN_SUCCESS, aclnnRelu(nullptr, 0, relu_, cap_));
        return End();
    }
    std::vector<aclmdlRITask> Tasks(aclmdlRI m) {
        aclrtStream s = nullptr;
        uint32_t n = 1;
        EXPECT_ACL_OK(aclmdlRIGetStreams(m, &s, &n));
        uint32_t count = 0;
        EXPECT_ACL_OK(aclmdlRIGetTasksByStream(s, nullptr, &count));
        std::vector<aclmdlRITask> t(count);
        EXPECT_ACL_OK(aclmdlRIGetTasksByStream(s, t.data(), &count));
        return t;
    }
    void Run(aclmdlRI m) {
        FillDevice(a_, kBytes, 0);
        SetWord(W(0), 0);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtSynchronizeStreamWithTimeout(rep_, 5000));
    }
    aclTensor* x_ = nullptr;
    aclTensor* y_ = nullptr;
    aclOpExecutor* relu_ = nullptr;
};

TEST_F(GraphEdit, StreamsAndTasksWithTypesAndSequenceIds) {
    aclmdlRI m = CaptureFour();
    uint32_t n = 0;
    ASSERT_ACL_OK(aclmdlRIGetStreams(m, nullptr, &n));
    EXPECT_EQ(1u, n);
    std::vector<aclmdlRITask> t = Tasks(m);
    ASSERT_EQ(4u, t.size());
    const aclmdlRITaskType want[] = {ACL_MODEL_RI_TASK_DEFAULT, ACL_MODEL_RI_TASK_VALUE_WRITE,
                                     ACL_MODEL_RI_TASK_VALUE_WAIT, ACL_MODEL_RI_TASK_KERNEL};
    for (uint32_t i = 0; i < 4; ++i) {
        aclmdlRITaskType type = static_cast<aclmdlRITaskType>(99);
        uint32_t seq = 99;
        ASSERT_ACL_OK(aclmdlRITaskGetType(t[i], &type));
        ASSERT_ACL_OK(aclmdlRITaskGetSeqId(t[i], &seq));
        EXPECT_EQ(want[i], type) << i;
        EXPECT_EQ(i, seq);
    }
    aclmdlRITaskParams p;
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[1], &p));
    EXPECT_EQ(ACL_MODEL_RI_TASK_VALUE_WRITE, p.type);
    EXPECT_EQ(W(0), p.valueWriteTaskParams.devAddr);
    EXPECT_EQ(5u, p.valueWriteTaskParams.value);
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[2], &p));
    EXPECT_EQ(ACL_STREAM_WAIT_VALUE_EQ, p.valueWaitTaskParams.flag);
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[3], &p));
    EXPECT_NE(nullptr, p.kernelTaskParams.funcHandle);
    EXPECT_NE(nullptr, p.kernelTaskParams.args);
    EXPECT_GT(p.kernelTaskParams.argsSize, 0u);
    EXPECT_EQ(0u, p.kernelTaskParams.isHostArgs);
    EXPECT_EQ(nullptr, p.taskGrp);
    // The argument block is the runtime's device copy (isHostArgs 0): a device-to-host copy reads the buffer addresses
    // (relu's input and output: b_ twice), and the runtime owns it (aclrtFree refuses it).
    ASSERT_EQ(2 * sizeof(uint64_t), p.kernelTaskParams.argsSize);
    uint64_t args[2] = {0, 0};
    ASSERT_ACL_OK(aclrtMemcpy(args, sizeof args, p.kernelTaskParams.args, sizeof args, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b_), args[0]);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b_), args[1]);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtFree", aclrtFree(p.kernelTaskParams.args));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskGetParams", aclmdlRITaskGetParams(t[0], &p));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskGetParams", aclmdlRITaskGetParams(nullptr, &p));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskGetType", aclmdlRITaskGetType(nullptr, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskGetSeqId", aclmdlRITaskGetSeqId(&p, &n));
    aclrtLaunchKernelAttrValue v;
    const char* attr = "aclmdlRIKernelTaskGetAttribute";
    EXPECT_ACL_OK(aclmdlRIKernelTaskGetAttribute(t[3], ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT, &v));
    EXPECT_EQ(0, v.timeout);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, attr, aclmdlRIKernelTaskGetAttribute(t[3], ACL_RT_LAUNCH_KERNEL_ATTR_ENGINE_TYPE, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, attr, aclmdlRIKernelTaskGetAttribute(t[1], ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, attr, aclmdlRIKernelTaskGetAttribute(nullptr, ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, attr, aclmdlRIKernelTaskGetAttribute(t[3], ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT, nullptr));
}

TEST_F(GraphEdit, ArraysTooSmallArePartlyFilledWith107039) {
    // Two capture streams: cap_ forks s2_ through an event and joins it back.
    aclrtEvent fork = nullptr, join = nullptr;
    ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&fork, ACL_EVENT_SYNC));
    ASSERT_ACL_OK(aclrtCreateEventExWithFlag(&join, ACL_EVENT_SYNC));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, 1, 1, 1, cap_));
    ASSERT_ACL_OK(aclrtRecordEvent(fork, cap_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(s2_, fork));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, 1, 2, 1, s2_));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, 1, 3, 1, s2_));
    ASSERT_ACL_OK(aclrtRecordEvent(join, s2_));
    ASSERT_ACL_OK(aclrtStreamWaitEvent(cap_, join));
    aclmdlRI m = End();
    const char* fn = "aclmdlRIGetStreams";
    aclrtStream s[3] = {rep_, rep_, rep_};
    uint32_t n = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRIGetStreams(m, s, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY, fn, aclmdlRIGetStreams(m, s, &n));
    n = 1;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY, fn, aclmdlRIGetStreams(m, s, &n));
    EXPECT_EQ(1u, n);
    EXPECT_NE(rep_, s[0]);
    EXPECT_EQ(rep_, s[1]) << "written past the capacity";
    n = 3;
    ASSERT_ACL_OK(aclmdlRIGetStreams(m, s, &n));
    EXPECT_EQ(2u, n);
    EXPECT_EQ(nullptr, s[2]) << "a spare slot is NULL-filled";
    EXPECT_NE(cap_, s[0]) << "a captured graph's streams are the runtime's, not the user's";
    aclmdlRITask t[2] = {};
    uint32_t k = 1;
    const char* byStream = "aclmdlRIGetTasksByStream";
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY, byStream, aclmdlRIGetTasksByStream(s[1], t, &k));
    EXPECT_EQ(1u, k);
    EXPECT_NE(nullptr, t[0]);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, byStream, aclmdlRIGetTasksByStream(cap_, t, &k));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, byStream, aclmdlRIGetTasksByStream(nullptr, t, &k));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, byStream, aclmdlRIGetTasksByStream(s[1], t, nullptr));
    EXPECT_ACL_OK(aclrtDestroyEvent(fork));
    EXPECT_ACL_OK(aclrtDestroyEvent(join));
}

TEST_F(GraphEdit, SetValueParamsAndDisableApplyAtUpdate) {
    aclmdlRI m = CaptureFour();
    std::vector<aclmdlRITask> t = Tasks(m);
    ASSERT_EQ(4u, t.size());
    aclmdlRITaskParams p;
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[1], &p));
    p.valueWriteTaskParams.devAddr = W(1);
    p.valueWriteTaskParams.value = 9;
    ASSERT_ACL_OK(aclmdlRITaskSetParams(t[1], &p));
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[2], &p));
    p.valueWaitTaskParams.devAddr = W(1);
    p.valueWaitTaskParams.value = 9;
    ASSERT_ACL_OK(aclmdlRITaskSetParams(t[2], &p));
    ASSERT_ACL_OK(aclmdlRITaskDisable(t[3]));
    EXPECT_ACL_ERROR(507011, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(m, rep_));  // UPDATING
    ASSERT_ACL_OK(aclmdlRIUpdate(m));
    ASSERT_ACL_OK(aclmdlRIUpdate(m));  // READY: no-op
    const float neg[4] = {-1, -2, 3, -4};
    ASSERT_ACL_OK(aclrtMemcpy(b_, 16, neg, 16, ACL_MEMCPY_HOST_TO_DEVICE));
    Run(m);
    EXPECT_EQ(0x61, A(0));
    EXPECT_EQ(9u, Word(W(1)));
    EXPECT_EQ(0u, Word(W(0)));
    float out[4];
    ASSERT_ACL_OK(aclrtMemcpy(out, 16, b_, 16, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_EQ(-1.0f, out[0]) << "the disabled kernel ran";
    // The disabled memset... a DEFAULT task cannot be disabled: FAULT.
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskDisable", aclmdlRITaskDisable(t[0]));
    EXPECT_ACL_ERROR(507011, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(m, rep_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_UPDATE_FAILED, "aclmdlRIUpdate", aclmdlRIUpdate(m));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_UPDATE_FAILED, "aclmdlRITaskDisable", aclmdlRITaskDisable(t[1]));
}

TEST_F(GraphEdit, KernelParamsRoundTripAndForeignKernelsFault) {
    aclmdlRI m = CaptureFour();
    std::vector<aclmdlRITask> t = Tasks(m);
    ASSERT_EQ(4u, t.size());
    aclmdlRITaskParams p;
    ASSERT_ACL_OK(aclmdlRITaskGetParams(t[3], &p));
    ASSERT_ACL_OK(aclmdlRITaskSetParams(t[3], &p));  // taskGrp is NULL outside task groups
    ASSERT_ACL_OK(aclmdlRIUpdate(m));
    const float neg[4] = {-1, -2, 3, -4};
    ASSERT_ACL_OK(aclrtMemcpy(b_, 16, neg, 16, ACL_MEMCPY_HOST_TO_DEVICE));
    Run(m);
    float out[4];
    ASSERT_ACL_OK(aclrtMemcpy(out, 16, b_, 16, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_EQ(0.0f, out[0]);
    EXPECT_EQ(3.0f, out[2]);
    const char* fn = "aclmdlRITaskSetParams";
    aclmdlRITaskParams bad = p;
    bad.type = ACL_MODEL_RI_TASK_KERNEL;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRITaskSetParams(nullptr, &bad));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, fn, aclmdlRITaskSetParams(t[3], nullptr));
    bad.kernelTaskParams.funcHandle = &bad;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, aclmdlRITaskSetParams(t[3], &bad));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, aclmdlRITaskSetParams(t[3], &p));  // FAULT
}

TEST_F(GraphEdit, SetParamsArgumentRulesFaultTheGraph) {
    struct Case {
        const char* what;
        void (*edit)(aclmdlRITaskParams&, void*);
        int task;
    } cases[] = {
        {"event type", [](aclmdlRITaskParams& p, void*) { p.type = ACL_MODEL_RI_TASK_EVENT_RECORD; }, 1},
        {"taskGrp set", [](aclmdlRITaskParams& p, void* x) { p.taskGrp = x; }, 1},
        {"opInfo set", [](aclmdlRITaskParams& p, void*) { p.opInfoSize = 8; }, 1},
        {"host word", [](aclmdlRITaskParams& p, void* x) { p.valueWriteTaskParams.devAddr = x; }, 1},
        {"kernel on a value task", [](aclmdlRITaskParams& p, void*) { p.type = ACL_MODEL_RI_TASK_KERNEL; }, 1},
        {"value on a DEFAULT task", [](aclmdlRITaskParams&, void*) {}, 0},
    };
    for (const Case& c : cases) {
        aclmdlRI m = CaptureFour();
        std::vector<aclmdlRITask> t = Tasks(m);
        aclmdlRITaskParams p;
        ASSERT_ACL_OK(aclmdlRITaskGetParams(t[1], &p));
        c.edit(p, h_);
        EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclmdlRITaskSetParams", aclmdlRITaskSetParams(t[c.task], &p)) << c.what;
        EXPECT_ACL_ERROR(507011, "aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(m, rep_)) << c.what;
        EXPECT_EQ(ACLNN_SUCCESS, aclDestroyAclOpExecutor(relu_));
        relu_ = nullptr;
        for (aclTensor* x : {x_, y_}) EXPECT_EQ(ACLNN_SUCCESS, aclDestroyTensor(x));
        x_ = y_ = nullptr;
        Destroy(m);
    }
}

TEST_F(GraphEdit, Cann90HasNoIntrospection) {
    aclmdlRI m = CaptureFillAndCopy(1);
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    uint32_t n = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIGetStreams", aclmdlRIGetStreams(m, nullptr, &n));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlRIUpdate", aclmdlRIUpdate(m));
}

}  // namespace
