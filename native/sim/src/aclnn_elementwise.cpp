// Ascend.Interop simulator: the element-wise family (issue 14): Neg, Exp, Sqrt, Rsqrt, Tanh, Gelu,
// Sigmoid, SwiGlu, Div, Maximum, Minimum, Adds, Muls, SWhere, InplaceMaskedFillScalar.
//
// Rules shared by every operator here (PyTorch semantics, CANN's documented dtype lists):
// - Floating inputs are computed in float (double for the transcendental formula, then float) and
//   rounded once to the compute dtype, then cast into out's dtype.
// - Binary operators promote like Add (promote()); Div of two integer tensors computes in FLOAT
//   (true division). Adds/Muls use PyTorch's tensor-scalar rule: a floating scalar on an integer
//   tensor gives FLOAT, otherwise the tensor's dtype is kept.
// - out must be castable from the compute dtype: never floating -> integer, never non-BOOL -> BOOL.
// - Integer arithmetic wraps modulo 2^n as PyTorch's does.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "aclnn_internal.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_gelu.h"
#include "aclnnop/aclnn_masked_fill_scalar.h"
#include "aclnnop/aclnn_maximum.h"
#include "aclnnop/aclnn_minimum.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_neg.h"
#include "aclnnop/aclnn_rsqrt.h"
#include "aclnnop/aclnn_s_where.h"
#include "aclnnop/aclnn_sigmoid.h"
#include "aclnnop/aclnn_sqrt.h"
#include "aclnnop/aclnn_swi_glu.h"
#include "aclnnop/aclnn_tanh.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

using namespace aclnn;

namespace {

// self dtypes of the operators whose result is floating even for integer input.
const std::initializer_list<aclDataType> kExpSelfTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_INT64, ACL_BOOL};
const std::initializer_list<aclDataType> kToFloatSelfTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16,
                                                              ACL_INT32, ACL_INT64, ACL_BOOL};
const std::initializer_list<aclDataType> kFillTypes = {ACL_BOOL,  ACL_INT8,    ACL_INT32, ACL_INT64,
                                                       ACL_FLOAT, ACL_FLOAT16, ACL_BF16};
const std::initializer_list<aclDataType> kConditionTypes = {ACL_BOOL, ACL_UINT8};

// PyTorch's canCast: floating never goes to an integer type, and nothing but BOOL goes to BOOL.
bool can_cast(aclDataType from, aclDataType to) {
    if (is_float_type(from) && !is_float_type(to)) return false;
    if (from != ACL_BOOL && to == ACL_BOOL) return false;
    return true;
}

void castable(Check& c, aclDataType ct, const aclTensor* out, const char* what) {
    if (c.ok() && !can_cast(ct, out->dtype)) {
        const std::string rule = std::string(what) + " dtype %s cannot hold the result type %s (no cast from floating to integer or to BOOL)";
        c.fail(ACLNN_ERR_PARAM_INVALID, rule.c_str(), dtype_name(out->dtype), dtype_name(ct));
    }
}

bool is_scalar_type(aclDataType dt) { return dt == ACL_BOOL || is_float_type(dt) || is_int_type(dt); }

// Integer result wrapped to the compute dtype.
int64_t wrap_to(aclDataType ct, uint64_t v) {
    return ct == ACL_INT32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                           : static_cast<int64_t>(v);
}

float nan_max(float a, float b, bool max) {
    if (std::isnan(a) || std::isnan(b)) return std::nanf("");
    return max ? std::max(a, b) : std::min(a, b);
}

// ---- unary ----------------------------------------------------------------------------------

enum class Un { Neg, Exp, Sqrt, Rsqrt, Tanh, Gelu, Sigmoid };

