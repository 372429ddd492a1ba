// Ascend.Interop simulator: normalisation: RmsNorm and LayerNorm (statistics in double, rounded once).
#include <algorithm>
#include <cmath>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_layer_norm.h"
#include "aclnnop/aclnn_rms_norm.h"

using namespace aclnn;

namespace {

// `dims` with its trailing `normalized` dimensions set to 1: the shape of per-row statistics.
std::vector<int64_t> statistics_shape(std::vector<int64_t> dims, size_t normalized) {
    std::fill(dims.end() - static_cast<long>(normalized), dims.end(), 1);
    return dims;
}

void check_epsilon(Check& c, const char* name, double value) {
    if (!(value >= 0.0)) c.fail(ACLNN_ERR_PARAM_INVALID, "%s %f must be a non-negative number", name, value);
}

}  // namespace

// ---- RmsNorm --------------------------------------------------------------------------------
// Workspace: one float per normalized row (32-byte aligned, at least 32 bytes) for the rstd values.

ACLNN_EXPORT aclnnStatus aclnnRmsNormGetWorkspaceSize(const aclTensor* x, const aclTensor* gamma, double epsilon,
                                                const aclTensor* yOut, const aclTensor* rstdOut,
                                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnRmsNormGetWorkspaceSize", {{x, "x"}, {gamma, "gamma"}, {yOut, "yOut"}, {rstdOut, "rstdOut"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(gamma, "gamma", x, "x").sameDtype(yOut, "yOut", x, "x");
    if (c.ok() && rstdOut->dtype != ACL_FLOAT) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "rstdOut dtype %s must be FLOAT", dtype_name(rstdOut->dtype));
    }
    const size_t xr = x->dims.size(), gr = gamma->dims.size();
    if (c.ok() && (xr < 1 || gr < 1 || gr > xr ||
                   !std::equal(gamma->dims.begin(), gamma->dims.end(), x->dims.end() - static_cast<long>(gr)))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "gamma shape %s must equal the trailing dimensions of x shape %s",
               shape_str(gamma->dims).c_str(), shape_str(x->dims).c_str());
    }
    check_epsilon(c, "epsilon", epsilon);
    c.shapeIs(yOut, "yOut", x->dims);
    if (c.ok()) c.shapeIs(rstdOut, "rstdOut", statistics_shape(x->dims, gr));
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
ACLNN_LAUNCH(RmsNorm)

// ---- LayerNorm ------------------------------------------------------------------------------

ACLNN_EXPORT aclnnStatus aclnnLayerNormGetWorkspaceSize(const aclTensor* input, const aclIntArray* normalizedShape,
                                                        const aclTensor* weight, const aclTensor* bias, double eps,
                                                        aclTensor* out, aclTensor* meanOut, aclTensor* rstdOut,
                                                        uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnLayerNormGetWorkspaceSize", {{input, "input"}, {normalizedShape, "normalizedShape"}, {out, "out"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(input, "input", kFloatTypes).sameDtype(out, "out", input, "input");
    const std::vector<int64_t>& ns = normalizedShape->v;
    const size_t xr = input->dims.size(), nr = ns.size();
    if (c.ok() && nr < 1) c.fail(ACLNN_ERR_PARAM_INVALID, "normalizedShape is empty (it needs at least one dimension)");
    if (c.ok() && (nr > xr || !std::equal(ns.begin(), ns.end(), input->dims.end() - static_cast<long>(nr)))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "normalizedShape %s must equal the trailing dimensions of input shape %s",
               shape_str(ns).c_str(), shape_str(input->dims).c_str());
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
    check_epsilon(c, "eps", eps);
    c.shapeIs(out, "out", input->dims);
    std::vector<int64_t> sshape;
    if (c.ok()) sshape = statistics_shape(input->dims, nr);
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
        std::vector<double> x = gather_f64(in[0], in[0].dims);
        std::vector<double> gw = hasW ? gather_f64(in[1], in[1].dims) : std::vector<double>(static_cast<size_t>(n), 1.0);
        std::vector<double> gb = hasB ? gather_f64(in[hasW ? 2 : 1], in[hasW ? 2 : 1].dims) : std::vector<double>(static_cast<size_t>(n), 0.0);
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
        scatter_f64(o[0], y);
        if (hasM) scatter_f64(o[1], mean);
        if (hasR) scatter_f64(o[hasM ? 2 : 1], rstd);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnLayerNorm", std::move(ins), std::move(outs), ws, std::move(k), workspaceSize, executor);
}

ACLNN_LAUNCH(LayerNorm)
