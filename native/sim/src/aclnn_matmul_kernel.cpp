// Ascend.Interop simulator: the float matrix-product kernel behind aclnnMatmul and aclnnMm.
#include <algorithm>
#include <cstring>

#include "aclnn_kernels.h"

namespace aclnn {

// C[m x n] = A[m x k] * B[k x n], all contiguous row-major. Blocked, i-k-j order: the inner loop
// streams one row of B into one row of C, which the compiler vectorizes.
__attribute__((optimize("O3"))) void matmul_f32(const float* __restrict a, const float* __restrict b,
                                                float* __restrict c, int64_t m, int64_t n, int64_t k) {
    std::memset(c, 0, static_cast<size_t>(m * n) * sizeof(float));
    const int64_t kBI = 64, kBK = 128, kBJ = 1024;
    for (int64_t i0 = 0; i0 < m; i0 += kBI) {
        const int64_t i1 = std::min(m, i0 + kBI);
        for (int64_t k0 = 0; k0 < k; k0 += kBK) {
            const int64_t k1 = std::min(k, k0 + kBK);
            for (int64_t j0 = 0; j0 < n; j0 += kBJ) {
                const int64_t j1 = std::min(n, j0 + kBJ);
                for (int64_t i = i0; i < i1; ++i) {
                    float* __restrict crow = c + i * n;
                    for (int64_t kk = k0; kk < k1; ++kk) {
                        const float av = a[i * k + kk];
                        const float* __restrict brow = b + kk * n;
                        for (int64_t j = j0; j < j1; ++j) crow[j] += av * brow[j];
                    }
                }
            }
        }
    }
}

}  // namespace aclnn
