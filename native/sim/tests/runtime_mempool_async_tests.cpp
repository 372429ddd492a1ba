// Stream-ordered pool (SOMA): aclrtMemPoolMallocAsync and aclrtMemPoolFreeAsync: stream order,
// reuse, aclrtMalloc blocks freed in stream order, capture, and the codes of every misuse.
#include "test_support_capture.h"
#include "test_support_mempool.h"

using namespace simtest;

namespace {

using MemPoolAsync = MemPoolTest;

TEST_F(MemPoolAsync, MallocAsyncArgumentCodes) {
    void* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(nullptr, 8, pool_, s1_));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8, nullptr, s1_));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8, pool_, nullptr));
    int notAPool = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8, &notAPool, s1_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolMallocAsync",
                     aclrtMemPoolMallocAsync(&p, 64 * kMiB + 1, pool_, s1_));
    EXPECT_EQ(nullptr, p);
    // Size 0: CANN's acl layer returns success without touching *ptr.
    void* untouched = &notAPool;
    EXPECT_ACL_OK(aclrtMemPoolMallocAsync(&untouched, 0, pool_, s1_));
    EXPECT_EQ(static_cast<void*>(&notAPool), untouched);
    EXPECT_EQ(0u, Used());
}

TEST_F(MemPoolAsync, PoolOfAnotherDeviceIsRefused) {
    aclrtMemPool other = nullptr;
    aclrtMemPoolProps props = PoolProps(8 * kMiB, 1);
    ASSERT_ACL_OK(aclrtMemPoolCreate(&other, &props));
    void* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8, other, s1_));
    EXPECT_ACL_OK(aclrtMemPoolDestroy(other));
}

class MemPoolSmallDevice : public MemPoolTest {
protected:
    void ConfigureEnv() override { setenv("ASCEND_SIM_DEVICE_MEMORY", "256M", 1); }
};

TEST_F(MemPoolSmallDevice, PoolExhaustedAndDeviceOutOfMemory) {
    void* a = Alloc(60 * kMiB, s1_);
    void* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8 * kMiB, pool_, s1_));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(a, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    // The device itself is full: aclrtMalloc took all but 4 MiB.
    size_t free_ = DeviceFree();
    void* big = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&big, free_ - 4 * kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMemPoolMallocAsync",
                     aclrtMemPoolMallocAsync(&p, 6 * kMiB, pool_, s1_));
    void* fits = Alloc(4 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(fits, s1_));
    ASSERT_ACL_OK(aclrtFree(big));
}

TEST_F(MemPoolAsync, AddressIsUsableInStreamOrderAtOnce) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s1_));
    const size_t n = 3 * kMiB;
    uint8_t* in = nullptr;
    uint8_t* out = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(reinterpret_cast<void**>(&in), n));
    ASSERT_ACL_OK(aclrtMallocHost(reinterpret_cast<void**>(&out), n));
    for (size_t i = 0; i < n; ++i) in[i] = static_cast<uint8_t>(i * 13 + 5);
    std::memset(out, 0, n);
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s1_));  // nothing queued after it runs yet
        void* p = Alloc(n, s1_);
        ASSERT_ACL_OK(aclrtMemcpyAsync(p, n, in, n, ACL_MEMCPY_HOST_TO_DEVICE, s1_));
        ASSERT_ACL_OK(aclrtMemcpyAsync(out, n, p, n, ACL_MEMCPY_DEVICE_TO_HOST, s1_));
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
        EXPECT_EQ(0, out[0]);
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    }
    EXPECT_EQ(0, std::memcmp(in, out, n));
    EXPECT_ACL_OK(aclrtFreeHost(in));
    EXPECT_ACL_OK(aclrtFreeHost(out));
    EXPECT_ACL_OK(pump.Unsubscribe(s1_));
}

TEST_F(MemPoolAsync, PoolMemoryIsCheckedLikeDeviceMemory) {
    void* p = Alloc(kMiB, s1_);
    std::vector<uint8_t> host(4 * kMiB, 1);
    // The allocation is the rounded 2 MiB: a copy beyond it is refused.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpyAsync",
                         aclrtMemcpyAsync(p, host.size(), host.data(), host.size(), ACL_MEMCPY_HOST_TO_DEVICE, s1_));
    ASSERT_ACL_OK(aclrtMemcpyAsync(p, kPoolBlock, host.data(), kPoolBlock, ACL_MEMCPY_HOST_TO_DEVICE, s1_));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    // Given back: no new work may name it.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpyAsync",
                         aclrtMemcpyAsync(p, kMiB, host.data(), kMiB, ACL_MEMCPY_HOST_TO_DEVICE, s1_));
}

TEST_F(MemPoolAsync, FreeAsyncArgumentCodes) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(nullptr, s1_));
    void* p = Alloc(4 * kMiB, s1_);
    // CANN's acl layer passes a NULL stream on; its runtime's NULL-stream error is 507000.
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(p, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolFreeAsync",
                     aclrtMemPoolFreeAsync(static_cast<char*>(p) + 64, s1_));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(p, s1_));
    std::vector<uint8_t> pageable(64);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(pageable.data(), s1_));
}

TEST_F(MemPoolAsync, SameStreamReusesAtOnce) {
    void* a = Alloc(4 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(a, s1_));
    void* b = Alloc(4 * kMiB, s1_);
    EXPECT_EQ(a, b) << "stream order makes the block safe to reuse on the same stream";
    EXPECT_EQ(4 * kMiB, Reserved());
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(b, s1_));
}

