// Ascend.Interop simulator: attention and positional encoding: aclnnIncreFlashAttentionV4, decode attention
// of a one-token query over a padded key/value cache (facts: hicann/ops-transformer
// attention/incre_flash_attention docs), and aclnnRotaryPositionEmbedding (facts: hicann/ops-transformer
// posembedding/rotary_position_embedding; the simulator's stricter choices are in docs/simulator.md).
// Simulated subset: FLOAT16/BFLOAT16 query/key/value/out, layouts BSH/BSND/BNSD, GQA, a BOOL/INT8/UINT8
// mask (1 = not attended), per-batch actual lengths. Quantisation, antiquant, page attention
// (blocktable), KV left padding and pseShift are refused as "not simulated".
// actualSeqLengths is a host array: its values are copied into the executor at GetWorkspaceSize
// time, so a captured launch replays with the lengths of capture time (update it in a task group).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "aclnn_kernels.h"
#include "aclnn_op_common.h"
#include "aclnnop/aclnn_incre_flash_attention_v4.h"
#include "aclnnop/aclnn_rotary_position_embedding.h"

using namespace aclnn;

namespace {

enum class Layout { BSH, BSND, BNSD };

struct KvDims {  // batch, sequence length of one key/value tensor
    int64_t b = 0, s = 0;
};

}  // namespace

