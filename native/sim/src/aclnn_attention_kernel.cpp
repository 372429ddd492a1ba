// Ascend.Interop simulator: the compute kernel behind aclnnIncreFlashAttentionV4 (see aclnn_kernels.h).
//
// One pool item per (batch b, key/value head g): it converts the first L = lens[b] key and value
// rows of that head to float once (keys transposed, D x L), then for each query head of the group
// computes the scores, the softmax and the weighted sum of the values. Items write disjoint output
// rows, so the split over the kernel pool (sim_parallel.h) never changes a result.
//
// Order of operations (the contract, checked bit for bit by native/sim/tests/sim_kernel_tests.cpp):
//   score[s] = (((0 + q0*k0) + q1*k1) + ...) * scale, d ascending; -inf where the mask is 1;
//   mx = max over s ascending (std::max); no position attended (mx == -inf): the row is 0;
//   p[s] = exp(score[s] - mx); sum = ((0 + p0) + p1) + ..., acc[d] = ((0 + p0*v0[d]) + p1*v1[d]) + ...
//   over the attended s ascending; out[d] = round(acc[d] * (1 / sum)).
// Multiply and add stay separate (never fused). The vector code runs the same scalar operations
// lane by lane (lanes are key positions for the scores, head dimensions for the weighted sum), so
// the AVX2 and the generic build, and every thread count, give the same bits.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

#include "aclnn_internal.h"
#include "aclnn_kernels.h"
#include "sim_parallel.h"

