// Ascend.Interop simulator: the float matrix-product kernel behind aclnnMatmul and aclnnMm (and
// every operator that multiplies matrices).
//
// C is cut into tiles of at most kTileRows x kTileCols; the tiles run on the kernel thread pool
// (sim_parallel.h). Inside a tile a register-blocked micro-kernel keeps a 4 x 16 block of C in
// registers while it walks k. Every element of C is one sum, c = ((0 + a0*b0) + a1*b1) + ..., in
// ascending k, with a separate multiply and add (never a fused multiply-add), whichever tile,
// thread, thread count or instruction set computes it: results are bit-identical across runs,
// thread counts and machines.
#include <algorithm>
#include <cstring>

#include "aclnn_kernels.h"
#include "sim_parallel.h"

// The 8-float vector helpers below are always inlined, so no vector crosses a call boundary of
// the generic (SSE) build: GCC's ABI note about AVX-sized vectors does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace aclnn {
namespace {

constexpr int64_t kRows = 4;          // micro-kernel rows
constexpr int64_t kCols = 16;         // micro-kernel columns (two 8-float vectors)
constexpr int64_t kTileRows = 32;     // rows of C per pool item
constexpr int64_t kTileCols = 64;     // columns of C per pool item
constexpr int64_t kParallelMacs = 1 << 16;  // below this many multiply-adds, one thread

typedef float v8f __attribute__((vector_size(32)));

inline __attribute__((always_inline)) v8f load8(const float* p) {
    v8f v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline __attribute__((always_inline)) void store8(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }

// C[r0:r1, c0:c1] of C = A x B (row-major, lda = k, ldb = ldc = n).
inline __attribute__((always_inline)) void tile_body(const float* __restrict a, const float* __restrict b,
                                                     float* __restrict c, int64_t n, int64_t k, int64_t r0,
                                                     int64_t r1, int64_t c0, int64_t c1) {
    int64_t i = r0;
    for (; i + kRows <= r1; i += kRows) {
        const float* a0 = a + i * k;
        const float* a1 = a0 + k;
        const float* a2 = a1 + k;
        const float* a3 = a2 + k;
        int64_t j = c0;
        for (; j + kCols <= c1; j += kCols) {
            v8f s00 = {}, s01 = {}, s10 = {}, s11 = {}, s20 = {}, s21 = {}, s30 = {}, s31 = {};
            const float* bp = b + j;
            for (int64_t kk = 0; kk < k; ++kk, bp += n) {
                const v8f b0 = load8(bp), b1 = load8(bp + 8);
                const float x0 = a0[kk], x1 = a1[kk], x2 = a2[kk], x3 = a3[kk];
                s00 += x0 * b0;
                s01 += x0 * b1;
                s10 += x1 * b0;
                s11 += x1 * b1;
                s20 += x2 * b0;
                s21 += x2 * b1;
                s30 += x3 * b0;
                s31 += x3 * b1;
            }
            float* cp = c + i * n + j;
            store8(cp, s00);
            store8(cp + 8, s01);
            store8(cp + n, s10);
            store8(cp + n + 8, s11);
            store8(cp + 2 * n, s20);
            store8(cp + 2 * n + 8, s21);
            store8(cp + 3 * n, s30);
            store8(cp + 3 * n + 8, s31);
        }
        for (; j < c1; ++j) {  // the columns left over: same sums, one element at a time
            for (int64_t r = 0; r < kRows; ++r) {
                const float* ar = a + (i + r) * k;
                float s = 0.0f;
                for (int64_t kk = 0; kk < k; ++kk) s += ar[kk] * b[kk * n + j];
                c[(i + r) * n + j] = s;
            }
        }
    }
    for (; i < r1; ++i) {  // the rows left over: a 1 x 16 micro-kernel, then single elements
        const float* ar = a + i * k;
        int64_t j = c0;
        for (; j + kCols <= c1; j += kCols) {
            v8f s0 = {}, s1 = {};
            const float* bp = b + j;
            for (int64_t kk = 0; kk < k; ++kk, bp += n) {
                const float x = ar[kk];
                s0 += x * load8(bp);
                s1 += x * load8(bp + 8);
            }
            store8(c + i * n + j, s0);
            store8(c + i * n + j + 8, s1);
        }
        for (; j < c1; ++j) {
            float s = 0.0f;
            for (int64_t kk = 0; kk < k; ++kk) s += ar[kk] * b[kk * n + j];
            c[i * n + j] = s;
        }
    }
}

// The same code for two instruction sets; AVX2 without FMA, so both round identically.
__attribute__((target("avx2"), optimize("O3", "fp-contract=off"))) void tile_avx2(
    const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    tile_body(a, b, c, n, k, r0, r1, c0, c1);
}

__attribute__((optimize("O3", "fp-contract=off"))) void tile_generic(const float* a, const float* b, float* c, int64_t n,
                                                                    int64_t k, int64_t r0, int64_t r1, int64_t c0,
                                                                    int64_t c1) {
    tile_body(a, b, c, n, k, r0, r1, c0, c1);
}

using TileFn = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

TileFn pick_tile() { return cpu_has_avx2() ? tile_avx2 : tile_generic; }

}  // namespace

void matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        std::memset(c, 0, static_cast<size_t>(m * n) * sizeof(float));
        return;
    }
    static const TileFn tile = pick_tile();
    const int64_t rowTiles = (m + kTileRows - 1) / kTileRows;
    const int64_t colTiles = (n + kTileCols - 1) / kTileCols;
    auto run = [=](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            const int64_t r0 = (t / colTiles) * kTileRows, c0 = (t % colTiles) * kTileCols;
            tile(a, b, c, n, k, r0, std::min(m, r0 + kTileRows), c0, std::min(n, c0 + kTileCols));
        }
    };
    const int64_t tiles = rowTiles * colTiles;
    if (tiles == 1 || m * n * k < kParallelMacs) {
        run(0, tiles);
        return;
    }
    sim::parallel_for(tiles, 1, run);
}

}  // namespace aclnn
