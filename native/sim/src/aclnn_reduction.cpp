// Ascend.Interop simulator: reductions: ReduceSum, Mean, Amax, ArgMax, Topk.
// Sums and means accumulate in double and are rounded once into the result dtype (through float for
// FLOAT16/BF16, as a float accumulator would). A dims array that is empty means every dimension, as
// torch.sum(x, dim=[]) does. Every kernel reads its input through the view's strides and writes its
// outputs through theirs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_amax.h"
#include "aclnnop/aclnn_argmax.h"
#include "aclnnop/aclnn_mean.h"
#include "aclnnop/aclnn_reduce_sum.h"
#include "aclnnop/aclnn_topk.h"

using namespace aclnn;

namespace {

// The reduced axes of `self` from a dims array (empty = all); records 161002 on a bad or repeated dim.
std::vector<bool> reduced_axes(Check& c, const aclTensor* self, const aclIntArray* dims, const char* what) {
    const size_t rank = self->dims.size();
    std::vector<bool> red(rank, dims->v.empty());
    for (int64_t d : dims->v) {
        int64_t w = 0;
        if (!wrap_dim(d, rank, &w)) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s holds %lld, which is out of range for self of rank %zu", what,
                   static_cast<long long>(d), rank);
            return red;
        }
        if (rank == 0) continue;
        if (red[static_cast<size_t>(w)]) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s names dimension %lld more than once", what, static_cast<long long>(w));
            return red;
        }
        red[static_cast<size_t>(w)] = true;
    }
    return red;
}

std::vector<int64_t> reduced_shape(const std::vector<int64_t>& dims, const std::vector<bool>& red, bool keep) {
    std::vector<int64_t> s;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (!red[i]) s.push_back(dims[i]);
        else if (keep) s.push_back(1);
    }
    return s;
}

// For each element of `dims` in row-major order, the row-major index of its output element (the
// reduced axes collapsed): a walk of `dims` with the output's strides, 0 along the reduced axes. The output
// order is the same with and without keepdim.
std::vector<int64_t> output_slot(const std::vector<int64_t>& dims, const std::vector<bool>& red) {
    TensorDesc walk;
    walk.dims = dims;
    walk.strides.assign(dims.size(), 0);
    int64_t acc = 1;
    for (size_t i = dims.size(); i-- > 0;) {
        if (!red[i]) {
            walk.strides[i] = acc;
            acc *= dims[i];
        }
    }
    return broadcast_indices(walk, dims);
}

// ---- ReduceSum / Mean -------------------------------------------------------------------------

enum class SumKind { Sum, Mean };

