// Graph capture basics: deferred execution, replay on any stream, 1,000 deterministic replays,
// capture info, names, JSON dump, stream budget, use-after-free detection at replay.
#include <cstring>
#include <fstream>
#include <sstream>

#include "test_support_capture.h"

using namespace simtest;

namespace {

using CaptureBasic = CaptureTest;

TEST_F(CaptureBasic, CapturedTasksDoNotRunUntilExecute) {
    const uint64_t tasks0 = Counter(ACLSIM_COUNT_TASKS_EXECUTED);
    aclmdlRI m = CaptureFillAndCopy(0x5A);
    ASSERT_NE(nullptr, m);
    EXPECT_EQ(baseModels_ + 1, Counter(ACLSIM_LIVE_MODELS));
    ASSERT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0)) << "captured work ran during capture";
    EXPECT_TRUE(AllBytes(ReadDevice(a_, kBytes), 0));
    EXPECT_EQ(tasks0, Counter(ACLSIM_COUNT_TASKS_EXECUTED));

    const uint64_t execs0 = Counter(ACLSIM_COUNT_MODEL_EXECUTIONS);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, cap_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(cap_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x5A));
    EXPECT_TRUE(AllBytes(ReadDevice(b_, kBytes), 0x5A));
    EXPECT_EQ(execs0 + 1, Counter(ACLSIM_COUNT_MODEL_EXECUTIONS));
    EXPECT_GE(Counter(ACLSIM_COUNT_TASKS_EXECUTED), tasks0 + 3);
}

TEST_F(CaptureBasic, ExecuteAsyncIsAsynchronous) {
    aclmdlRI m = CaptureFillAndCopy(0x21);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclsimSetTaskDelay(150 * 1000));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    aclrtStreamStatus st = ACL_STREAM_STATUS_RESERVED;
    ASSERT_ACL_OK(aclrtStreamQuery(rep_, &st));
    EXPECT_EQ(ACL_STREAM_STATUS_NOT_READY, st);
    EXPECT_EQ(0, static_cast<volatile uint8_t*>(h_)[0]);
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x21));
}

TEST_F(CaptureBasic, ReplayOnAnotherStreamAndOnTheDefaultStream) {
    aclmdlRI m = CaptureFillAndCopy(0x33);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x33));

    std::memset(h_, 0, kBytes);
    FillDevice(a_, kBytes, 0);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, nullptr));
    ASSERT_ACL_OK(aclrtSynchronizeStream(nullptr));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x33));
}

// aclmdlRIExecute of a captured graph is CANN 9.0 behaviour (9.1 refuses it: graph_cond_errors_tests.cpp).
TEST_F(CaptureBasic, SynchronousExecuteWaitsForTheReplay) {
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    aclmdlRI m = CaptureFillAndCopy(0x44);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclsimSetTaskDelay(20 * 1000));
    ASSERT_ACL_OK(aclmdlRIExecute(m, -1));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x44));
}

TEST_F(CaptureBasic, SynchronousExecuteTimesOut) {
    setenv("ASCEND_SIM_CANN_VERSION", "9.0", 1);
    aclmdlRI m = CaptureFillAndCopy(0x45);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclsimSetTaskDelay(200 * 1000));
    EXPECT_ACL_FAILS("aclmdlRIExecute", aclmdlRIExecute(m, 10));
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    ASSERT_ACL_OK(aclrtSynchronizeDevice());
}

// The replayed graph reads memory at replay time (addresses are captured, not values), and a
// thousand replays give bit-identical results.
TEST_F(CaptureBasic, ThousandReplaysAreDeterministicAndReadCurrentInputs) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, cap_));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, kBytes, 0xC3, 16, cap_));  // first 16 bytes constant
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);

    const uint64_t execs0 = Counter(ACLSIM_COUNT_MODEL_EXECUTIONS);
    std::vector<uint8_t> input(kBytes);
    for (size_t i = 0; i < kBytes; ++i) input[i] = static_cast<uint8_t>(i ^ 0x5C);
    ASSERT_ACL_OK(aclrtMemcpy(a_, kBytes, input.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
    std::vector<uint8_t> expected = input;
    std::memset(expected.data(), 0xC3, 16);

    int mismatches = 0;
    for (int r = 0; r < 1000; ++r) {
        std::memset(h_, 0, kBytes);
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, (r % 2) ? rep_ : cap_)) << "replay " << r;
        ASSERT_ACL_OK(aclrtSynchronizeStream((r % 2) ? rep_ : cap_));
        if (std::memcmp(h_, expected.data(), kBytes) != 0) ++mismatches;
    }
    EXPECT_EQ(0, mismatches);
    EXPECT_EQ(execs0 + 1000, Counter(ACLSIM_COUNT_MODEL_EXECUTIONS));

    // New input, same graph: the replay sees it.
    for (size_t i = 0; i < kBytes; ++i) input[i] = static_cast<uint8_t>(255 - i);
    ASSERT_ACL_OK(aclrtMemcpy(a_, kBytes, input.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    expected = input;
    std::memset(expected.data(), 0xC3, 16);
    EXPECT_EQ(0, std::memcmp(h_, expected.data(), kBytes));
}

TEST_F(CaptureBasic, BackToBackReplaysOnOneStreamRunInOrder) {
    // Graph: b += nothing; it copies a -> h. Between replays the stream itself changes a.
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    void* snaps = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&snaps, 4 * kBytes));
    ASSERT_ACL_OK(aclsimSetTaskDelay(2000));
    for (int i = 0; i < 4; ++i) {
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 0x10 + i, kBytes, rep_));
        ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(static_cast<uint8_t*>(snaps) + i * kBytes, kBytes, h_, kBytes,
                                       ACL_MEMCPY_HOST_TO_HOST, rep_));
    }
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(AllBytes(static_cast<uint8_t*>(snaps) + i * kBytes, kBytes, static_cast<uint8_t>(0x10 + i))) << i;
    EXPECT_ACL_OK(aclrtFreeHost(snaps));
}

