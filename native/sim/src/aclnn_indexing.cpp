// Ascend.Interop simulator: indexing: Cat, IndexSelect, Embedding, IndexCopy and InplaceIndexCopy (the
// KV-cache write). Index values are device data, so they are checked by the kernel, not at GetWorkspaceSize
// time: an index outside [0, size) makes the kernel fail before it writes anything, with
// ACL_ERROR_RT_AICORE_EXCEPTION (507015). The launch itself succeeds (it is asynchronous, as on CANN); the
// error surfaces at the next synchronize of the stream (or of a replay), and aclGetRecentErrMsg then names the
// operator, the position of the bad index and its value. Negative indices are out of range, as in
// torch.index_select and torch.nn.functional.embedding.
#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "aclnn_op_common.h"
#include "aclnnop/aclnn_cat.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_index_copy.h"
#include "aclnnop/aclnn_index_select.h"

using namespace aclnn;

namespace {

const std::initializer_list<aclDataType> kIndexTypes = {ACL_INT32, ACL_INT64};

// Reads every index (row-major order of its view) and checks it against [0, limit). On a bad one,
// records the kernel fault naming `op`, `what` and the position, and returns false.
bool load_indices(const char* op, const char* what, const TensorDesc& idx, int64_t limit, const char* rule,
                  std::vector<int64_t>* out) {
    *out = gather_i64(idx, idx.dims);
    for (size_t e = 0; e < out->size(); ++e) {
        const int64_t v = (*out)[e];
        if (v < 0 || v >= limit) {
            sim::fail(ACL_ERROR_RT_AICORE_EXCEPTION, op,
                      "%s element %zu is %" PRId64 ", outside [0, %" PRId64 ") (%s); the kernel wrote nothing", what, e,
                      v, limit, rule);
            return false;
        }
    }
    return true;
}

// Copies element `src` of `s` to element `dst` of `d` (same dtype) without conversion.
inline void copy_elem(const TensorDesc& s, int64_t src, const TensorDesc& d, int64_t dst, size_t esz) {
    std::memcpy(d.data + dst * static_cast<int64_t>(esz), s.data + src * static_cast<int64_t>(esz), esz);
}

// ---- Cat ----------------------------------------------------------------------------------------

aclnnStatus cat_phase1(const aclTensorList* tensors, int64_t dim, aclTensor* out, uint64_t* workspaceSize,
                       aclOpExecutor** executor) {
    const char* fn = "aclnnCatGetWorkspaceSize";
    Check c = begin_phase1(fn, {{tensors, "tensors"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    const std::vector<const aclTensor*>& ts = tensors->v;
    if (ts.empty()) c.fail(ACLNN_ERR_PARAM_INVALID, "tensors is an empty list (it needs at least one tensor)");
    std::vector<std::string> names;
    for (size_t i = 0; i < ts.size(); ++i) names.push_back("tensors[" + std::to_string(i) + "]");
    for (size_t i = 0; c.ok() && i < ts.size(); ++i) {
        c.notNull(ts[i], names[i].c_str());
        if (c.ok()) c.dtypeIn(ts[i], names[i].c_str(), kArithTypes);
    }
    c.dtypeIn(out, "out", kArithTypes);
    if (!c.ok()) return c.rc;
    aclDataType ct = ts[0]->dtype;
    for (const aclTensor* t : ts) ct = promote(ct, t->dtype);
    if (is_float_type(ct) && is_int_type(out->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "the promoted dtype %s of tensors cannot be cast to out dtype %s",
               dtype_name(ct), dtype_name(out->dtype));
    }
    const size_t rank = ts[0]->dims.size();
    if (c.ok() && rank == 0) c.fail(ACLNN_ERR_PARAM_INVALID, "tensors[0] is 0-dimensional: cat needs 1 to 8 dimensions");
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, rank, &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range for tensors of rank %zu", static_cast<long long>(dim),
               rank);
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = ts[0]->dims;
        oshape[static_cast<size_t>(d)] = 0;
        for (size_t i = 0; c.ok() && i < ts.size(); ++i) {
            const std::vector<int64_t>& td = ts[i]->dims;
            bool same = td.size() == rank;
            for (size_t a = 0; same && a < rank; ++a) same = a == static_cast<size_t>(d) || td[a] == ts[0]->dims[a];
            if (!same) {
                c.fail(ACLNN_ERR_PARAM_INVALID, "%s shape %s must match tensors[0] shape outside dimension dim (%s)",
                       names[i].c_str(), shape_str(td).c_str(), shape_str(ts[0]->dims).c_str());
                break;
            }
            oshape[static_cast<size_t>(d)] += td[static_cast<size_t>(d)];
        }
    }
    c.shapeIs(out, "out", oshape);
    for (size_t i = 0; c.ok() && i < ts.size(); ++i) c.memory(ts[i], names[i].c_str());
    c.memory(out, "out");
    if (!c.ok()) return c.rc;
    std::vector<TensorDesc> ins;
    for (const aclTensor* t : ts) ins.push_back(describe(t));
    Kernel k = [d, ct](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& dst = o[0];
        if (dst.numel() == 0) return ACLNN_SUCCESS;
        std::vector<int64_t> oidx = broadcast_indices(dst, dst.dims);
        const int64_t outLen = dst.dims[static_cast<size_t>(d)];
        int64_t inner = 1;
        for (size_t a = static_cast<size_t>(d) + 1; a < dst.dims.size(); ++a) inner *= dst.dims[a];
        int64_t start = 0;  // offset of the current input along dim
        for (const TensorDesc& src : in) {
            const int64_t len = src.dims[static_cast<size_t>(d)];
            std::vector<int64_t> sidx = broadcast_indices(src, src.dims);
            const int64_t block = len * inner;
            for (size_t e = 0; e < sidx.size(); ++e) {
                const int64_t le = static_cast<int64_t>(e);
                const int64_t o2 = (le / block) * outLen * inner + start * inner + le % block;
                const int64_t di = oidx[static_cast<size_t>(o2)];
                if (is_int_type(ct)) {
                    store_i64(dst.dtype, dst.data, di, load_i64(src.dtype, src.data, sidx[e]));
                } else {  // to the promoted type first (exact for every source here), then to out
                    store_f64(dst.dtype, dst.data, di, round_to(ct, static_cast<float>(load_f64(src.dtype, src.data, sidx[e]))));
                }
            }
            start += len;
        }
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnCat", std::move(ins), {describe(out)}, 0, std::move(k), workspaceSize, executor);
}

// ---- IndexSelect --------------------------------------------------------------------------------

aclnnStatus index_select_phase1(const aclTensor* self, int64_t dim, const aclTensor* index, aclTensor* out,
                                uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnIndexSelectGetWorkspaceSize";
    Check c = begin_phase1(fn, {{self, "self"}, {index, "index"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(self, "self", kArithTypes).dtypeIn(index, "index", kIndexTypes).sameDtype(out, "out", self, "self");
    if (c.ok() && index->dims.size() > 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "index shape %s must have 0 or 1 dimensions", shape_str(index->dims).c_str());
    }
    int64_t d = 0;
    if (c.ok() && !wrap_dim(dim, self->dims.size(), &d)) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range for self of rank %zu", static_cast<long long>(dim),
               self->dims.size());
    }
    const int64_t nIdx = c.ok() ? numel_of(index->dims) : 0;
    if (c.ok() && self->dims.empty() && nIdx != 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "self is 0-dimensional, so index must hold exactly one element (it holds %lld)",
               static_cast<long long>(nIdx));
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = self->dims;
        if (!oshape.empty()) oshape[static_cast<size_t>(d)] = nIdx;
    }
    c.shapeIs(out, "out", oshape);
    c.memory(self, "self").memory(index, "index").memory(out, "out");
    if (!c.ok()) return c.rc;
    const int64_t limit = self->dims.empty() ? 1 : self->dims[static_cast<size_t>(d)];
    Kernel k = [d, limit](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        const TensorDesc& src = in[0];
        const TensorDesc& dst = o[0];
        std::vector<int64_t> ids;
        if (!load_indices("aclnnIndexSelect", "index", in[1], limit, "the size of dimension dim of self", &ids))
            return ACL_ERROR_RT_AICORE_EXCEPTION;
        if (dst.numel() == 0) return ACLNN_SUCCESS;
        std::vector<int64_t> sidx = broadcast_indices(src, src.dims), didx = broadcast_indices(dst, dst.dims);
        int64_t inner = 1, outer = 1;
        for (size_t a = 0; a < dst.dims.size(); ++a) {
            if (static_cast<int64_t>(a) < d) outer *= dst.dims[a];
            else if (static_cast<int64_t>(a) > d) inner *= dst.dims[a];
        }
        const int64_t n = static_cast<int64_t>(ids.size());
        const size_t esz = dtype_size(dst.dtype);
        for (int64_t a = 0; a < outer; ++a)
            for (int64_t j = 0; j < n; ++j)
                for (int64_t i = 0; i < inner; ++i)
                    copy_elem(src, sidx[static_cast<size_t>((a * limit + ids[static_cast<size_t>(j)]) * inner + i)], dst,
                              didx[static_cast<size_t>((a * n + j) * inner + i)], esz);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnIndexSelect", {describe(self), describe(index)}, {describe(out)}, 0, std::move(k),
                  workspaceSize, executor);
}

// ---- Embedding ----------------------------------------------------------------------------------

aclnnStatus embedding_phase1(const aclTensor* weight, const aclTensor* indices, const aclTensor* out,
                             uint64_t* workspaceSize, aclOpExecutor** executor) {
    const char* fn = "aclnnEmbeddingGetWorkspaceSize";
    Check c = begin_phase1(fn, {{weight, "weight"}, {indices, "indices"}, {out, "out"}}, workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(weight, "weight", kArithTypes).dtypeIn(indices, "indices", kIndexTypes);
    c.sameDtype(out, "out", weight, "weight");
    if (c.ok() && weight->dims.size() != 2) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "weight shape %s must be 2-D (rows x embedding size)",
               shape_str(weight->dims).c_str());
    }
    std::vector<int64_t> oshape;
    if (c.ok()) {
        oshape = indices->dims;
        oshape.push_back(weight->dims[1]);
        if (oshape.size() > kAclnnMaxRank) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "indices shape %s leaves no room for the embedding dimension (max rank 8)",
                   shape_str(indices->dims).c_str());
        }
    }
    c.shapeIs(out, "out", oshape);
    c.memory(weight, "weight").memory(indices, "indices").memory(out, "out");
    if (!c.ok()) return c.rc;
    const int64_t rows = weight->dims[0], cols = weight->dims[1];
    Kernel k = [rows, cols](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*, uint64_t) {
        std::vector<int64_t> ids;
        if (!load_indices("aclnnEmbedding", "indices", in[1], rows, "the number of rows of weight", &ids))
            return ACL_ERROR_RT_AICORE_EXCEPTION;
        const TensorDesc& w = in[0];
        const TensorDesc& dst = o[0];
        if (dst.numel() == 0) return ACLNN_SUCCESS;
        // Only the selected rows of weight are addressed (weight may be a large table).
        std::vector<int64_t> didx = broadcast_indices(dst, dst.dims);
        const size_t esz = dtype_size(dst.dtype);
        const int64_t ws0 = w.strides[0], ws1 = w.strides[1];
        for (size_t r = 0; r < ids.size(); ++r)
            for (int64_t j = 0; j < cols; ++j)
                copy_elem(w, w.offset + ids[r] * ws0 + j * ws1, dst,
                          didx[static_cast<size_t>(static_cast<int64_t>(r) * cols + j)], esz);
        return ACLNN_SUCCESS;
    };
    return finish(c, "aclnnEmbedding", {describe(weight), describe(indices)}, {describe(out)}, 0, std::move(k),
                  workspaceSize, executor);
}


