// Ascend.Interop simulator: what every aclnn operator's phase 1 and kernel share: dtype sets, the
// argument checker that records aclGetRecentErrMsg text, executor creation, broadcasting
// gathers/scatters in float or int64, scalar reads, PyTorch type promotion and rounding.
// Internal only. An operator file includes this, declares its GetWorkspaceSize with these checks
// and its kernel as a lambda, and forwards its launch to aclnn::launch.
#pragma once

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "aclnn_internal.h"

namespace aclnn {

inline const std::initializer_list<aclDataType> kFloatTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16};
inline const std::initializer_list<aclDataType> kArithTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_INT32, ACL_INT64};
inline const std::initializer_list<aclDataType> kCastTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_DOUBLE, ACL_INT8,
                                                       ACL_UINT8, ACL_INT16, ACL_INT32, ACL_INT64, ACL_BOOL};

inline std::string type_list(std::initializer_list<aclDataType> ts) {
    std::string r;
    for (aclDataType t : ts) {
        if (!r.empty()) r += ", ";
        r += dtype_name(t);
    }
    return r;
}

// Phase-1 helpers: each returns ACLNN_SUCCESS or the code (message recorded).
struct Check {
    const char* fn;
    int rc = ACLNN_SUCCESS;

    explicit Check(const char* f) : fn(f) {}
    bool ok() const { return rc == ACLNN_SUCCESS; }

    Check& notNull(const void* p, const char* what) {
        if (ok() && p == nullptr) rc = sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "%s is a null pointer", what);
        return *this;
    }
    Check& dtypeIn(const aclTensor* t, const char* what, std::initializer_list<aclDataType> ts) {
        if (ok() && std::find(ts.begin(), ts.end(), t->dtype) == ts.end()) {
            rc = sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "%s dtype %s is not supported (supported: %s)", what,
                           dtype_name(t->dtype), type_list(ts).c_str());
        }
        return *this;
    }
    Check& sameDtype(const aclTensor* t, const char* what, const aclTensor* ref, const char* refWhat) {
        if (ok() && t->dtype != ref->dtype) {
            rc = sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                           "%s dtype %s differs from %s dtype %s (the simulator does not promote mixed dtypes)", what,
                           dtype_name(t->dtype), refWhat, dtype_name(ref->dtype));
        }
        return *this;
    }
    Check& shapeIs(const aclTensor* t, const char* what, const std::vector<int64_t>& want) {
        if (ok() && t->dims != want) {
            rc = sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "%s shape %s must be %s", what, shape_str(t->dims).c_str(),
                           shape_str(want).c_str());
        }
        return *this;
    }
    Check& memory(const aclTensor* t, const char* what) {
        if (ok()) rc = check_tensor(fn, what, t);
        return *this;
    }
    Check& fail(int code, const char* fmt, const std::string& a = "", const std::string& b = "") {
        if (ok()) rc = sim::fail(code, fn, fmt, a.c_str(), b.c_str());
        return *this;
    }
};

// One pointer argument of a GetWorkspaceSize call, for begin_phase1; `required` false skips it (an argument
// that only some forms of the operator take, e.g. alpha of Add but not of Mul).
struct PointerArg {
    const void* p;
    const char* name;
    bool required = true;
};

// The start of every phase 1: sim::enter (its code, with its message, when the runtime is not ready), then the
// null checks of `args` in the order given, then of workspaceSize and executor. The first failure is the one
// recorded; the caller returns c.rc when !c.ok() before it reads any argument.
inline Check begin_phase1(const char* fn, std::initializer_list<PointerArg> args, const uint64_t* workspaceSize,
                          aclOpExecutor* const* executor) {
    Check c(fn);
    c.rc = sim::enter(fn);
    for (const PointerArg& a : args) {
        if (a.required) c.notNull(a.p, a.name);
    }
    c.notNull(workspaceSize, "workspaceSize").notNull(executor, "executor");
    return c;
}

inline aclnnStatus finish(Check& c, const char* op, std::vector<TensorDesc> in, std::vector<TensorDesc> out, uint64_t ws,
                   Kernel k, uint64_t* workspaceSize, aclOpExecutor** executor) {
    if (!c.ok()) return c.rc;
    aclOpExecutor* e = make_executor(op, std::move(in), std::move(out), ws, std::move(k));
    if (e == nullptr) return sim::fail(ACLNN_ERR_INNER, c.fn, "out of host memory creating the executor");
    *workspaceSize = ws;
    *executor = e;
    return ACLNN_SUCCESS;
}

inline int kernel_workspace_check(const char* op, uint64_t have, uint64_t need, const char* ws) {
    if (have < need || (need > 0 && ws == nullptr)) {
        return sim::fail(ACLNN_ERR_INNER, op, "kernel workspace of %llu bytes is smaller than %llu",
                         static_cast<unsigned long long>(have), static_cast<unsigned long long>(need));
    }
    return ACLNN_SUCCESS;
}

// True when `t` has exactly `shape` and row-major contiguous strides (a dimension of 1 may have any
// stride): element e of the row-major order is storage element t.offset + e.
inline bool dense_as(const TensorDesc& t, const std::vector<int64_t>& shape) {
    if (t.dims != shape) return false;
    int64_t expect = 1;
    for (size_t i = t.dims.size(); i-- > 0;) {
        if (t.dims[i] != 1 && t.strides[i] != expect) return false;
        expect *= t.dims[i];
    }
    return true;
}

