// Ascend.Interop simulator: transformer building blocks: aclnnBatchMatMul, aclnnRotaryPositionEmbedding,
// aclnnIndexCopy / aclnnInplaceIndexCopy (the KV-cache write). Facts from CANN's operator docs
// (hicann/ops-nn matmul/batch_mat_mul_v3, index/scatter_update; hicann/ops-transformer
// posembedding/rotary_position_embedding); the simulator's stricter choices are in docs/simulator.md.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "aclnn_internal.h"
#include "aclnn_kernels.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_batch_matmul.h"
#include "aclnnop/aclnn_index_copy.h"
#include "aclnnop/aclnn_rotary_position_embedding.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

// Records a formatted failure on the checker unless it already failed.
#define CHECK_FAIL(c, code, ...)                                       \
    do {                                                               \
        if ((c).ok()) (c).rc = sim::fail((code), (c).fn, __VA_ARGS__); \
    } while (0)

using namespace aclnn;

namespace {

bool is_contiguous(const aclTensor* t) {
    int64_t expect = 1;
    for (size_t i = t->dims.size(); i-- > 0;) {
        if (t->dims[i] != 1 && t->strides[i] != expect) return false;
        expect *= t->dims[i];
    }
    return true;
}

}  // namespace

// ---- BatchMatMul ----------------------------------------------------------------------------
// self [Bs, M, K] @ mat2 [Bm, K, N] -> out [B, M, N], Bs == Bm or one of them 1 (broadcast).
// Workspace: the float accumulator of one M x N product (32-byte aligned).

EXPORT aclnnStatus aclnnBatchMatMulGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                                    int8_t cubeMathType, uint64_t* workspaceSize,
                                                    aclOpExecutor** executor) {
    const char* fn = "aclnnBatchMatMulGetWorkspaceSize";
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) return rc;
    Check c(fn);
    c.notNull(self, "self").notNull(mat2, "mat2").notNull(out, "out");
    c.notNull(workspaceSize, "workspaceSize").notNull(executor, "executor");
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(mat2, "mat2", self, "self").sameDtype(out, "out", self, "self");
    if (cubeMathType < 0 || cubeMathType > 3) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID,
                   "cubeMathType %d is not one of 0 (KEEP_DTYPE), 1 (ALLOW_FP32_DOWN_PRECISION), 2 (USE_FP16), "
                   "3 (USE_HF32)",
                   static_cast<int>(cubeMathType));
    }
    if (c.ok() && (self->dims.size() != 3 || mat2->dims.size() != 3)) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both be 3-D [batch, rows, cols]",
                   shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t bs = self->dims[0], m = self->dims[1], k = self->dims[2];
    const int64_t bm = mat2->dims[0], kb = mat2->dims[1], n = mat2->dims[2];
    if (k != kb) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID,
                   "self shape %s and mat2 shape %s: the last dimension of self must equal dimension 1 of mat2",
                   shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    } else if (bs != bm && bs != 1 && bm != 1) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID,
                   "self shape %s and mat2 shape %s: batch sizes differ and neither is 1 (only a batch of 1 "
                   "broadcasts)",
                   shape_str(self->dims).c_str(), shape_str(mat2->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t b = std::max(bs, bm);
    c.shapeIs(out, "out", {b, m, n}).memory(self, "self").memory(mat2, "mat2").memory(out, "out");
    if (!c.ok()) return c.rc;
    const uint64_t ws = align32(static_cast<uint64_t>(std::max<int64_t>(m * n, 1)) * sizeof(float));
    Kernel kern = [b, bs, bm, m, n, k, ws](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char* w,
                                           uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnBatchMatMul", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        if (b * m * n == 0) return ACLNN_SUCCESS;
        std::vector<float> abuf, bbuf;  // dense FLOAT operands are read in place
        const float* A = f32_view(in[0], in[0].dims, abuf);
        const float* B = f32_view(in[1], in[1].dims, bbuf);
        float* acc = reinterpret_cast<float*>(w);
        // A dense FLOAT out takes each product straight from the workspace; otherwise one scatter,
        // the one rounding into out's dtype.
        // With several products, out must not overlap an operand read in place by a later product.
        const bool direct = o[0].dtype == ACL_FLOAT && dense_as(o[0], o[0].dims) &&
                            (b == 1 || (!storage_overlaps(o[0], in[0]) && !storage_overlaps(o[0], in[1])));
        float* outp = direct ? reinterpret_cast<float*>(o[0].data) + o[0].offset : nullptr;
        std::vector<float> C(direct ? 0 : static_cast<size_t>(b * m * n));
        for (int64_t bi = 0; bi < b; ++bi) {
            const float* a = A + (bs == 1 ? 0 : bi) * m * k;
            const float* bb = B + (bm == 1 ? 0 : bi) * k * n;
            matmul_f32(a, bb, acc, m, n, k);
            std::memcpy((direct ? outp : C.data()) + bi * m * n, acc, static_cast<size_t>(m * n) * sizeof(float));
        }
        if (!direct) scatter_f32(o[0], C);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnBatchMatMul", {describe(self), describe(mat2)}, {describe(out)}, ws, std::move(kern),
                  workspaceSize, executor);
}