float unary_value(Un k, float x) {
    const double v = x;
    switch (k) {
        case Un::Neg: return -x;
        case Un::Exp: return static_cast<float>(std::exp(v));
        case Un::Sqrt: return static_cast<float>(std::sqrt(v));
        case Un::Rsqrt: return static_cast<float>(1.0 / std::sqrt(v));
        case Un::Tanh: return static_cast<float>(std::tanh(v));
        case Un::Gelu: {
            const double kC = 0.7978845608028654;  // sqrt(2 / pi)
            return static_cast<float>(0.5 * v * (1.0 + std::tanh(kC * (v + 0.044715 * v * v * v))));
        }
        case Un::Sigmoid: return static_cast<float>(1.0 / (1.0 + std::exp(-v)));
    }
    return x;
}

aclnnStatus unary_phase1(const char* fn, const char* op, Un kind, const aclTensor* self, const aclTensor* out,
                         uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    aclDataType ct = ACL_FLOAT;
    switch (kind) {
        case Un::Neg:  // out any arithmetic dtype castable from self
            c.dtypeIn(self, "self", kArithTypes).dtypeIn(out, "out", kArithTypes);
            ct = self->dtype;
            castable(c, ct, out, "out");
            break;
        case Un::Exp:
        case Un::Sqrt:
        case Un::Rsqrt:
        case Un::Tanh:  // integer or BOOL self computes in FLOAT; out must be floating
            c.dtypeIn(self, "self", kind == Un::Exp ? kExpSelfTypes : kToFloatSelfTypes);
            c.dtypeIn(out, "out", kFloatTypes);
            ct = is_float_type(self->dtype) ? self->dtype : ACL_FLOAT;
            break;
        case Un::Gelu:
        case Un::Sigmoid:
            c.dtypeIn(self, "self", kFloatTypes).sameDtype(out, "out", self, "self");
            ct = self->dtype;
            break;
    }
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = !is_float_type(ct);
    Kernel k = [kind, ct, isInt](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        if (isInt) {  // only Neg keeps an integer compute type
            std::vector<int64_t> a = gather_i64(in[0], o[0].dims);
            for (auto& v : a) v = wrap_to(ct, 0 - static_cast<uint64_t>(v));
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], o[0].dims);
            for (auto& v : a) v = round_to(ct, unary_value(kind, v));
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- binary: Div, Maximum, Minimum -------------------------------------------------------

enum class Bin { Div, Max, Min };

aclnnStatus binary_phase1(const char* fn, const char* op, Bin kind, const aclTensor* self, const aclTensor* other,
                          const aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {other, "other"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(other, "other", kArithTypes).dtypeIn(out, "out", kArithTypes);
    aclDataType ct = c.ok() ? promote(self->dtype, other->dtype) : ACL_FLOAT;
    if (kind == Bin::Div && is_int_type(ct)) ct = ACL_FLOAT;  // true division
    castable(c, ct, out, "out");
    std::vector<int64_t> shape;
    if (c.ok() && !broadcast_shapes(self->dims, other->dims, &shape)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self shape %s and other shape %s cannot broadcast", shape_str(self->dims),
               shape_str(other->dims));
    }
    c.shapeIs(out, "out", shape).memory(self, "self").memory(other, "other").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = is_int_type(ct);
    Kernel k = [kind, ct, isInt](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        if (isInt) {  // Maximum / Minimum only
            std::vector<int64_t> a = gather_i64(in[0], shape), b = gather_i64(in[1], shape);
            for (size_t e = 0; e < a.size(); ++e) a[e] = kind == Bin::Max ? std::max(a[e], b[e]) : std::min(a[e], b[e]);
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], shape), b = gather_f32(in[1], shape);
            for (size_t e = 0; e < a.size(); ++e) {
                const float r = kind == Bin::Div ? a[e] / b[e] : nan_max(a[e], b[e], kind == Bin::Max);
                a[e] = round_to(ct, r);
            }
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self), describe(other)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- tensor-scalar: Adds, Muls --------------------------------------------------------------

aclnnStatus scalar_phase1(const char* fn, const char* op, bool mul, const aclTensor* self, const aclScalar* other,
                          const aclScalar* alpha, const aclTensor* out, uint64_t* workspaceSize,
                          aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {other, "other"}, {alpha, "alpha", !mul}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(out, "out", kArithTypes);
    if (c.ok() && !is_scalar_type(other->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "other dtype %s is not supported", dtype_name(other->dtype));
    }
    if (c.ok() && alpha != nullptr && !is_scalar_type(alpha->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s is not supported", dtype_name(alpha->dtype));
    }
    aclDataType ct = ACL_FLOAT;
    if (c.ok()) {
        ct = is_float_type(self->dtype) ? self->dtype : (is_float_type(other->dtype) ? ACL_FLOAT : self->dtype);
    }
    if (c.ok() && alpha != nullptr && is_int_type(ct) && is_float_type(alpha->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s cannot be used with the integer result type %s",
               dtype_name(alpha->dtype), dtype_name(ct));
    }
    castable(c, ct, out, "out");
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = is_int_type(ct);
    const double otherF = scalar_f64(other), alphaF = alpha != nullptr ? scalar_f64(alpha) : 1.0;
    const int64_t otherI = scalar_i64(other), alphaI = alpha != nullptr ? scalar_i64(alpha) : 1;
    Kernel k = [mul, ct, isInt, otherF, alphaF, otherI, alphaI](const std::vector<TensorDesc>& in,
                                                               const std::vector<TensorDesc>& o, char*, uint64_t) {
        if (isInt) {
            std::vector<int64_t> a = gather_i64(in[0], o[0].dims);
            const uint64_t b = static_cast<uint64_t>(otherI), al = static_cast<uint64_t>(alphaI);
            for (auto& v : a) {
                const uint64_t x = static_cast<uint64_t>(v);
                v = wrap_to(ct, mul ? x * b : x + al * b);
            }
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], o[0].dims);
            const float b = static_cast<float>(otherF), al = static_cast<float>(alphaF);
            for (auto& v : a) v = round_to(ct, mul ? v * b : (al == 1.0f ? v + b : v + al * b));
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// True when the view walks its storage densely in row-major order (dims of extent 1 ignored).
bool is_contiguous(const aclTensor* t) {
    int64_t expect = 1;
    for (size_t i = t->dims.size(); i-- > 0;) {
        if (t->dims[i] == 1) continue;
        if (t->strides[i] != expect) return false;
        expect *= t->dims[i];
    }
    return true;
}

}  // namespace

// ---- exported: unary ------------------------------------------------------------------------

#define UNARY_OP(Name, Kind)                                                                                   \
    EXPORT aclnnStatus aclnn##Name##GetWorkspaceSize(const aclTensor* self, aclTensor* out,                  \
                                                     uint64_t* workspaceSize, aclOpExecutor** executor) {    \
        return unary_phase1("aclnn" #Name "GetWorkspaceSize", "aclnn" #Name, Kind, self, out, workspaceSize,  \
                            executor);                                                                        \
    }                                                                                                         \
    EXPORT aclnnStatus aclnn##Name(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,         \
                                   aclrtStream stream) {                                                      \
        return launch("aclnn" #Name, workspace, workspaceSize, executor, stream);                             \
    }

UNARY_OP(Neg, Un::Neg)
UNARY_OP(Exp, Un::Exp)
UNARY_OP(Sqrt, Un::Sqrt)
UNARY_OP(Rsqrt, Un::Rsqrt)
UNARY_OP(Tanh, Un::Tanh)
UNARY_OP(Gelu, Un::Gelu)
UNARY_OP(Sigmoid, Un::Sigmoid)

#undef UNARY_OP

// ---- exported: binary -----------------------------------------------------------------------

#define BINARY_OP(Name, Kind)                                                                                  \
    EXPORT aclnnStatus aclnn##Name##GetWorkspaceSize(const aclTensor* self, const aclTensor* other,          \
                                                     aclTensor* out, uint64_t* workspaceSize,                 \
                                                     aclOpExecutor** executor) {                              \
        return binary_phase1("aclnn" #Name "GetWorkspaceSize", "aclnn" #Name, Kind, self, other, out,         \
                             workspaceSize, executor);                                                        \
    }                                                                                                         \
    EXPORT aclnnStatus aclnn##Name(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,         \
                                   aclrtStream stream) {                                                      \
        return launch("aclnn" #Name, workspace, workspaceSize, executor, stream);                             \
    }

BINARY_OP(Div, Bin::Div)
BINARY_OP(Maximum, Bin::Max)
BINARY_OP(Minimum, Bin::Min)

#undef BINARY_OP

// ---- exported: Adds, Muls -------------------------------------------------------------------

EXPORT aclnnStatus aclnnAddsGetWorkspaceSize(const aclTensor* self, const aclScalar* other, const aclScalar* alpha,
                                             aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return scalar_phase1("aclnnAddsGetWorkspaceSize", "aclnnAdds", false, self, other, alpha, out, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnAdds(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnAdds", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnMulsGetWorkspaceSize(const aclTensor* self, const aclScalar* other, aclTensor* out,
                                             uint64_t* workspaceSize, aclOpExecutor** executor) {
    return scalar_phase1("aclnnMulsGetWorkspaceSize", "aclnnMuls", true, self, other, nullptr, out, workspaceSize,
                         executor);
}
EXPORT aclnnStatus aclnnMuls(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnMuls", workspace, workspaceSize, executor, stream);
}

// ---- SwiGlu ---------------------------------------------------------------------------------
// CANN documents x and out as contiguous only: the simulator refuses strided views (161002).

EXPORT aclnnStatus aclnnSwiGluGetWorkspaceSize(const aclTensor* x, int64_t dim, const aclTensor* out,
                                               uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnSwiGluGetWorkspaceSize";
    Check c = begin_phase1(fn, {{x, "x"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(out, "out", x, "x");
    const int64_t rank = static_cast<int64_t>(x->dims.size());
    if (c.ok() && rank == 0) c.fail(ACLNN_ERR_PARAM_INVALID, "x must have at least one dimension%s");
    if (c.ok() && (dim < -rank || dim >= rank)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %s is out of range [-rank, rank-1] for x of rank %s", std::to_string(dim),
               std::to_string(rank));
    }
    const int64_t d = dim < 0 ? dim + rank : dim;
    if (c.ok() && x->dims[static_cast<size_t>(d)] % 2 != 0) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "x shape %s: dimension %s must be even to split in two halves",
               shape_str(x->dims), std::to_string(dim));
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = x->dims;
        oshape[static_cast<size_t>(d)] /= 2;
    }
    c.shapeIs(out, "out", oshape);
    if (c.ok() && !is_contiguous(x)) c.fail(ACLNN_ERR_PARAM_INVALID, "x must be contiguous (CANN does not accept a strided view)%s");
    if (c.ok() && !is_contiguous(out)) c.fail(ACLNN_ERR_PARAM_INVALID, "out must be contiguous (CANN does not accept a strided view)%s");
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
EXPORT aclnnStatus aclnnSwiGlu(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnSwiGlu", workspace, workspaceSize, executor, stream);
}

// ---- SWhere ---------------------------------------------------------------------------------

EXPORT aclnnStatus aclnnSWhereGetWorkspaceSize(const aclTensor* condition, const aclTensor* self,
                                               const aclTensor* other, aclTensor* out, uint64_t* workspaceSize,
                                               aclOpExecutor** executor) {
    const char* fn = "aclnnSWhereGetWorkspaceSize";
    Check c = begin_phase1(fn, {{condition, "condition"}, {self, "self"}, {other, "other"}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(condition, "condition", kConditionTypes);
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(other, "other", kArithTypes).dtypeIn(out, "out", kArithTypes);
    const aclDataType ct = c.ok() ? promote(self->dtype, other->dtype) : ACL_FLOAT;
    castable(c, ct, out, "out");
    std::vector<int64_t> so, shape;
    if (c.ok() && (!broadcast_shapes(self->dims, other->dims, &so) || !broadcast_shapes(condition->dims, so, &shape))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "condition shape %s and the self / other shapes %s cannot broadcast",
               shape_str(condition->dims), shape_str(self->dims) + " / " + shape_str(other->dims));
    }
    c.shapeIs(out, "out", shape);
    c.memory(condition, "condition").memory(self, "self").memory(other, "other").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = is_int_type(ct);
    Kernel k = [ct, isInt](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        std::vector<int64_t> cond = gather_i64(in[0], shape);
        if (isInt) {
            std::vector<int64_t> a = gather_i64(in[1], shape), b = gather_i64(in[2], shape);
            for (size_t e = 0; e < a.size(); ++e) a[e] = cond[e] != 0 ? a[e] : b[e];
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[1], shape), b = gather_f32(in[2], shape);
            for (size_t e = 0; e < a.size(); ++e) a[e] = round_to(ct, cond[e] != 0 ? a[e] : b[e]);
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnSWhere", {describe(condition), describe(self), describe(other)}, {describe(out)}, 0,
                  std::move(k), workspaceSize, executor);
}
EXPORT aclnnStatus aclnnSWhere(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnSWhere", workspace, workspaceSize, executor, stream);
}

// ---- InplaceMaskedFillScalar ----------------------------------------------------------------
// CANN documents only the in-place form (aclnn_masked_fill_scalar.h). mask is BOOL and must
// broadcast to selfRef's shape; value must be castable to selfRef's dtype.

EXPORT aclnnStatus aclnnInplaceMaskedFillScalarGetWorkspaceSize(aclTensor* selfRef, const aclTensor* mask,
                                                                const aclScalar* value, uint64_t* workspaceSize,
                                                                aclOpExecutor** executor) {
    const char* fn = "aclnnInplaceMaskedFillScalarGetWorkspaceSize";
    Check c = begin_phase1(fn, {{selfRef, "selfRef"}, {mask, "mask"}, {value, "value"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kFillTypes).dtypeIn(mask, "mask", {ACL_BOOL});
    if (c.ok() && std::find(kFillTypes.begin(), kFillTypes.end(), value->dtype) == kFillTypes.end()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "value dtype %s is not supported (supported: %s)", dtype_name(value->dtype),
               type_list(kFillTypes));
    }
    if (c.ok() && !can_cast(value->dtype, selfRef->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "value dtype %s cannot be cast to selfRef dtype %s", dtype_name(value->dtype),
               dtype_name(selfRef->dtype));
    }
    std::vector<int64_t> shape;
    if (c.ok() && (!broadcast_shapes(selfRef->dims, mask->dims, &shape) || shape != selfRef->dims)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "mask shape %s cannot broadcast to selfRef shape %s", shape_str(mask->dims),
               shape_str(selfRef->dims));
    }
    c.memory(selfRef, "selfRef").memory(mask, "mask");
    if (!c.ok()) return c.rc;
    const bool isFloat = is_float_type(selfRef->dtype);
    const double vF = scalar_f64(value);
    const int64_t vI = scalar_i64(value);
    Kernel k = [isFloat, vF, vI](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& t = o[0];
        std::vector<int64_t> m = gather_i64(in[0], t.dims);
        std::vector<int64_t> idx = broadcast_indices(t, t.dims);
        for (size_t e = 0; e < idx.size(); ++e) {
            if (m[e] == 0) continue;
            if (isFloat) store_f64(t.dtype, t.data, idx[e], vF);
            else store_i64(t.dtype, t.data, idx[e], vI);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnInplaceMaskedFillScalar", {describe(mask)}, {describe(selfRef)}, 0, std::move(k),
                  workspaceSize, executor);
}
EXPORT aclnnStatus aclnnInplaceMaskedFillScalar(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                                                aclrtStream stream) {
    return launch("aclnnInplaceMaskedFillScalar", workspace, workspaceSize, executor, stream);
}
