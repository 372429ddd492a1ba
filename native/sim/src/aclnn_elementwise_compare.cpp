// Ascend.Interop simulator: comparisons (Eq, Ne, Gt, Ge, Lt, Le; Scalar and Tensor forms) and logical
// operators (LogicalAnd, LogicalOr, LogicalNot), each with CANN's in-place variant. The result is BOOL
// (1 or 0) converted to out's dtype, which may be any dtype BOOL converts to: a comparison can write an
// INT64 word directly (the condition word of a graph's IF/WHILE node). In-place variants write it into
// selfRef, in selfRef's dtype. NaN compares unequal to everything (Ne is true); a logical operator reads
// nonzero values, NaN included, as true.
//
// Compute dtype (facts: hicann/ops-math v9.0.0/v9.1.0 math/{equal,not_equal,greater,greater_equal,less,
// less_equal,logical_*}/op_api; the rules of the Atlas A2/A3 products, which the simulator presents itself as):
// - two tensors: both converted to promote(self, other);
// - a tensor and a scalar, per operator (the scalar is converted to the compute dtype first, so an integer
//   scalar on a narrower integer tensor wraps, as CANN's ConvertToTensor does):
//   Eq, Ne: self's dtype if floating; promote(self, other) if self is BOOL or other is floating; else self's.
//   Gt, Ge: promote(self, other); self's dtype when other is DOUBLE, self is floating and the scalar converted
//           to self's dtype stays within FLT_EPSILON of its value.
//   Lt:     the scalar first becomes self's dtype if self is floating, FLOAT if it is DOUBLE, else stays; then
//           promote(self, that).
//   Le:     self's dtype if floating; FLOAT if the scalar is DOUBLE or both are BOOL; else promote(self, other).
#include <cfloat>
#include <cmath>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_eq_scalar.h"
#include "aclnnop/aclnn_eq_tensor.h"
#include "aclnnop/aclnn_ge_scalar.h"
#include "aclnnop/aclnn_ge_tensor.h"
#include "aclnnop/aclnn_gt_scalar.h"
#include "aclnnop/aclnn_gt_tensor.h"
#include "aclnnop/aclnn_le_scalar.h"
#include "aclnnop/aclnn_le_tensor.h"
#include "aclnnop/aclnn_logical_and.h"
#include "aclnnop/aclnn_logical_not.h"
#include "aclnnop/aclnn_logical_or.h"
#include "aclnnop/aclnn_lt_scalar.h"
#include "aclnnop/aclnn_lt_tensor.h"
#include "aclnnop/aclnn_ne_scalar.h"
#include "aclnnop/aclnn_ne_tensor.h"

using namespace aclnn;