// ---- IndexCopy / InplaceIndexCopy -----------------------------------------------------------
// dest.select(dim, index[i]) = source.select(dim, i). The index is read at run time from device
// memory; an index outside [0, size(dim)) fails the task before anything is written.

const std::initializer_list<aclDataType> kIndexCopyTypes = {ACL_FLOAT, ACL_BF16,  ACL_FLOAT16, ACL_INT32, ACL_INT64,
                                                            ACL_INT16, ACL_INT8,  ACL_UINT8,   ACL_DOUBLE, ACL_BOOL};

aclnnStatus index_copy_phase1(const char* fn, const char* op, bool inplace, aclTensor* selfRef, int64_t dim,
                              const aclTensor* index, const aclTensor* source, aclTensor* outRef,
                              uint64_t* workspaceSize, aclOpExecutor** executor) {
    Check c = begin_phase1(fn, {{selfRef, "selfRef"}, {index, "index"}, {source, "source"}, {outRef, "outRef", !inplace}},
                           workspaceSize, executor);
    if (!c.ok()) return c.rc;
    c.dtypeIn(selfRef, "selfRef", kIndexCopyTypes).dtypeIn(index, "index", {ACL_INT32, ACL_INT64});
    c.sameDtype(source, "source", selfRef, "selfRef");
    if (!inplace) c.sameDtype(outRef, "outRef", selfRef, "selfRef").shapeIs(outRef, "outRef", selfRef->dims);
    if (c.ok() && index->dims.size() > 1) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "index shape %s must be 0-D or 1-D", shape_str(index->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t rank = static_cast<int64_t>(selfRef->dims.size());
    const int64_t lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
    if (dim < lo || dim > hi) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "dim %lld is out of range [%lld, %lld] for selfRef shape %s",
                   static_cast<long long>(dim), static_cast<long long>(lo), static_cast<long long>(hi),
                   shape_str(selfRef->dims).c_str());
    }
    if (!c.ok()) return c.rc;
    const int64_t d = dim < 0 ? dim + std::max<int64_t>(rank, 1) : dim;
    const int64_t nIndex = numel_of(index->dims);
    if (rank == 0 || source->dims.empty()) {
        if (rank != static_cast<int64_t>(source->dims.size())) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "source shape %s must have the rank of selfRef shape %s",
                       shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str());
        } else if (nIndex != 1) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "index has %lld elements but a scalar source needs exactly 1",
                       static_cast<long long>(nIndex));
        }
    } else if (source->dims.size() != selfRef->dims.size()) {
        c.fail(ACLNN_ERR_PARAM_INVALID, "source shape %s must have the rank of selfRef shape %s",
                   shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str());
    } else {
        for (int64_t i = 0; i < rank && c.ok(); ++i) {
            if (i != d && source->dims[i] != selfRef->dims[i]) {
                c.fail(ACLNN_ERR_PARAM_INVALID,
                           "source shape %s and selfRef shape %s differ in dimension %lld (only dim %lld may differ)",
                           shape_str(source->dims).c_str(), shape_str(selfRef->dims).c_str(),
                           static_cast<long long>(i), static_cast<long long>(d));
            }
        }
        if (c.ok() && source->dims[d] != nIndex) {
            c.fail(ACLNN_ERR_PARAM_INVALID, "source shape %s has %lld slices along dim %lld but index has %lld",
                       shape_str(source->dims).c_str(), static_cast<long long>(source->dims[d]),
                       static_cast<long long>(d), static_cast<long long>(nIndex));
        }
    }
    c.memory(selfRef, "selfRef").memory(index, "index").memory(source, "source");
    if (!inplace) c.memory(outRef, "outRef");
    if (!c.ok()) return c.rc;
    const std::string opName = op;
    // Inputs: [self (out-of-place only)], index, source. Output: the destination.
    Kernel kern = [inplace, d, opName](const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& o, char*,
                                       uint64_t) {
        const TensorDesc& dest = o[0];
        const TensorDesc& idxT = in[inplace ? 0 : 1];
        const TensorDesc& src = in[inplace ? 1 : 2];
        const size_t es = dtype_size(dest.dtype);
        const bool scalarCase = dest.dims.empty() || src.dims.empty();
        const int64_t extent = dest.dims.empty() ? 1 : dest.dims[d];
        std::vector<int64_t> idx = gather_i64(idxT, idxT.dims);
        for (size_t i = 0; i < idx.size(); ++i) {
            if (idx[i] < 0 || idx[i] >= extent) {
                return sim::fail(ACL_ERROR_RT_AICORE_EXCEPTION, opName.c_str(),
                                 "index[%zu] = %lld is out of range [0, %lld) for dim %lld; nothing was written", i,
                                 static_cast<long long>(idx[i]), static_cast<long long>(extent),
                                 static_cast<long long>(d));
            }
        }
        if (!inplace) {  // out = self, then the copies
            const TensorDesc& self = in[0];
            std::vector<int64_t> si = broadcast_indices(self, dest.dims), di = broadcast_indices(dest, dest.dims);
            if (self.data != dest.data || si != di) {
                std::vector<char> tmp(si.size() * es);
                for (size_t e = 0; e < si.size(); ++e) std::memcpy(&tmp[e * es], self.data + si[e] * es, es);
                for (size_t e = 0; e < di.size(); ++e) std::memcpy(dest.data + di[e] * es, &tmp[e * es], es);
            }
        }
        if (scalarCase) {
            std::vector<int64_t> si = broadcast_indices(src, src.dims);
            std::vector<int64_t> di = broadcast_indices(dest, dest.dims);
            if (!si.empty() && !di.empty()) std::memcpy(dest.data + di[0] * es, src.data + si[0] * es, es);
            return ACLNN_SUCCESS;
        }
        // Read all of source first (source may alias dest), then write slice by slice.
        std::vector<int64_t> si = broadcast_indices(src, src.dims);
        std::vector<char> vals(si.size() * es);
        for (size_t e = 0; e < si.size(); ++e) std::memcpy(&vals[e * es], src.data + si[e] * es, es);
        const size_t r = src.dims.size();
        std::vector<int64_t> coord(r, 0);
        for (size_t e = 0; e < si.size(); ++e) {
            int64_t off = dest.offset;
            for (size_t k = 0; k < r; ++k) {
                const int64_t ck = static_cast<int64_t>(k) == d ? idx[static_cast<size_t>(coord[k])] : coord[k];
                off += ck * dest.strides[k];
            }
            std::memcpy(dest.data + off * es, &vals[e * es], es);
            for (size_t k = r; k-- > 0;) {  // next row-major coordinate
                if (++coord[k] < src.dims[k]) break;
                coord[k] = 0;
            }
        }
        return ACLNN_SUCCESS;
    };
    std::vector<TensorDesc> ins;
    if (!inplace) ins.push_back(describe(selfRef));
    ins.push_back(describe(index));
    ins.push_back(describe(source));
    return finish(c, op, std::move(ins), {describe(inplace ? selfRef : outRef)}, 0, std::move(kern), workspaceSize,
                  executor);
}

}  // namespace

