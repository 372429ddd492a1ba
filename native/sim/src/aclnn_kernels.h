// Ascend.Interop simulator: compute kernels of the aclnn operators (internal).
#pragma once

#include <cstdint>
#include <vector>

namespace aclnn {

// True when the CPU runs AVX2: the kernels pick their vector variant once, at first use.
inline bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

// C[m x n] = A[m x k] * B[k x n], contiguous row-major float.
void matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);

// Decode attention of one query token per batch over a key/value cache (aclnnIncreFlashAttentionV4),
// float16 or bfloat16 storage, float compute. Element (b, g, s, d) of the keys is
// keys[b][g * headStride[b] + s * seqStride[b] + d] (the same for values).
struct IncreAttentionArgs {
    bool bf16 = false;                     // storage dtype: BFLOAT16, else FLOAT16
    int64_t B = 0, H = 0, nkv = 0, D = 0;  // batch, query heads, key/value heads (divides H), head width
    const uint16_t* query = nullptr;       // [B, H, D] contiguous
    uint16_t* out = nullptr;               // [B, H, D] contiguous
    std::vector<const uint16_t*> keys, values;  // per batch
    std::vector<int64_t> headStride, seqStride;  // per batch, in elements
    const int64_t* lens = nullptr;         // per batch: positions [0, lens[b]) are read
    const uint8_t* mask = nullptr;         // optional: mask[b * maskStride + s] == 1 excludes position s
    int64_t maskStride = 0;
    float scale = 1.0f;
};

// Runs on the kernel pool; results do not depend on the thread count (contract in aclnn_attention_kernel.cpp).
// Computes in per-thread host scratch; false when that could not be allocated (the output is then incomplete).
bool incre_attention(const IncreAttentionArgs& args);

}  // namespace aclnn
