// Ascend.Interop simulator: compute kernels of the aclnn operators (internal).
#pragma once

#include <cstdint>

namespace aclnn {

// C[m x n] = A[m x k] * B[k x n], contiguous row-major float.
void matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);

}  // namespace aclnn