aclnnStatus sum_phase1(const char* fn, const char* op, SumKind kind, const aclTensor* self, const aclIntArray* dims,
                       bool keep, aclDataType dtype, aclTensor* out, uint64_t* workspaceSize,
                       aclOpExecutor** executor) {
    const char* dimsName = kind == SumKind::Sum ? "dims" : "dim";
    Check c = begin_phase1(fn, {{self, "self"}, {dims, dimsName}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes);
    const auto& allowed = kind == SumKind::Sum ? kArithTypes : kFloatTypes;
    if (c.ok() && std::find(allowed.begin(), allowed.end(), dtype) == allowed.end()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dtype %s is not supported (supported: %s)", dtype_name(dtype),
               type_list(allowed).c_str());
    }
    if (c.ok() && out->dtype != dtype) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "out dtype %s differs from dtype %s", dtype_name(out->dtype),
               dtype_name(dtype));
    }
    std::vector<bool> red;
    if (c.ok()) red = reduced_axes(c, self, dims, dimsName);
    if (c.ok()) c.shapeIs(out, "out", reduced_shape(self->dims, red, keep));
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    int64_t count = 1;
    for (size_t i = 0; i < red.size(); ++i)
        if (red[i]) count *= self->dims[i];
    const bool intResult = is_int_type(dtype);
    Kernel k = [kind, red, count, dtype, intResult](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o,
                                                    char*, uint64_t) {
        const TensorDesc& x = in[0];
        const int64_t nOut = o[0].numel();
        if (nOut == 0) return ACLNN_SUCCESS;
        std::vector<int64_t> slot = output_slot(x.dims, red);
        if (intResult) {  // torch.sum(x, dtype=int): each element cast to the integer type, sum wraps
            std::vector<int64_t> v = gather_i64(x, x.dims);
            if (is_float_type(x.dtype)) {
                std::vector<double> f = gather_f64(x, x.dims);
                for (size_t e = 0; e < v.size(); ++e) v[e] = float_to_int_trunc(f[e]);
            }
            std::vector<uint64_t> acc(static_cast<size_t>(nOut), 0);
            for (size_t e = 0; e < v.size(); ++e) acc[static_cast<size_t>(slot[e])] += static_cast<uint64_t>(v[e]);
            std::vector<int64_t> r(acc.begin(), acc.end());
            scatter_i64(o[0], r);
            return ACLNN_SUCCESS;
        }
        // torch.sum/mean(x, dtype=float type): each element converted to dtype first, then accumulated.
        std::vector<double> v = gather_f64(x, x.dims);
        if (x.dtype != dtype) {
            for (auto& e : v) e = round_to(dtype, static_cast<float>(e));
        }
        std::vector<double> acc(static_cast<size_t>(nOut), 0.0);
        for (size_t e = 0; e < v.size(); ++e) acc[static_cast<size_t>(slot[e])] += v[e];
        if (kind == SumKind::Mean) {
            for (auto& a : acc) a = count == 0 ? std::numeric_limits<double>::quiet_NaN() : a / static_cast<double>(count);
        }
        scatter_f64(o[0], acc);
        return ACLNN_SUCCESS;
    };
    return finish(c, op, {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- Amax ---------------------------------------------------------------------------------------

aclnnStatus amax_phase1(const aclTensor* self, const aclIntArray* dim, bool keep, aclTensor* out,
                        uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnAmaxGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {dim, "dim"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).sameDtype(out, "out", self, "self");
    std::vector<bool> red;
    if (c.ok()) red = reduced_axes(c, self, dim, "dim");
    if (c.ok()) {
        for (size_t i = 0; i < red.size(); ++i) {
            if (red[i] && self->dims[i] == 0) {
                c.fail(ACLNN_ERR_PARAM_INVALID,
                       "dimension %zu of self has size 0: a maximum over no elements is undefined", i);
                break;
            }
        }
    }
    if (c.ok()) c.shapeIs(out, "out", reduced_shape(self->dims, red, keep));
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    Kernel k = [red](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& x = in[0];
        const int64_t nOut = o[0].numel();
        if (nOut == 0) return ACLNN_SUCCESS;
        std::vector<int64_t> slot = output_slot(x.dims, red);
        std::vector<bool> seen(static_cast<size_t>(nOut), false);
        if (is_int_type(x.dtype)) {
            std::vector<int64_t> v = gather_i64(x, x.dims);
            std::vector<int64_t> m(static_cast<size_t>(nOut), 0);
            for (size_t e = 0; e < v.size(); ++e) {
                const size_t s = static_cast<size_t>(slot[e]);
                if (!seen[s] || v[e] > m[s]) m[s] = v[e];
                seen[s] = true;
            }
            scatter_i64(o[0], m);
        } else {
            std::vector<double> v = gather_f64(x, x.dims);
            std::vector<double> m(static_cast<size_t>(nOut), 0.0);
            for (size_t e = 0; e < v.size(); ++e) {
                const size_t s = static_cast<size_t>(slot[e]);
                if (!seen[s] || std::isnan(v[e]) || (!std::isnan(m[s]) && v[e] > m[s])) m[s] = v[e];
                seen[s] = true;
            }
            scatter_f64(o[0], m);
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnAmax", {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- ArgMax / Topk: one dimension ---------------------------------------------------------------

// Geometry of "along dimension d": outer x len x inner in row-major order of the shape.
struct Along {
    int64_t outer = 1, len = 1, inner = 1;
};
Along along(const std::vector<int64_t>& dims, int64_t d) {
    Along a;
    if (dims.empty()) return a;
    for (int64_t i = 0; i < d; ++i) a.outer *= dims[static_cast<size_t>(i)];
    a.len = dims[static_cast<size_t>(d)];
    for (size_t i = static_cast<size_t>(d) + 1; i < dims.size(); ++i) a.inner *= dims[i];
    return a;
}

// Total order of PyTorch's max/sort: NaN is greater than every number (and equal to NaN).
inline bool greater_nan_max(double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
    return a > b;
}

aclnnStatus argmax_phase1(const aclTensor* self, int64_t dim, bool keep, aclTensor* out, uint64_t* workspaceSize,
                          aclOpExecutor** executor) {
    const char* fn = "aclnnArgMaxGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes);
    if (c.ok() && out->dtype != ACL_INT64) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "out dtype %s must be INT64", dtype_name(out->dtype));
    }
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range for self of rank %zu", static_cast<long long>(dim),
               self->dims.size());
    }
    if (c.ok() && !self->dims.empty() && self->dims[static_cast<size_t>(d)] == 0) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dimension %lld of self has size 0: argmax over no elements is undefined",
               static_cast<long long>(d));
    }
    std::vector<bool> red(self != nullptr ? self->dims.size() : 0, false);
    if (c.ok() && !red.empty()) red[static_cast<size_t>(d)] = true;
    if (c.ok()) c.shapeIs(out, "out", reduced_shape(self->dims, red, keep));
    c.memory(self, "self").memory(out, "out");
    if (!c.ok()) return c.rc;
    const Along g = along(self->dims, d);
    Kernel k = [g](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& x = in[0];
        if (x.numel() == 0) return ACLNN_SUCCESS;
        const bool isInt = is_int_type(x.dtype);
        std::vector<int64_t> vi = isInt ? gather_i64(x, x.dims) : std::vector<int64_t>();
        std::vector<double> vf = isInt ? std::vector<double>() : gather_f64(x, x.dims);
        std::vector<int64_t> r(static_cast<size_t>(g.outer * g.inner));
        for (int64_t a = 0; a < g.outer; ++a) {
            for (int64_t i = 0; i < g.inner; ++i) {
                const int64_t base = a * g.len * g.inner + i;
                int64_t best = 0;
                for (int64_t j = 1; j < g.len; ++j) {  // strictly greater: the first maximum wins
                    const size_t cur = static_cast<size_t>(base + j * g.inner);
                    const size_t top = static_cast<size_t>(base + best * g.inner);
                    if (isInt ? vi[cur] > vi[top] : greater_nan_max(vf[cur], vf[top])) best = j;
                }
                r[static_cast<size_t>(a * g.inner + i)] = best;
            }
        }
        scatter_i64(o[0], r);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnArgMax", {describe(self)}, {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// Topk: a stable sort of each slice, so equal values keep their input order (lower index first);
// NaN ranks above every number (first for largest, last for smallest), as PyTorch's sort does.
aclnnStatus topk_phase1(const aclTensor* self, int64_t kk, int64_t dim, bool largest, bool sorted, aclTensor* values,
                        aclTensor* indices, uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnTopkGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {values, "valuesOut"}, {indices, "indicesOut"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).sameDtype(values, "valuesOut", self, "self");
    if (c.ok() && indices->dtype != ACL_INT64) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "indicesOut dtype %s must be INT64", dtype_name(indices->dtype));
    }
    if (c.ok() && self->dims.empty()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self must have 1 to 8 dimensions (it is 0-dimensional)");
    }
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range for self of rank %zu", static_cast<long long>(dim),
               self->dims.size());
    }
    if (c.ok() && (kk < 0 || kk > self->dims[static_cast<size_t>(d)])) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "k %lld is outside [0, %lld], the size of dimension dim of self",
               static_cast<long long>(kk), static_cast<long long>(self->dims[static_cast<size_t>(d)]));
    }
    if (c.ok() && !sorted) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "sorted must be true: CANN documents sorted=false as not supported");
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = self->dims;
        oshape[static_cast<size_t>(d)] = kk;
    }
    c.shapeIs(values, "valuesOut", oshape).shapeIs(indices, "indicesOut", oshape);
    c.memory(self, "self").memory(values, "valuesOut").memory(indices, "indicesOut");
    if (!c.ok()) return c.rc;
    const Along g = along(self->dims, d);
    Kernel k = [g, kk, largest](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& x = in[0];
        if (x.numel() == 0 || kk == 0) return ACLNN_SUCCESS;
        const bool isInt = is_int_type(x.dtype);
        std::vector<int64_t> vi = isInt ? gather_i64(x, x.dims) : std::vector<int64_t>();
        std::vector<double> vf = isInt ? std::vector<double>() : gather_f64(x, x.dims);
        const size_t nOut = static_cast<size_t>(g.outer * kk * g.inner);
        std::vector<int64_t> ri(nOut), rvI(isInt ? nOut : 0);
        std::vector<double> rvF(isInt ? 0 : nOut);
        std::vector<int64_t> order(static_cast<size_t>(g.len));
        for (int64_t a = 0; a < g.outer; ++a) {
            for (int64_t i = 0; i < g.inner; ++i) {
                const int64_t base = a * g.len * g.inner + i;
                auto at = [&](int64_t j) { return static_cast<size_t>(base + j * g.inner); };
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
                    if (isInt) return largest ? vi[at(p)] > vi[at(q)] : vi[at(p)] < vi[at(q)];
                    return largest ? greater_nan_max(vf[at(p)], vf[at(q)]) : greater_nan_max(vf[at(q)], vf[at(p)]);
                });
                for (int64_t j = 0; j < kk; ++j) {
                    const size_t dst = static_cast<size_t>((a * kk + j) * g.inner + i);
                    const int64_t src = order[static_cast<size_t>(j)];
                    ri[dst] = src;
                    if (isInt) rvI[dst] = vi[at(src)];
                    else rvF[dst] = vf[at(src)];
                }
            }
        }
        if (isInt) scatter_i64(o[0], rvI);
        else scatter_f64(o[0], rvF);
        scatter_i64(o[1], ri);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnTopk", {describe(self)}, {describe(values), describe(indices)}, 0, std::move(k),
                  workspaceSize, executor);
}
}  // namespace

