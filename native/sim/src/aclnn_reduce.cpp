// Ascend.Interop simulator: the reduction family (ReduceSum, Mean, Amax, ArgMax, Topk) and LayerNorm.
// Sums and means accumulate in double and are rounded once into the result dtype (through float for
// FLOAT16/BF16, as a float accumulator would). A dims array that is empty means every dimension, as
// torch.sum(x, dim=[]) does. Every kernel reads its input through the view's strides and writes its
// outputs through theirs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "aclnn_internal.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_amax.h"
#include "aclnnop/aclnn_argmax.h"
#include "aclnnop/aclnn_layer_norm.h"
#include "aclnnop/aclnn_mean.h"
#include "aclnnop/aclnn_reduce_sum.h"
#include "aclnnop/aclnn_topk.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

using namespace aclnn;

namespace {

// `dim` of a tensor of rank `rank` in [-r, r-1] with r = max(rank, 1) (a 0-dim tensor takes 0 and -1).
bool wrap_dim(int64_t dim, size_t rank, int64_t* out) {
    const int64_t r = std::max<int64_t>(static_cast<int64_t>(rank), 1);
    if (dim < -r || dim >= r) return false;
    *out = rank == 0 ? 0 : (dim < 0 ? dim + r : dim);
    return true;
}

// The reduced axes of `self` from a dims array (empty = all); records 161002 on a bad or repeated dim.
std::vector<bool> reduced_axes(Check& c, const aclTensor* self, const aclIntArray* dims, const char* what) {
    const size_t rank = self->dims.size();
    std::vector<bool> red(rank, dims->v.empty());
    for (int64_t d : dims->v) {
        int64_t w = 0;
        if (!wrap_dim(d, rank, &w)) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s is out of range for self of rank %s",
                   std::string(what) + " holds " + std::to_string(d), std::to_string(rank));
            return red;
        }
        if (rank == 0) continue;
        if (red[static_cast<size_t>(w)]) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s names dimension %s more than once", what, std::to_string(w));
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
// reduced axes collapsed). The output order is the same with and without keepdim.
std::vector<int64_t> output_slot(const std::vector<int64_t>& dims, const std::vector<bool>& red) {
    const size_t rank = dims.size();
    std::vector<int64_t> ostride(rank, 0);
    int64_t acc = 1;
    for (size_t i = rank; i-- > 0;) {
        if (!red[i]) {
            ostride[i] = acc;
            acc *= dims[i];
        }
    }
    const int64_t n = numel_of(dims);
    std::vector<int64_t> slot(static_cast<size_t>(n));
    std::vector<int64_t> idx(rank, 0);
    int64_t cur = 0;
    for (int64_t e = 0; e < n; ++e) {
        slot[static_cast<size_t>(e)] = cur;
        for (size_t i = rank; i-- > 0;) {  // odometer step
            if (++idx[i] < dims[i]) {
                cur += ostride[i];
                break;
            }
            cur -= ostride[i] * (dims[i] - 1);
            idx[i] = 0;
        }
    }
    return slot;
}

// Every element of `t` in row-major order of its own shape, as double / as int64.
std::vector<double> load_all_f64(const TensorDesc& t) {
    if (dense_as(t, t.dims)) {  // read linearly: the same values without the index vector
        std::vector<double> v(static_cast<size_t>(t.numel()));
        for (size_t e = 0; e < v.size(); ++e) v[e] = load_f64(t.dtype, t.data, t.offset + static_cast<int64_t>(e));
        return v;
    }
    std::vector<int64_t> idx = broadcast_indices(t, t.dims);
    std::vector<double> v(idx.size());
    for (size_t e = 0; e < idx.size(); ++e) v[e] = load_f64(t.dtype, t.data, idx[e]);
    return v;
}

// Stores double results through the view of `t`; half types go through float (one float accumulator).
void store_all_f64(const TensorDesc& t, const std::vector<double>& v) {
    if (dense_as(t, t.dims)) {
        for (size_t e = 0; e < v.size(); ++e) store_f64(t.dtype, t.data, t.offset + static_cast<int64_t>(e), v[e]);
        return;
    }
    std::vector<int64_t> idx = broadcast_indices(t, t.dims);
    for (size_t e = 0; e < idx.size(); ++e) store_f64(t.dtype, t.data, idx[e], v[e]);
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
               type_list(allowed));
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
                std::vector<double> f = load_all_f64(x);
                for (size_t e = 0; e < v.size(); ++e) v[e] = float_to_int_trunc(f[e]);
            }
            std::vector<uint64_t> acc(static_cast<size_t>(nOut), 0);
            for (size_t e = 0; e < v.size(); ++e) acc[static_cast<size_t>(slot[e])] += static_cast<uint64_t>(v[e]);
            std::vector<int64_t> r(acc.begin(), acc.end());
            scatter_i64(o[0], r);
            return ACLNN_SUCCESS;
        }
        // torch.sum/mean(x, dtype=float type): each element converted to dtype first, then accumulated.
        std::vector<double> v = load_all_f64(x);
        if (x.dtype != dtype) {
            for (auto& e : v) e = round_to(dtype, static_cast<float>(e));
        }
        std::vector<double> acc(static_cast<size_t>(nOut), 0.0);
        for (size_t e = 0; e < v.size(); ++e) acc[static_cast<size_t>(slot[e])] += v[e];
        if (kind == SumKind::Mean) {
            for (auto& a : acc) a = count == 0 ? std::numeric_limits<double>::quiet_NaN() : a / static_cast<double>(count);
        }
        store_all_f64(o[0], acc);
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
                c.fail(ACLNN_ERR_PARAM_INVALID, "dimension %s of self has size 0: a maximum over no elements is undefined",
                       std::to_string(i));
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
            std::vector<double> v = load_all_f64(x);
            std::vector<double> m(static_cast<size_t>(nOut), 0.0);
            for (size_t e = 0; e < v.size(); ++e) {
                const size_t s = static_cast<size_t>(slot[e]);
                if (!seen[s] || std::isnan(v[e]) || (!std::isnan(m[s]) && v[e] > m[s])) m[s] = v[e];
                seen[s] = true;
            }
            store_all_f64(o[0], m);
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
        c.fail(ACLNN_ERR_PARAM_INVALID, "out dtype %s must be INT64%s", dtype_name(out->dtype));
    }
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %s is out of range for self of rank %s", std::to_string(dim),
               std::to_string(self->dims.size()));
    }
    if (c.ok() && !self->dims.empty() && self->dims[static_cast<size_t>(d)] == 0) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dimension %s of self has size 0: argmax over no elements is undefined",
               std::to_string(d));
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
        std::vector<double> vf = isInt ? std::vector<double>() : load_all_f64(x);
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
        c.fail(ACLNN_ERR_PARAM_INVALID, "indicesOut dtype %s must be INT64%s", dtype_name(indices->dtype));
    }
    if (c.ok() && self->dims.empty()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self must have 1 to 8 dimensions (it is 0-dimensional)%s");
    }
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %s is out of range for self of rank %s", std::to_string(dim),
               std::to_string(self->dims.size()));
    }
    if (c.ok() && (kk < 0 || kk > self->dims[static_cast<size_t>(d)])) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "k %s is outside [0, %s], the size of dimension dim of self",
               std::to_string(kk), std::to_string(self->dims[static_cast<size_t>(d)]));
    }
    if (c.ok() && !sorted) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "sorted must be true: CANN documents sorted=false as not supported%s");
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
        std::vector<double> vf = isInt ? std::vector<double>() : load_all_f64(x);
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
        else store_all_f64(o[0], rvF);
        scatter_i64(o[1], ri);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnTopk", {describe(self)}, {describe(values), describe(indices)}, 0, std::move(k),
                  workspaceSize, executor);
}