namespace {

enum class Cmp { Eq, Ne, Gt, Ge, Lt, Le };
enum class Logic { And, Or, Not };

template <typename T>
bool holds(Cmp k, T a, T b) {
    switch (k) {
        case Cmp::Eq: return a == b;
        case Cmp::Ne: return a != b;
        case Cmp::Gt: return a > b;
        case Cmp::Ge: return a >= b;
        case Cmp::Lt: return a < b;
        default: return a <= b;
    }
}

// Element `src` of dtype `from` converted to dtype `to` (PyTorch's conversions: a floating value truncates
// toward zero into an integer type, integers wrap), stored in `dst`.
void convert_elem(aclDataType from, const char* src, aclDataType to, char* dst) {
    if (is_float_type(from)) store_f64(to, dst, 0, load_f64(from, src, 0));
    else store_i64(to, dst, 0, load_i64(from, src, 0));
}

// A double rounded to the precision of the floating dtype `ct`.
double in_dtype(aclDataType ct, double v) {
    if (ct == ACL_DOUBLE) return v;
    return round_to(ct, static_cast<float>(v));
}

// The scalar's value in the compute dtype, and that dtype, by the rules in the file comment.
struct ScalarOperand {
    aclDataType compute = ACL_FLOAT;
    double f = 0.0;   // when compute is floating
    int64_t i = 0;    // otherwise
};

ScalarOperand scalar_operand(Cmp k, aclDataType s, const aclScalar* other) {
    const aclDataType o = other->dtype;
    const bool sf = is_float_type(s), of = is_float_type(o);
    const char* value = reinterpret_cast<const char*>(other->bytes);
    aclDataType first = ACL_DT_UNDEFINED;  // Lt: the scalar's own conversion before the promotion
    aclDataType ct = s;
    switch (k) {
        case Cmp::Eq:
        case Cmp::Ne:
            ct = sf ? s : ((s == ACL_BOOL || of) ? promote(s, o) : s);
            break;
        case Cmp::Gt:
        case Cmp::Ge:
            ct = promote(s, o);
            if (o == ACL_DOUBLE && sf) {
                char cast[8] = {};
                convert_elem(o, value, s, cast);
                if (std::fabs(load_f64(s, cast, 0) - load_f64(o, value, 0)) <= FLT_EPSILON) ct = s;
            }
            break;
        case Cmp::Lt:
            first = sf ? s : (o == ACL_DOUBLE ? ACL_FLOAT : o);
            ct = promote(s, first);
            break;
        case Cmp::Le:
            ct = sf ? s : ((o == ACL_DOUBLE || promote(s, o) == ACL_BOOL) ? ACL_FLOAT : promote(s, o));
            break;
    }
    char step[8] = {}, converted[8] = {};
    if (first != ACL_DT_UNDEFINED) {
        convert_elem(o, value, first, step);
        convert_elem(first, step, ct, converted);
    } else {
        convert_elem(o, value, ct, converted);
    }
    ScalarOperand r;
    r.compute = ct;
    if (is_float_type(ct)) r.f = load_f64(ct, converted, 0);
    else r.i = load_i64(ct, converted, 0);
    return r;
}

// out = (in[0] k other) as 1/0, both operands in `ct`; `other` is in[1] or, without it, the scalar.
Kernel compare_kernel(Cmp k, aclDataType ct, bool tensorOther, ScalarOperand scalar) {
    return [=](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        std::vector<int64_t> r(static_cast<size_t>(numel_of(shape)));
        if (is_float_type(ct)) {
            std::vector<double> a = gather_f64(in[0], shape);
            std::vector<double> b = tensorOther ? gather_f64(in[1], shape) : std::vector<double>();
            for (size_t e = 0; e < r.size(); ++e)
                r[e] = holds(k, in_dtype(ct, a[e]), tensorOther ? in_dtype(ct, b[e]) : scalar.f) ? 1 : 0;
        } else {  // promotion only widens, so tensor values need no wrapping
            std::vector<int64_t> a = gather_i64(in[0], shape);
            std::vector<int64_t> b = tensorOther ? gather_i64(in[1], shape) : std::vector<int64_t>();
            for (size_t e = 0; e < r.size(); ++e) r[e] = holds(k, a[e], tensorOther ? b[e] : scalar.i) ? 1 : 0;
        }
        scatter_i64(o[0], r);
        return ACLNN_SUCCESS;
    };
}

bool truth(double v) { return v != 0.0 || std::isnan(v); }

Kernel logic_kernel(Logic k) {
    return [k](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = o[0].dims;
        std::vector<double> a = gather_f64(in[0], shape);
        std::vector<double> b = k == Logic::Not ? std::vector<double>() : gather_f64(in[1], shape);
        std::vector<int64_t> r(a.size());
        for (size_t e = 0; e < r.size(); ++e) {
            const bool x = truth(a[e]);
            r[e] = (k == Logic::Not ? !x : k == Logic::And ? x && truth(b[e]) : x || truth(b[e])) ? 1 : 0;
        }
        scatter_i64(o[0], r);
        return ACLNN_SUCCESS;
    };
}

// The checks every form shares, in CANN's order: the dtypes (self or selfRef, the tensor or scalar other, out;
// out is absent in place), the broadcast of self and a tensor other (out must have that shape; in place, selfRef
// must), the memory.
void check_operands(Check& c, const aclTensor* self, const char* selfName, const aclTensor* other,
                    const aclScalar* scalar, const aclTensor* out) {
    c.dtypeIn(self, selfName, kCastTypes);
    if (other != nullptr) c.dtypeIn(other, "other", kCastTypes);
    if (scalar != nullptr && c.ok() && !contains(kCastTypes, scalar->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "other dtype %s is not supported (supported: %s)", dtype_name(scalar->dtype),
               type_list(kCastTypes).c_str());
    }
    if (out != self) c.dtypeIn(out, "out", kCastTypes);
    std::vector<int64_t> shape = self->dims;
    if (other != nullptr) c.broadcast(self, selfName, other, "other", &shape);
    if (out != self) {
        c.shapeIs(out, "out", shape);
    } else if (c.ok() && shape != self->dims) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "other shape %s does not broadcast to selfRef shape %s",
               shape_str(other->dims).c_str(), shape_str(self->dims).c_str());
    }
    c.memory(self, selfName);
    if (other != nullptr) c.memory(other, "other");
    if (out != self) c.memory(out, "out");
}

