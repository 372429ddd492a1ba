// Fixture of the capture tests: a capture stream, a replay stream, device buffers and a pinned
// host buffer. Nothing synchronous runs while a capture may be active (GLOBAL refuses it).
#pragma once

#include "test_support.h"

namespace simtest {

class CaptureTest : public SimTest {
protected:
    void SetUp() override {
        SimTest::SetUp();
        ASSERT_ACL_OK(aclrtCreateStream(&cap_));
        ASSERT_ACL_OK(aclrtCreateStream(&rep_));
        ASSERT_ACL_OK(aclrtMalloc(&a_, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_ACL_OK(aclrtMalloc(&b_, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_ACL_OK(aclrtMallocHost(&h_, kBytes));
        FillDevice(a_, kBytes, 0);
        FillDevice(b_, kBytes, 0);
        std::memset(h_, 0, kBytes);
        baseModels_ = Counter(ACLSIM_LIVE_MODELS);
    }
    void TearDown() override {
        aclsimSetTaskDelay(0);
        // Leave capture whatever state a failed test left it in.
        aclmdlRICaptureStatus st = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
        aclmdlRI m = nullptr;
        if (aclmdlRICaptureGetInfo(cap_, &st, &m) == ACL_SUCCESS && st != ACL_MODEL_RI_CAPTURE_STATUS_NONE) {
            aclmdlRI out = nullptr;
            if (aclmdlRICaptureEnd(cap_, &out) == ACL_SUCCESS && out) aclmdlRIDestroy(out);
        }
        for (aclmdlRI model : models_) EXPECT_ACL_OK(aclmdlRIDestroy(model));
        EXPECT_EQ(baseModels_, Counter(ACLSIM_LIVE_MODELS));
        EXPECT_ACL_OK(aclrtSynchronizeStream(cap_));
        EXPECT_ACL_OK(aclrtSynchronizeStream(rep_));
        EXPECT_ACL_OK(aclrtDestroyStream(cap_));
        EXPECT_ACL_OK(aclrtDestroyStream(rep_));
        if (a_) {
            EXPECT_ACL_OK(aclrtFree(a_));
        }
        if (b_) {
            EXPECT_ACL_OK(aclrtFree(b_));
        }
        EXPECT_ACL_OK(aclrtFreeHost(h_));
        SimTest::TearDown();
    }

    aclmdlRICaptureStatus Status(aclrtStream s, aclmdlRI* model = nullptr) {
        aclmdlRICaptureStatus st = static_cast<aclmdlRICaptureStatus>(99);
        aclmdlRI m = nullptr;
        EXPECT_ACL_OK(aclmdlRICaptureGetInfo(s, &st, &m));
        if (model) *model = m;
        return st;
    }

    // Ends the capture on cap_, expects success, and keeps the model for TearDown.
    aclmdlRI End() {
        aclmdlRI m = nullptr;
        EXPECT_ACL_OK(aclmdlRICaptureEnd(cap_, &m));
        EXPECT_NE(nullptr, m);
        if (m) models_.push_back(m);
        return m;
    }

    // Destroys a model End() kept.
    void Destroy(aclmdlRI m) {
        for (size_t i = 0; i < models_.size(); ++i)
            if (models_[i] == m) models_.erase(models_.begin() + static_cast<long>(i));
        EXPECT_ACL_OK(aclmdlRIDestroy(m));
    }

    // Captures "memset a = value; copy a -> b; copy b -> h" on cap_.
    aclmdlRI CaptureFillAndCopy(uint8_t value, aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_GLOBAL) {
        EXPECT_ACL_OK(aclmdlRICaptureBegin(cap_, mode));
        EXPECT_ACL_OK(aclrtMemsetAsync(a_, kBytes, value, kBytes, cap_));
        EXPECT_ACL_OK(aclrtMemcpyAsync(b_, kBytes, a_, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, cap_));
        EXPECT_ACL_OK(aclrtMemcpyAsync(h_, kBytes, b_, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, cap_));
        return End();
    }

    uint8_t* H() { return static_cast<uint8_t*>(h_); }

    static constexpr size_t kBytes = 256;
    aclrtStream cap_ = nullptr;
    aclrtStream rep_ = nullptr;
    void* a_ = nullptr;
    void* b_ = nullptr;
    void* h_ = nullptr;
    uint64_t baseModels_ = 0;
    std::vector<aclmdlRI> models_;
};

inline const char* ModeName(aclmdlRICaptureMode m) {
    switch (m) {
        case ACL_MODEL_RI_CAPTURE_MODE_GLOBAL: return "Global";
        case ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL: return "ThreadLocal";
        case ACL_MODEL_RI_CAPTURE_MODE_RELAXED: return "Relaxed";
    }
    return "Unknown";
}

}  // namespace simtest
