// Copies, memsets and frees: kind validated against pointer classes (device, pinned host,
// pageable host), bounds (destMax, allocation end), guard bytes never touched.
#include "test_support.h"

using namespace simtest;

namespace {

class RuntimeMemory : public SimTest {
protected:
    void SetUp() override {
        SimTest::SetUp();
        ASSERT_ACL_OK(aclrtMalloc(&dev_, kBlock, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_ACL_OK(aclrtMalloc(&dev2_, kBlock, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_ACL_OK(aclrtMallocHost(&pinned_, kBlock));
        FillDevice(dev_, kBlock, kGuard);
        FillDevice(dev2_, kBlock, kGuard);
        std::memset(pinned_, kGuard, kBlock);
    }
    void TearDown() override {
        if (dev_) {
            EXPECT_ACL_OK(aclrtFree(dev_));
        }
        if (dev2_) {
            EXPECT_ACL_OK(aclrtFree(dev2_));
        }
        if (pinned_) {
            EXPECT_ACL_OK(aclrtFreeHost(pinned_));
        }
        SimTest::TearDown();
    }
    uint8_t* D(size_t off = 0) { return static_cast<uint8_t*>(dev_) + off; }
    uint8_t* D2(size_t off = 0) { return static_cast<uint8_t*>(dev2_) + off; }
    uint8_t* P(size_t off = 0) { return static_cast<uint8_t*>(pinned_) + off; }

    static constexpr size_t kBlock = 256;
    static constexpr uint8_t kGuard = 0xA5;
    void* dev_ = nullptr;
    void* dev2_ = nullptr;
    void* pinned_ = nullptr;
};

TEST_F(RuntimeMemory, RoundTripHostDeviceHost) {
    std::vector<uint8_t> src(kBlock), back(kBlock, 0);
    for (size_t i = 0; i < kBlock; ++i) src[i] = static_cast<uint8_t>(i * 7 + 1);
    ASSERT_ACL_OK(aclrtMemcpy(dev_, kBlock, src.data(), kBlock, ACL_MEMCPY_HOST_TO_DEVICE));
    ASSERT_ACL_OK(aclrtMemcpy(dev2_, kBlock, dev_, kBlock, ACL_MEMCPY_DEVICE_TO_DEVICE));
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), kBlock, dev2_, kBlock, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_EQ(src, back);
}

TEST_F(RuntimeMemory, PinnedAndPageableHostToHost) {
    std::vector<uint8_t> src(64, 0x3C);
    ASSERT_ACL_OK(aclrtMemcpy(P(), kBlock, src.data(), 64, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_TRUE(AllBytes(P(), 64, 0x3C));
    EXPECT_TRUE(AllBytes(P(64), kBlock - 64, kGuard));
    ASSERT_ACL_OK(aclrtMemcpy(dev_, kBlock, P(), 64, ACL_MEMCPY_HOST_TO_DEVICE));
    auto d = ReadDevice(dev_, kBlock);
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(d.begin(), d.begin() + 64), 0x3C));
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(d.begin() + 64, d.end()), kGuard));
}

TEST_F(RuntimeMemory, DefaultKindInfersDirection) {
    std::vector<uint8_t> src(kBlock, 0x42), back(kBlock, 0);
    ASSERT_ACL_OK(aclrtMemcpy(dev_, kBlock, src.data(), kBlock, ACL_MEMCPY_DEFAULT));  // H2D
    ASSERT_ACL_OK(aclrtMemcpy(dev2_, kBlock, dev_, kBlock, ACL_MEMCPY_DEFAULT));       // D2D
    ASSERT_ACL_OK(aclrtMemcpy(P(), kBlock, dev2_, kBlock, ACL_MEMCPY_DEFAULT));        // D2pinned
    EXPECT_TRUE(AllBytes(P(), kBlock, 0x42));
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), kBlock, P(), kBlock, ACL_MEMCPY_DEFAULT));  // H2H
    EXPECT_TRUE(AllBytes(back, 0x42));
}

