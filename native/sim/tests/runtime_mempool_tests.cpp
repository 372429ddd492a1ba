// Stream-ordered pool (SOMA): creation, destruction, attributes and trimming, with CANN's codes
// (cann-graph-api-9.x.md section 8 and hicann/runtime's acl and soma sources; docs/simulator.md).
#include "test_support_mempool.h"

using namespace simtest;

namespace {

using MemPool = MemPoolTest;

TEST_F(MemPool, CreateChecksItsArgumentsInTheAclLayer) {
    aclrtMemPool p = nullptr;
    aclrtMemPoolProps props = PoolProps(8 * kMiB);
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolCreate", aclrtMemPoolCreate(nullptr, &props));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, nullptr));
    aclrtMemPoolProps bad = props;
    bad.allocType = static_cast<aclrtMemAllocationType>(1);
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &bad));
    bad = props;
    bad.location.type = ACL_MEM_LOCATION_TYPE_HOST;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &bad));
    bad = props;
    bad.reserved[31] = 1;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &bad));
    EXPECT_EQ(nullptr, p);
}

TEST_F(MemPool, CreateRefusesWhatTheDeviceCannotHold) {
    aclrtMemPool p = nullptr;
    aclrtMemPoolProps props = PoolProps(8 * kMiB, 7);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &props));
    size_t free_ = 0, total = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free_, &total));
    props = PoolProps(total + 1);
    EXPECT_ACL_ERROR(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &props));
    props = PoolProps(8 * kMiB);
    props.handleType = ACL_MEM_HANDLE_TYPE_POSIX;  // shareable pools are not simulated
    EXPECT_ACL_ERROR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &props));
}

TEST_F(MemPool, CreateNeedsACurrentContext) {
    RunOnThread([] {
        aclrtMemPool p = nullptr;
        aclrtMemPoolProps props = PoolProps(8 * kMiB);
        EXPECT_ACL_ERROR(ACL_ERROR_RT_CONTEXT_NULL, "aclrtMemPoolCreate", aclrtMemPoolCreate(&p, &props));
    });
}

TEST_F(MemPool, SizeIsRoundedUpTo2MiBAndZeroMeansTheWholeDevice) {
    aclrtMemPool p = nullptr;
    aclrtMemPoolProps props = PoolProps(3 * kMiB + 1);
    ASSERT_ACL_OK(aclrtMemPoolCreate(&p, &props));
    uint64_t threshold = 4 * kMiB;  // the pool's size: the largest threshold it takes
    EXPECT_ACL_OK(aclrtMemPoolSetAttr(p, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &threshold));
    threshold++;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(p, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &threshold));
    EXPECT_ACL_OK(aclrtMemPoolDestroy(p));

    size_t free_ = 0, total = 0;
    ASSERT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free_, &total));
    props = PoolProps(0);
    ASSERT_ACL_OK(aclrtMemPoolCreate(&p, &props));
    threshold = total / kPoolBlock * kPoolBlock;
    EXPECT_ACL_OK(aclrtMemPoolSetAttr(p, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &threshold));
    EXPECT_EQ(free_, DeviceFree()) << "creating a pool reserves no device memory";
    EXPECT_ACL_OK(aclrtMemPoolDestroy(p));
}

TEST_F(MemPool, AttributesHaveCannDefaults) {
    uint32_t v = 7;
    for (aclrtMemPoolAttr a : {ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES, ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC,
                               ACL_RT_MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES}) {
        ASSERT_ACL_OK(aclrtMemPoolGetAttr(pool_, a, &v));
        EXPECT_EQ(0u, v) << "attribute " << a;
    }
    for (aclrtMemPoolAttr a : {ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT,
                               ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH, ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT,
                               ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH})
        EXPECT_EQ(0u, Attr64(a)) << "attribute " << a;
}

TEST_F(MemPool, ReuseSwitchesReadBackAsZeroOrOne) {
    SetAttr32(ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC, 42);
    uint32_t v = 0;
    ASSERT_ACL_OK(aclrtMemPoolGetAttr(pool_, ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC, &v));
    EXPECT_EQ(1u, v);
    SetAttr32(ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC, 0);
    ASSERT_ACL_OK(aclrtMemPoolGetAttr(pool_, ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC, &v));
    EXPECT_EQ(0u, v);
}

