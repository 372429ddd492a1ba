// Ascend.Interop simulator: element-wise arithmetic: Add, Sub, Mul, Div, Maximum, Minimum (two tensors,
// broadcasting) and Adds, Muls (a tensor and a scalar).
// - Two tensors promote like PyTorch (promote(), among FLOAT, FLOAT16, BF16, INT32, INT64); Div of two
//   integer tensors computes in FLOAT (true division). A tensor and a scalar follow PyTorch's tensor-scalar
//   rule: a floating scalar on an integer tensor gives FLOAT, otherwise the tensor's dtype is kept.
// - Floating inputs are computed in float and rounded once to the compute dtype, then cast into out's dtype;
//   out must be castable from the compute dtype (can_cast). Integer arithmetic wraps modulo 2^n.
#include <algorithm>
#include <cmath>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_maximum.h"
#include "aclnnop/aclnn_minimum.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_sub.h"

using namespace aclnn;

namespace {

enum class Bin { Add, Sub, Mul, Div, Max, Min };

bool is_scalar_type(aclDataType dt) { return dt == ACL_BOOL || is_float_type(dt) || is_int_type(dt); }

float nan_max(float a, float b, bool max) {
    if (std::isnan(a) || std::isnan(b)) return std::nanf("");
    return max ? std::max(a, b) : std::min(a, b);
}

// alpha of Add/Sub/Adds (null for the operators without one): a real scalar, integral for an integer result.
void check_alpha(Check& c, const aclScalar* alpha, aclDataType ct) {
    if (!c.ok() || alpha == nullptr) return;
    if (!is_scalar_type(alpha->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s is not supported", dtype_name(alpha->dtype));
    } else if (is_int_type(ct) && is_float_type(alpha->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "alpha dtype %s cannot be used with the integer result type %s",
               dtype_name(alpha->dtype), dtype_name(ct));
    }
}

// x (op) alpha * y in the integer compute dtype, wrapped.
int64_t int_value(Bin kind, aclDataType ct, int64_t a, int64_t b, int64_t alpha) {
    const uint64_t x = static_cast<uint64_t>(a), y = static_cast<uint64_t>(b), al = static_cast<uint64_t>(alpha);
    switch (kind) {
        case Bin::Add: return wrap_to(ct, x + al * y);
        case Bin::Sub: return wrap_to(ct, x - al * y);
        case Bin::Mul: return wrap_to(ct, x * y);
        case Bin::Max: return std::max(a, b);
        default: return std::min(a, b);  // Min (Div never computes in an integer type)
    }
}

float float_value(Bin kind, float a, float b, float alpha) {
    switch (kind) {
        case Bin::Add: return alpha == 1.0f ? a + b : a + alpha * b;
        case Bin::Sub: return alpha == 1.0f ? a - b : a - alpha * b;
        case Bin::Mul: return a * b;
        case Bin::Div: return a / b;
        case Bin::Max: return nan_max(a, b, true);
        default: return nan_max(a, b, false);
    }
}

// One kernel for both forms: `other` is input 1 when the operator has two tensors, else the scalar values.
Kernel binary_kernel(Bin kind, aclDataType ct, bool tensorOther, double otherF, int64_t otherI, double alphaF,
                     int64_t alphaI) {
    return [=](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        if (is_int_type(ct)) {
            std::vector<int64_t> a = gather_i64(in[0], shape);
            std::vector<int64_t> b = tensorOther ? gather_i64(in[1], shape) : std::vector<int64_t>(a.size(), otherI);
            for (size_t e = 0; e < a.size(); ++e) a[e] = int_value(kind, ct, a[e], b[e], alphaI);
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], shape);
            std::vector<float> b = tensorOther ? gather_f32(in[1], shape)
                                               : std::vector<float>(a.size(), static_cast<float>(otherF));
            const float al = static_cast<float>(alphaF);
            for (size_t e = 0; e < a.size(); ++e) a[e] = round_to(ct, float_value(kind, a[e], b[e], al));
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
}

aclnnStatus binary_phase1(const char* fn, const char* op, Bin kind, const aclTensor* self, const aclTensor* other,
                          const aclScalar* alpha, const aclTensor* out, uint64_t* workspaceSize,
                          aclOpExecutor** executor) {
    const bool hasAlpha = kind == Bin::Add || kind == Bin::Sub;
    Check c = begin_phase1(fn, {{self, "self"}, {other, "other"}, {alpha, "alpha", hasAlpha}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(other, "other", kArithTypes).dtypeIn(out, "out", kArithTypes);
    aclDataType ct = c.ok() ? promote(self->dtype, other->dtype) : ACL_FLOAT;
    if (kind == Bin::Div && is_int_type(ct)) ct = ACL_FLOAT;  // true division
    check_castable(c, ct, out, "out");
    std::vector<int64_t> shape;
    c.broadcast(self, "self", other, "other", &shape).shapeIs(out, "out", shape);
    check_alpha(c, alpha, ct);
    c.memory(self, "self").memory(other, "other").memory(out, "out");
    if (!c.ok()) return c.rc;
    const double alphaF = alpha != nullptr ? scalar_f64(alpha) : 1.0;
    const int64_t alphaI = alpha != nullptr ? scalar_i64(alpha) : 1;
    return finish(c, op, {describe(self), describe(other)}, {describe(out)}, 0,
                  binary_kernel(kind, ct, true, 0.0, 0, alphaF, alphaI), workspaceSize, executor);
}

aclnnStatus scalar_phase1(const char* fn, const char* op, Bin kind, const aclTensor* self, const aclScalar* other,
                          const aclScalar* alpha, const aclTensor* out, uint64_t* workspaceSize,
                          aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{self, "self"}, {other, "other"}, {alpha, "alpha", kind == Bin::Add}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(out, "out", kArithTypes);
    if (c.ok() && !is_scalar_type(other->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "other dtype %s is not supported", dtype_name(other->dtype));
    }
    aclDataType ct = ACL_FLOAT;
    if (c.ok()) {
        ct = is_float_type(self->dtype) ? self->dtype : (is_float_type(other->dtype) ? ACL_FLOAT : self->dtype);
    }
    check_alpha(c, alpha, ct);
    check_castable(c, ct, out, "out");
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const double alphaF = alpha != nullptr ? scalar_f64(alpha) : 1.0;
    const int64_t alphaI = alpha != nullptr ? scalar_i64(alpha) : 1;
    return finish(c, op, {describe(self)}, {describe(out)}, 0,
                  binary_kernel(kind, ct, false, scalar_f64(other), scalar_i64(other), alphaF, alphaI), workspaceSize,
                  executor);
}

}  // namespace

// Exports aclnn<Name>GetWorkspaceSize(self, other, alpha, out, ...) and aclnn<Name> (Add, Sub).
#define ACLNN_BINARY_ALPHA(Name, kind)                                                                          \
    ACLNN_EXPORT aclnnStatus aclnn##Name##GetWorkspaceSize(const aclTensor* self, const aclTensor* other,        \
                                                           const aclScalar* alpha, aclTensor* out,              \
                                                           uint64_t* workspaceSize, aclOpExecutor** executor) { \
        return binary_phase1("aclnn" #Name "GetWorkspaceSize", "aclnn" #Name, kind, self, other, alpha, out,     \
                             workspaceSize, executor);                                                         \
    }                                                                                                          \
    ACLNN_LAUNCH(Name)

// Exports aclnn<Name>GetWorkspaceSize(self, other, out, ...) and aclnn<Name> (Mul, Div, Maximum, Minimum).
#define ACLNN_BINARY(Name, kind)                                                                                \
    ACLNN_EXPORT aclnnStatus aclnn##Name##GetWorkspaceSize(const aclTensor* self, const aclTensor* other,        \
                                                           aclTensor* out, uint64_t* workspaceSize,             \
                                                           aclOpExecutor** executor) {                          \
        return binary_phase1("aclnn" #Name "GetWorkspaceSize", "aclnn" #Name, kind, self, other, nullptr, out,   \
                             workspaceSize, executor);                                                         \
    }                                                                                                          \
    ACLNN_LAUNCH(Name)

ACLNN_BINARY_ALPHA(Add, Bin::Add)
ACLNN_BINARY_ALPHA(Sub, Bin::Sub)
ACLNN_BINARY(Mul, Bin::Mul)
ACLNN_BINARY(Div, Bin::Div)
ACLNN_BINARY(Maximum, Bin::Max)
ACLNN_BINARY(Minimum, Bin::Min)

ACLNN_EXPORT aclnnStatus aclnnAddsGetWorkspaceSize(const aclTensor* self, const aclScalar* other, const aclScalar* alpha,
                                                   aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return scalar_phase1("aclnnAddsGetWorkspaceSize", "aclnnAdds", Bin::Add, self, other, alpha, out, workspaceSize,
                         executor);
}
ACLNN_LAUNCH(Adds)

ACLNN_EXPORT aclnnStatus aclnnMulsGetWorkspaceSize(const aclTensor* self, const aclScalar* other, aclTensor* out,
                                                   uint64_t* workspaceSize, aclOpExecutor** executor) {
    return scalar_phase1("aclnnMulsGetWorkspaceSize", "aclnnMuls", Bin::Mul, self, other, nullptr, out, workspaceSize,
                         executor);
}
ACLNN_LAUNCH(Muls)
