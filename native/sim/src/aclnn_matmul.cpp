// Ascend.Interop simulator: matrix products: Matmul (torch.matmul rules), Mm (2-D) and BatchMatMul
// (3-D, a batch of 1 broadcasts). Every product runs on matmul_f32 (aclnn_matmul_kernel.cpp) in float;
// cubeMathType is checked but the simulator never computes at a lower precision.
// Workspace: the float accumulator of one M x N product (32-byte aligned, at least 32 bytes).
#include <algorithm>
#include <cstring>

#include "aclnn_kernels.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_batch_matmul.h"
#include "aclnnop/aclnn_matmul.h"
#include "aclnnop/aclnn_mm.h"

using namespace aclnn;

namespace {

void check_cube_math_type(Check& c, int8_t cubeMathType) {
    if (cubeMathType < 0 || cubeMathType > 3) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
               "cubeMathType %d is not one of 0 (KEEP_DTYPE), 1 (ALLOW_FP32_DOWN_PRECISION), 2 (USE_FP16), "
               "3 (USE_HF32)",
               static_cast<int>(cubeMathType));
    }
}

uint64_t product_workspace(int64_t m, int64_t n) {
    return align32(static_cast<uint64_t>(std::max<int64_t>(m * n, 1)) * sizeof(float));
}

// out[bi] = A[bi * aStep] @ B[bi * bStep] for bi in [0, nb) (a step of 0 broadcasts a batch of 1), each M x N
// product accumulated in the workspace `acc`. A dense FLOAT out takes each product straight from the
// workspace; otherwise one scatter, the one rounding into out's dtype. With several products, out must not
// overlap an operand read in place by a later product.
void batched_products(const float* A, int64_t aStep, const float* B, int64_t bStep, int64_t nb, int64_t m, int64_t n,
                      int64_t k, const std::vector<TensorDesc>& in, const TensorDesc& out, float* acc) {
    const bool direct = out.dtype == ACL_FLOAT && dense_as(out, out.dims) &&
                        (nb == 1 || (!storage_overlaps(out, in[0]) && !storage_overlaps(out, in[1])));
    float* outp = direct ? reinterpret_cast<float*>(out.data) + out.offset : nullptr;
    std::vector<float> C(direct ? 0 : static_cast<size_t>(nb * m * n));
    for (int64_t bi = 0; bi < nb; ++bi) {
        matmul_f32(A + bi * aStep, B + bi * bStep, acc, m, n, k);
        std::memcpy((direct ? outp : C.data()) + bi * m * n, acc, static_cast<size_t>(m * n) * sizeof(float));
    }
    if (!direct) scatter_f32(out, C);
}

aclnnStatus matmul_phase1(const char* fn, const char* op, bool strict2d, const aclTensor* self, const aclTensor* mat2,
                          aclTensor* out, int8_t cubeMathType, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {mat2, "mat2"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(mat2, "mat2", self, "self").sameDtype(out, "out", self, "self");
    check_cube_math_type(c, cubeMathType);
    const size_t ar = self->dims.size(), br = mat2->dims.size();
    if (strict2d && (ar != 2 || br != 2)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both be 2-D",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (ar < 1 || br < 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both have at least one dimension",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    // torch.matmul: a 1-D self is a row vector, a 1-D mat2 a column vector; both are removed again.
    std::vector<int64_t> a = self->dims, b = mat2->dims;
    const bool vecA = ar == 1, vecB = br == 1;
    if (vecA) a.insert(a.begin(), 1);
    if (vecB) b.push_back(1);
    const int64_t m = a[a.size() - 2], k = a.back(), kb = b[b.size() - 2], n = b.back();
    std::vector<int64_t> batch;
    if (k != kb) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s: inner dimensions differ",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    } else if (!broadcast_shapes(std::vector<int64_t>(a.begin(), a.end() - 2), std::vector<int64_t>(b.begin(), b.end() - 2),
                                 &batch)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s: batch dimensions cannot broadcast",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    std::vector<int64_t> oshape = batch;
    if (!vecA) oshape.push_back(m);
    if (!vecB) oshape.push_back(n);
    c.shapeIs(out, "out", oshape).memory(self, "self").memory(mat2, "mat2").memory(out, "out");
    if (!c.ok()) return c.rc;
    const uint64_t ws = product_workspace(m, n);
    Kernel kern = [op, batch, m, n, k, vecA, vecB, ws](const std::vector<TensorDesc>& in,
                                                       const std::vector<TensorDesc>& o, char* w, uint64_t wsSize) {
        int krc = kernel_workspace_check(op, wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        // Views of the operands with the unit dimensions of 1-D operands made explicit.
        TensorDesc av = in[0], bv = in[1];
        if (vecA) {
            av.dims.insert(av.dims.begin(), 1);
            av.strides.insert(av.strides.begin(), 0);
        }
        if (vecB) {
            bv.dims.push_back(1);
            bv.strides.push_back(0);
        }
        std::vector<int64_t> ashape = batch, bshape = batch;
        ashape.push_back(m);
        ashape.push_back(k);
        bshape.push_back(k);
        bshape.push_back(n);
        const int64_t nb = numel_of(batch);
        if (nb * m * n == 0) return ACLNN_SUCCESS;
        std::vector<float> abuf, bbuf;  // dense FLOAT operands are read in place
        const float* A = f32_view(av, ashape, abuf);
        const float* B = f32_view(bv, bshape, bbuf);
        // out's row-major order equals batch x m x n with the 1-D dims removed.
        batched_products(A, m * k, B, k * n, nb, m, n, k, in, o[0], reinterpret_cast<float*>(w));
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self), describe(mat2)}, {describe(out)}, ws, std::move(kern), workspaceSize,
                  executor);
}

}  // namespace

