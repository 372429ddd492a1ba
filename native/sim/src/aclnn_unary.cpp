// Ascend.Interop simulator: the shared phase 1 and kernel of one-input element-wise operators.
// Floating inputs are computed in float (each operator's value function) and rounded once to the
// compute dtype, then stored into out's dtype; integer ones wrap modulo 2^n as PyTorch's do.
#include "aclnn_unary.h"

namespace aclnn {

aclnnStatus unary_phase1(const UnaryOp& u, const aclTensor* self, const aclTensor* out, uint64_t* workspaceSize,
                         aclOpExecutor** executor) {
    Check c = begin_phase1(u.fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", *u.selfTypes);
    aclDataType ct = c.ok() ? self->dtype : ACL_FLOAT;
    switch (u.types) {
        case UnaryTypes::Same:
            c.sameDtype(out, "out", self, "self");
            break;
        case UnaryTypes::Castable:
            c.dtypeIn(out, "out", kArithTypes);
            check_castable(c, ct, out, "out");
            break;
        case UnaryTypes::ToFloat:
            c.dtypeIn(out, "out", kFloatTypes);
            if (!is_float_type(ct)) ct = ACL_FLOAT;
            break;
    }
    c.shapeIs(out, "out", self->dims).memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const bool isInt = !is_float_type(ct);
    if (isInt && u.intValue == nullptr) {
        return sim::fail(ACLNN_ERR_INNER, u.fn, "no integer form for the compute dtype %s", dtype_name(ct));
    }
    Kernel k = [ct, isInt, value = u.value, intValue = u.intValue](const std::vector<TensorDesc>& in,
                                                                  const std::vector<TensorDesc>& o, char*, uint64_t) {
        if (isInt) {
            std::vector<int64_t> a = gather_i64(in[0], o[0].dims);
            for (auto& v : a) v = wrap_to(ct, intValue(static_cast<uint64_t>(v)));
            scatter_i64(o[0], a);
        } else {
            std::vector<float> a = gather_f32(in[0], o[0].dims);
            for (auto& v : a) v = round_to(ct, value(v));
            scatter_f32(o[0], a);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, u.op, {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

}  // namespace aclnn