// ---- LayerNorm ----------------------------------------------------------------------------------
// Workspace: mean and rstd of every normalized row as floats (32-byte aligned, at least 32 bytes).

aclnnStatus layer_norm_phase1(const aclTensor* input, const aclIntArray* normalizedShape, const aclTensor* weight,
                              const aclTensor* bias, double eps, aclTensor* out, aclTensor* meanOut, aclTensor* rstdOut,
                              uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnLayerNormGetWorkspaceSize";
    Check c = begin_phase1(fn, {{input, "input"}, {normalizedShape, "normalizedShape"}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(input, "input", kFloatTypes).sameDtype(out, "out", input, "input");
    const std::vector<int64_t>& ns = normalizedShape->v;
    const size_t xr = input->dims.size(), nr = ns.size();
    if (c.ok() && nr < 1) c.fail(ACLNN_ERR_PARAM_INVALID, "normalizedShape is empty (it needs at least one dimension)%s");
    if (c.ok() && (nr > xr || !std::equal(ns.begin(), ns.end(), input->dims.end() - static_cast<long>(nr)))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "normalizedShape %s must equal the trailing dimensions of input shape %s",
               shape_str(ns), shape_str(input->dims));
    }
    auto param = [&](const aclTensor* t, const char* what) {
        if (!c.ok() || t == nullptr) return;
        if (t->dtype != input->dtype && t->dtype != ACL_FLOAT) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s dtype %s must be the input dtype or FLOAT", what, dtype_name(t->dtype));
            return;
        }
        c.shapeIs(t, what, ns);
    };
    param(weight, "weightOptional");
    param(bias, "biasOptional");
    if (c.ok() && weight != nullptr && bias != nullptr && weight->dtype != bias->dtype) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "weightOptional dtype %s differs from biasOptional dtype %s",
               dtype_name(weight->dtype), dtype_name(bias->dtype));
    }
    if (c.ok() && !(eps >= 0.0)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "eps %s must be a non-negative number%s", std::to_string(eps));
    }
    c.shapeIs(out, "out", input->dims);
    std::vector<int64_t> sshape;
    if (c.ok()) {
        sshape = input->dims;
        for (size_t i = xr - nr; i < xr; ++i) sshape[i] = 1;
    }
    if (meanOut != nullptr) c.sameDtype(meanOut, "meanOutOptional", input, "input").shapeIs(meanOut, "meanOutOptional", sshape);
    if (rstdOut != nullptr) c.sameDtype(rstdOut, "rstdOutOptional", input, "input").shapeIs(rstdOut, "rstdOutOptional", sshape);
    c.memory(input, "input").memory(out, "out");
    if (weight != nullptr) c.memory(weight, "weightOptional");
    if (bias != nullptr) c.memory(bias, "biasOptional");
    if (meanOut != nullptr) c.memory(meanOut, "meanOutOptional");
    if (rstdOut != nullptr) c.memory(rstdOut, "rstdOutOptional");
    if (!c.ok()) return c.rc;
    const int64_t n = numel_of(ns);
    const int64_t rows = numel_of(std::vector<int64_t>(input->dims.begin(), input->dims.end() - static_cast<long>(nr)));
    const uint64_t ws = align32(static_cast<uint64_t>(std::max<int64_t>(rows, 1)) * 2 * sizeof(float));
    // Input order: input, then weight and bias when given; output order: out, then meanOut, rstdOut when given.
    std::vector<TensorDesc> ins = {describe(input)}, outs = {describe(out)};
    const bool hasW = weight != nullptr, hasB = bias != nullptr, hasM = meanOut != nullptr, hasR = rstdOut != nullptr;
    if (hasW) ins.push_back(describe(weight));
    if (hasB) ins.push_back(describe(bias));
    if (hasM) outs.push_back(describe(meanOut));
    if (hasR) outs.push_back(describe(rstdOut));
    Kernel k = [n, rows, ws, eps, hasW, hasB, hasM, hasR](const std::vector<TensorDesc>& in,
                                                          const std::vector<TensorDesc>& o, char* w, uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnLayerNorm", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        if (rows == 0) return ACLNN_SUCCESS;
        std::vector<double> x = load_all_f64(in[0]);
        std::vector<double> gw = hasW ? load_all_f64(in[1]) : std::vector<double>(static_cast<size_t>(n), 1.0);
        std::vector<double> gb = hasB ? load_all_f64(in[hasW ? 2 : 1]) : std::vector<double>(static_cast<size_t>(n), 0.0);
        float* stats = reinterpret_cast<float*>(w);  // [mean, rstd] per row
        std::vector<double> mean(static_cast<size_t>(rows)), rstd(static_cast<size_t>(rows));
        for (int64_t r = 0; r < rows; ++r) {
            const double* row = x.data() + r * n;
            double s = 0.0;
            for (int64_t j = 0; j < n; ++j) s += row[j];
            const double m = s / static_cast<double>(n);
            double q = 0.0;
            for (int64_t j = 0; j < n; ++j) q += (row[j] - m) * (row[j] - m);
            const double rs = 1.0 / std::sqrt(q / static_cast<double>(n) + eps);
            mean[static_cast<size_t>(r)] = m;
            rstd[static_cast<size_t>(r)] = rs;
            stats[2 * r] = static_cast<float>(m);
            stats[2 * r + 1] = static_cast<float>(rs);
        }
        std::vector<double> y(x.size());
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t j = 0; j < n; ++j) {
                const size_t e = static_cast<size_t>(r * n + j);
                y[e] = (x[e] - mean[static_cast<size_t>(r)]) * rstd[static_cast<size_t>(r)] * gw[static_cast<size_t>(j)] +
                       gb[static_cast<size_t>(j)];
            }
        }
        store_all_f64(o[0], y);
        if (hasM) store_all_f64(o[1], mean);
        if (hasR) store_all_f64(o[hasM ? 2 : 1], rstd);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnLayerNorm", std::move(ins), std::move(outs), ws, std::move(k), workspaceSize, executor);
}

}  // namespace