EXPORT aclnnStatus aclnnBatchMatMul(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                                    aclrtStream stream) {
    return launch("aclnnBatchMatMul", workspace, workspaceSize, executor, stream);
}

// ---- RotaryPositionEmbedding ----------------------------------------------------------------
// x 3-D or 4-D, D = x's last dimension; cos and sin one shape, same rank, broadcast to x, last dim D.
// Modes 0 (half) and 1 (interleave) are what the Atlas A2/A3 products accept; 2 and 3 are refused.

EXPORT aclnnStatus aclnnRotaryPositionEmbeddingGetWorkspaceSize(const aclTensor* x, const aclTensor* cos,
                                                                const aclTensor* sin, int64_t mode, aclTensor* out,
                                                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnRotaryPositionEmbeddingGetWorkspaceSize";
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) return rc;
    Check c(fn);
    c.notNull(x, "x").notNull(cos, "cos").notNull(sin, "sin").notNull(out, "out");
    c.notNull(workspaceSize, "workspaceSize").notNull(executor, "executor");
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(cos, "cos", x, "x").sameDtype(sin, "sin", x, "x");
    c.sameDtype(out, "out", x, "x");
    if (c.ok() && !is_contiguous(out)) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "out must be a contiguous tensor (non-contiguous out is not supported)");
    }
    if (mode < 0 || mode > 3) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR,
                   "mode %lld is not one of 0 (half), 1 (interleave), 2 (quarter), 3 (interleave-half)",
                   static_cast<long long>(mode));
    } else if (mode > 1) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID,
                   "mode %lld (%s) is not supported on Atlas A2/A3 products, which accept 0 (half) and 1 (interleave)",
                   static_cast<long long>(mode), mode == 2 ? "quarter" : "interleave-half");
    }
    if (!c.ok()) return c.rc;
    const size_t r = x->dims.size();
    if (r != 3 && r != 4) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "x shape %s must be 3-D (TND) or 4-D (BNSD, BSND, SBND)",
                   shape_str(x->dims).c_str());
    } else if (cos->dims != sin->dims) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s and sin shape %s must be equal",
                   shape_str(cos->dims).c_str(), shape_str(sin->dims).c_str());
    } else if (cos->dims.size() != r) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s must have the rank of x shape %s",
                   shape_str(cos->dims).c_str(), shape_str(x->dims).c_str());
    } else if (out->dims != x->dims) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "out shape %s must equal x shape %s", shape_str(out->dims).c_str(),
                   shape_str(x->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t d = x->dims.back();
    if (cos->dims.back() != d) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s: the last dimension must equal x's D = %lld",
                   shape_str(cos->dims).c_str(), static_cast<long long>(d));
    } else if (d % 2 != 0 || d <= 0 || d >= 896) {
        CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR, "x shape %s: D = %lld must be even, positive and below 896",
                   shape_str(x->dims).c_str(), static_cast<long long>(d));
    }
    for (size_t i = 0; c.ok() && i + 1 < r; ++i) {
        if (cos->dims[i] != 1 && cos->dims[i] != x->dims[i]) {
            CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR,
                       "cos shape %s does not broadcast to x shape %s (each dimension must be 1 or x's)",
                       shape_str(cos->dims).c_str(), shape_str(x->dims).c_str());
        }
    }
    if (c.ok() && mode == 1) {
        // Interleave mode takes cos/sin that vary along the sequence axis only (11SD, 1S1D, S11D, T1D).
        int varying = 0;
        for (size_t i = 0; i + 1 < r; ++i) varying += cos->dims[i] != 1 ? 1 : 0;
        if (varying > 1 || (r == 3 && cos->dims[1] != 1)) {
            CHECK_FAIL(c, ACLNN_ERR_INNER_TILING_ERROR,
                       "cos shape %s: in interleave mode cos and sin may vary along the sequence axis only "
                       "(11SD, 1S1D, S11D or T1D)",
                       shape_str(cos->dims).c_str());
        }
    }
    c.memory(x, "x").memory(cos, "cos").memory(sin, "sin").memory(out, "out");
    if (!c.ok()) return c.rc;
    Kernel kern = [mode, d](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = in[0].dims;
        const int64_t total = numel_of(shape);
        if (total == 0) return ACLNN_SUCCESS;
        std::vector<float> xv = gather_f32(in[0], shape);
        std::vector<float> cv = gather_f32(in[1], shape), sv = gather_f32(in[2], shape);
        std::vector<float> y(xv.size());
        const int64_t half = d / 2;
        for (int64_t row = 0; row < total / d; ++row) {
            const float* xr = xv.data() + row * d;
            const float* cr = cv.data() + row * d;
            const float* sr = sv.data() + row * d;
            float* yr = y.data() + row * d;
            if (mode == 0) {
                for (int64_t i = 0; i < half; ++i) yr[i] = xr[i] * cr[i] + (-xr[i + half]) * sr[i];
                for (int64_t i = half; i < d; ++i) yr[i] = xr[i] * cr[i] + xr[i - half] * sr[i];
            } else {
                for (int64_t i = 0; i < d; i += 2) {
                    yr[i] = xr[i] * cr[i] + (-xr[i + 1]) * sr[i];
                    yr[i + 1] = xr[i + 1] * cr[i + 1] + xr[i] * sr[i + 1];
                }
            }
        }
        scatter_f32(o[0], y);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnRotaryPositionEmbedding", {describe(x), describe(cos), describe(sin)}, {describe(out)}, 0,
                  std::move(kern), workspaceSize, executor);
}