ACLNN_EXPORT aclnnStatus aclnnCatGetWorkspaceSize(const aclTensorList* tensors, int64_t dim, aclTensor* out,
                                            uint64_t* workspaceSize, aclOpExecutor** executor) {
    return cat_phase1(tensors, dim, out, workspaceSize, executor);
}
ACLNN_LAUNCH(Cat)

ACLNN_EXPORT aclnnStatus aclnnIndexSelectGetWorkspaceSize(const aclTensor* self, int64_t dim, const aclTensor* index,
                                                    aclTensor* out, uint64_t* workspaceSize, aclOpExecutor** executor) {
    return index_select_phase1(self, dim, index, out, workspaceSize, executor);
}
ACLNN_LAUNCH(IndexSelect)

ACLNN_EXPORT aclnnStatus aclnnEmbeddingGetWorkspaceSize(const aclTensor* weight, const aclTensor* indices,
                                                  const aclTensor* out, uint64_t* workspaceSize,
                                                  aclOpExecutor** executor) {
    return embedding_phase1(weight, indices, out, workspaceSize, executor);
}
ACLNN_LAUNCH(Embedding)

ACLNN_EXPORT aclnnStatus aclnnIndexCopyGetWorkspaceSize(aclTensor* selfRef, int64_t dim, const aclTensor* index,
                                                  const aclTensor* source, aclTensor* outRef, uint64_t* workspaceSize,
                                                  aclOpExecutor** executor) {
    return index_copy_phase1("aclnnIndexCopyGetWorkspaceSize", "aclnnIndexCopy", false, selfRef, dim, index, source,
                             outRef, workspaceSize, executor);
}
ACLNN_LAUNCH(IndexCopy)
ACLNN_EXPORT aclnnStatus aclnnInplaceIndexCopyGetWorkspaceSize(aclTensor* selfRef, int64_t dim, const aclTensor* index,
                                                         const aclTensor* source, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor) {
    return index_copy_phase1("aclnnInplaceIndexCopyGetWorkspaceSize", "aclnnInplaceIndexCopy", true, selfRef, dim,
                             index, source, nullptr, workspaceSize, executor);
}
ACLNN_LAUNCH(InplaceIndexCopy)