ACLNN_EXPORT aclnnStatus aclnnMatmulGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                                     int8_t cubeMathType, uint64_t* workspaceSize,
                                                     aclOpExecutor** executor) {
    return matmul_phase1("aclnnMatmulGetWorkspaceSize", "aclnnMatmul", false, self, mat2, out, cubeMathType,
                         workspaceSize, executor);
}
ACLNN_LAUNCH(Matmul)

ACLNN_EXPORT aclnnStatus aclnnMmGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                                 int8_t cubeMathType, uint64_t* workspaceSize,
                                                 aclOpExecutor** executor) {
    return matmul_phase1("aclnnMmGetWorkspaceSize", "aclnnMm", true, self, mat2, out, cubeMathType, workspaceSize,
                         executor);
}
ACLNN_LAUNCH(Mm)

// self [Bs, M, K] @ mat2 [Bm, K, N] -> out [B, M, N], Bs == Bm or one of them 1 (broadcast).
ACLNN_EXPORT aclnnStatus aclnnBatchMatMulGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                                          int8_t cubeMathType, uint64_t* workspaceSize,
                                                          aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnBatchMatMulGetWorkspaceSize", {{self, "self"}, {mat2, "mat2"}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(mat2, "mat2", self, "self").sameDtype(out, "out", self, "self");
    check_cube_math_type(c, cubeMathType);
    if (c.ok() && (self->dims.size() != 3 || mat2->dims.size() != 3)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both be 3-D [batch, rows, cols]",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t bs = self->dims[0], m = self->dims[1], k = self->dims[2];
    const int64_t bm = mat2->dims[0], kb = mat2->dims[1], n = mat2->dims[2];
    if (k != kb) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
               "self shape %s and mat2 shape %s: the last dimension of self must equal dimension 1 of mat2",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    } else if (bs != bm && bs != 1 && bm != 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
               "self shape %s and mat2 shape %s: batch sizes differ and neither is 1 (only a batch of 1 broadcasts)",
               shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    const int64_t b = std::max(bs, bm);
    c.shapeIs(out, "out", {b, m, n}).memory(self, "self").memory(mat2, "mat2").memory(out, "out");
    if (!c.ok()) return c.rc;
    const uint64_t ws = product_workspace(m, n);
    Kernel kern = [b, bs, bm, m, n, k, ws](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char* w,
                                           uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnBatchMatMul", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        if (b * m * n == 0) return ACLNN_SUCCESS;
        std::vector<float> abuf, bbuf;  // dense FLOAT operands are read in place
        const float* A = f32_view(in[0], in[0].dims, abuf);
        const float* B = f32_view(in[1], in[1].dims, bbuf);
        batched_products(A, bs == 1 ? 0 : m * k, B, bm == 1 ? 0 : k * n, b, m, n, k, in, o[0],
                         reinterpret_cast<float*>(w));
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnBatchMatMul", {describe(self), describe(mat2)}, {describe(out)}, ws, std::move(kern),
                  workspaceSize, executor);
}
ACLNN_LAUNCH(BatchMatMul)
