// Ascend.Interop simulator: what every aclnn operator's phase 1 and kernel share: dtype sets, the
// argument checker that records aclGetRecentErrMsg text, executor creation, the launch export,
// broadcasting gathers/scatters in float or int64, scalar reads, PyTorch type promotion and rounding.
// Internal only. An operator file includes this, declares its GetWorkspaceSize with these checks
// (begin_phase1 ... finish) and its kernel as a lambda, and its launch half with ACLNN_LAUNCH.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "aclnn_internal.h"

#define ACLNN_EXPORT extern "C" __attribute__((visibility("default")))

// The launch half of operator aclnn<Name>: every operator's is the shared aclnn::launch, which checks
// that the executor was made by aclnn<Name>GetWorkspaceSize.
#define ACLNN_LAUNCH(Name)                                                                             \
    ACLNN_EXPORT aclnnStatus aclnn##Name(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, \
                                         aclrtStream stream) {                                        \
        return aclnn::launch("aclnn" #Name, workspace, workspaceSize, executor, stream);               \
    }

namespace aclnn {

inline const std::initializer_list<aclDataType> kFloatTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16};
inline const std::initializer_list<aclDataType> kArithTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_INT32, ACL_INT64};
// Every dtype the simulator stores and converts (the "all real types" lists of CANN's docs, minus unsigned
// 16/32/64-bit and complex).
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

inline bool contains(std::initializer_list<aclDataType> ts, aclDataType t) {
    return std::find(ts.begin(), ts.end(), t) != ts.end();
}

// Phase-1 checks: each records the first failure (code and aclGetRecentErrMsg text naming fn) and
// makes every later check a no-op, so a chain reads top to bottom and the caller tests ok() once.
struct Check {
    const char* fn;
    int rc = ACLNN_SUCCESS;

    explicit Check(const char* f) : fn(f) {}
    bool ok() const { return rc == ACLNN_SUCCESS; }

