// Ascend.Interop simulator: element-wise conversion and selection: Cast, InplaceCopy, SWhere,
// InplaceMaskedFillScalar. Conversions follow PyTorch's (floating to integer truncates toward zero, then
// wraps; anything nonzero, NaN included, is true as BOOL).
#include <algorithm>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_masked_fill_scalar.h"
#include "aclnnop/aclnn_s_where.h"

using namespace aclnn;

namespace {

const std::initializer_list<aclDataType> kFillTypes = {ACL_BOOL,  ACL_INT8,    ACL_INT32, ACL_INT64,
                                                       ACL_FLOAT, ACL_FLOAT16, ACL_BF16};
const std::initializer_list<aclDataType> kConditionTypes = {ACL_BOOL, ACL_UINT8};

// out = src converted to out's dtype, src broadcast to out's shape.
Kernel convert_kernel() {
    return [](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& src = in[0];
        const TensorDesc& dst = o[0];
        // double -> half types goes through float, as PyTorch's conversions do (store_f64)
        if (is_float_type(src.dtype)) scatter_f64(dst, gather_f64(src, dst.dims));
        else scatter_i64(dst, gather_i64(src, dst.dims));
        return ACLNN_SUCCESS;
    };
}

}  // namespace

ACLNN_EXPORT aclnnStatus aclnnCastGetWorkspaceSize(const aclTensor* self, const aclDataType dtype, aclTensor* out,
                                                   uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnCastGetWorkspaceSize", {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kCastTypes);
    if (c.ok() && !contains(kCastTypes, dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "target dtype %s is not supported", dtype_name(dtype));
    }
    if (c.ok() && out->dtype != dtype) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "out dtype %s differs from the target dtype %s", dtype_name(out->dtype),
               dtype_name(dtype));
    }
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    return finish(c, "aclnnCast", {describe(self)}, {describe(out)}, 0, convert_kernel(), workspaceSize, executor);
}
ACLNN_LAUNCH(Cast)

ACLNN_EXPORT aclnnStatus aclnnInplaceCopyGetWorkspaceSize(aclTensor* selfRef, const aclTensor* src,
                                                          uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnInplaceCopyGetWorkspaceSize", {{selfRef, "selfRef"}, {src, "src"}}, workspaceSize,
                           executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kCastTypes).dtypeIn(src, "src", kCastTypes);
    std::vector<int64_t> shape;
    if (c.ok() && (!broadcast_shapes(selfRef->dims, src->dims, &shape) || shape != selfRef->dims)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "src shape %s cannot broadcast to selfRef shape %s",
               shape_str(src->dims).c_str(), shape_str(selfRef->dims).c_str());
    }
    c.memory(selfRef, "selfRef").memory(src, "src");
    return finish(c, "aclnnInplaceCopy", {describe(src)}, {describe(selfRef)}, 0, convert_kernel(), workspaceSize,
                  executor);
}
ACLNN_LAUNCH(InplaceCopy)

ACLNN_EXPORT aclnnStatus aclnnSWhereGetWorkspaceSize(const aclTensor* condition, const aclTensor* self,
                                                     const aclTensor* other, aclTensor* out, uint64_t* workspaceSize,
                                                     aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnSWhereGetWorkspaceSize",
                           {{condition, "condition"}, {self, "self"}, {other, "other"}, {out, "out"}}, workspaceSize,
                           executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(condition, "condition", kConditionTypes);
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(other, "other", kArithTypes).dtypeIn(out, "out", kArithTypes);
    const aclDataType ct = c.ok() ? promote(self->dtype, other->dtype) : ACL_FLOAT;
    check_castable(c, ct, out, "out");
    std::vector<int64_t> so, shape;
    if (c.ok() && (!broadcast_shapes(self->dims, other->dims, &so) || !broadcast_shapes(condition->dims, so, &shape))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "condition shape %s and the self / other shapes %s / %s cannot broadcast",
               shape_str(condition->dims).c_str(), shape_str(self->dims).c_str(), shape_str(other->dims).c_str());
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
ACLNN_LAUNCH(SWhere)

// CANN documents only the in-place form (aclnn_masked_fill_scalar.h). mask is BOOL and must broadcast to
// selfRef's shape; value must be castable to selfRef's dtype.
ACLNN_EXPORT aclnnStatus aclnnInplaceMaskedFillScalarGetWorkspaceSize(aclTensor* selfRef, const aclTensor* mask,
                                                                      const aclScalar* value, uint64_t* workspaceSize,
                                                                      aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnInplaceMaskedFillScalarGetWorkspaceSize",
                           {{selfRef, "selfRef"}, {mask, "mask"}, {value, "value"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kFillTypes).dtypeIn(mask, "mask", {ACL_BOOL});
    if (c.ok() && !contains(kFillTypes, value->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "value dtype %s is not supported (supported: %s)", dtype_name(value->dtype),
               type_list(kFillTypes).c_str());
    }
    if (c.ok() && !can_cast(value->dtype, selfRef->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "value dtype %s cannot be cast to selfRef dtype %s", dtype_name(value->dtype),
               dtype_name(selfRef->dtype));
    }
    std::vector<int64_t> shape;
    if (c.ok() && (!broadcast_shapes(selfRef->dims, mask->dims, &shape) || shape != selfRef->dims)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "mask shape %s cannot broadcast to selfRef shape %s",
               shape_str(mask->dims).c_str(), shape_str(selfRef->dims).c_str());
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
ACLNN_LAUNCH(InplaceMaskedFillScalar)