// ---- exported operators ---------------------------------------------------------------------

EXPORT aclnnStatus aclnnReduceSumGetWorkspaceSize(const aclTensor* self, const aclIntArray* dims, bool keepDims,
                                                  aclDataType dtype, aclTensor* out, uint64_t* workspaceSize,
                                                  aclOpExecutor** executor) {
    return sum_phase1("aclnnReduceSumGetWorkspaceSize", "aclnnReduceSum", SumKind::Sum, self, dims, keepDims, dtype,
                      out, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnReduceSum(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnReduceSum", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnMeanGetWorkspaceSize(const aclTensor* self, const aclIntArray* dim, bool keepDim,
                                             aclDataType dtype, aclTensor* out, uint64_t* workspaceSize,
                                             aclOpExecutor** executor) {
    return sum_phase1("aclnnMeanGetWorkspaceSize", "aclnnMean", SumKind::Mean, self, dim, keepDim, dtype, out,
                      workspaceSize, executor);
}
EXPORT aclnnStatus aclnnMean(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnMean", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnAmaxGetWorkspaceSize(const aclTensor* self, const aclIntArray* dim, bool keepDim,
                                             aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return amax_phase1(self, dim, keepDim, out, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnAmax(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnAmax", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnArgMaxGetWorkspaceSize(const aclTensor* self, int64_t dim, bool keepdim, aclTensor* out,
                                               uint64_t* workspaceSize, aclOpExecutor** executor) {
    return argmax_phase1(self, dim, keepdim, out, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnArgMax(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnArgMax", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnTopkGetWorkspaceSize(const aclTensor* self, int64_t k, int64_t dim, bool largest, bool sorted,
                                             aclTensor* valuesOut, aclTensor* indicesOut, uint64_t* workspaceSize,
                                             aclOpExecutor** executor) {
    return topk_phase1(self, k, dim, largest, sorted, valuesOut, indicesOut, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnTopk(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnTopk", workspace, workspaceSize, executor, stream);
}

EXPORT aclnnStatus aclnnLayerNormGetWorkspaceSize(const aclTensor* input, const aclIntArray* normalizedShape,
                                                  const aclTensor* weightOptional, const aclTensor* biasOptional,
                                                  double eps, aclTensor* out, aclTensor* meanOutOptional,
                                                  aclTensor* rstdOutOptional, uint64_t* workspaceSize,
                                                  aclOpExecutor** executor) {
    return layer_norm_phase1(input, normalizedShape, weightOptional, biasOptional, eps, out, meanOutOptional,
                             rstdOutOptional, workspaceSize, executor);
}
EXPORT aclnnStatus aclnnLayerNorm(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream) {
    return launch("aclnnLayerNorm", workspace, workspaceSize, executor, stream);
}