TEST_F(RuntimeMemory, KindThatContradictsPointerClassesIsRejected) {
    std::vector<uint8_t> host(kBlock, 0x11);
    // HOST_TO_DEVICE with a host destination, or a device source.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(P(), kBlock, host.data(), kBlock, ACL_MEMCPY_HOST_TO_DEVICE));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev_, kBlock, dev2_, kBlock, ACL_MEMCPY_HOST_TO_DEVICE));
    // DEVICE_TO_HOST with a host source, or a device destination.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(host.data(), kBlock, P(), kBlock, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev2_, kBlock, dev_, kBlock, ACL_MEMCPY_DEVICE_TO_HOST));
    // DEVICE_TO_DEVICE with any host side.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev_, kBlock, host.data(), kBlock, ACL_MEMCPY_DEVICE_TO_DEVICE));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(host.data(), kBlock, dev_, kBlock, ACL_MEMCPY_DEVICE_TO_DEVICE));
    // HOST_TO_HOST with a device side.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev_, kBlock, host.data(), kBlock, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(host.data(), kBlock, dev_, kBlock, ACL_MEMCPY_HOST_TO_HOST));
    // Nothing was written anywhere.
    EXPECT_TRUE(AllBytes(host, 0x11));
    EXPECT_TRUE(AllBytes(P(), kBlock, kGuard));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
    EXPECT_TRUE(AllBytes(ReadDevice(dev2_, kBlock), kGuard));
}

TEST_F(RuntimeMemory, AsyncCopyKindIsValidatedToo) {
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpyAsync", aclrtMemcpyAsync(P(), kBlock, dev_, kBlock, ACL_MEMCPY_HOST_TO_DEVICE, s));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpyAsync", aclrtMemcpyAsync(dev_, kBlock, P(), kBlock, ACL_MEMCPY_DEVICE_TO_HOST, s));
    EXPECT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_TRUE(AllBytes(P(), kBlock, kGuard));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeMemory, CountAboveDestMaxIsRejectedAndNothingIsWritten) {
    std::vector<uint8_t> host(kBlock, 0x77);
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev_, 64, host.data(), 128, ACL_MEMCPY_HOST_TO_DEVICE));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));

    std::vector<uint8_t> dst(kBlock, 0x00);
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dst.data(), 64, dev_, 128, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(dst, 0x00));

    EXPECT_MEM_ARG_ERROR("aclrtMemset", aclrtMemset(dev_, 64, 0x00, 65));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
}

TEST_F(RuntimeMemory, RangeCrossingTheEndOfAnAllocationIsRejected) {
    std::vector<uint8_t> host(kBlock, 0x33);
    // destMax lies about the room left: the allocation ends 56 bytes after D(200).
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(D(200), 100, host.data(), 100, ACL_MEMCPY_HOST_TO_DEVICE));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(D2(0), kBlock, D(200), 100, ACL_MEMCPY_DEVICE_TO_DEVICE));
    std::vector<uint8_t> dst(kBlock, 0x00);
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dst.data(), kBlock, D(200), 100, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(dst, 0x00));
    EXPECT_MEM_ARG_ERROR("aclrtMemset", aclrtMemset(D(200), 100, 0x00, 100));
    // Pinned blocks have bounds too.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(P(200), 100, D(0), 100, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_TRUE(AllBytes(P(), kBlock, kGuard));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
    EXPECT_TRUE(AllBytes(ReadDevice(dev2_, kBlock), kGuard));
}

TEST_F(RuntimeMemory, InteriorPointerWithAFittingRangeIsAccepted) {
    std::vector<uint8_t> host(64, 0x5E);
    ASSERT_ACL_OK(aclrtMemcpy(D(64), kBlock - 64, host.data(), 64, ACL_MEMCPY_HOST_TO_DEVICE));
    ASSERT_ACL_OK(aclrtMemset(D(192), 64, 0x01, 64));  // ends exactly at the end
    auto d = ReadDevice(dev_, kBlock);
    for (size_t i = 0; i < kBlock; ++i) {
        uint8_t want = i < 64 ? kGuard : i < 128 ? 0x5E : i < 192 ? kGuard : 0x01;
        ASSERT_EQ(want, d[i]) << "byte " << i;
    }
}

TEST_F(RuntimeMemory, MemsetWritesTheLowByteOfValue) {
    ASSERT_ACL_OK(aclrtMemset(dev_, kBlock, 0x7F, 100));
    auto d = ReadDevice(dev_, kBlock);
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(d.begin(), d.begin() + 100), 0x7F));
    EXPECT_TRUE(AllBytes(std::vector<uint8_t>(d.begin() + 100, d.end()), kGuard));
}