TEST_F(MemPoolAsync, OtherStreamsDoNotReuseByDefault) {
    void* a = Alloc(4 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(a, s1_));
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 64 * kMiB);
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    void* b = Alloc(4 * kMiB, s2_);
    EXPECT_NE(a, b) << "no reuse attribute is on: another stream gets fresh memory";
    EXPECT_EQ(8 * kMiB, Reserved());
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(b, s2_));
}

TEST_F(MemPoolAsync, OtherStreamsReuseOnceTheFreeRanWhenAllowed) {
    for (aclrtMemPoolAttr attr : {ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES, ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC,
                                  ACL_RT_MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES}) {
        SCOPED_TRACE(attr);
        SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 64 * kMiB);
        SetAttr32(attr, 1);
        CallbackPump pump(ctx_);
        ASSERT_ACL_OK(pump.Subscribe(s1_));
        void* a = Alloc(4 * kMiB, s1_);
        void* early = nullptr;
        {
            Gate gate;
            ASSERT_ACL_OK(gate.Enqueue(s1_));
            ASSERT_ACL_OK(aclrtMemPoolFreeAsync(a, s1_));
            early = Alloc(4 * kMiB, s2_);
            EXPECT_NE(a, early) << "the free has not run on the device yet";
            gate.Open();
            ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
        }
        void* late = Alloc(4 * kMiB, s2_);
        EXPECT_EQ(a, late) << "memory freed on the device serves another stream";
        EXPECT_EQ(8 * kMiB, Reserved());
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(late, s2_));
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(early, s2_));
        SetAttr32(attr, 0);
        SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 0);
        ASSERT_ACL_OK(aclrtSynchronizeStream(s2_));
        EXPECT_EQ(0u, Reserved());
        EXPECT_ACL_OK(pump.Unsubscribe(s1_));
    }
}

TEST_F(MemPoolAsync, UseOnAnotherStreamAfterTheFreeRanFailsThatStream) {
    void* p = Alloc(kPoolBlock, s1_);
    void* host = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&host, kPoolBlock));
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s2_));
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s2_));
        // Queued on s2 while p is live, but s2 runs it after s1's free: a use after free, reported.
        ASSERT_ACL_OK(aclrtMemcpyAsync(p, kPoolBlock, host, kPoolBlock, ACL_MEMCPY_HOST_TO_DEVICE, s2_));
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
        ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
        gate.Open();
        EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtSynchronizeStream", aclrtSynchronizeStream(s2_));
        EXPECT_NE(std::string::npos, LastMsg().find("freed")) << LastMsg();
    }
    EXPECT_ACL_OK(aclrtFreeHost(host));
    EXPECT_ACL_OK(pump.Unsubscribe(s2_));
}

TEST_F(MemPoolAsync, AclrtMallocBlockIsFreedInStreamOrder) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s1_));
    void* dev = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&dev, kMiB, ACL_MEM_MALLOC_HUGE_FIRST));
    const uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s1_));
        ASSERT_ACL_OK(aclrtMemsetAsync(dev, kMiB, 7, kMiB, s1_));
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(dev, s1_));
        EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(dev, s1_));
        EXPECT_EQ(live, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS)) << "freed only when the stream reaches the free";
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    }
    EXPECT_EQ(live - 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_MEM_ARG_ERROR("aclrtFree", aclrtFree(dev));
    EXPECT_ACL_OK(pump.Unsubscribe(s1_));
}

TEST_F(MemPoolAsync, AclrtFreeOfPoolMemoryGivesItBack) {
    // CANN 9.2's aclrtFree recognises pool memory and gives it back to the pool at once.
    const size_t before = DeviceFree();
    void* p = Alloc(kMiB, s1_);
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_MEM_ARG_ERROR("aclrtFreeHost", aclrtFreeHost(p));
    ASSERT_ACL_OK(aclrtFree(p));
    EXPECT_EQ(0u, Used());
    EXPECT_EQ(0u, Reserved());
    EXPECT_EQ(before, DeviceFree());
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(p, s1_));
}

class MemPoolCapture : public CaptureTest {
protected:
    void SetUp() override {
        CaptureTest::SetUp();
        aclrtMemPoolProps props = PoolProps(16 * kMiB);
        ASSERT_ACL_OK(aclrtMemPoolCreate(&pool_, &props));
    }
    void TearDown() override {
        EXPECT_ACL_OK(aclrtMemPoolDestroy(pool_));
        CaptureTest::TearDown();
    }
    aclrtMemPool pool_ = nullptr;
};

TEST_F(MemPoolCapture, MallocAsyncIsRefusedInsideACaptureAndInvalidatesIt) {
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    void* p = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtMemPoolMallocAsync", aclrtMemPoolMallocAsync(&p, 8, pool_, cap_));
    EXPECT_EQ(nullptr, p);
    EXPECT_EQ(ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED, Status(cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
}

TEST_F(MemPoolCapture, FreeAsyncIsRefusedInsideACapture) {
    void* p = nullptr;
    ASSERT_ACL_OK(aclrtMemPoolMallocAsync(&p, 8, pool_, rep_));
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(p, cap_));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtMemPoolFreeAsync", aclrtMemPoolFreeAsync(a_, cap_));
    aclmdlRI m = nullptr;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "aclmdlRICaptureEnd", aclmdlRICaptureEnd(cap_, &m));
    // Pool memory allocated before a capture serves captured work like any device memory.
    ASSERT_ACL_OK(aclmdlRICaptureBegin(cap_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED));
    ASSERT_ACL_OK(aclrtMemsetAsync(p, 8, 0x3C, 8, cap_));
    aclmdlRI model = End();
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(model, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
    std::vector<uint8_t> back(8, 0);
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), 8, p, 8, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(back, 0x3C));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, rep_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(rep_));
}

}  // namespace