ACLNN_EXPORT aclnnStatus aclnnReduceSumGetWorkspaceSize(const aclTensor* self, const aclIntArray* dims, bool keepDims,
                                                        aclDataType dtype, aclTensor* out, uint64_t* workspaceSize,
                                                        aclOpExecutor** executor) {
    return sum_phase1("aclnnReduceSumGetWorkspaceSize", "aclnnReduceSum", SumKind::Sum, self, dims, keepDims, dtype,
                      out, workspaceSize, executor);
}
ACLNN_LAUNCH(ReduceSum)

ACLNN_EXPORT aclnnStatus aclnnMeanGetWorkspaceSize(const aclTensor* self, const aclIntArray* dim, bool keepDim,
                                                   aclDataType dtype, aclTensor* out, uint64_t* workspaceSize,
                                                   aclOpExecutor** executor) {
    return sum_phase1("aclnnMeanGetWorkspaceSize", "aclnnMean", SumKind::Mean, self, dim, keepDim, dtype, out,
                      workspaceSize, executor);
}
ACLNN_LAUNCH(Mean)

ACLNN_EXPORT aclnnStatus aclnnAmaxGetWorkspaceSize(const aclTensor* self, const aclIntArray* dim, bool keepDim,
                                                   aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return amax_phase1(self, dim, keepDim, out, workspaceSize, executor);
}
ACLNN_LAUNCH(Amax)

ACLNN_EXPORT aclnnStatus aclnnArgMaxGetWorkspaceSize(const aclTensor* self, int64_t dim, bool keepdim, aclTensor* out,
                                                     uint64_t* workspaceSize, aclOpExecutor** executor) {
    return argmax_phase1(self, dim, keepdim, out, workspaceSize, executor);
}
ACLNN_LAUNCH(ArgMax)

ACLNN_EXPORT aclnnStatus aclnnTopkGetWorkspaceSize(const aclTensor* self, int64_t k, int64_t dim, bool largest,
                                                   bool sorted, aclTensor* valuesOut, aclTensor* indicesOut,
                                                   uint64_t* workspaceSize, aclOpExecutor** executor) {
    return topk_phase1(self, k, dim, largest, sorted, valuesOut, indicesOut, workspaceSize, executor);
}
ACLNN_LAUNCH(Topk)
