// Devices, contexts, per-thread current device, memory accounting (ASCEND_SIM_DEVICE_COUNT,
// ASCEND_SIM_DEVICE_MEMORY).
#include "test_support.h"

using namespace simtest;

namespace {

using RuntimeDevice = SimTest;

TEST_F(RuntimeDevice, DefaultDeviceCountIsTwo) {
    uint32_t count = 0;
    ASSERT_ACL_OK(aclrtGetDeviceCount(&count));
    EXPECT_EQ(2u, count);
}

class RuntimeDeviceFour : public SimTest {
    void ConfigureEnv() override { setenv("ASCEND_SIM_DEVICE_COUNT", "4", 1); }
};

TEST_F(RuntimeDeviceFour, DeviceCountComesFromEnvironment) {
    uint32_t count = 0;
    ASSERT_ACL_OK(aclrtGetDeviceCount(&count));
    EXPECT_EQ(4u, count);
    EXPECT_ACL_OK(aclrtSetDevice(3));
    int32_t dev = -1;
    EXPECT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(3, dev);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice", aclrtSetDevice(4));
    EXPECT_ACL_OK(aclrtResetDevice(3));
}

TEST_F(RuntimeDevice, InvalidDeviceIdIsRejected) {
    aclrtContext c = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice", aclrtSetDevice(2));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice", aclrtSetDevice(-1));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtCreateContext", aclrtCreateContext(&c, 2));
    EXPECT_EQ(nullptr, c);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtResetDevice", aclrtResetDevice(5));
    // The failed calls changed nothing: device 0 is still current.
    int32_t dev = -1;
    EXPECT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(0, dev);
}

TEST_F(RuntimeDevice, SetDeviceSwitchesTheCurrentDevice) {
    ASSERT_ACL_OK(aclrtSetDevice(1));
    int32_t dev = -1;
    ASSERT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(1, dev);
    ASSERT_ACL_OK(aclrtSetDevice(0));
    ASSERT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(0, dev);
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

TEST_F(RuntimeDevice, NewThreadHasNoCurrentDevice) {
    RunOnThread([] {
        int32_t dev = 1234;
        EXPECT_ACL_FAILS("aclrtGetDevice", aclrtGetDevice(&dev));
        void* p = nullptr;
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CONTEXT_NULL, "aclrtMalloc", aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST));
        EXPECT_EQ(nullptr, p);
    });
    EXPECT_EQ(0u, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
}

TEST_F(RuntimeDevice, CurrentDeviceIsPerThread) {
    RunOnThread([] {
        ASSERT_ACL_OK(aclrtSetDevice(1));
        int32_t dev = -1;
        EXPECT_ACL_OK(aclrtGetDevice(&dev));
        EXPECT_EQ(1, dev);
    });
    int32_t dev = -1;
    EXPECT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(0, dev);
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

TEST_F(RuntimeDevice, SettingTheMainThreadContextOnAnotherThreadEnablesCalls) {
    aclrtContext ctx = ctx_;
    void* p = nullptr;
    RunOnThread([&] {
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx));
        aclrtContext got = nullptr;
        EXPECT_ACL_OK(aclrtGetCurrentContext(&got));
        EXPECT_EQ(ctx, got);
        int32_t dev = -1;
        EXPECT_ACL_OK(aclrtGetDevice(&dev));
        EXPECT_EQ(0, dev);
        EXPECT_ACL_OK(aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST));
    });
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(1u, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_ACL_OK(aclrtFree(p));
}

TEST_F(RuntimeDevice, ExplicitContextSelectsItsDeviceAndIsCounted) {
    uint64_t base = Counter(ACLSIM_LIVE_CONTEXTS);
    aclrtContext c = nullptr;
    ASSERT_ACL_OK(aclrtCreateContext(&c, 1));
    ASSERT_NE(nullptr, c);
    EXPECT_EQ(base + 1, Counter(ACLSIM_LIVE_CONTEXTS));
    ASSERT_ACL_OK(aclrtSetCurrentContext(c));
    aclrtContext got = nullptr;
    EXPECT_ACL_OK(aclrtGetCurrentContext(&got));
    EXPECT_EQ(c, got);
    int32_t dev = -1;
    EXPECT_ACL_OK(aclrtGetDevice(&dev));
    EXPECT_EQ(1, dev);
    ASSERT_ACL_OK(aclrtSetCurrentContext(ctx_));
    EXPECT_ACL_OK(aclrtDestroyContext(c));
    EXPECT_EQ(base, Counter(ACLSIM_LIVE_CONTEXTS));
    EXPECT_ACL_FAILS("aclrtDestroyContext", aclrtDestroyContext(nullptr));
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

TEST_F(RuntimeDevice, GetMemInfoReportsDefaultCapacityAndReflectsAllocations) {
    size_t free0 = 0, total0 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total0));
    EXPECT_EQ(8 * kGiB, total0);
    EXPECT_LE(free0, total0);

    void* p = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&p, 3 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    size_t free1 = 0, total1 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total1));
    EXPECT_EQ(total0, total1);
    EXPECT_GE(free0 - free1, 3 * kMiB);
    EXPECT_LT(free0 - free1, 3 * kMiB + kMiB);  // some alignment is fine, not a different size

    ASSERT_ACL_OK(aclrtFree(p));
    size_t free2 = 0, total2 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free2, &total2));
    EXPECT_EQ(free0, free2);
}

