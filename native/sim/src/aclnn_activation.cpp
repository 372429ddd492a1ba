// Ascend.Interop simulator: activations: Relu, Silu, Gelu (tanh approximation, as aclnnGelu documents),
// Sigmoid, SwiGlu and Softmax.
#include <algorithm>
#include <cmath>

#include "aclnn_unary.h"
#include "aclnnop/aclnn_gelu.h"
#include "aclnnop/aclnn_relu.h"
#include "aclnnop/aclnn_sigmoid.h"
#include "aclnnop/aclnn_silu.h"
#include "aclnnop/aclnn_softmax.h"
#include "aclnnop/aclnn_swi_glu.h"

using namespace aclnn;

namespace {

float relu(float v) { return (v > 0.0f || std::isnan(v)) ? v : 0.0f; }
uint64_t relu_int(uint64_t v) { return static_cast<int64_t>(v) > 0 ? v : 0; }
float silu(float v) { return v / (1.0f + std::exp(-v)); }
float gelu(float x) {
    const double v = x, kC = 0.7978845608028654;  // sqrt(2 / pi)
    return static_cast<float>(0.5 * v * (1.0 + std::tanh(kC * (v + 0.044715 * v * v * v))));
}
float sigmoid(float x) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x)))); }

}  // namespace

ACLNN_UNARY(Relu, const aclTensor, UnaryTypes::Same, kArithTypes, relu, relu_int)
ACLNN_UNARY(Silu, aclTensor, UnaryTypes::Same, kFloatTypes, silu, nullptr)
ACLNN_UNARY(Gelu, aclTensor, UnaryTypes::Same, kFloatTypes, gelu, nullptr)
ACLNN_UNARY(Sigmoid, aclTensor, UnaryTypes::Same, kFloatTypes, sigmoid, nullptr)

// ---- SwiGlu ---------------------------------------------------------------------------------
// CANN documents x and out as contiguous only: the simulator refuses strided views (161002).

ACLNN_EXPORT aclnnStatus aclnnSwiGluGetWorkspaceSize(const aclTensor* x, int64_t dim, const aclTensor* out,
                                                     uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnSwiGluGetWorkspaceSize", {{x, "x"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(out, "out", x, "x");
    const int64_t rank = static_cast<int64_t>(x->dims.size());
    if (rank == 0) c.fail(ACLNN_ERR_PARAM_INVALID, "x must have at least one dimension");
    if (dim < -rank || dim >= rank) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range [-rank, rank-1] for x of rank %lld",
               static_cast<long long>(dim), static_cast<long long>(rank));
    }
    const int64_t d = dim < 0 ? dim + rank : dim;
    if (c.ok() && x->dims[static_cast<size_t>(d)] % 2 != 0) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "x shape %s: dimension %lld must be even to split in two halves",
               shape_str(x->dims).c_str(), static_cast<long long>(dim));
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = x->dims;
        oshape[static_cast<size_t>(d)] /= 2;
    }
    c.shapeIs(out, "out", oshape);
    if (c.ok() && !is_contiguous(x)) c.fail(ACLNN_ERR_PARAM_INVALID, "x must be contiguous (CANN does not accept a strided view)");
    if (c.ok() && !is_contiguous(out)) c.fail(ACLNN_ERR_PARAM_INVALID, "out must be contiguous (CANN does not accept a strided view)");
    c.memory(x, "x").memory(out, "out");
    if (!c.ok()) return c.rc;
    const aclDataType ct = x->dtype;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < d; ++i) outer *= x->dims[static_cast<size_t>(i)];
    for (int64_t i = d + 1; i < rank; ++i) inner *= x->dims[static_cast<size_t>(i)];
    const int64_t half = x->dims[static_cast<size_t>(d)] / 2;
    Kernel k = [ct, outer, inner, half](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*,
                                        uint64_t) {
        std::vector<float> xv = gather_f32(in[0], in[0].dims);
        std::vector<float> r(static_cast<size_t>(outer * half * inner));
        for (int64_t a = 0; a < outer; ++a) {
            for (int64_t j = 0; j < half; ++j) {
                for (int64_t i = 0; i < inner; ++i) {
                    const double g = xv[static_cast<size_t>((a * 2 * half + j) * inner + i)];
                    const double u = xv[static_cast<size_t>((a * 2 * half + j + half) * inner + i)];
                    r[static_cast<size_t>((a * half + j) * inner + i)] =
                        round_to(ct, static_cast<float>(g / (1.0 + std::exp(-g)) * u));
                }
            }
        }
        scatter_f32(o[0], r);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnSwiGlu", {describe(x)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}
ACLNN_LAUNCH(SwiGlu)

// ---- Softmax --------------------------------------------------------------------------------
// Workspace: one float per element of the softmax dimension (32-byte aligned, at least 32 bytes),
// the kernel keeps a row's exponentials there.

ACLNN_EXPORT aclnnStatus aclnnSoftmaxGetWorkspaceSize(const aclTensor* self, int64_t dim, aclTensor* out,
                                                      uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnSoftmaxGetWorkspaceSize", {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kFloatTypes).sameDtype(out, "out", self, "self").shapeIs(out, "out", self->dims);
    const int64_t rank = static_cast<int64_t>(self->dims.size());
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range for self of rank %lld", static_cast<long long>(dim),
               static_cast<long long>(rank));
    }
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
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
ACLNN_LAUNCH(Softmax)
