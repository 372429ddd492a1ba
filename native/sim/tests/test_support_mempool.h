// Fixture of the stream-ordered pool tests (acl/acl_rt_memory_soma.h): a 64 MiB pool on device 0
// and two streams.
#pragma once

#include "acl/acl_rt_memory_soma.h"
#include "test_support.h"

namespace simtest {

constexpr size_t kPoolBlock = 2 * kMiB;

inline aclrtMemPoolProps PoolProps(size_t maxSize, uint32_t device = 0) {
    aclrtMemPoolProps p;
    std::memset(&p, 0, sizeof p);
    p.allocType = ACL_MEM_ALLOCATION_TYPE_PINNED;
    p.handleType = ACL_MEM_HANDLE_TYPE_NONE;
    p.location.type = ACL_MEM_LOCATION_TYPE_DEVICE;
    p.location.id = device;
    p.maxSize = maxSize;
    return p;
}

class MemPoolTest : public SimTest {
protected:
    void SetUp() override {
        SimTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&s1_));
        ASSERT_ACL_OK(aclrtCreateStream(&s2_));
        aclrtMemPoolProps props = PoolProps(64 * kMiB);
        ASSERT_ACL_OK(aclrtMemPoolCreate(&pool_, &props));
    }
    void TearDown() override {
        EXPECT_ACL_OK(aclrtSynchronizeStream(s1_));
        EXPECT_ACL_OK(aclrtSynchronizeStream(s2_));
        if (pool_) {
            EXPECT_ACL_OK(aclrtMemPoolDestroy(pool_));
        }
        EXPECT_ACL_OK(aclrtDestroyStream(s1_));
        EXPECT_ACL_OK(aclrtDestroyStream(s2_));
        SimTest::TearDown();
    }

    uint64_t Attr64(aclrtMemPoolAttr attr, aclrtMemPool pool = nullptr) {
        uint64_t v = ~uint64_t{0};
        EXPECT_ACL_OK(aclrtMemPoolGetAttr(pool ? pool : pool_, attr, &v));
        return v;
    }
    uint64_t Reserved() { return Attr64(ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT); }
    uint64_t Used() { return Attr64(ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT); }
    void SetAttr64(aclrtMemPoolAttr attr, uint64_t v) { ASSERT_ACL_OK(aclrtMemPoolSetAttr(pool_, attr, &v)); }
    void SetAttr32(aclrtMemPoolAttr attr, uint32_t v) { ASSERT_ACL_OK(aclrtMemPoolSetAttr(pool_, attr, &v)); }

    void* Alloc(size_t bytes, aclrtStream s) {
        void* p = nullptr;
        EXPECT_ACL_OK(aclrtMemPoolMallocAsync(&p, bytes, pool_, s));
        EXPECT_NE(nullptr, p);
        return p;
    }
    size_t DeviceFree() {
        size_t free_ = 0, total = 0;
        EXPECT_ACL_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free_, &total));
        return free_;
    }

    aclrtStream s1_ = nullptr;
    aclrtStream s2_ = nullptr;
    aclrtMemPool pool_ = nullptr;
};

}  // namespace simtest
