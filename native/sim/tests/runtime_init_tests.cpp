// aclInit / aclFinalize reference semantics and the "not initialized" rule.
#include "test_support.h"

using namespace simtest;

namespace {

class RuntimeInit : public ::testing::Test {
protected:
    void SetUp() override { ClearSimEnv(); }
    void TearDown() override {
        // Leave the process finalized whatever the test did.
        uint64_t ref = 0;
        while (aclFinalizeReference(&ref) == ACL_SUCCESS && ref > 0) {
        }
    }
};

TEST_F(RuntimeInit, EveryCallBeforeInitReturnsUninitialize) {
    uint32_t count = 0;
    int32_t dev = -1;
    void* p = nullptr;
    aclrtStream s = nullptr;
    aclrtEvent e = nullptr;
    aclrtContext c = nullptr;
    size_t freeB = 0, totalB = 0;
    uint8_t host[16] = {};

    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtSetDevice", aclrtSetDevice(0));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtGetDeviceCount", aclrtGetDeviceCount(&count));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtGetDevice", aclrtGetDevice(&dev));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtCreateContext", aclrtCreateContext(&c, 0));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtMalloc", aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(nullptr, p);
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtMallocHost", aclrtMallocHost(&p, 64));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtCreateStream", aclrtCreateStream(&s));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtCreateEvent", aclrtCreateEvent(&e));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtMemcpy",
                     aclrtMemcpy(host, 8, host + 8, 8, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtGetMemInfo", aclrtGetMemInfo(ACL_HBM_MEM, &freeB, &totalB));
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtSynchronizeDevice", aclrtSynchronizeDevice());
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclmdlRICaptureBegin",
                     aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    EXPECT_EQ(nullptr, s);
    EXPECT_EQ(nullptr, e);
}

TEST_F(RuntimeInit, SecondInitReturnsRepeatInitializeAndRuntimeStaysUsable) {
    ASSERT_ACL_OK(aclInit(nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_REPEAT_INITIALIZE, "aclInit", aclInit(nullptr));
    uint32_t count = 0;
    EXPECT_ACL_OK(aclrtGetDeviceCount(&count));
    EXPECT_EQ(2u, count);
    EXPECT_ACL_OK(aclFinalize());
}

TEST_F(RuntimeInit, FinalizeReferenceCountsEveryInit) {
    ASSERT_ACL_OK(aclInit(nullptr));
    ASSERT_EQ(ACL_ERROR_REPEAT_INITIALIZE, aclInit(nullptr));
    ASSERT_EQ(ACL_ERROR_REPEAT_INITIALIZE, aclInit(nullptr));

    uint64_t ref = 99;
    ASSERT_ACL_OK(aclFinalizeReference(&ref));
    EXPECT_EQ(2u, ref);
    uint32_t count = 0;
    EXPECT_ACL_OK(aclrtGetDeviceCount(&count));  // still initialized

    ASSERT_ACL_OK(aclFinalizeReference(nullptr));  // NULL is allowed: caller does not want the count
    ASSERT_ACL_OK(aclFinalizeReference(&ref));
    EXPECT_EQ(0u, ref);
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtGetDeviceCount", aclrtGetDeviceCount(&count));
}

TEST_F(RuntimeInit, FinalizeClearsTheReferenceCount) {
    ASSERT_ACL_OK(aclInit(nullptr));
    ASSERT_EQ(ACL_ERROR_REPEAT_INITIALIZE, aclInit(nullptr));
    ASSERT_ACL_OK(aclFinalize());
    EXPECT_ACL_ERROR(ACL_ERROR_UNINITIALIZE, "aclrtSetDevice", aclrtSetDevice(0));
}

// Strict reading (spec names the code, not the situation): finalizing twice is REPEAT_FINALIZE.
TEST_F(RuntimeInit, SecondFinalizeReturnsRepeatFinalize) {
    ASSERT_ACL_OK(aclInit(nullptr));
    ASSERT_ACL_OK(aclFinalize());
    EXPECT_ACL_ERROR(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize", aclFinalize());
}

TEST_F(RuntimeInit, InitAcceptsEmptyJsonConfigFile) {
    std::string path = ::testing::TempDir() + "simtest_acl_config.json";
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(nullptr, f);
    std::fputs("{}", f);
    std::fclose(f);
    EXPECT_ACL_OK(aclInit(path.c_str()));
    EXPECT_ACL_OK(aclFinalize());
    std::remove(path.c_str());
}

}  // namespace