// Loads every element of `t` broadcast to `shape`, as float (float types) or int64. A dense tensor
// is read linearly (the same values as the general path, without its index vector).
inline std::vector<float> gather_f32(const TensorDesc& t, const std::vector<int64_t>& shape) {
    if (dense_as(t, shape)) {
        std::vector<float> v(static_cast<size_t>(numel_of(shape)));
        if (t.dtype == ACL_FLOAT) {
            if (!v.empty()) std::memcpy(v.data(), t.data + t.offset * 4, v.size() * 4);
        } else {
            for (size_t e = 0; e < v.size(); ++e)
                v[e] = static_cast<float>(load_f64(t.dtype, t.data, t.offset + static_cast<int64_t>(e)));
        }
        return v;
    }
    std::vector<int64_t> idx = broadcast_indices(t, shape);
    std::vector<float> v(idx.size());
    if (t.dtype == ACL_FLOAT) {
        const float* p = reinterpret_cast<const float*>(t.data);
        for (size_t e = 0; e < idx.size(); ++e) std::memcpy(&v[e], p + idx[e], 4);
    } else {
        for (size_t e = 0; e < idx.size(); ++e) v[e] = static_cast<float>(load_f64(t.dtype, t.data, idx[e]));
    }
    return v;
}
inline std::vector<int64_t> gather_i64(const TensorDesc& t, const std::vector<int64_t>& shape) {
    if (dense_as(t, shape)) {
        std::vector<int64_t> v(static_cast<size_t>(numel_of(shape)));
        for (size_t e = 0; e < v.size(); ++e) v[e] = load_i64(t.dtype, t.data, t.offset + static_cast<int64_t>(e));
        return v;
    }
    std::vector<int64_t> idx = broadcast_indices(t, shape);
    for (auto& e : idx) e = load_i64(t.dtype, t.data, e);
    return idx;
}
inline void scatter_f32(const TensorDesc& t, const std::vector<float>& v) {
    if (dense_as(t, t.dims)) {
        if (t.dtype == ACL_FLOAT) {
            if (!v.empty()) std::memcpy(t.data + t.offset * 4, v.data(), v.size() * 4);
        } else {
            for (size_t e = 0; e < v.size(); ++e) store_f64(t.dtype, t.data, t.offset + static_cast<int64_t>(e), v[e]);
        }
        return;
    }
    std::vector<int64_t> idx = broadcast_indices(t, t.dims);
    for (size_t e = 0; e < idx.size(); ++e) store_f64(t.dtype, t.data, idx[e], v[e]);
}
inline void scatter_i64(const TensorDesc& t, const std::vector<int64_t>& v) {
    if (dense_as(t, t.dims)) {
        for (size_t e = 0; e < v.size(); ++e) store_i64(t.dtype, t.data, t.offset + static_cast<int64_t>(e), v[e]);
        return;
    }
    std::vector<int64_t> idx = broadcast_indices(t, t.dims);
    for (size_t e = 0; e < idx.size(); ++e) store_i64(t.dtype, t.data, idx[e], v[e]);
}

// The float values of `t` broadcast to `shape`, row-major: a pointer into `t`'s own storage when it
// is a dense FLOAT tensor of that shape (no copy), else into `buf`, which receives a gather_f32.
inline const float* f32_view(const TensorDesc& t, const std::vector<int64_t>& shape, std::vector<float>& buf) {
    if (t.dtype == ACL_FLOAT && dense_as(t, shape)) return reinterpret_cast<const float*>(t.data) + t.offset;
    buf = gather_f32(t, shape);
    return buf.data();
}

// True when the storage byte ranges of `a` and `b` intersect.
inline bool storage_overlaps(const TensorDesc& a, const TensorDesc& b) {
    const char* a0 = a.data;
    const char* b0 = b.data;
    return a0 < b0 + b.storageBytes() && b0 < a0 + a.storageBytes();
}

// Scalar value as double and as int64.
inline double scalar_f64(const aclScalar* s) { return load_f64(s->dtype, reinterpret_cast<const char*>(s->bytes), 0); }
inline int64_t scalar_i64(const aclScalar* s) { return load_i64(s->dtype, reinterpret_cast<const char*>(s->bytes), 0); }


// PyTorch's result type of two tensors of the arithmetic types (0-dim tensors get no special rank).
inline aclDataType promote(aclDataType a, aclDataType b) {
    if (a == b) return a;
    const bool fa = is_float_type(a), fb = is_float_type(b);
    if (fa && fb) return ACL_FLOAT;  // FLOAT16 x BF16, or either with FLOAT
    if (fa) return a;
    if (fb) return b;
    return ACL_INT64;  // INT32 x INT64
}

// Rounds a float result to the precision of the compute dtype (PyTorch computes a FLOAT16 or
// BF16 op in float and rounds to the op's dtype before any cast into out).
inline float round_to(aclDataType dt, float v) {
    if (dt == ACL_FLOAT16) return half_to_float(float_to_half(v));
    if (dt == ACL_BF16) return bf16_to_float(float_to_bf16(v));
    return v;
}

}  // namespace aclnn