ACLNN_EXPORT aclnnStatus aclnnIncreFlashAttentionV4GetWorkspaceSize(
    const aclTensor* query, const aclTensorList* key, const aclTensorList* value, const aclTensor* pseShift,
    const aclTensor* attenMask, const aclIntArray* actualSeqLengths, const aclTensor* dequantScale1,
    const aclTensor* quantScale1, const aclTensor* dequantScale2, const aclTensor* quantScale2,
    const aclTensor* quantOffset2, const aclTensor* antiquantScale, const aclTensor* antiquantOffset,
    const aclTensor* blocktable, const aclTensor* kvPaddingSize, int64_t numHeads, double scaleValue,
    char* inputLayout, int64_t numKeyValueHeads, int64_t blockSize, int64_t innerPrecise,
    const aclTensor* attentionOut, uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnIncreFlashAttentionV4GetWorkspaceSize",
                           {{query, "query"}, {key, "key"}, {value, "value"}, {inputLayout, "inputLayout"},
                            {attentionOut, "attentionOut"}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;

    // Optional inputs outside the simulated subset: an empty tensor counts as absent, as CANN allows.
    const struct {
        const aclTensor* t;
        const char* name;
        const char* feature;
    } unsupported[] = {{pseShift, "pseShift", "position shift"},
                       {dequantScale1, "dequantScale1", "quantisation"},
                       {quantScale1, "quantScale1", "quantisation"},
                       {dequantScale2, "dequantScale2", "quantisation"},
                       {quantScale2, "quantScale2", "output quantisation"},
                       {quantOffset2, "quantOffset2", "output quantisation"},
                       {antiquantScale, "antiquantScale", "KV antiquantisation"},
                       {antiquantOffset, "antiquantOffset", "KV antiquantisation"},
                       {blocktable, "blocktable", "page attention"},
                       {kvPaddingSize, "kvPaddingSize", "KV left padding"}};
    for (const auto& u : unsupported) {
        if (u.t != nullptr && numel_of(u.t->dims) != 0) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s (%s) is not simulated; pass NULL or an empty tensor", u.name,
                       u.feature);
        }
    }
    if (!c.ok()) return c.rc;

    Layout layout = Layout::BSH;
    const std::string ls(inputLayout);
    if (ls == "BSH") {
        layout = Layout::BSH;
    } else if (ls == "BSND") {
        layout = Layout::BSND;
    } else if (ls == "BNSD") {
        layout = Layout::BNSD;
    } else {
        c.fail(ACLNN_ERR_PARAM_INVALID, "inputLayout \"%s\" is not one of \"BSH\", \"BSND\", \"BNSD\"",
                   ls.substr(0, 32).c_str());
    }
    c.dtypeIn(query, "query", {ACL_FLOAT16, ACL_BF16}).sameDtype(attentionOut, "attentionOut", query, "query");
    c.shapeIs(attentionOut, "attentionOut", query->dims);
    if (numHeads <= 0 || numHeads > 256) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "numHeads %lld must be in [1, 256]", static_cast<long long>(numHeads));
    } else if (numKeyValueHeads < 0 || (numKeyValueHeads > 0 && numHeads % numKeyValueHeads != 0)) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
                   "numKeyValueHeads %lld must be 0 (= numHeads) or a positive divisor of numHeads %lld",
                   static_cast<long long>(numKeyValueHeads), static_cast<long long>(numHeads));
    }
    if (!std::isfinite(scaleValue)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "scaleValue %g must be finite", scaleValue);
    }
    if (blockSize < 0) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "blockSize %lld must not be negative", static_cast<long long>(blockSize));
    }
    if (innerPrecise != 0 && innerPrecise != 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "innerPrecise %lld is not 0 (high precision) or 1 (high performance)",
                   static_cast<long long>(innerPrecise));
    }
    if (!c.ok()) return c.rc;

    // Query [B, 1, H] (BSH), [B, 1, N, D] (BSND), [B, N, 1, D] (BNSD).
    const std::vector<int64_t>& qd = query->dims;
    const size_t wantRank = layout == Layout::BSH ? 3 : 4;
    int64_t B = 0, D = 0;
    if (qd.size() != wantRank) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "query shape %s must be %zu-D for inputLayout %s", shape_str(qd).c_str(),
                   wantRank, ls.c_str());
    } else {
        B = qd[0];
        const int64_t qs = layout == Layout::BNSD ? qd[2] : qd[1];
        if (qs != 1) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "query shape %s: the S axis of query must be 1 (incremental decode)",
                       shape_str(qd).c_str());
        } else if (layout == Layout::BSH) {
            if (qd[2] % numHeads != 0) {
                c.fail(ACLNN_ERR_PARAM_INVALID, "query shape %s: H = %lld is not a multiple of numHeads %lld",
                           shape_str(qd).c_str(), static_cast<long long>(qd[2]), static_cast<long long>(numHeads));
            }
            D = qd[2] / numHeads;
        } else {
            const int64_t n = layout == Layout::BSND ? qd[2] : qd[1];
            if (n != numHeads) {
                c.fail(ACLNN_ERR_PARAM_INVALID, "query shape %s: N = %lld differs from numHeads %lld",
                           shape_str(qd).c_str(), static_cast<long long>(n), static_cast<long long>(numHeads));
            }
            D = qd[3];
        }
    }
    if (c.ok() && (B < 1 || B > 65536 || D < 1 || D > 512)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "query shape %s: B must be in [1, 65536] and D in [1, 512]",
                   shape_str(qd).c_str());
    }
    if (c.ok() && (!is_contiguous(query) || !is_contiguous(attentionOut))) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "query and attentionOut must be contiguous tensors");
    }
    if (!c.ok()) return c.rc;
    const int64_t nkv = numKeyValueHeads == 0 ? numHeads : numKeyValueHeads;

    // Key / value: one tensor of batch B, or B tensors of batch 1 whose S may differ.
    const size_t nk = key->v.size();
    if (nk != value->v.size()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "key holds %zu tensors but value holds %zu", nk, value->v.size());
    } else if (nk != 1 && static_cast<int64_t>(nk) != B) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "key holds %zu tensors; it must hold 1 (batch B = %lld) or B of batch 1",
                   nk, static_cast<long long>(B));
    }
    std::vector<KvDims> kvd(nk);
    for (size_t i = 0; c.ok() && i < nk; ++i) {
        const aclTensor* kt = key->v[i];
        const aclTensor* vt = value->v[i];
        std::string kn = "key[" + std::to_string(i) + "]", vn = "value[" + std::to_string(i) + "]";
        c.notNull(kt, kn.c_str()).notNull(vt, vn.c_str());
        if (!c.ok()) break;
        if (kt->dtype == ACL_INT8 || vt->dtype == ACL_INT8) {
            c.fail(ACLNN_ERR_PARAM_INVALID,
                       "%s / %s dtype INT8 (antiquantised KV cache) is not simulated; use the query dtype",
                       kn.c_str(), vn.c_str());
        }
        c.sameDtype(kt, kn.c_str(), query, "query").sameDtype(vt, vn.c_str(), query, "query");
        if (c.ok() && kt->dims != vt->dims) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s shape %s differs from %s shape %s", kn.c_str(),
                       shape_str(kt->dims).c_str(), vn.c_str(), shape_str(vt->dims).c_str());
        }
        if (c.ok() && (!is_contiguous(kt) || !is_contiguous(vt))) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "%s and %s must be contiguous tensors", kn.c_str(), vn.c_str());
        }
        if (!c.ok()) break;
        const std::vector<int64_t>& kd = kt->dims;
        const int64_t wantB = nk == 1 ? B : 1;
        std::vector<int64_t> want;
        int64_t s = 0;
        if (kd.size() == wantRank) {
            s = layout == Layout::BNSD ? kd[2] : kd[1];
            if (layout == Layout::BSH) want = {wantB, s, nkv * D};
            else if (layout == Layout::BSND) want = {wantB, s, nkv, D};
            else want = {wantB, nkv, s, D};
        }
        if (kd.size() != wantRank || kd != want || s < 1) {
            c.fail(ACLNN_ERR_PARAM_INVALID,
                       "%s shape %s must be %s for inputLayout %s with batch %lld, %lld key/value heads of D = %lld",
                       kn.c_str(), shape_str(kd).c_str(),
                       layout == Layout::BSH ? "[b, S, kvN*D]" : layout == Layout::BSND ? "[b, S, kvN, D]"
                                                                                        : "[b, kvN, S, D]",
                       ls.c_str(), static_cast<long long>(wantB), static_cast<long long>(nkv),
                       static_cast<long long>(D));
        }
        kvd[i] = {wantB, s};
        c.memory(kt, kn.c_str()).memory(vt, vn.c_str());
    }
    if (!c.ok()) return c.rc;
    int64_t sMax = 0;
    for (const KvDims& k : kvd) sMax = std::max(sMax, k.s);
    auto seqOf = [&](int64_t b) { return kvd[nk == 1 ? 0 : static_cast<size_t>(b)].s; };

    // Actual lengths: NULL means every batch's full S; otherwise exactly B values in [0, S_b].
    std::vector<int64_t> lens(static_cast<size_t>(B));
    if (actualSeqLengths == nullptr) {
        for (int64_t b = 0; b < B; ++b) lens[b] = seqOf(b);
    } else if (static_cast<int64_t>(actualSeqLengths->v.size()) != B) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "actualSeqLengths holds %zu values but the batch B is %lld",
                   actualSeqLengths->v.size(), static_cast<long long>(B));
    } else {
        for (int64_t b = 0; b < B && c.ok(); ++b) {
            lens[b] = actualSeqLengths->v[b];
            if (lens[b] < 0 || lens[b] > seqOf(b)) {
                c.fail(ACLNN_ERR_PARAM_INVALID,
                           "actualSeqLengths[%lld] = %lld is outside [0, %lld] (the key/value S of that batch)",
                           static_cast<long long>(b), static_cast<long long>(lens[b]),
                           static_cast<long long>(seqOf(b)));
            }
        }
    }
    // Mask [B, S], [B, 1, S] or [B, 1, 1, S] with S the key/value S.
    if (c.ok() && attenMask != nullptr && numel_of(attenMask->dims) != 0) {
        c.dtypeIn(attenMask, "attenMask", {ACL_BOOL, ACL_INT8, ACL_UINT8});
        const std::vector<int64_t>& md = attenMask->dims;
        const bool shapeOk = md.size() >= 2 && md.size() <= 4 && md.front() == B && md.back() == sMax &&
                             (md.size() < 3 || md[1] == 1) && (md.size() < 4 || md[2] == 1);
        if (c.ok() && !shapeOk) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "attenMask shape %s must be [B, S], [B, 1, S] or [B, 1, 1, S] = %s",
                       shape_str(md).c_str(), shape_str({B, 1, 1, sMax}).c_str());
        }
        if (c.ok() && !is_contiguous(attenMask)) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "attenMask must be a contiguous tensor");
        }
        c.memory(attenMask, "attenMask");
    }
    c.memory(query, "query").memory(attentionOut, "attentionOut");
    if (!c.ok()) return c.rc;
    const bool hasMask = attenMask != nullptr && numel_of(attenMask->dims) != 0;

    // Workspace: CANN's kernel needs one; the size is that of float copies of one batch/head-group's
    // K and V rows plus the scores of one head. The simulator's kernel (aclnn_attention_kernel.cpp)
    // computes in per-thread host scratch instead, so the result does not depend on how it is split.
    const uint64_t ws = align32(static_cast<uint64_t>(2 * sMax * D + sMax + D) * sizeof(float));
    const float scale = static_cast<float>(scaleValue);
    const int64_t H = numHeads;
    Kernel kern = [layout, B, D, H, nkv, nk, kvd, lens, hasMask, sMax, scale, ws](
                      const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char* w, uint64_t wsSize) {
        int krc = kernel_workspace_check("aclnnIncreFlashAttentionV4", wsSize, ws, w);
        if (krc != ACLNN_SUCCESS) return krc;
        const TensorDesc& q = in[0];
        const TensorDesc& out = o[0];
        const aclDataType dt = q.dtype;
        const char* mask = nullptr;
        if (hasMask) {
            const TensorDesc& m = in[1 + 2 * nk];
            mask = m.data + m.offset;  // 1-byte elements, contiguous [B, S]
            for (int64_t e = 0; e < B * sMax; ++e) {
                const unsigned char v = static_cast<unsigned char>(mask[e]);
                if (v > 1) {
                    return sim::fail(ACL_ERROR_RT_AICORE_EXCEPTION, "aclnnIncreFlashAttentionV4",
                                     "attenMask element %lld is %u; INT8/UINT8/BOOL mask values must be 0 or 1",
                                     static_cast<long long>(e), static_cast<unsigned>(v));
                }
            }
        }
        IncreAttentionArgs args;
        args.bf16 = dt == ACL_BF16;
        args.B = B, args.H = H, args.nkv = nkv, args.D = D;
        args.query = reinterpret_cast<const uint16_t*>(q.data) + q.offset;
        args.out = reinterpret_cast<uint16_t*>(out.data) + out.offset;
        args.lens = lens.data();
        args.mask = reinterpret_cast<const uint8_t*>(mask);
        args.maskStride = sMax;
        args.scale = scale;
        for (int64_t b = 0; b < B; ++b) {
            const size_t ti = nk == 1 ? 0 : static_cast<size_t>(b);
            const TensorDesc& kt = in[1 + ti];
            const TensorDesc& vt = in[1 + nk + ti];
            const int64_t S = kvd[ti].s, bb = nk == 1 ? b : 0;
            // Offset of (bb, g = 0, s = 0) and the strides of g and s in the layout's storage.
            const int64_t start = bb * S * nkv * D;
            args.keys.push_back(reinterpret_cast<const uint16_t*>(kt.data) + kt.offset + start);
            args.values.push_back(reinterpret_cast<const uint16_t*>(vt.data) + vt.offset + start);
            args.headStride.push_back(layout == Layout::BNSD ? S * D : D);
            args.seqStride.push_back(layout == Layout::BNSD ? D : nkv * D);
        }
        if (!incre_attention(args)) {
            return sim::fail(ACLNN_ERR_INNER, "aclnnIncreFlashAttentionV4",
                             "out of host memory for the simulator's attention scratch (%lld positions x D = %lld)",
                             static_cast<long long>(sMax), static_cast<long long>(D));
        }
        return ACLNN_SUCCESS;
    };
    std::vector<TensorDesc> ins;
    ins.push_back(describe(query));
    for (const aclTensor* t : key->v) ins.push_back(describe(t));
    for (const aclTensor* t : value->v) ins.push_back(describe(t));
    if (hasMask) ins.push_back(describe(attenMask));
    return finish(c, "aclnnIncreFlashAttentionV4", std::move(ins), {describe(attentionOut)}, ws, std::move(kern),
                  workspaceSize, executor);
}