TEST_F(RuntimeDevice, MemoryIsAccountedPerDevice) {
    void* p = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&p, 16 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));  // on device 0
    ASSERT_ACL_OK(aclrtSetDevice(1));
    size_t free1 = 0, total1 = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total1));
    EXPECT_EQ(total1, free1);  // nothing allocated on device 1
    ASSERT_ACL_OK(aclrtSetDevice(0));
    EXPECT_ACL_OK(aclrtFree(p));
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

class RuntimeDeviceSmallMemory : public SimTest {
    void ConfigureEnv() override { setenv("ASCEND_SIM_DEVICE_MEMORY", "67108864", 1); }  // 64 MiB
};

TEST_F(RuntimeDeviceSmallMemory, CapacityComesFromEnvironment) {
    size_t freeB = 0, totalB = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &freeB, &totalB));
    EXPECT_EQ(64 * kMiB, totalB);
}

TEST_F(RuntimeDeviceSmallMemory, OverAllocationFailsCleanlyAndLeavesAccountingUnchanged) {
    void* a = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&a, 40 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    size_t freeBefore = 0, total = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &freeBefore, &total));
    uint64_t liveBefore = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    uint64_t bytesBefore = Counter(ACLSIM_LIVE_DEVICE_BYTES);

    void* b = nullptr;
    EXPECT_ACL_ERROR_IN((std::initializer_list<aclError>{ACL_ERROR_RT_MEMORY_ALLOCATION, ACL_ERROR_RT_DEVICE_OOM}),
                        "aclrtMalloc", aclrtMalloc(&b, 32 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(nullptr, b);

    size_t freeAfter = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &freeAfter, &total));
    EXPECT_EQ(freeBefore, freeAfter);
    EXPECT_EQ(liveBefore, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_EQ(bytesBefore, Counter(ACLSIM_LIVE_DEVICE_BYTES));

    // What still fits is still allocatable.
    ASSERT_ACL_OK(aclrtMalloc(&b, 8 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_ACL_OK(aclrtFree(b));
    EXPECT_ACL_OK(aclrtFree(a));
}

TEST_F(RuntimeDevice, HugeAllocationBeyondDefaultCapacityFails) {
    void* b = nullptr;
    EXPECT_ACL_ERROR_IN((std::initializer_list<aclError>{ACL_ERROR_RT_MEMORY_ALLOCATION, ACL_ERROR_RT_DEVICE_OOM}),
                        "aclrtMalloc", aclrtMalloc(&b, 9 * kGiB, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(nullptr, b);
    EXPECT_EQ(0u, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_EQ(0u, Counter(ACLSIM_LIVE_DEVICE_BYTES));
}

TEST_F(RuntimeDevice, SocNameAndVersionAreReported) {
    const char* soc = aclrtGetSocName();
    ASSERT_NE(nullptr, soc);
    EXPECT_GT(std::strlen(soc), 0u);
    int32_t major = -1, minor = -1, patch = -1;
    EXPECT_ACL_OK(aclrtGetVersion(&major, &minor, &patch));
    EXPECT_EQ(1, major);
    EXPECT_GE(minor, 15);
    EXPECT_GE(patch, 0);
}

TEST_F(RuntimeDevice, GetMemInfoRejectsNullOutputs) {
    size_t f = 0;
    EXPECT_ACL_FAILS("aclrtGetMemInfo", aclrtGetMemInfo(ACL_HBM_MEM, &f, nullptr));
    EXPECT_ACL_FAILS("aclrtGetMemInfo", aclrtGetMemInfo(ACL_HBM_MEM, nullptr, &f));
}

TEST_F(RuntimeDevice, GetDeviceCountRejectsNull) {
    EXPECT_ACL_FAILS("aclrtGetDeviceCount", aclrtGetDeviceCount(nullptr));
    EXPECT_ACL_FAILS("aclrtGetDevice", aclrtGetDevice(nullptr));
}

// A stream belongs to its device's context: work submitted to it while another device is
// current is refused (ACL_ERROR_RT_STREAM_CONTEXT), not silently run.
TEST_F(RuntimeDevice, StreamOfAnotherContextIsRefused) {
    aclrtStream s0 = nullptr;
    void* d0 = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s0));
    ASSERT_ACL_OK(aclrtMalloc(&d0, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMemset(d0, 64, 0x01, 64));
    ASSERT_ACL_OK(aclrtSetDevice(1));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CONTEXT, "aclrtMemsetAsync", aclrtMemsetAsync(d0, 64, 0x02, 64, s0));
    ASSERT_ACL_OK(aclrtSetDevice(0));
    EXPECT_ACL_OK(aclrtSynchronizeStream(s0));
    std::vector<uint8_t> back(64, 0);
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), 64, d0, 64, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(back, 0x01));
    EXPECT_ACL_OK(aclrtDestroyStream(s0));
    EXPECT_ACL_OK(aclrtFree(d0));
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

}  // namespace