TEST_F(CaptureBasic, CaptureGetInfoReportsNoneActiveNoneAndTheModel) {
    aclmdlRI m = reinterpret_cast<aclmdlRI>(0x1);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_, &m));
    EXPECT_EQ(nullptr, m);

    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI during = nullptr;
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, Status(cap_, &during));
    EXPECT_NE(nullptr, during);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(rep_));  // other streams are untouched
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 1, kBytes, cap_));
    aclmdlRI ended = End();
    EXPECT_EQ(during, ended) << "the model handle seen during capture is the one End returns";
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_, &m));
    EXPECT_EQ(nullptr, m);

    // CANN fills only the outputs it is given; one of the two must be there.
    EXPECT_ACL_OK(aclmdlRICaptureGetInfo(cap_, nullptr, &m));
    aclmdlRICaptureStatus st = ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE;
    EXPECT_ACL_OK(aclmdlRICaptureGetInfo(cap_, &st, nullptr));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, st);
    EXPECT_ACL_FAILS("aclmdlRICaptureGetInfo", aclmdlRICaptureGetInfo(cap_, nullptr, nullptr));
}

TEST_F(CaptureBasic, EmptyCaptureGivesAModelThatReplaysNothing) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    EXPECT_ACL_OK(aclrtSynchronizeStream(rep_));
}

TEST_F(CaptureBasic, StreamCapturesAgainAfterEnd) {
    aclmdlRI m1 = CaptureFillAndCopy(0x01);
    aclmdlRI m2 = CaptureFillAndCopy(0x02);
    ASSERT_NE(nullptr, m1);
    ASSERT_NE(nullptr, m2);
    EXPECT_NE(m1, m2);
    EXPECT_EQ(baseModels_ + 2, Counter(ACLSIM_LIVE_MODELS));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m2, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x02));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m1, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0x01));
}

TEST_F(CaptureBasic, DestroyReleasesTheModelAndRejectsReuse) {
    aclmdlRI m = CaptureFillAndCopy(0x07);
    ASSERT_NE(nullptr, m);
    EXPECT_EQ(baseModels_ + 1, Counter(ACLSIM_LIVE_MODELS));
    Destroy(m);
    EXPECT_EQ(baseModels_, Counter(ACLSIM_LIVE_MODELS));
    EXPECT_ACL_FAILS("aclmdlRIDestroy", aclmdlRIDestroy(m));
    EXPECT_ACL_FAILS("aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(m, rep_));
    EXPECT_ACL_FAILS("aclmdlRIDestroy", aclmdlRIDestroy(nullptr));
    EXPECT_ACL_FAILS("aclmdlRIExecuteAsync", aclmdlRIExecuteAsync(nullptr, rep_));
}

TEST_F(CaptureBasic, SetNameAndGetName) {
    aclmdlRI m = CaptureFillAndCopy(0x08);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRISetName(m, "decoder_step_bs8"));
    char name[64];
    std::memset(name, 'x', sizeof name);
    ASSERT_ACL_OK(aclmdlRIGetName(m, sizeof name, name));
    EXPECT_STREQ("decoder_step_bs8", name);

    // A buffer too small: either an error naming the function, or a terminated prefix.
    char small[4];
    std::memset(small, 'x', sizeof small);
    aclError rc = aclmdlRIGetName(m, sizeof small, small);
    if (rc == ACL_SUCCESS) {
        EXPECT_EQ(0, std::memcmp(small, "dec", 3));
        EXPECT_EQ('\0', small[3]);
    } else {
        EXPECT_NE(std::string::npos, RecentMsg().find("aclmdlRIGetName")) << LastMsg();
    }
    EXPECT_ACL_FAILS("aclmdlRISetName", aclmdlRISetName(m, nullptr));
    EXPECT_ACL_FAILS("aclmdlRIGetName", aclmdlRIGetName(m, sizeof name, nullptr));
    EXPECT_ACL_FAILS("aclmdlRISetName", aclmdlRISetName(nullptr, "x"));
}

size_t CountOccurrences(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
    return n;
}