ACLNN_LAUNCH(IncreFlashAttentionV4)

// ---- RotaryPositionEmbedding ----------------------------------------------------------------
// x 3-D or 4-D, D = x's last dimension; cos and sin one shape, same rank, broadcast to x, last dim D.
// Modes 0 (half) and 1 (interleave) are what the Atlas A2/A3 products accept; 2 and 3 are refused.

ACLNN_EXPORT aclnnStatus aclnnRotaryPositionEmbeddingGetWorkspaceSize(const aclTensor* x, const aclTensor* cos,
                                                                const aclTensor* sin, int64_t mode, aclTensor* out,
                                                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1("aclnnRotaryPositionEmbeddingGetWorkspaceSize",
                           {{x, "x"}, {cos, "cos"}, {sin, "sin"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(x, "x", kFloatTypes).sameDtype(cos, "cos", x, "x").sameDtype(sin, "sin", x, "x");
    c.sameDtype(out, "out", x, "x");
    if (c.ok() && !is_contiguous(out)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "out must be a contiguous tensor (non-contiguous out is not supported)");
    }
    if (mode < 0 || mode > 3) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR,
                   "mode %lld is not one of 0 (half), 1 (interleave), 2 (quarter), 3 (interleave-half)",
                   static_cast<long long>(mode));
    } else if (mode > 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
                   "mode %lld (%s) is not supported on Atlas A2/A3 products, which accept 0 (half) and 1 (interleave)",
                   static_cast<long long>(mode), mode == 2 ? "quarter" : "interleave-half");
    }
    if (!c.ok()) return c.rc;
    const size_t r = x->dims.size();
    if (r != 3 && r != 4) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "x shape %s must be 3-D (TND) or 4-D (BNSD, BSND, SBND)",
                   shape_str(x->dims).c_str());
    } else if (cos->dims != sin->dims) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s and sin shape %s must be equal",
                   shape_str(cos->dims).c_str(), shape_str(sin->dims).c_str());
    } else if (cos->dims.size() != r) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s must have the rank of x shape %s",
                   shape_str(cos->dims).c_str(), shape_str(x->dims).c_str());
    } else if (out->dims != x->dims) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "out shape %s must equal x shape %s", shape_str(out->dims).c_str(),
                   shape_str(x->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t d = x->dims.back();
    if (cos->dims.back() != d) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "cos shape %s: the last dimension must equal x's D = %lld",
                   shape_str(cos->dims).c_str(), static_cast<long long>(d));
    } else if (d % 2 != 0 || d <= 0 || d >= 896) {
        c.fail(ACLNN_ERR_INNER_TILING_ERROR, "x shape %s: D = %lld must be even, positive and below 896",
                   shape_str(x->dims).c_str(), static_cast<long long>(d));
    }
    for (size_t i = 0; c.ok() && i + 1 < r; ++i) {
        if (cos->dims[i] != 1 && cos->dims[i] != x->dims[i]) {
            c.fail(ACLNN_ERR_INNER_TILING_ERROR,
                       "cos shape %s does not broadcast to x shape %s (each dimension must be 1 or x's)",
                       shape_str(cos->dims).c_str(), shape_str(x->dims).c_str());
        }
    }
    if (c.ok() && mode == 1) {
        // Interleave mode takes cos/sin that vary along the sequence axis only (11SD, 1S1D, S11D, T1D).
        int varying = 0;
        for (size_t i = 0; i + 1 < r; ++i) varying += cos->dims[i] != 1 ? 1 : 0;
        if (varying > 1 || (r == 3 && cos->dims[1] != 1)) {
            c.fail(ACLNN_ERR_INNER_TILING_ERROR,
                       "cos shape %s: in interleave mode cos and sin may vary along the sequence axis only "
                       "(11SD, 1S1D, S11D or T1D)",
                       shape_str(cos->dims).c_str());
        }
    }
    c.memory(x, "x").memory(cos, "cos").memory(sin, "sin").memory(out, "out");
    if (!c.ok()) return c.rc;
    Kernel kern = [mode, d](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const std::vector<int64_t>& shape = in[0].dims;
        const int64_t total = numel_of(shape);
        if (total == 0) return ACLNN_SUCCESS;
        std::vector<float> xv = gather_f32(in[0], shape);
        std::vector<float> cv = gather_f32(in[1], shape), sv = gather_f32(in[2], shape);
        std::vector<float> y(xv.size());
        const int64_t half = d / 2;
        for (int64_t row = 0; row < total / d; ++row) {
            const float* xr = xv.data() + row * d;
            const float* cr = cv.data() + row * d;
            const float* sr = sv.data() + row * d;
            float* yr = y.data() + row * d;
            if (mode == 0) {
                for (int64_t i = 0; i < half; ++i) yr[i] = xr[i] * cr[i] + (-xr[i + half]) * sr[i];
                for (int64_t i = half; i < d; ++i) yr[i] = xr[i] * cr[i] + xr[i - half] * sr[i];
            } else {
                for (int64_t i = 0; i < d; i += 2) {
                    yr[i] = xr[i] * cr[i] + (-xr[i + 1]) * sr[i];
                    yr[i + 1] = xr[i + 1] * cr[i + 1] + xr[i] * sr[i + 1];
                }
            }
        }
        scatter_f32(o[0], y);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnRotaryPositionEmbedding", {describe(x), describe(cos), describe(sin)}, {describe(out)}, 0,
                  std::move(kern), workspaceSize, executor);
}

ACLNN_LAUNCH(RotaryPositionEmbedding)