TEST_F(MemPool, AttributeMisuseCodes) {
    uint64_t v = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(nullptr, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolGetAttr",
                     aclrtMemPoolGetAttr(nullptr, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(pool_, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, nullptr));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolGetAttr",
                     aclrtMemPoolGetAttr(pool_, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, nullptr));
    // The current amounts are read-only (CANN's RT_ERROR_POOL_OP_INVALID is not in its public table: 507000).
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(pool_, ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(pool_, ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT, &v));
    for (int bad : {0, 9}) {
        EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                         aclrtMemPoolSetAttr(pool_, static_cast<aclrtMemPoolAttr>(bad), &v));
        EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolGetAttr",
                         aclrtMemPoolGetAttr(pool_, static_cast<aclrtMemPoolAttr>(bad), &v));
    }
    int notAPool = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(&notAPool, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolGetAttr",
                     aclrtMemPoolGetAttr(&notAPool, ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, &v));
    // The high-water marks can only be reset to 0.
    v = 1;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(pool_, ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH, &v));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolSetAttr",
                     aclrtMemPoolSetAttr(pool_, ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH, &v));
}

TEST_F(MemPool, AmountsAndHighWaterMarks) {
    void* a = Alloc(1, s1_);
    void* b = Alloc(kPoolBlock + 1, s1_);
    EXPECT_EQ(3 * kPoolBlock, Used());
    EXPECT_EQ(3 * kPoolBlock, Reserved());
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(b, s1_));
    EXPECT_EQ(kPoolBlock, Used()) << "a FreeAsync gives the memory back to the pool at the call";
    EXPECT_EQ(3 * kPoolBlock, Reserved());
    EXPECT_EQ(3 * kPoolBlock, Attr64(ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH));
    SetAttr64(ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH, 0);
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH, 0);
    EXPECT_EQ(0u, Attr64(ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH));
    EXPECT_EQ(0u, Attr64(ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(a, s1_));
}

TEST_F(MemPool, ReservedMemoryCountsAgainstTheDevice) {
    const size_t before = DeviceFree();
    void* p = Alloc(3 * kMiB, s1_);
    EXPECT_EQ(before - 4 * kMiB, DeviceFree());
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    EXPECT_EQ(before - 4 * kMiB, DeviceFree()) << "given back to the pool, not to the device";
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_EQ(before, DeviceFree()) << "release threshold 0: the idle memory goes at the synchronize";
    EXPECT_EQ(0u, Reserved());
}

TEST_F(MemPool, ReleaseThresholdKeepsIdleMemoryAtSynchronize) {
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 4 * kMiB);
    void* p = Alloc(10 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_EQ(4 * kMiB, Reserved());
    EXPECT_EQ(0u, Used());
}

TEST_F(MemPool, ThresholdBelowTheMemoryInUseTrimsNothing) {
    // CANN trims with TrimTo(threshold), which refuses a target below the memory in use.
    void* keep = Alloc(2 * kMiB, s1_);
    void* p = Alloc(6 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_EQ(8 * kMiB, Reserved());
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 2 * kMiB);
    ASSERT_ACL_OK(aclrtSynchronizeDevice());
    EXPECT_EQ(2 * kMiB, Reserved()) << "the device synchronize trims too";
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(keep, s1_));
}