TEST_F(RuntimeMemory, AsyncMemsetOutOfBoundsIsRejected) {
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    EXPECT_MEM_ARG_ERROR("aclrtMemsetAsync", aclrtMemsetAsync(D(200), 100, 0, 100, s));
    EXPECT_MEM_ARG_ERROR("aclrtMemsetAsync", aclrtMemsetAsync(D(0), 10, 0, 11, s));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpyAsync", aclrtMemcpyAsync(D(200), 100, P(), 100, ACL_MEMCPY_HOST_TO_DEVICE, s));
    EXPECT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

// NULL arguments are caught by the acl layer (ACL_ERROR_INVALID_PARAM), before the runtime.
TEST_F(RuntimeMemory, NullPointersAreRejected) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy", aclrtMemcpy(nullptr, 16, P(), 16, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy", aclrtMemcpy(P(), 16, nullptr, 16, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemset", aclrtMemset(nullptr, 16, 0, 16));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMalloc", aclrtMalloc(nullptr, 16, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMallocHost", aclrtMallocHost(nullptr, 16));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtFree", aclrtFree(nullptr));
}

TEST_F(RuntimeMemory, ZeroSizeAllocationIsRejected) {
    void* p = nullptr;
    uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    EXPECT_ACL_FAILS("aclrtMalloc", aclrtMalloc(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(nullptr, p);
    EXPECT_EQ(live, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
}

TEST_F(RuntimeMemory, FreeOfUnknownPointerIsRejected) {
    int onStack = 0;
    uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    EXPECT_MEM_ARG_ERROR("aclrtFree", aclrtFree(&onStack));
    EXPECT_MEM_ARG_ERROR("aclrtFree", aclrtFree(pinned_));        // pinned block is not device memory
    EXPECT_MEM_ARG_ERROR("aclrtFreeHost", aclrtFreeHost(dev_));   // and the other way round
    EXPECT_MEM_ARG_ERROR("aclrtFreeHost", aclrtFreeHost(&onStack));
    EXPECT_EQ(live, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
}

TEST_F(RuntimeMemory, InteriorPointerFreeIsRejectedAndBlockStaysLive) {
    uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    EXPECT_MEM_ARG_ERROR("aclrtFree", aclrtFree(D(16)));
    EXPECT_EQ(live, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));  // still usable
}

TEST_F(RuntimeMemory, DoubleFreeIsRejected) {
    uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    uint64_t frees = Counter(ACLSIM_COUNT_FREE_CALLS);
    ASSERT_ACL_OK(aclrtFree(dev2_));
    EXPECT_EQ(live - 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_MEM_ARG_ERROR("aclrtFree", aclrtFree(dev2_));
    EXPECT_EQ(live - 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    EXPECT_EQ(frees + 1, Counter(ACLSIM_COUNT_FREE_CALLS));
    // A freed block is no longer device memory for copies either.
    std::vector<uint8_t> host(16, 0);
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev2_, 16, host.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE));
    dev2_ = nullptr;

    void* pin2 = pinned_;
    ASSERT_ACL_OK(aclrtFreeHost(pinned_));
    pinned_ = nullptr;
    EXPECT_MEM_ARG_ERROR("aclrtFreeHost", aclrtFreeHost(pin2));
}

TEST_F(RuntimeMemory, AsyncCopiesWithPinnedMemoryRunOnTheStream) {
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    std::memset(P(), 0x19, kBlock);
    ASSERT_ACL_OK(aclrtMemcpyAsync(dev_, kBlock, P(), kBlock, ACL_MEMCPY_HOST_TO_DEVICE, s));
    ASSERT_ACL_OK(aclrtMemsetAsync(D(128), 128, 0x2A, 128, s));
    ASSERT_ACL_OK(aclrtMemcpyAsync(dev2_, kBlock, dev_, kBlock, ACL_MEMCPY_DEVICE_TO_DEVICE, s));
    ASSERT_ACL_OK(aclrtMemcpyAsync(P(), kBlock, dev2_, kBlock, ACL_MEMCPY_DEVICE_TO_HOST, s));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_TRUE(AllBytes(P(), 128, 0x19));
    EXPECT_TRUE(AllBytes(P(128), 128, 0x2A));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

// Outside capture, CANN turns an async copy with pageable host memory into a stream
// synchronize plus a synchronous copy: it works and the data is there when the call returns.
TEST_F(RuntimeMemory, AsyncCopyWithPageableMemoryOutsideCaptureWorks) {
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    std::vector<uint8_t> host(kBlock, 0x6B), back(kBlock, 0);
    ASSERT_ACL_OK(aclsimSetTaskDelay(50 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(dev_, kBlock, 0x01, kBlock, s));  // queued work the copy must wait for
    ASSERT_ACL_OK(aclrtMemcpyAsync(back.data(), kBlock, dev_, kBlock, ACL_MEMCPY_DEVICE_TO_HOST, s));
    EXPECT_TRUE(AllBytes(back, 0x01)) << "the pageable copy returned before it was done";
    ASSERT_ACL_OK(aclrtMemcpyAsync(dev_, kBlock, host.data(), kBlock, ACL_MEMCPY_HOST_TO_DEVICE, s));
    host.assign(kBlock, 0x00);  // the source may be reused as soon as the call returns
    ASSERT_ACL_OK(aclrtSynchronizeStream(s));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), 0x6B));
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

TEST_F(RuntimeMemory, PinnedBlocksAreCounted) {
    uint64_t base = Counter(ACLSIM_LIVE_PINNED_BLOCKS);
    void* h = nullptr;
    ASSERT_ACL_OK(aclrtMallocHost(&h, 1000));
    EXPECT_EQ(base + 1, Counter(ACLSIM_LIVE_PINNED_BLOCKS));
    EXPECT_ACL_OK(aclrtFreeHost(h));
    EXPECT_EQ(base, Counter(ACLSIM_LIVE_PINNED_BLOCKS));
}

TEST_F(RuntimeMemory, UnknownKindIsRejected) {
    // An out-of-range enum is caught by the acl layer before the runtime (ACL_ERROR_INVALID_PARAM).
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy",
                     aclrtMemcpy(dev_, kBlock, dev2_, kBlock, static_cast<aclrtMemcpyKind>(99)));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy",
                     aclrtMemcpy(dev_, kBlock, dev2_, kBlock, static_cast<aclrtMemcpyKind>(-1)));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), kGuard));
}

