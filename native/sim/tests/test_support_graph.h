// Fixture of the CANN 9.x graph-API tests (conditional nodes, value write/wait, built graphs,
// introspection): the capture fixture plus two more streams for child captures and helpers for
// 64-bit device words.
#pragma once

#include "test_support_capture.h"

namespace simtest {

class GraphTest : public CaptureTest {
protected:
    void SetUp() override {
        CaptureTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&s2_));
        ASSERT_ACL_OK(aclrtCreateStream(&s3_));
        ASSERT_ACL_OK(aclrtMalloc(&w_, 64, ACL_MEM_MALLOC_HUGE_FIRST));
        FillDevice(w_, 64, 0);
        baseAllocations_ = Counter(ACLSIM_LIVE_DEVICE_ALLOCATIONS);
    }
    void TearDown() override {
        for (aclrtStream s : {s2_, s3_}) {
            aclmdlRICaptureStatus st = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
            if (aclmdlRICaptureGetInfo(s, &st, nullptr) == ACL_SUCCESS && st != ACL_MODEL_RI_CAPTURE_STATUS_NONE)
                (void)aclmdlRICaptureEnd(s, nullptr);
        }
        EXPECT_ACL_OK(aclrtSynchronizeStream(s2_));
        EXPECT_ACL_OK(aclrtSynchronizeStream(s3_));
        EXPECT_ACL_OK(aclrtDestroyStream(s2_));
        EXPECT_ACL_OK(aclrtDestroyStream(s3_));
        EXPECT_ACL_OK(aclrtFree(w_));
        CaptureTest::TearDown();
    }

    // The 64-bit word at `p` (device memory), read synchronously.
    static uint64_t Word(const void* p) {
        uint64_t v = ~uint64_t{0};
        EXPECT_ACL_OK(aclrtMemcpy(&v, 8, p, 8, ACL_MEMCPY_DEVICE_TO_HOST));
        return v;
    }
    static void SetWord(void* p, uint64_t v) { EXPECT_ACL_OK(aclrtMemcpy(p, 8, &v, 8, ACL_MEMCPY_HOST_TO_DEVICE)); }
    uint64_t* W(size_t i = 0) { return static_cast<uint64_t*>(w_) + i; }

    // The capturing model of cap_ (aclmdlRICaptureGetInfo).
    aclmdlRI Capturing(aclrtStream s) {
        aclmdlRI m = nullptr;
        Status(s, &m);
        return m;
    }

    // A condition handle on the graph cap_ captures, and its word.
    aclmdlRICondHandle Cond(uint32_t def, uint32_t flag, uint64_t** word, aclrtStream s = nullptr) {
        aclmdlRICondHandle h = nullptr;
        EXPECT_ACL_OK(aclmdlRICondHandleCreate(Capturing(s ? s : cap_), def, static_cast<aclmdlRICondHandleFlag>(flag), &h));
        if (word && h) {
            EXPECT_ACL_OK(aclmdlRICondHandleGetCondPtr(h, word));
        }
        return h;
    }

    static aclmdlRICondTaskParams Params(aclmdlRICondHandle h, aclmdlRICondTaskType type, uint32_t size, aclmdlRI* kids) {
        aclmdlRICondTaskParams p{};
        p.handle = h;
        p.type = type;
        p.size = size;
        p.modelRIArray = kids;
        return p;
    }

    // Captures child `kid` on `s`: memset a_[offset] = value.
    void CaptureMemsetChild(aclmdlRI kid, aclrtStream s, size_t offset, uint8_t value) {
        ASSERT_ACL_OK(aclmdlRICaptureToModelRIBegin(s, kid, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        EXPECT_ACL_OK(aclrtMemsetAsync(static_cast<uint8_t*>(a_) + offset, 1, value, 1, s));
        aclmdlRI out = nullptr;
        EXPECT_ACL_OK(aclmdlRICaptureEnd(s, &out));
        EXPECT_EQ(kid, out);
    }

    uint8_t A(size_t i) { return ReadDevice(a_, kBytes)[i]; }

    aclrtStream s2_ = nullptr;
    aclrtStream s3_ = nullptr;
    void* w_ = nullptr;  // 8 device words
    uint64_t baseAllocations_ = 0;
};

}  // namespace simtest