TEST_F(MemPool, TrimToCodesAndEffect) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolTrimTo", aclrtMemPoolTrimTo(nullptr, 0));
    int notAPool = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemPoolTrimTo", aclrtMemPoolTrimTo(&notAPool, 0));
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 64 * kMiB);  // the synchronizes below keep everything
    void* busy = Alloc(4 * kMiB, s1_);
    void* idle = Alloc(8 * kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(idle, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_EQ(12 * kMiB, Reserved());
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolTrimTo", aclrtMemPoolTrimTo(pool_, 64 * kMiB + 1));
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolTrimTo", aclrtMemPoolTrimTo(pool_, 2 * kMiB));
    EXPECT_ACL_OK(aclrtMemPoolTrimTo(pool_, 32 * kMiB));  // above what is reserved: nothing to do
    EXPECT_EQ(12 * kMiB, Reserved());
    EXPECT_ACL_OK(aclrtMemPoolTrimTo(pool_, 6 * kMiB));
    EXPECT_EQ(6 * kMiB, Reserved());
    EXPECT_ACL_OK(aclrtMemPoolTrimTo(pool_, 4 * kMiB));
    EXPECT_EQ(4 * kMiB, Reserved());
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(busy, s1_));
}

TEST_F(MemPool, TrimKeepsMemoryWhoseFreeHasNotRunYet) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s1_));
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 64 * kMiB);
    void* p = Alloc(4 * kMiB, s1_);
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s1_));  // work before the free may still use the memory
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
        EXPECT_ACL_OK(aclrtMemPoolTrimTo(pool_, 0));
        EXPECT_EQ(4 * kMiB, Reserved());
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    }
    EXPECT_ACL_OK(aclrtMemPoolTrimTo(pool_, 0));
    EXPECT_EQ(0u, Reserved());
    EXPECT_ACL_OK(pump.Unsubscribe(s1_));
}

TEST_F(MemPool, DestroyCodes) {
    EXPECT_ACL_ERROR(ACL_ERROR_INVALID_PARAM, "aclrtMemPoolDestroy", aclrtMemPoolDestroy(nullptr));
    int notAPool = 0;
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolDestroy", aclrtMemPoolDestroy(&notAPool));
    void* p = Alloc(kMiB, s1_);
    // Strict reading: a pool is not destroyed under memory it lent out.
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolDestroy", aclrtMemPoolDestroy(pool_));
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    const size_t before = DeviceFree();
    SetAttr64(ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD, 64 * kMiB);
    p = Alloc(kMiB, s1_);
    ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    EXPECT_EQ(before - kPoolBlock, DeviceFree());
    ASSERT_ACL_OK(aclrtMemPoolDestroy(pool_));
    EXPECT_EQ(before, DeviceFree()) << "destroying a pool gives its reserved memory back";
    EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolDestroy", aclrtMemPoolDestroy(pool_));
    pool_ = nullptr;
}

TEST_F(MemPool, DestroyWaitsForQueuedFrees) {
    CallbackPump pump(ctx_);
    ASSERT_ACL_OK(pump.Subscribe(s1_));
    void* p = Alloc(kMiB, s1_);
    {
        Gate gate;
        ASSERT_ACL_OK(gate.Enqueue(s1_));
        ASSERT_ACL_OK(aclrtMemPoolFreeAsync(p, s1_));
        EXPECT_ACL_ERROR(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtMemPoolDestroy", aclrtMemPoolDestroy(pool_));
        gate.Open();
        ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    }
    EXPECT_ACL_OK(pump.Unsubscribe(s1_));
}

TEST_F(MemPool, FinalizeReleasesPoolsWithMemoryStillAllocated) {
    void* p = Alloc(kMiB, s1_);
    std::vector<uint8_t> data(kMiB, 0x5A);
    ASSERT_ACL_OK(aclrtMemcpyAsync(p, kMiB, data.data(), kMiB, ACL_MEMCPY_HOST_TO_DEVICE, s1_));
    ASSERT_ACL_OK(aclrtSynchronizeStream(s1_));
    ASSERT_ACL_OK(aclFinalize());
    ASSERT_ACL_OK(aclInit(nullptr));
    ASSERT_ACL_OK(aclrtSetDevice(0));
    ASSERT_ACL_OK(aclrtCreateStream(&s1_));
    ASSERT_ACL_OK(aclrtCreateStream(&s2_));
    aclrtMemPoolProps props = PoolProps(64 * kMiB);
    ASSERT_ACL_OK(aclrtMemPoolCreate(&pool_, &props));
    EXPECT_EQ(0u, Reserved());
}

}  // namespace