// The null checks every form shares (runtime entry first); in place, out is selfRef and not checked again.
Check begin(const char* fn, const aclTensor* self, const void* other, bool hasOther, const aclTensor* out,
            uint64_t* workspaceSize, aclOpExecutor** executor) {
    const bool inplace = out == self;
    return begin_phase1(fn, {{self, inplace ? "selfRef" : "self"}, {other, "other", hasOther}, {out, "out", !inplace}},
                        workspaceSize, executor);
}

// Phase 1 of <op>Scalar (out given) and Inplace<op>Scalar (out == self).
aclnnStatus compare_scalar(const char* fn, const char* op, Cmp k, const aclTensor* self, const aclScalar* other,
                           const aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin(fn, self, other, true, out, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    check_operands(c, self, out == self ? "selfRef" : "self", nullptr, other, out);
    if (!c.ok()) return c.rc;
    const ScalarOperand scalar = scalar_operand(k, self->dtype, other);
    return finish(c, op, {describe(self)}, {describe(out)}, 0, compare_kernel(k, scalar.compute, false, scalar),
                  workspaceSize, executor);
}

// Phase 1 of <op>Tensor (out given) and Inplace<op>Tensor (out == self, other broadcasting to it).
aclnnStatus compare_tensor(const char* fn, const char* op, Cmp k, const aclTensor* self, const aclTensor* other,
                           const aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin(fn, self, other, true, out, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    check_operands(c, self, out == self ? "selfRef" : "self", other, nullptr, out);
    if (!c.ok()) return c.rc;
    return finish(c, op, {describe(self), describe(other)}, {describe(out)}, 0,
                  compare_kernel(k, promote(self->dtype, other->dtype), true, ScalarOperand()), workspaceSize,
                  executor);
}

// Phase 1 of LogicalAnd/Or/Not and their in-place variants (other null for Not; out == self in place).
aclnnStatus logic(const char* fn, const char* op, Logic k, const aclTensor* self, const aclTensor* other,
                  const aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin(fn, self, other, k != Logic::Not, out, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    check_operands(c, self, out == self ? "selfRef" : "self", other, nullptr, out);
    if (!c.ok()) return c.rc;
    std::vector<TensorDesc> in = {describe(self)};
    if (other != nullptr) in.push_back(describe(other));
    return finish(c, op, std::move(in), {describe(out)}, 0, logic_kernel(k), workspaceSize, executor);
}

}  // namespace

// Exports aclnn<Name><Form> and aclnnInplace<Name><Form> (both phases) for one form of the second operand: Scalar
// (an aclScalar, checked by compare_scalar) or Tensor (an aclTensor, compare_tensor). `SelfRef` is the in-place
// form's selfRef pointee: const in some of CANN's headers.
#define ACLNN_COMPARE_FORM(Name, Form, kind, Other, compare, SelfRef)                                              \
    ACLNN_EXPORT aclnnStatus aclnn##Name##Form##GetWorkspaceSize(const aclTensor* self, const Other* other,        \
                                                                 aclTensor* out, uint64_t* workspaceSize,       \
                                                                 aclOpExecutor** executor) {                    \
        return compare("aclnn" #Name #Form "GetWorkspaceSize", "aclnn" #Name #Form, kind, self, other, out,         \
                       workspaceSize, executor);                                                                 \
    }                                                                                                            \
    ACLNN_LAUNCH(Name##Form)                                                                                     \
    ACLNN_EXPORT aclnnStatus aclnnInplace##Name##Form##GetWorkspaceSize(                                         \
        SelfRef* selfRef, const Other* other, uint64_t* workspaceSize, aclOpExecutor** executor) {               \
        return compare("aclnnInplace" #Name #Form "GetWorkspaceSize", "aclnnInplace" #Name #Form, kind, selfRef,    \
                       other, selfRef, workspaceSize, executor);                                                 \
    }                                                                                                            \
    ACLNN_LAUNCH(Inplace##Name##Form)

// Exports the four comparisons of one kind: aclnn<Name>Scalar, aclnnInplace<Name>Scalar, aclnn<Name>Tensor and
// aclnnInplace<Name>Tensor.
#define ACLNN_COMPARE(Name, kind, ScalarRef, TensorRef)                   \
    ACLNN_COMPARE_FORM(Name, Scalar, kind, aclScalar, compare_scalar, ScalarRef) \
    ACLNN_COMPARE_FORM(Name, Tensor, kind, aclTensor, compare_tensor, TensorRef)

ACLNN_COMPARE(Eq, Cmp::Eq, const aclTensor, const aclTensor)
ACLNN_COMPARE(Ne, Cmp::Ne, aclTensor, aclTensor)
ACLNN_COMPARE(Gt, Cmp::Gt, aclTensor, const aclTensor)
ACLNN_COMPARE(Ge, Cmp::Ge, aclTensor, aclTensor)
ACLNN_COMPARE(Lt, Cmp::Lt, const aclTensor, const aclTensor)
ACLNN_COMPARE(Le, Cmp::Le, aclTensor, aclTensor)

// Exports aclnnLogical<Name> and aclnnInplaceLogical<Name> (both phases) of a two-input logical operator.
#define ACLNN_LOGICAL(Name, kind)                                                                                   \
    ACLNN_EXPORT aclnnStatus aclnnLogical##Name##GetWorkspaceSize(const aclTensor* self, const aclTensor* other,     \
                                                                  aclTensor* out, uint64_t* workspaceSize,        \
                                                                  aclOpExecutor** executor) {                     \
        return logic("aclnnLogical" #Name "GetWorkspaceSize", "aclnnLogical" #Name, kind, self, other, out,         \
                     workspaceSize, executor);                                                                    \
    }                                                                                                              \
    ACLNN_LAUNCH(Logical##Name)                                                                                    \
    ACLNN_EXPORT aclnnStatus aclnnInplaceLogical##Name##GetWorkspaceSize(                                          \
        aclTensor* selfRef, const aclTensor* other, uint64_t* workspaceSize, aclOpExecutor** executor) {           \
        return logic("aclnnInplaceLogical" #Name "GetWorkspaceSize", "aclnnInplaceLogical" #Name, kind, selfRef,    \
                     other, selfRef, workspaceSize, executor);                                                    \
    }                                                                                                              \
    ACLNN_LAUNCH(InplaceLogical##Name)

ACLNN_LOGICAL(And, Logic::And)
ACLNN_LOGICAL(Or, Logic::Or)

ACLNN_EXPORT aclnnStatus aclnnLogicalNotGetWorkspaceSize(const aclTensor* self, aclTensor* out, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
    return logic("aclnnLogicalNotGetWorkspaceSize", "aclnnLogicalNot", Logic::Not, self, nullptr, out, workspaceSize,
                 executor);
}
ACLNN_LAUNCH(LogicalNot)

ACLNN_EXPORT aclnnStatus aclnnInplaceLogicalNotGetWorkspaceSize(aclTensor* selfRef, uint64_t* workspaceSize,
                                                                aclOpExecutor** executor) {
    return logic("aclnnInplaceLogicalNotGetWorkspaceSize", "aclnnInplaceLogicalNot", Logic::Not, selfRef, nullptr,
                 selfRef, workspaceSize, executor);
}
ACLNN_LAUNCH(InplaceLogicalNot)