TEST_F(CaptureBasic, DebugJsonPrintListsTheCapturedTasks) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 1, kBytes, cap_));
    ASSERT_ACL_OK(aclrtMemsetAsync(b_, kBytes, 2, kBytes, cap_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
    aclmdlRI m = End();
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRISetName(m, "json_dump_model"));

    std::string path = ::testing::TempDir() + "simtest_capture_dump.json";
    std::remove(path.c_str());
    ASSERT_ACL_OK(aclmdlRIDebugJsonPrint(m, path.c_str(), 1));
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << "no file at " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string json = ss.str();
    // Minimal parse: a JSON object, braces balanced outside strings.
    size_t first = json.find_first_not_of(" \t\r\n");
    ASSERT_NE(std::string::npos, first);
    EXPECT_EQ('{', json[first]);
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (inString) {
            if (c == '\\') ++i;
            else if (c == '"') inString = false;
        } else if (c == '"') inString = true;
        else if (c == '{' || c == '[') ++depth;
        else if (c == '}' || c == ']') --depth;
        ASSERT_GE(depth, 0);
    }
    EXPECT_EQ(0, depth);
    EXPECT_FALSE(inString);
    EXPECT_EQ(2u, CountOccurrences(json, "\"aclrtMemsetAsync\"")) << json;
    EXPECT_EQ(1u, CountOccurrences(json, "\"aclrtMemcpyAsync\"")) << json;
    EXPECT_NE(std::string::npos, json.find("json_dump_model"));
    std::remove(path.c_str());

    EXPECT_ACL_FAILS("aclmdlRIDebugJsonPrint", aclmdlRIDebugJsonPrint(m, nullptr, 1));
    EXPECT_ACL_FAILS("aclmdlRIDebugJsonPrint", aclmdlRIDebugJsonPrint(m, "no_such_dir/for/sure/x.json", 1));
    EXPECT_ACL_OK(aclmdlRIDebugPrint(m));
}

TEST_F(CaptureBasic, ReplayAfterAReferencedBufferWasFreedFailsAndNamesTheBuffer) {
    aclmdlRI m = CaptureFillAndCopy(0x09);
    ASSERT_NE(nullptr, m);
    std::string freed = PtrText(b_);
    ASSERT_ACL_OK(aclrtFree(b_));
    b_ = nullptr;
    aclError rc = aclmdlRIExecuteAsync(m, rep_);
    EXPECT_NE(ACL_SUCCESS, rc);
    std::string msg = RecentMsg();
    EXPECT_NE(std::string::npos, msg.find("aclmdlRIExecuteAsync")) << msg;
    EXPECT_NE(std::string::npos, msg.find(freed)) << "message does not name " << freed << ": " << msg;
    EXPECT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0)) << "nothing of the refused replay ran";
}

// The launch check is cached while nothing is freed: a free after a successful replay must still be seen.
TEST_F(CaptureBasic, ReplayAfterASuccessfulReplayAndAFreeFailsAndNamesTheBuffer) {
    aclmdlRI m = CaptureFillAndCopy(0x0b);
    ASSERT_NE(nullptr, m);
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    ASSERT_TRUE(AllBytes(h_, kBytes, 0x0b));
    std::memset(h_, 0, kBytes);
    std::string freed = PtrText(b_);
    ASSERT_ACL_OK(aclrtFree(b_));
    b_ = nullptr;
    aclError rc = aclmdlRIExecuteAsync(m, rep_);
    EXPECT_EQ(ACL_ERROR_RT_PARAM_INVALID, rc);
    std::string msg = RecentMsg();
    EXPECT_NE(std::string::npos, msg.find(freed)) << "message does not name " << freed << ": " << msg;
    EXPECT_ACL_OK(aclrtSynchronizeStream(rep_));
    EXPECT_TRUE(AllBytes(h_, kBytes, 0)) << "nothing of the refused replay ran";
}

class CaptureBudget : public CaptureTest {
    void ConfigureEnv() override { setenv("ASCEND_SIM_STREAM_LIMIT", "8", 1); }
};

TEST_F(CaptureBudget, EachLiveModelHoldsAStreamUntilDestroyed) {
    uint32_t inUse0 = 0, limit = 0;
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &inUse0, &limit));
    ASSERT_EQ(8u, limit);
    ASSERT_LT(inUse0, limit);

    std::vector<aclmdlRI> ms;
    for (uint32_t used = inUse0; used < limit; ++used) {
        ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL)) << "model #" << ms.size();
        ASSERT_ACL_OK(aclrtMemsetAsync(a_, kBytes, 1, kBytes, cap_));
        aclmdlRI m = End();
        ASSERT_NE(nullptr, m);
        ms.push_back(m);
        uint32_t now = 0;
        ASSERT_ACL_OK(aclsimGetStreamBudget(0, &now, &limit));
        EXPECT_EQ(used + 1, now);
    }
    EXPECT_ACL_ERROR(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclmdlRICaptureBegin",
                     aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_NONE, Status(cap_));
    aclrtStream extra = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclrtCreateStream", aclrtCreateStream(&extra));

    Destroy(ms.back());
    ms.pop_back();
    uint32_t now = 0;
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &now, &limit));
    EXPECT_EQ(limit - 1, now);
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    End();
    for (aclmdlRI m : ms) Destroy(m);
}

}  // namespace