TEST_F(RuntimeMemory, InnerAndInterDeviceKindsCheckTheDevices) {
    // INNER: both sides on one device.
    ASSERT_ACL_OK(aclrtMemset(dev2_, kBlock, 0x2B, kBlock));
    ASSERT_ACL_OK(aclrtMemcpy(dev_, kBlock, dev2_, kBlock, ACL_MEMCPY_INNER_DEVICE_TO_DEVICE));
    EXPECT_TRUE(AllBytes(ReadDevice(dev_, kBlock), 0x2B));
    // INTER: the two sides must be on different devices.
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(dev_, kBlock, dev2_, kBlock, ACL_MEMCPY_INTER_DEVICE_TO_DEVICE));
    ASSERT_ACL_OK(aclrtSetDevice(1));
    void* other = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&other, kBlock, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtSetDevice(0));
    EXPECT_MEM_ARG_ERROR("aclrtMemcpy", aclrtMemcpy(other, kBlock, dev_, kBlock, ACL_MEMCPY_INNER_DEVICE_TO_DEVICE));
    std::vector<uint8_t> back(kBlock, 0);
    ASSERT_ACL_OK(aclrtMemcpy(back.data(), kBlock, other, kBlock, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT_FALSE(AllBytes(back, 0x2B)) << "a refused copy wrote the other device";
    ASSERT_ACL_OK(aclrtSetDevice(1));
    EXPECT_ACL_OK(aclrtFree(other));
    ASSERT_ACL_OK(aclrtSetDevice(0));
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

// Bad input must never crash: freeing a block that queued work still uses either waits for the
// work or is refused; the process survives and the accounting stays exact.
TEST_F(RuntimeMemory, FreeWhileQueuedWorkUsesTheBlockIsSafe) {
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    void* victim = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&victim, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST));
    const uint64_t live = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    ASSERT_ACL_OK(aclsimSetTaskDelay(100 * 1000));
    ASSERT_ACL_OK(aclrtMemsetAsync(victim, 1 << 20, 0x3E, 1 << 20, s));
    aclError rc = aclrtFree(victim);
    (void)aclrtSynchronizeStream(s);
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    if (rc == ACL_SUCCESS) {
        EXPECT_EQ(live - 1, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
    } else {
        EXPECT_EQ(live, Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS));
        EXPECT_ACL_OK(aclrtFree(victim));
    }
    // The heap is intact: new allocations and copies work.
    void* fresh = nullptr;
    ASSERT_ACL_OK(aclrtMalloc(&fresh, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_ACL_OK(aclrtMemset(fresh, 1 << 20, 0x3F, 1 << 20));
    EXPECT_TRUE(AllBytes(ReadDevice(fresh, 4096), 0x3F));
    EXPECT_ACL_OK(aclrtFree(fresh));
    EXPECT_ACL_OK(aclrtDestroyStream(s));
}

}  // namespace
