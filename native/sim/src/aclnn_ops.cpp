// Ascend.Interop simulator: the aclnn operators (phase 1 validation + kernels).
// Add/Sub/Mul promote mixed input dtypes as PyTorch does (among FLOAT, FLOAT16, BF16, INT32,
// INT64) and store into any out dtype the promoted type can be cast to (not float -> integer).
// Every other operator refuses mixed dtypes with 161002. Outputs must have the exact expected shape.
#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "aclnn_internal.h"
#include "aclnn_kernels.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_matmul.h"
#include "aclnnop/aclnn_mm.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_relu.h"
#include "aclnnop/aclnn_rms_norm.h"
#include "aclnnop/aclnn_silu.h"
#include "aclnnop/aclnn_softmax.h"
#include "aclnnop/aclnn_sub.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

using namespace aclnn;

namespace {

// ---- element-wise binary: Add, Sub, Mul -----------------------------------------------------

enum class BinOp { Add, Sub, Mul };

aclnnStatus binary_phase1(const char* fn, const char* op, BinOp kind, const aclTensor* self, const aclTensor* other,
                          const aclScalar* alpha, const aclTensor* out, uint64_t* workspaceSize,
                          aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {other, "other"}, {alpha, "alpha", kind != BinOp::Mul}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(other, "other", kArithTypes).dtypeIn(out, "out", kArithTypes);
    const aclDataType ct = c.ok() ? promote(self->dtype, other->dtype) : ACL_FLOAT;
    if (c.ok() && is_float_type(ct) && is_int_type(out->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "the result type %s cannot be cast to out dtype %s", dtype_name(ct),
               dtype_name(out->dtype));
    }
    std::vector<int64_t> shape;
    if (c.ok() && !broadcast_shapes(self->dims, other->dims, &shape)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and other shape %s cannot broadcast", shape_str(self->dims),
               shape_str(other->dims));
    }
    c.shapeIs(out, "out", shape);
    const bool isInt = is_int_type(ct);
    double alphaF = 1.0;
    int64_t alphaI = 1;
    if (c.ok() && alpha != nullptr) {
        if (alpha->dtype != ACL_BOOL && !is_int_type(alpha->dtype) && !is_float_type(alpha->dtype)) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s is not supported", dtype_name(alpha->dtype));
        } else if (isInt && is_float_type(alpha->dtype)) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s cannot be used with the integer result type %s",
                   dtype_name(alpha->dtype), dtype_name(ct));
        } else {
            alphaF = scalar_f64(alpha);
            alphaI = scalar_i64(alpha);
        }
    }
    c.memory(self, "self").memory(other, "other").memory(out, "out");
    Kernel k = [kind, ct, isInt, alphaF, alphaI](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o,
                                                char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        if (isInt) {
            std::vector<int64_t> a = gather_i64(in[0], shape), b = gather_i64(in[1], shape);
            for (size_t e = 0; e < a.size(); ++e) {
                uint64_t x = static_cast<uint64_t>(a[e]), y = static_cast<uint64_t>(b[e]);
                uint64_t al = static_cast<uint64_t>(alphaI);
                uint64_t r = kind == BinOp::Add ? x + al * y : kind == BinOp::Sub ? x - al * y : x * y;
                a[e] = ct == ACL_INT32 ? static_cast<int64_t>(static_cast<int32_t>(r)) : static_cast<int64_t>(r);
            }
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], shape), b = gather_f32(in[1], shape);
            const float al = static_cast<float>(alphaF);
            for (size_t e = 0; e < a.size(); ++e) {
                a[e] = kind == BinOp::Add ? (al == 1.0f ? a[e] + b[e] : a[e] + al * b[e])
                     : kind == BinOp::Sub ? (al == 1.0f ? a[e] - b[e] : a[e] - al * b[e])
                                          : a[e] * b[e];
                a[e] = round_to(ct, a[e]);
            }
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    if (!c.ok()) return c.rc;
    return finish(c, op, {describe(self), describe(other)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- element-wise unary: Relu, Silu ---------------------------------------------------------

aclnnStatus unary_phase1(const char* fn, const char* op, bool silu, const aclTensor* self, const aclTensor* out,
                         uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", silu ? kFloatTypes : kArithTypes).sameDtype(out, "out", self, "self");
    c.shapeIs(out, "out", self->dims);
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = is_int_type(self->dtype);
    Kernel k = [silu, isInt](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        if (isInt) {
            std::vector<int64_t> a = gather_i64(in[0], o[0].dims);
            for (auto& v : a) v = v > 0 ? v : 0;
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], o[0].dims);
            for (auto& v : a) {
                if (silu) v = v / (1.0f + std::exp(-v));
                else v = (v > 0.0f || std::isnan(v)) ? v : 0.0f;
            }
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- conversion: Cast, InplaceCopy ----------------------------------------------------------

Kernel convert_kernel() {
    return [](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& src = in[0];
        const TensorDesc& dst = o[0];
        if (is_float_type(src.dtype)) {
            std::vector<int64_t> idx = broadcast_indices(src, dst.dims);
            std::vector<double> v(idx.size());
            for (size_t e = 0; e < idx.size(); ++e) v[e] = load_f64(src.dtype, src.data, idx[e]);
            std::vector<int64_t> od = broadcast_indices(dst, dst.dims);
            for (size_t e = 0; e < od.size(); ++e) {
                // double -> half types goes through float, as PyTorch's conversions do
                store_f64(dst.dtype, dst.data, od[e], v[e]);
            }
        } else {
            std::vector<int64_t> v = gather_i64(src, dst.dims);
            scatter_i64(dst, v);
        }
        return ACLNN_SUCCESS;
    };
}

}  // namespace

// ---- exported operators ---------------------------------------------------------------------

EXPORT aclnnStatus aclnnAddGetWorkspaceSize(const aclTensor* self, const aclTensor* other, const aclScalar* alpha,
                                            aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return binary_phase1("aclnnAddGetWorkspaceSize", "aclnnAdd", BinOp::Add, self, other, alpha, out, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnAdd(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnAdd", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnSubGetWorkspaceSize(const aclTensor* self, const aclTensor* other, const aclScalar* alpha,
                                            aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return binary_phase1("aclnnSubGetWorkspaceSize", "aclnnSub", BinOp::Sub, self, other, alpha, out, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnSub(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnSub", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnMulGetWorkspaceSize(const aclTensor* self, const aclTensor* other, aclTensor* out,
                                            uint64_t* workspaceSize, aclOpExecutor** executor) {
    return binary_phase1("aclnnMulGetWorkspaceSize", "aclnnMul", BinOp::Mul, self, other, nullptr, out, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnMul(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnMul", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnReluGetWorkspaceSize(const aclTensor* self, const aclTensor* out, uint64_t* workspaceSize,
                                             aclOpExecutor** executor) {
    return unary_phase1("aclnnReluGetWorkspaceSize", "aclnnRelu", false, self, out, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnRelu(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnRelu", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnSiluGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* workspaceSize,
                                             aclOpExecutor** executor) {
    return unary_phase1("aclnnSiluGetWorkspaceSize", "aclnnSilu", true, self, out, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnSilu(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnSilu", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnCastGetWorkspaceSize(const aclTensor* self, const aclDataType dtype, aclTensor* out,
                                             uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnCastGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kCastTypes);
    if (c.ok() && std::find(kCastTypes.begin(), kCastTypes.end(), dtype) == kCastTypes.end()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "target dtype %s is not supported%s", dtype_name(dtype));
    }
    if (c.ok() && out->dtype != dtype) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "out dtype %s differs from the target dtype %s", dtype_name(out->dtype),
               dtype_name(dtype));
    }
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    return finish(c, "aclnnCast", {describe(self)}, {describe(out)}, 0, convert_kernel(), workspaceSize, executor);
}
EXPORT aclnnStatus aclnnCast(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnCast", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnInplaceCopyGetWorkspaceSize(aclTensor* selfRef, const aclTensor* src, uint64_t* workspaceSize,
                                                    aclOpExecutor** executor) {
    const char* fn = "aclnnInplaceCopyGetWorkspaceSize";
    Check c = begin_phase1(fn, {{selfRef, "selfRef"}, {src, "src"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kCastTypes).dtypeIn(src, "src", kCastTypes);
    std::vector<int64_t> shape;
    if (c.ok() && (!broadcast_shapes(selfRef->dims, src->dims, &shape) || shape != selfRef->dims)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "src shape %s cannot broadcast to selfRef shape %s", shape_str(src->dims),
               shape_str(selfRef->dims));
    }
    c.memory(selfRef, "selfRef").memory(src, "src");
    if (!c.ok()) return c.rc;
    return finish(c, "aclnnInplaceCopy", {describe(src)}, {describe(selfRef)}, 0, convert_kernel(), workspaceSize,
                  executor);
}
EXPORT aclnnStatus aclnnInplaceCopy(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnInplaceCopy", workspace, workspaceSize, executor, stream);
}

// ---- Softmax --------------------------------------------------------------------------------
// Workspace: one float per element of the softmax dimension (32-byte aligned, at least 32 bytes),
// the kernel keeps a row's exponentials there.

EXPORT aclnnStatus aclnnSoftmaxGetWorkspaceSize(const aclTensor* self, int64_t dim, aclTensor* out,
                                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnSoftmaxGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(out, "out", self, "self").shapeIs(out, "out", self->dims);
    const int64_t rank = static_cast<int64_t>(self->dims.size());
    const int64_t r1 = std::max<int64_t>(rank, 1);
    if (c.ok() && (dim < -r1 || dim >= r1)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %s is out of range for self of rank %s", std::to_string(dim),
               std::to_string(rank));
    }
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const int64_t d = rank == 0 ? 0 : (dim < 0 ? dim + rank : dim);
    const int64_t len = rank == 0 ? 1 : self->dims[static_cast<size_t>(d)];
    int64_t inner = 1;
    for (int64_t i = d + 1; i < rank; ++i) inner *= self->dims[static_cast<size_t>(i)];
    const uint64_t ws = align32(static_cast<uint64_t>(std::max<int64_t>(len, 1)) * sizeof(float));
    Kernel k = [len, inner, ws](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char* w,
                                uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnSoftmax", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        std::vector<float> v = gather_f32(in[0], o[0].dims);
        const int64_t n = static_cast<int64_t>(v.size());
        if (n == 0 || len == 0) return ACLNN_SUCCESS;
        float* ex = reinterpret_cast<float*>(w);
        const int64_t outer = n / (len * inner);
        for (int64_t a = 0; a < outer; ++a) {
            for (int64_t i = 0; i < inner; ++i) {
                const int64_t base = a * len * inner + i;
                float mx = -INFINITY;
                for (int64_t j = 0; j < len; ++j) mx = std::max(mx, v[static_cast<size_t>(base + j * inner)]);
                double sum = 0.0;
                for (int64_t j = 0; j < len; ++j) {
                    float x = v[static_cast<size_t>(base + j * inner)];
                    ex[j] = (mx == -INFINITY) ? std::exp(x) : std::exp(x - mx);
                    sum += ex[j];
                }
                const float inv = static_cast<float>(1.0 / sum);
                for (int64_t j = 0; j < len; ++j) v[static_cast<size_t>(base + j * inner)] = ex[j] * inv;
            }
        }
        scatter_f32(o[0], v);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnSoftmax", {describe(self)}, {describe(out)}, ws, std::move(k), workspaceSize, executor);
}
EXPORT aclnnStatus aclnnSoftmax(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnSoftmax", workspace, workspaceSize, executor, stream);
}

// ---- RmsNorm --------------------------------------------------------------------------------
// Workspace: one float per normalized row (32-byte aligned, at least 32 bytes) for the rstd values.

EXPORT aclnnStatus aclnnRmsNormGetWorkspaceSize(const aclTensor* x, const aclTensor* gamma, double epsilon,
                                                const aclTensor* yOut, const aclTensor* rstdOut,
                                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnRmsNormGetWorkspaceSize";
    Check c = begin_phase1(fn, {{x, "x"}, {gamma, "gamma"}, {yOut, "yOut"}, {rstdOut, "rstdOut"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(gamma, "gamma", x, "x").sameDtype(yOut, "yOut", x, "x");
    if (c.ok() && rstdOut->dtype != ACL_FLOAT) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "rstdOut dtype %s must be FLOAT%s", dtype_name(rstdOut->dtype));
    }
    const size_t xr = x->dims.size(), gr = gamma->dims.size();
    if (c.ok() && (xr < 1 || gr < 1 || gr > xr ||
                   !std::equal(gamma->dims.begin(), gamma->dims.end(), x->dims.end() - static_cast<long>(gr)))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "gamma shape %s must equal the trailing dimensions of x shape %s",
               shape_str(gamma->dims), shape_str(x->dims));
    }
    if (c.ok() && !(epsilon >= 0.0) ) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "epsilon %s must be a non-negative number", std::to_string(epsilon));
    }
    c.shapeIs(yOut, "yOut", x->dims);
    std::vector<int64_t> rshape;
    if (c.ok()) {
        rshape = x->dims;
        for (size_t i = xr - gr; i < xr; ++i) rshape[i] = 1;
    }
    c.shapeIs(rstdOut, "rstdOut", rshape);
    c.memory(x, "x").memory(gamma, "gamma").memory(yOut, "yOut").memory(rstdOut, "rstdOut");
    if (!c.ok()) return c.rc;
    const int64_t n = numel_of(gamma->dims);
    const int64_t rows = n == 0 ? 0 : numel_of(x->dims) / n;
    const uint64_t ws = align32(static_cast<uint64_t>(std::max<int64_t>(rows, 1)) * sizeof(float));
    Kernel k = [n, rows, ws, epsilon](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char* w,
                                      uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnRmsNorm", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        if (rows == 0 || n == 0) return ACLNN_SUCCESS;
        std::vector<float> xv = gather_f32(in[0], in[0].dims);
        std::vector<float> gv = gather_f32(in[1], in[1].dims);
        float* rstd = reinterpret_cast<float*>(w);
        for (int64_t r = 0; r < rows; ++r) {
            double ss = 0.0;
            for (int64_t j = 0; j < n; ++j) {
                double v = xv[static_cast<size_t>(r * n + j)];
                ss += v * v;
            }
            rstd[r] = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + epsilon));
            for (int64_t j = 0; j < n; ++j) {
                float& v = xv[static_cast<size_t>(r * n + j)];
                v = v * rstd[r] * gv[static_cast<size_t>(j)];
            }
        }
        scatter_f32(o[0], xv);
        scatter_f32(o[1], std::vector<float>(rstd, rstd + rows));
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnRmsNorm", {describe(x), describe(gamma)}, {describe(yOut), describe(rstdOut)}, ws,
                  std::move(k), workspaceSize, executor);
}
EXPORT aclnnStatus aclnnRmsNorm(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnRmsNorm", workspace, workspaceSize, executor, stream);
}

// ---- Matmul / Mm ----------------------------------------------------------------------------
// Workspace: the float accumulator of one batch's M x N product (32-byte aligned, at least 32 bytes).

namespace {

aclnnStatus matmul_phase1(const char* fn, const char* op, bool strict2d, const aclTensor* self, const aclTensor* mat2,
                          aclTensor* out, int8_t cubeMathType, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {mat2, "mat2"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(mat2, "mat2", self, "self").sameDtype(out, "out", self, "self");
    if (c.ok() && (cubeMathType < 0 || cubeMathType > 3)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "cubeMathType %s is not one of 0 (KEEP_DTYPE), 1, 2, 3%s",
               std::to_string(cubeMathType));
    }
    const size_t ar = self->dims.size(), br = mat2->dims.size();
    if (c.ok() && strict2d && (ar != 2 || br != 2)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both be 2-D", shape_str(self->dims),
               shape_str(mat2->dims));
    }
    if (c.ok() && (ar < 1 || br < 1)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s must both have at least one dimension",
               shape_str(self->dims), shape_str(mat2->dims));
    }
    if (!c.ok()) return c.rc;
    // torch.matmul: a 1-D self is a row vector, a 1-D mat2 a column vector; both are removed again.
    std::vector<int64_t> a = self->dims, b = mat2->dims;
    const bool vecA = ar == 1, vecB = br == 1;
    if (vecA) a.insert(a.begin(), 1);
    if (vecB) b.push_back(1);
    const int64_t m = a[a.size() - 2], ka = a.back(), kb = b[b.size() - 2], n = b.back();
    std::vector<int64_t> batch;
    if (ka != kb) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s: inner dimensions differ",
               shape_str(self->dims), shape_str(mat2->dims));
    } else if (!broadcast_shapes(std::vector<int64_t>(a.begin(), a.end() - 2), std::vector<int64_t>(b.begin(), b.end() - 2),
                                 &batch)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and mat2 shape %s: batch dimensions cannot broadcast",
               shape_str(self->dims), shape_str(mat2->dims));
    }
    if (!c.ok()) return c.rc;
    std::vector<int64_t> oshape = batch;
    if (!vecA) oshape.push_back(m);
    if (!vecB) oshape.push_back(n);
    c.shapeIs(out, "out", oshape).memory(self, "self").memory(mat2, "mat2").memory(out, "out");
    if (!c.ok()) return c.rc;
    const int64_t k = ka;
    const uint64_t ws = align32(static_cast<uint64_t>(std::max<int64_t>(m * n, 1)) * sizeof(float));
    Kernel kern = [batch, m, n, k, vecA, vecB, ws](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o,
                                                   char* w, uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnMatmul", wsSize, ws, w);
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
        const int64_t total = nb * m * n;
        if (total == 0) return ACLNN_SUCCESS;
        std::vector<float> abuf, bbuf;  // dense FLOAT operands are read in place
        const float* A = f32_view(av, ashape, abuf);
        const float* B = f32_view(bv, bshape, bbuf);
        float* acc = reinterpret_cast<float*>(w);
        // A dense FLOAT out takes each product straight from the workspace; otherwise one scatter
        // (out's row-major order equals batch x m x n with 1-D dims removed).
        // With several products, out must not overlap an operand read in place by a later product.
        const bool direct = o[0].dtype == ACL_FLOAT && dense_as(o[0], o[0].dims) &&
                            (nb == 1 || (!storage_overlaps(o[0], in[0]) && !storage_overlaps(o[0], in[1])));
        float* outp = direct ? reinterpret_cast<float*>(o[0].data) + o[0].offset : nullptr;
        std::vector<float> C(direct ? 0 : static_cast<size_t>(total));
        for (int64_t bi = 0; bi < nb; ++bi) {
            matmul_f32(A + bi * m * k, B + bi * k * n, acc, m, n, k);
            std::memcpy((direct ? outp : C.data()) + bi * m * n, acc, static_cast<size_t>(m * n) * sizeof(float));
        }
        if (!direct) scatter_f32(o[0], C);
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self), describe(mat2)}, {describe(out)}, ws, std::move(kern), workspaceSize,
                  executor);
}

}  // namespace

EXPORT aclnnStatus aclnnMatmulGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                               int8_t cubeMathType, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return matmul_phase1("aclnnMatmulGetWorkspaceSize", "aclnnMatmul", false, self, mat2, out, cubeMathType,
                         workspaceSize, executor);
}
EXPORT aclnnStatus aclnnMatmul(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnMatmul", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnMmGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2, aclTensor* out,
                                           int8_t cubeMathType, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return matmul_phase1("aclnnMmGetWorkspaceSize", "aclnnMm", true, self, mat2, out, cubeMathType, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnMm(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnMm", workspace, workspaceSize, executor, stream);
}