namespace aclnn {
namespace {

// float16 -> float, exact for every value (normals, subnormals, zeros, inf, NaN payloads): the same
// bits as half_to_float, written without branches so the loops below vectorise.
inline __attribute__((always_inline)) float half_bits_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t em = static_cast<uint32_t>(h & 0x7fffu) << 13;  // exponent and mantissa in float position
    const uint32_t e = em & 0x0f800000u;
    uint32_t normal = em + (112u << 23);                           // rebias 15 -> 127
    normal = e == 0x0f800000u ? normal + (112u << 23) : normal;    // inf / NaN: exponent 255
    // Subnormal (e == 0): m * 2^-24 = float(1.m... with exponent 113) - 2^-14, exact.
    uint32_t sub = em + (113u << 23);
    float fs;
    std::memcpy(&fs, &sub, 4);
    fs -= 6.103515625e-05f;  // 2^-14
    uint32_t subBits;
    std::memcpy(&subBits, &fs, 4);
    const uint32_t x = (e == 0 ? subBits : normal) | sign;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}

inline __attribute__((always_inline)) float bf16_bits_to_float(uint16_t b) {
    const uint32_t x = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}

inline __attribute__((always_inline)) void convert_row(bool bf16, const uint16_t* __restrict src,
                                                       float* __restrict dst, int64_t n) {
    if (bf16) {
        for (int64_t i = 0; i < n; ++i) dst[i] = bf16_bits_to_float(src[i]);
    } else {
        for (int64_t i = 0; i < n; ++i) dst[i] = half_bits_to_float(src[i]);
    }
}

struct Scratch {  // per thread, grown on demand, never shrunk
    std::vector<float> kt, vf, row, sc, q, acc;
};

inline __attribute__((always_inline)) void item_body(const IncreAttentionArgs& a, int64_t b, int64_t g,
                                                     Scratch& w) {
    const int64_t D = a.D, L = a.lens[b], group = a.H / a.nkv;
    const float ninf = -std::numeric_limits<float>::infinity();
    const int64_t Lp = (L + 7) & ~int64_t{7};  // scores padded to whole vectors (the pad is never read back)
    if (static_cast<int64_t>(w.kt.size()) < D * Lp) w.kt.resize(static_cast<size_t>(D * Lp));
    if (static_cast<int64_t>(w.vf.size()) < L * D) w.vf.resize(static_cast<size_t>(L * D));
    if (static_cast<int64_t>(w.sc.size()) < Lp) w.sc.resize(static_cast<size_t>(Lp));
    if (static_cast<int64_t>(w.row.size()) < D) {
        w.row.resize(static_cast<size_t>(D));
        w.q.resize(static_cast<size_t>(D));
        w.acc.resize(static_cast<size_t>(D));
    }
    float* __restrict kt = w.kt.data();
    float* __restrict vf = w.vf.data();
    float* __restrict sc = w.sc.data();
    float* __restrict row = w.row.data();
    float* __restrict qv = w.q.data();
    float* __restrict acc = w.acc.data();

    // Keys transposed (kt[d * Lp + s]) and values row-major (vf[s * D + d]), as float.
    const uint16_t* kb = a.keys[b] + g * a.headStride[b];
    const uint16_t* vb = a.values[b] + g * a.headStride[b];
    const int64_t ss = a.seqStride[b];
    for (int64_t s = 0; s < L; ++s) {
        convert_row(a.bf16, kb + s * ss, row, D);
        for (int64_t d = 0; d < D; ++d) kt[d * Lp + s] = row[d];
        convert_row(a.bf16, vb + s * ss, vf + s * D, D);
    }
    for (int64_t s = L; s < Lp; ++s)
        for (int64_t d = 0; d < D; ++d) kt[d * Lp + s] = 0.0f;
    const uint8_t* mask = a.mask != nullptr ? a.mask + b * a.maskStride : nullptr;

    for (int64_t h = g * group; h < (g + 1) * group; ++h) {
        const int64_t qrow = (b * a.H + h) * D;
        convert_row(a.bf16, a.query + qrow, qv, D);
        // Scores: lanes are positions, each a sequential sum over d.
        for (int64_t s = 0; s < Lp; ++s) sc[s] = 0.0f;
        for (int64_t d = 0; d < D; ++d) {
            const float x = qv[d];
            const float* __restrict kr = kt + d * Lp;
            for (int64_t s = 0; s < Lp; ++s) sc[s] += x * kr[s];
        }
        float mx = ninf;
        for (int64_t s = 0; s < L; ++s) {
            if (mask != nullptr && mask[s] != 0) {
                sc[s] = ninf;
                continue;
            }
            sc[s] = sc[s] * a.scale;
            mx = std::max(mx, sc[s]);
        }
        for (int64_t d = 0; d < D; ++d) acc[d] = 0.0f;
        if (mx != ninf) {  // at least one attended position; otherwise the output row is 0
            float sum = 0.0f;
            for (int64_t s = 0; s < L; ++s) {
                if (sc[s] == ninf) continue;
                const float p = std::exp(sc[s] - mx);
                sum += p;
                const float* __restrict vr = vf + s * D;
                for (int64_t d = 0; d < D; ++d) acc[d] += p * vr[d];  // lanes are head dimensions
            }
            const float inv = 1.0f / sum;
            for (int64_t d = 0; d < D; ++d) acc[d] *= inv;
        }
        uint16_t* o = a.out + qrow;
        for (int64_t d = 0; d < D; ++d) o[d] = a.bf16 ? float_to_bf16(acc[d]) : float_to_half(acc[d]);
    }
}

__attribute__((target("avx2"), optimize("O3", "fp-contract=off"))) void items_avx2(const IncreAttentionArgs& a,
                                                                                  int64_t begin, int64_t end,
                                                                                  Scratch& w) {
    for (int64_t i = begin; i < end; ++i) item_body(a, i / a.nkv, i % a.nkv, w);
}

__attribute__((optimize("O3", "fp-contract=off"))) void items_generic(const IncreAttentionArgs& a, int64_t begin,
                                                                      int64_t end, Scratch& w) {
    for (int64_t i = begin; i < end; ++i) item_body(a, i / a.nkv, i % a.nkv, w);
}

using ItemsFn = void (*)(const IncreAttentionArgs&, int64_t, int64_t, Scratch&);

ItemsFn pick_items() { return cpu_has_avx2() ? items_avx2 : items_generic; }

constexpr int64_t kItemWork = 1 << 14;  // multiply-adds per pool chunk, about

}  // namespace

bool incre_attention(const IncreAttentionArgs& a) {
    static const ItemsFn items = pick_items();
    const int64_t count = a.B * a.nkv;
    if (count <= 0) return true;
    // Chunk size from the shape only (never from the thread count or timing).
    int64_t maxLen = 0;
    for (int64_t b = 0; b < a.B; ++b) maxLen = std::max(maxLen, a.lens[b]);
    const int64_t perItem = std::max<int64_t>(1, 2 * maxLen * a.D * (a.H / a.nkv));
    const int64_t grain = std::max<int64_t>(1, kItemWork / perItem);
    std::atomic<bool> failed{false};
    sim::parallel_for(count, grain, [&a, &failed](int64_t begin, int64_t end) {
        thread_local Scratch w;
        try {
            items(a, begin, end, w);
        } catch (const std::bad_alloc&) {
            failed.store(true, std::memory_order_relaxed);
        }
        // Scratch beyond 16 MiB (long caches) is not kept by the pool thread between launches.
        if (w.kt.capacity() + w.vf.capacity() > (size_t{4} << 20)) w = Scratch();
    });
    return !failed.load(std::memory_order_relaxed);
}

}  // namespace aclnn