    // Records a printf-formatted failure unless one is recorded already.
    Check& fail(int code, const char* fmt, ...) __attribute__((format(printf, 3, 4))) {
        if (!ok()) return *this;
        va_list ap;
        va_start(ap, fmt);
        va_list probe;
        va_copy(probe, ap);
        const int n = std::vsnprintf(nullptr, 0, fmt, probe);
        va_end(probe);
        std::string msg(n > 0 ? static_cast<size_t>(n) : 0, '\0');
        if (n > 0) std::vsnprintf(&msg[0], msg.size() + 1, fmt, ap);
        va_end(ap);
        rc = sim::fail(code, fn, "%s", msg.c_str());
        return *this;
    }
    Check& notNull(const void* p, const char* what) {
        if (ok() && p == nullptr) fail(ACLNN_ERR_PARAM_NULLPTR, "%s is a null pointer", what);
        return *this;
    }
    Check& dtypeIn(const aclTensor* t, const char* what, std::initializer_list<aclDataType> ts) {
        if (ok() && !contains(ts, t->dtype)) {
            fail(ACLNN_ERR_PARAM_INVALID, "%s dtype %s is not supported (supported: %s)", what, dtype_name(t->dtype),
                 type_list(ts).c_str());
        }
        return *this;
    }
    Check& sameDtype(const aclTensor* t, const char* what, const aclTensor* ref, const char* refWhat) {
        if (ok() && t->dtype != ref->dtype) {
            fail(ACLNN_ERR_PARAM_INVALID,
                 "%s dtype %s differs from %s dtype %s (the simulator does not promote mixed dtypes)", what,
                 dtype_name(t->dtype), refWhat, dtype_name(ref->dtype));
        }
        return *this;
    }
    Check& shapeIs(const aclTensor* t, const char* what, const std::vector<int64_t>& want) {
        if (ok() && t->dims != want) {
            fail(ACLNN_ERR_PARAM_INVALID, "%s shape %s must be %s", what, shape_str(t->dims).c_str(),
                 shape_str(want).c_str());
        }
        return *this;
    }
    // The numpy broadcast of a's and b's shapes into *shape, or a recorded failure.
    Check& broadcast(const aclTensor* a, const char* aWhat, const aclTensor* b, const char* bWhat,
                     std::vector<int64_t>* shape) {
        if (ok() && !broadcast_shapes(a->dims, b->dims, shape)) {
            fail(ACLNN_ERR_PARAM_INVALID, "%s shape %s and %s shape %s cannot broadcast", aWhat,
                 shape_str(a->dims).c_str(), bWhat, shape_str(b->dims).c_str());
        }
        return *this;
    }
    Check& memory(const aclTensor* t, const char* what) {
        if (ok()) rc = check_tensor(fn, what, t);
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

// The end of every phase 1: the executor of launch `op` ("aclnnAdd") holding the descriptors and the kernel.
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

// `dim` of a tensor of rank `rank` in [-r, r-1] with r = max(rank, 1) (a 0-dim tensor takes 0 and -1).
inline bool wrap_dim(int64_t dim, size_t rank, int64_t* out) {
    const int64_t r = std::max<int64_t>(static_cast<int64_t>(rank), 1);
    if (dim < -r || dim >= r) return false;
    *out = rank == 0 ? 0 : (dim < 0 ? dim + r : dim);
    return true;
}

// True when the view walks its storage densely in row-major order (dims of extent 1 ignored).
inline bool is_contiguous(const aclTensor* t) {
    int64_t expect = 1;
    for (size_t i = t->dims.size(); i-- > 0;) {
        if (t->dims[i] != 1 && t->strides[i] != expect) return false;
        expect *= t->dims[i];
    }
    return true;
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

// Every element of `t` broadcast to `shape`, in row-major order, read with `load` (load_f64 or load_i64) and
// converted to V. A dense tensor is read linearly (the same values as the general path, without its index
// vector).
template <typename V, typename Load>
inline std::vector<V> gather(const TensorDesc& t, const std::vector<int64_t>& shape, Load load) {
    if (dense_as(t, shape)) {
        std::vector<V> v(static_cast<size_t>(numel_of(shape)));
        for (size_t e = 0; e < v.size(); ++e) v[e] = static_cast<V>(load(t.dtype, t.data, t.offset + static_cast<int64_t>(e)));
        return v;
    }
    std::vector<int64_t> idx = broadcast_indices(t, shape);
    std::vector<V> v(idx.size());
    for (size_t e = 0; e < idx.size(); ++e) v[e] = static_cast<V>(load(t.dtype, t.data, idx[e]));
    return v;
}

// Stores `v` (row-major order of t's shape) through the view of `t` with `store` (store_f64 or store_i64);
// half types go through float.
template <typename V, typename Store>
inline void scatter(const TensorDesc& t, const std::vector<V>& v, Store store) {
    if (dense_as(t, t.dims)) {
        for (size_t e = 0; e < v.size(); ++e) store(t.dtype, t.data, t.offset + static_cast<int64_t>(e), v[e]);
        return;
    }
    std::vector<int64_t> idx = broadcast_indices(t, t.dims);
    for (size_t e = 0; e < idx.size(); ++e) store(t.dtype, t.data, idx[e], v[e]);
}

// The element loads and stores of the kernels: as float (dense FLOAT tensors copied as bytes), double, int64.
inline std::vector<float> gather_f32(const TensorDesc& t, const std::vector<int64_t>& shape) {
    if (t.dtype == ACL_FLOAT && dense_as(t, shape)) {
        std::vector<float> v(static_cast<size_t>(numel_of(shape)));
        if (!v.empty()) std::memcpy(v.data(), t.data + t.offset * 4, v.size() * 4);
        return v;
    }
    return gather<float>(t, shape, load_f64);
}
inline std::vector<double> gather_f64(const TensorDesc& t, const std::vector<int64_t>& shape) {
    return gather<double>(t, shape, load_f64);
}
inline std::vector<int64_t> gather_i64(const TensorDesc& t, const std::vector<int64_t>& shape) {
    return gather<int64_t>(t, shape, load_i64);
}
inline void scatter_f32(const TensorDesc& t, const std::vector<float>& v) {
    if (t.dtype == ACL_FLOAT && dense_as(t, t.dims)) {
        if (!v.empty()) std::memcpy(t.data + t.offset * 4, v.data(), v.size() * 4);
        return;
    }
    scatter(t, v, store_f64);
}
inline void scatter_f64(const TensorDesc& t, const std::vector<double>& v) { scatter(t, v, store_f64); }
inline void scatter_i64(const TensorDesc& t, const std::vector<int64_t>& v) { scatter(t, v, store_i64); }

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

// PyTorch's promoteTypes over the dtypes the simulator stores (kCastTypes): BOOL yields to anything;
// floating wins over integer; two floating types give the wider one, FLOAT16 with BF16 gives FLOAT;
// two integer types give the wider one, UINT8 with a signed type the next signed type that holds both.
inline aclDataType promote(aclDataType a, aclDataType b) {
    if (a == b) return a;
    if (a == ACL_BOOL) return b;
    if (b == ACL_BOOL) return a;
    const bool fa = is_float_type(a), fb = is_float_type(b);
    if (fa != fb) return fa ? a : b;
    if (fa) {
        if (a == ACL_DOUBLE || b == ACL_DOUBLE) return ACL_DOUBLE;
        return ACL_FLOAT;  // FLOAT16 x BF16, or either with FLOAT
    }
    auto rank = [](aclDataType t) {
        switch (t) {
            case ACL_INT8: return 1;
            case ACL_INT16: return 2;
            case ACL_INT32: return 3;
            default: return 4;  // INT64
        }
    };
    if (a == ACL_UINT8 || b == ACL_UINT8) {
        const aclDataType s = a == ACL_UINT8 ? b : a;
        return s == ACL_INT8 ? ACL_INT16 : s;
    }
    return rank(a) >= rank(b) ? a : b;
}

// PyTorch's canCast: floating never goes to an integer type, and nothing but BOOL goes to BOOL.
inline bool can_cast(aclDataType from, aclDataType to) {
    if (is_float_type(from) && !is_float_type(to)) return false;
    if (from != ACL_BOOL && to == ACL_BOOL) return false;
    return true;
}

// Records a failure when the result type `ct` cannot be stored into out (can_cast).
inline void check_castable(Check& c, aclDataType ct, const aclTensor* out, const char* what) {
    if (c.ok() && !can_cast(ct, out->dtype)) {
        c.fail(ACLNN_ERR_PARAM_INVALID,
               "%s dtype %s cannot hold the result type %s (%s cannot be cast to %s dtype %s: no cast from floating "
               "to integer or to BOOL)",
               what, dtype_name(out->dtype), dtype_name(ct), dtype_name(ct), what, dtype_name(out->dtype));
    }
}

// Rounds a float result to the precision of the compute dtype (PyTorch computes a FLOAT16 or
// BF16 op in float and rounds to the op's dtype before any cast into out).
inline float round_to(aclDataType dt, float v) {
    if (dt == ACL_FLOAT16) return half_to_float(float_to_half(v));
    if (dt == ACL_BF16) return bf16_to_float(float_to_bf16(v));
    return v;
}

// Integer result wrapped to the compute dtype's width, as PyTorch's integer arithmetic does.
inline int64_t wrap_to(aclDataType ct, uint64_t v) {
    switch (ct) {
        case ACL_INT8: return static_cast<int8_t>(static_cast<uint8_t>(v));
        case ACL_UINT8: return static_cast<uint8_t>(v);
        case ACL_INT16: return static_cast<int16_t>(static_cast<uint16_t>(v));
        case ACL_INT32: return static_cast<int32_t>(static_cast<uint32_t>(v));
        case ACL_BOOL: return v != 0 ? 1 : 0;
        default: return static_cast<int64_t>(v);
    }
}

}  // namespace aclnn