EXPORT aclnnStatus aclnnRotaryPositionEmbedding(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                                                aclrtStream stream) {
    return launch("aclnnRotaryPositionEmbedding", workspace, workspaceSize, executor, stream);
}

// ---- IndexCopy / InplaceIndexCopy -----------------------------------------------------------
// dest.select(dim, index[i]) = source.select(dim, i). The index is read at run time from device
// memory; an index outside [0, size(dim)) fails the task before anything is written.

namespace {

const std::initializer_list<aclDataType> kIndexCopyTypes = {ACL_FLOAT, ACL_BF16,  ACL_FLOAT16, ACL_INT32, ACL_INT64,
                                                            ACL_INT16, ACL_INT8,  ACL_UINT8,   ACL_DOUBLE, ACL_BOOL};

aclnnStatus index_copy_phase1(const char* fn, const char* op, bool inplace, aclTensor* selfRef, int64_t dim,
                              const aclTensor* index, const aclTensor* source, aclTensor* outRef,
                              uint64_t* workspaceSize, aclOpExecutor** executor) {
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) return rc;
    Check c(fn);
    c.notNull(selfRef, "selfRef").notNull(index, "index").notNull(source, "source");
    if (!inplace) c.notNull(outRef, "outRef");
    c.notNull(workspaceSize, "workspaceSize").notNull(executor, "executor");
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kIndexCopyTypes).dtypeIn(index, "index", {ACL_INT32, ACL_INT64});
    c.sameDtype(source, "source", selfRef, "selfRef");
    if (!inplace) c.sameDtype(outRef, "outRef", selfRef, "selfRef").shapeIs(outRef, "outRef", selfRef->dims);
    if (c.ok() && index->dims.size() > 1) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "index shape %s must be 0-D or 1-D", shape_str(index->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t rank = static_cast<int64_t>(selfRef->dims.size());
    const int64_t lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
    if (dim < lo || dim > hi) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range [%lld, %lld] for selfRef shape %s",
                   static_cast<long long>(dim), static_cast<long long>(lo), static_cast<long long>(hi),
                   shape_str(selfRef->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t d = dim < 0 ? dim + std::max<int64_t>(rank, 1) : dim;
    const int64_t nIndex = numel_of(index->dims);
    if (rank == 0 || source->dims.empty()) {
        if (rank != static_cast<int64_t>(source->dims.size())) {
            CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "source shape %s must have the rank of selfRef shape %s",
                       shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str());
        } else if (nIndex != 1) {
            CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "index has %lld elements but a scalar source needs exactly 1",
                       static_cast<long long>(nIndex));
        }
    } else if (source->dims.size() != selfRef->dims.size()) {
        CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "source shape %s must have the rank of selfRef shape %s",
                   shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str());
    } else {
        for (int64_t i = 0; i < rank && c.ok(); ++i) {
            if (i != d && source->dims[i] != selfRef->dims[i]) {
                CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID,
                           "source shape %s and selfRef shape %s differ in dimension %lld (only dim %lld may differ)",
                           shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str(),
                           static_cast<long long>(i), static_cast<long long>(d));
            }
        }
        if (c.ok() && source->dims[d] != nIndex) {
            CHECK_FAIL(c, ACLNN_ERR_PARAM_INVALID, "source shape %s has %lld slices along dim %lld but index has %lld",
                       shape_str(source->dims).c_str(), static_cast<long long>(source->dims[d]),
                       static_cast<long long>(d), static_cast<long long>(nIndex));
        }
    }
    c.memory(selfRef, "selfRef").memory(index, "index").memory(source, "source");
    if (!inplace) c.memory(outRef, "outRef");
    if (!c.ok()) return c.rc;
    const std::string opName = op;
    // Inputs: [self (out-of-place only)], index, source. Output: the destination.
    Kernel kern = [inplace, d, opName](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*,
                                       uint64_t) {
        const TensorDesc& dest = o[0];
        const TensorDesc& idxT = in[inplace ? 0 : 1];
        const TensorDesc& src = in[inplace ? 1 : 2];
        const size_t es = dtype_size(dest.dtype);
        const bool scalarCase = dest.dims.empty() || src.dims.empty();
        const int64_t extent = dest.dims.empty() ? 1 : dest.dims[d];
        std::vector<int64_t> idx = gather_i64(idxT, idxT.dims);
        for (size_t i = 0; i < idx.size(); ++i) {
            if (idx[i] < 0 || idx[i] >= extent) {
                return sim::fail(ACL_ERROR_RT_AICORE_EXCEPTION, opName.c_str(),
                                 "index[%zu] = %lld is out of range [0, %lld) for dim %lld; nothing was written", i,
                                 static_cast<long long>(idx[i]), static_cast<long long>(extent),
                                 static_cast<long long>(d));
            }
        }
        if (!inplace) {  // out = self, then the copies
            const TensorDesc& self = in[0];
            std::vector<int64_t> si = broadcast_indices(self, dest.dims), di = broadcast_indices(dest, dest.dims);
            if (self.data != dest.data || si != di) {
                std::vector<char> tmp(si.size() * es);
                for (size_t e = 0; e < si.size(); ++e) std::memcpy(&tmp[e * es], self.data + si[e] * es, es);
                for (size_t e = 0; e < di.size(); ++e) std::memcpy(dest.data + di[e] * es, &tmp[e * es], es);
            }
        }
        if (scalarCase) {
            std::vector<int64_t> si = broadcast_indices(src, src.dims);
            std::vector<int64_t> di = broadcast_indices(dest, dest.dims);
            if (!si.empty() && !di.empty()) std::memcpy(dest.data + di[0] * es, src.data + si[0] * es, es);
            return ACLNN_SUCCESS;
        }
        // Read all of source first (source may alias dest), then write slice by slice.
        std::vector<int64_t> si = broadcast_indices(src, src.dims);
        std::vector<char> vals(si.size() * es);
        for (size_t e = 0; e < si.size(); ++e) std::memcpy(&vals[e * es], src.data + si[e] * es, es);
        const size_t r = src.dims.size();
        std::vector<int64_t> coord(r, 0);
        for (size_t e = 0; e < si.size(); ++e) {
            int64_t off = dest.offset;
            for (size_t k = 0; k < r; ++k) {
                const int64_t ck = static_cast<int64_t>(k) == d ? idx[static_cast<size_t>(coord[k])] : coord[k];
                off += ck * dest.strides[k];
            }
            std::memcpy(dest.data + off * es, &vals[e * es], es);
            for (size_t k = r; k-- > 0;) {  // next row-major coordinate
                if (++coord[k] < src.dims[k]) break;
                coord[k] = 0;
            }
        }
        return ACLNN_SUCCESS;
    };
    std::vector<TensorDesc> ins;
    if (!inplace) ins.push_back(describe(selfRef));
    ins.push_back(describe(index));
    ins.push_back(describe(source));
    return finish(c, op, std::move(ins), {describe(inplace ? selfRef : outRef)}, 0, std::move(kern), workspaceSize,
                  executor);
}

}  // namespace

EXPORT aclnnStatus aclnnIndexCopyGetWorkspaceSize(aclTensor* selfRef, int64_t dim, const aclTensor* index,
                                                  const aclTensor* source, aclTensor* outRef, uint64_t* workspaceSize,
                                                  aclOpExecutor** executor) {
    return index_copy_phase1("aclnnIndexCopyGetWorkspaceSize", "aclnnIndexCopy", false, selfRef, dim, index, source,
                             outRef, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnIndexCopy(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                                  aclrtStream stream) {
    return launch("aclnnIndexCopy", workspace, workspaceSize, executor, stream);
}
EXPORT aclnnStatus aclnnInplaceIndexCopyGetWorkspaceSize(aclTensor* selfRef, int64_t dim, const aclTensor* index,
                                                         const aclTensor* source, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
    return index_copy_phase1("aclnnInplaceIndexCopyGetWorkspaceSize", "aclnnInplaceIndexCopy", true, selfRef, dim,
                             index, source, nullptr, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnInplaceIndexCopy(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                                         aclrtStream stream) {
    return launch("aclnnInplaceIndexCopy", workspace, workspaceSize, executor, stream);
}
