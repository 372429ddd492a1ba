// Ascend.Interop simulator: aclnn meta objects (tensors, scalars, arrays, lists), dtype helpers,
// executors and the launch half shared by every operator.
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <new>
#include <unordered_set>

#include "aclnn_internal.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

struct aclOpExecutor {
    std::string op;
    std::vector<aclnn::TensorDesc> in, out;
    uint64_t workspaceSize = 0;
    aclnn::Kernel kernel;
    bool repeatable = false;
};

namespace aclnn {

namespace {
std::mutex g_execMutex;
std::unordered_set<aclOpExecutor*>& executors() {
    static auto* s = new std::unordered_set<aclOpExecutor*>();  // never destroyed: safe at exit
    return *s;
}
}  // namespace

int64_t numel_of(const std::vector<int64_t>& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

int64_t TensorDesc::numel() const { return numel_of(dims); }
size_t TensorDesc::storageBytes() const { return static_cast<size_t>(storageElems) * dtype_size(dtype); }

TensorDesc describe(const aclTensor* t) {
    TensorDesc d;
    d.dims = t->dims;
    d.strides = t->strides;
    d.offset = t->offset;
    d.storageElems = t->storageElems;
    d.dtype = t->dtype;
    d.data = static_cast<char*>(t->data);
    return d;
}

size_t dtype_size(aclDataType dt) {
    switch (dt) {
        case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
        case ACL_FLOAT16: case ACL_BF16: case ACL_INT16: case ACL_UINT16: return 2;
        case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
        case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: case ACL_COMPLEX64: return 8;
        case ACL_COMPLEX128: return 16;
        default: return 0;
    }
}

const char* dtype_name(aclDataType dt) {
    switch (dt) {
        case ACL_FLOAT: return "FLOAT";
        case ACL_FLOAT16: return "FLOAT16";
        case ACL_BF16: return "BF16";
        case ACL_INT8: return "INT8";
        case ACL_INT16: return "INT16";
        case ACL_INT32: return "INT32";
        case ACL_INT64: return "INT64";
        case ACL_UINT8: return "UINT8";
        case ACL_UINT16: return "UINT16";
        case ACL_UINT32: return "UINT32";
        case ACL_UINT64: return "UINT64";
        case ACL_DOUBLE: return "DOUBLE";
        case ACL_BOOL: return "BOOL";
        case ACL_COMPLEX64: return "COMPLEX64";
        case ACL_COMPLEX128: return "COMPLEX128";
        default: return "UNSUPPORTED";
    }
}

bool is_float_type(aclDataType dt) {
    return dt == ACL_FLOAT || dt == ACL_FLOAT16 || dt == ACL_BF16 || dt == ACL_DOUBLE;
}
bool is_int_type(aclDataType dt) {
    return dt == ACL_INT8 || dt == ACL_UINT8 || dt == ACL_INT16 || dt == ACL_INT32 || dt == ACL_INT64;
}

// float_to_half, half_to_float, float_to_bf16, bf16_to_float: aclnn_half.cpp.

template <typename T>
static T rd(const char* base, int64_t idx) {
    T v;
    std::memcpy(&v, base + idx * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return v;
}
template <typename T>
static void wr(char* base, int64_t idx, T v) {
    std::memcpy(base + idx * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}

double load_f64(aclDataType dt, const char* b, int64_t i) {
    switch (dt) {
        case ACL_FLOAT: return rd<float>(b, i);
        case ACL_FLOAT16: return half_to_float(rd<uint16_t>(b, i));
        case ACL_BF16: return bf16_to_float(rd<uint16_t>(b, i));
        case ACL_DOUBLE: return rd<double>(b, i);
        case ACL_INT8: return rd<int8_t>(b, i);
        case ACL_UINT8: return rd<uint8_t>(b, i);
        case ACL_INT16: return rd<int16_t>(b, i);
        case ACL_INT32: return rd<int32_t>(b, i);
        case ACL_INT64: return static_cast<double>(rd<int64_t>(b, i));
        case ACL_BOOL: return rd<uint8_t>(b, i) != 0 ? 1.0 : 0.0;
        default: return 0.0;
    }
}

int64_t float_to_int_trunc(double v) {
    if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
        return std::numeric_limits<int64_t>::min();
    }
    return static_cast<int64_t>(v);
}

int64_t load_i64(aclDataType dt, const char* b, int64_t i) {
    switch (dt) {
        case ACL_INT8: return rd<int8_t>(b, i);
        case ACL_UINT8: return rd<uint8_t>(b, i);
        case ACL_INT16: return rd<int16_t>(b, i);
        case ACL_INT32: return rd<int32_t>(b, i);
        case ACL_INT64: return rd<int64_t>(b, i);
        case ACL_BOOL: return rd<uint8_t>(b, i) != 0 ? 1 : 0;
        default: return float_to_int_trunc(load_f64(dt, b, i));
    }
}

void store_f64(aclDataType dt, char* b, int64_t i, double v) {
    switch (dt) {
        case ACL_FLOAT: wr<float>(b, i, static_cast<float>(v)); break;
        case ACL_FLOAT16: wr<uint16_t>(b, i, float_to_half(static_cast<float>(v))); break;
        case ACL_BF16: wr<uint16_t>(b, i, float_to_bf16(static_cast<float>(v))); break;
        case ACL_DOUBLE: wr<double>(b, i, v); break;
        case ACL_BOOL: wr<uint8_t>(b, i, v != 0.0 || std::isnan(v) ? 1 : 0); break;
        default: store_i64(dt, b, i, float_to_int_trunc(v)); break;
    }
}

void store_i64(aclDataType dt, char* b, int64_t i, int64_t v) {
    uint64_t u = static_cast<uint64_t>(v);  // wrap modulo 2^n, as PyTorch's integer casts do
    switch (dt) {
        case ACL_INT8: wr<int8_t>(b, i, static_cast<int8_t>(u)); break;
        case ACL_UINT8: wr<uint8_t>(b, i, static_cast<uint8_t>(u)); break;
        case ACL_INT16: wr<int16_t>(b, i, static_cast<int16_t>(u)); break;
        case ACL_INT32: wr<int32_t>(b, i, static_cast<int32_t>(u)); break;
        case ACL_INT64: wr<int64_t>(b, i, v); break;
        case ACL_BOOL: wr<uint8_t>(b, i, v != 0 ? 1 : 0); break;
        default: store_f64(dt, b, i, static_cast<double>(v)); break;
    }
}

bool broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b, std::vector<int64_t>* out) {
    size_t r = std::max(a.size(), b.size());
    std::vector<int64_t> s(r);
    for (size_t k = 0; k < r; ++k) {
        int64_t da = k < r - a.size() ? 1 : a[k - (r - a.size())];
        int64_t db = k < r - b.size() ? 1 : b[k - (r - b.size())];
        if (da == db || db == 1) s[k] = da;
        else if (da == 1) s[k] = db;
        else return false;
    }
    *out = std::move(s);
    return true;
}

std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) r += ",";
        r += std::to_string(s[i]);
    }
    return r + "]";
}

std::vector<int64_t> broadcast_indices(const TensorDesc& t, const std::vector<int64_t>& shape) {
    size_t r = shape.size();
    std::vector<int64_t> st(r, 0);
    size_t lead = r - t.dims.size();
    for (size_t k = 0; k < t.dims.size(); ++k) st[lead + k] = t.dims[k] == 1 ? 0 : t.strides[k];
    int64_t n = numel_of(shape);
    std::vector<int64_t> idx(static_cast<size_t>(n));
    if (n == 0) return idx;
    std::vector<int64_t> pos(r, 0);
    int64_t cur = t.offset;
    for (int64_t e = 0; e < n; ++e) {
        idx[static_cast<size_t>(e)] = cur;
        for (size_t k = r; k-- > 0;) {
            if (++pos[k] < shape[k]) {
                cur += st[k];
                break;
            }
            cur -= st[k] * (shape[k] - 1);
            pos[k] = 0;
        }
    }
    return idx;
}

aclnnStatus check_tensor(const char* fn, const char* what, const aclTensor* t) {
    if (t == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "%s is a null pointer", what);
    if (numel_of(t->dims) == 0) return ACLNN_SUCCESS;
    size_t bytes = static_cast<size_t>(t->storageElems) * dtype_size(t->dtype);
    if (t->data == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "%s has a null data pointer", what);
    if (!sim::range_in(t->data, bytes, sim::MemClass::Device)) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "%s data %p (storage of %zu bytes) is not inside one live device allocation", what,
                         t->data, bytes);
    }
    return ACLNN_SUCCESS;
}

aclOpExecutor* make_executor(const char* op, std::vector<TensorDesc> in, std::vector<TensorDesc> out,
                             uint64_t workspaceSize, Kernel kernel) {
    auto* e = new (std::nothrow) aclOpExecutor();
    if (e == nullptr) return nullptr;
    e->op = op;
    e->in = std::move(in);
    e->out = std::move(out);
    e->workspaceSize = workspaceSize;
    e->kernel = std::move(kernel);
    {
        std::lock_guard<std::mutex> lock(g_execMutex);
        executors().insert(e);
    }
    sim::adjust_counter(ACLSIM_LIVE_EXECUTORS, 1);
    return e;
}

static void destroy_executor_locked(aclOpExecutor* e) {
    executors().erase(e);
    delete e;
    sim::adjust_counter(ACLSIM_LIVE_EXECUTORS, -1);
}

aclnnStatus launch(const char* fn, void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                   aclrtStream stream) {
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) {
        // A launch refused at entry (an injected fault) is a failed launch like any other: it
        // consumes a valid single-use executor, so callers have one rule to follow.
        std::lock_guard<std::mutex> lock(g_execMutex);
        if (executor != nullptr && executors().count(executor) != 0 && executor->op == fn && !executor->repeatable)
            destroy_executor_locked(executor);
        return rc;
    }
    if (executor == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "executor is a null pointer");

    std::unique_lock<std::mutex> lock(g_execMutex);
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "executor %p is unknown: destroyed, or already used by a launch and not repeatable",
                         static_cast<void*>(executor));
    }
    if (executor->op != fn) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p was created by %sGetWorkspaceSize, not %sGetWorkspaceSize",
                         static_cast<void*>(executor), executor->op.c_str(), fn);
    }
    // From here on a single-use executor is consumed whatever the outcome (strict reading).
    aclOpExecutor* ex = executor;
    auto consume = [&]() {
        if (!ex->repeatable) destroy_executor_locked(ex);
    };
    const uint64_t need = ex->workspaceSize;
    if (workspaceSize < need) {
        consume();
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "workspaceSize %llu is smaller than the required %llu bytes",
                         static_cast<unsigned long long>(workspaceSize), static_cast<unsigned long long>(need));
    }
    sim::MemRegion wsRegion;
    if (need > 0) {
        if (workspace == nullptr) {
            consume();
            return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "workspace is a null pointer but %llu bytes are required",
                             static_cast<unsigned long long>(need));
        }
        if (!sim::range_in(workspace, need, sim::MemClass::Device, &wsRegion)) {
            consume();
            return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                             "workspace %p (%llu bytes) is not inside one live device allocation", workspace,
                             static_cast<unsigned long long>(need));
        }
    }
    // An invalid stream (dev < 0) skips the device checks: sim::submit refuses it with the
    // runtime's own code and message.
    const int32_t dev = sim::stream_device(fn, stream);
    if (dev >= 0 && need > 0 && wsRegion.device != dev) {
        consume();
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "workspace is on device %d but the stream is on device %d",
                         wsRegion.device, dev);
    }

    sim::Task task;
    task.kind = "kernel";
    task.name = fn;
    auto addBuffers = [&](const std::vector<TensorDesc>& ts, bool write, const char* role) -> int {
        for (size_t i = 0; i < ts.size(); ++i) {
            const TensorDesc& t = ts[i];
            if (t.numel() == 0) continue;
            sim::MemRegion r;
            if (!sim::range_in(t.data, t.storageBytes(), sim::MemClass::Device, &r)) {
                return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                                 "%s tensor %zu: data %p (%zu bytes) is not inside one live device allocation", role,
                                 i, static_cast<void*>(t.data), t.storageBytes());
            }
            if (dev >= 0 && r.device != dev) {
                return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                                 "%s tensor %zu is on device %d but the stream is on device %d", role, i, r.device,
                                 dev);
            }
            task.buffers.push_back({t.data, t.storageBytes(), r.allocationId, write});
        }
        return ACLNN_SUCCESS;
    };
    if ((rc = addBuffers(ex->in, false, "input")) != ACLNN_SUCCESS ||
        (rc = addBuffers(ex->out, true, "output")) != ACLNN_SUCCESS) {
        consume();
        return rc;
    }
    if (need > 0) task.buffers.push_back({workspace, need, wsRegion.allocationId, true});

    // The task owns copies: it may replay long after the executor is gone.
    task.run = [in = ex->in, out = ex->out, kernel = ex->kernel, ws = static_cast<char*>(workspace), need]() {
        return kernel(in, out, ws, need);
    };
    consume();
    lock.unlock();
    return sim::submit(fn, stream, std::move(task));
}

}  // namespace aclnn

using namespace aclnn;

// ---- tensors and other meta objects ---------------------------------------------------------

EXPORT aclTensor* aclCreateTensor(const int64_t* viewDims, uint64_t viewDimsNum, aclDataType dataType,
                                  const int64_t* stride, int64_t offset, aclFormat format,
                                  const int64_t* storageDims, uint64_t storageDimsNum, void* tensorData) {
    static const char* fn = "aclCreateTensor";
    if (sim::enter(fn) != ACL_SUCCESS) return nullptr;
    if (viewDimsNum > kAclnnMaxRank || storageDimsNum > kAclnnMaxRank) {
        sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "rank %llu / storage rank %llu exceeds the limit of %zu",
                  static_cast<unsigned long long>(viewDimsNum), static_cast<unsigned long long>(storageDimsNum),
                  kAclnnMaxRank);
        return nullptr;
    }
    if ((viewDimsNum > 0 && (viewDims == nullptr || stride == nullptr)) ||
        (storageDimsNum > 0 && storageDims == nullptr)) {
        sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "viewDims, stride or storageDims is a null pointer with a non-zero count");
        return nullptr;
    }
    if (dtype_size(dataType) == 0) {
        sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "dataType %d is not supported", static_cast<int>(dataType));
        return nullptr;
    }
    if (offset < 0) {
        sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "offset %lld is negative", static_cast<long long>(offset));
        return nullptr;
    }
    const int64_t kMaxElems = int64_t(1) << 48;
    auto* t = new (std::nothrow) aclTensor();
    if (t == nullptr) return nullptr;
    int64_t n = 1;
    bool empty = false;
    for (uint64_t i = 0; i < viewDimsNum; ++i) {
        if (viewDims[i] < 0 || stride[i] < 0) {
            sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "dimension %llu has size %lld and stride %lld (negative)",
                      static_cast<unsigned long long>(i), static_cast<long long>(viewDims[i]),
                      static_cast<long long>(stride[i]));
            delete t;
            return nullptr;
        }
        if (viewDims[i] == 0) empty = true;
        if (viewDims[i] > kMaxElems || stride[i] > kMaxElems || (n = n * std::max<int64_t>(viewDims[i], 1)) > kMaxElems) {
            sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "view dimensions or strides are too large");
            delete t;
            return nullptr;
        }
        t->dims.push_back(viewDims[i]);
        t->strides.push_back(stride[i]);
    }
    int64_t se = 1;
    for (uint64_t i = 0; i < storageDimsNum; ++i) {
        if (storageDims[i] < 0 || storageDims[i] > kMaxElems || (se = se * storageDims[i]) > kMaxElems) {
            sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "storage dimension %llu (%lld) is negative or too large",
                      static_cast<unsigned long long>(i), static_cast<long long>(storageDims[i]));
            delete t;
            return nullptr;
        }
        t->storageDims.push_back(storageDims[i]);
    }
    if (!empty) {
        int64_t maxReach = offset;
        for (size_t i = 0; i < t->dims.size(); ++i) {
            maxReach += (t->dims[i] - 1) * t->strides[i];
            if (maxReach > kMaxElems) break;
        }
        if (maxReach >= se) {
            sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                      "view %s with strides %s and offset %lld reaches element %lld, outside the storage of %lld elements",
                      shape_str(t->dims).c_str(), shape_str(t->strides).c_str(), static_cast<long long>(offset),
                      static_cast<long long>(maxReach), static_cast<long long>(se));
            delete t;
            return nullptr;
        }
    }
    t->offset = offset;
    t->storageElems = se;
    t->dtype = dataType;
    t->format = format;
    t->data = tensorData;
    sim::adjust_counter(ACLSIM_LIVE_TENSORS, 1);
    return t;
}

EXPORT aclScalar* aclCreateScalar(void* value, aclDataType dataType) {
    static const char* fn = "aclCreateScalar";
    if (sim::enter(fn) != ACL_SUCCESS) return nullptr;
    if (value == nullptr) {
        sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "value is a null pointer");
        return nullptr;
    }
    size_t sz = dtype_size(dataType);
    if (sz == 0) {
        sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "dataType %d is not supported", static_cast<int>(dataType));
        return nullptr;
    }
    auto* s = new (std::nothrow) aclScalar();
    if (s == nullptr) return nullptr;
    s->dtype = dataType;
    std::memcpy(s->bytes, value, sz);
    sim::adjust_counter(ACLSIM_LIVE_ACLNN_OBJECTS, 1);
    return s;
}

template <typename A, typename T>
static A* create_array(const char* fn, const T* value, uint64_t size) {
    if (sim::enter(fn) != ACL_SUCCESS) return nullptr;
    if (value == nullptr && size > 0) {
        sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "value is a null pointer with size %llu",
                  static_cast<unsigned long long>(size));
        return nullptr;
    }
    if (size > (uint64_t(1) << 32)) {
        sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "size %llu is too large", static_cast<unsigned long long>(size));
        return nullptr;
    }
    auto* a = new (std::nothrow) A();
    if (a == nullptr) return nullptr;
    a->v.assign(value, value + size);
    sim::adjust_counter(ACLSIM_LIVE_ACLNN_OBJECTS, 1);
    return a;
}

EXPORT aclIntArray* aclCreateIntArray(const int64_t* value, uint64_t size) {
    return create_array<aclIntArray>("aclCreateIntArray", value, size);
}
EXPORT aclFloatArray* aclCreateFloatArray(const float* value, uint64_t size) {
    return create_array<aclFloatArray>("aclCreateFloatArray", value, size);
}
EXPORT aclBoolArray* aclCreateBoolArray(const bool* value, uint64_t size) {
    return create_array<aclBoolArray>("aclCreateBoolArray", value, size);
}
EXPORT aclTensorList* aclCreateTensorList(const aclTensor* const* value, uint64_t size) {
    static const char* fn = "aclCreateTensorList";
    if (value != nullptr) {
        for (uint64_t i = 0; i < size; ++i) {
            if (value[i] == nullptr) {
                sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "tensor %llu of the list is a null pointer",
                          static_cast<unsigned long long>(i));
                return nullptr;
            }
        }
    }
    return create_array<aclTensorList>(fn, value, size);
}

// Destroying NULL is a successful no-op (as CANN's nnopbase deletes through the pointer).
EXPORT aclnnStatus aclDestroyTensor(const aclTensor* tensor) {
    if (tensor == nullptr) return ACLNN_SUCCESS;
    delete tensor;
    sim::adjust_counter(ACLSIM_LIVE_TENSORS, -1);
    return ACLNN_SUCCESS;
}

template <typename T>
static aclnnStatus destroy_object(const T* p) {
    if (p == nullptr) return ACLNN_SUCCESS;
    delete p;
    sim::adjust_counter(ACLSIM_LIVE_ACLNN_OBJECTS, -1);
    return ACLNN_SUCCESS;
}
EXPORT aclnnStatus aclDestroyScalar(const aclScalar* s) { return destroy_object(s); }
EXPORT aclnnStatus aclDestroyIntArray(const aclIntArray* a) { return destroy_object(a); }
EXPORT aclnnStatus aclDestroyFloatArray(const aclFloatArray* a) { return destroy_object(a); }
EXPORT aclnnStatus aclDestroyBoolArray(const aclBoolArray* a) { return destroy_object(a); }
// As on CANN ("the aclTensors in the list need not be destroyed again"), the list owns its tensors and
// destroys them with itself; a tensor listed twice is destroyed once.
EXPORT aclnnStatus aclDestroyTensorList(const aclTensorList* l) {
    if (l == nullptr) return ACLNN_SUCCESS;
    std::vector<const aclTensor*> owned(l->v);
    std::sort(owned.begin(), owned.end());
    owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
    for (const aclTensor* t : owned) aclDestroyTensor(t);
    return destroy_object(l);
}

// ---- executors ------------------------------------------------------------------------------

EXPORT aclnnStatus aclSetAclOpExecutorRepeatable(aclOpExecutor* executor) {
    static const char* fn = "aclSetAclOpExecutorRepeatable";
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) {
        // A launch refused at entry (an injected fault) is a failed launch like any other: it
        // consumes a valid single-use executor, so callers have one rule to follow.
        std::lock_guard<std::mutex> lock(g_execMutex);
        if (executor != nullptr && executors().count(executor) != 0 && executor->op == fn && !executor->repeatable)
            destroy_executor_locked(executor);
        return rc;
    }
    if (executor == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "executor is a null pointer");
    std::lock_guard<std::mutex> lock(g_execMutex);
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p is unknown (destroyed or already used)",
                         static_cast<void*>(executor));
    }
    executor->repeatable = true;
    return ACLNN_SUCCESS;
}

EXPORT aclnnStatus aclDestroyAclOpExecutor(aclOpExecutor* executor) {
    static const char* fn = "aclDestroyAclOpExecutor";
    if (executor == nullptr) return ACLNN_SUCCESS;
    std::lock_guard<std::mutex> lock(g_execMutex);
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p is unknown (destroyed or already used)",
                         static_cast<void*>(executor));
    }
    destroy_executor_locked(executor);
    return ACLNN_SUCCESS;
}

static aclnnStatus set_tensor_addr(const char* fn, aclOpExecutor* executor, size_t index, aclTensor* tensor,
                                   void* addr, bool output) {
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) {
        // A launch refused at entry (an injected fault) is a failed launch like any other: it
        // consumes a valid single-use executor, so callers have one rule to follow.
        std::lock_guard<std::mutex> lock(g_execMutex);
        if (executor != nullptr && executors().count(executor) != 0 && executor->op == fn && !executor->repeatable)
            destroy_executor_locked(executor);
        return rc;
    }
    if (executor == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "executor is a null pointer");
    std::lock_guard<std::mutex> lock(g_execMutex);
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p is unknown (destroyed or already used)",
                         static_cast<void*>(executor));
    }
    if (!executor->repeatable) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "executor %p is not repeatable (call aclSetAclOpExecutorRepeatable first)",
                         static_cast<void*>(executor));
    }
    std::vector<TensorDesc>& list = output ? executor->out : executor->in;
    if (index >= list.size()) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "index %zu is out of range: %s has %zu %s tensors", index,
                         executor->op.c_str(), list.size(), output ? "output" : "input");
    }
    TensorDesc& d = list[index];
    if (d.numel() > 0) {
        if (addr == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "addr is a null pointer");
        if (!sim::range_in(addr, d.storageBytes(), sim::MemClass::Device)) {
            return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                             "addr %p (%zu bytes of storage) is not inside one live device allocation", addr,
                             d.storageBytes());
        }
    }
    d.data = static_cast<char*>(addr);
    if (tensor != nullptr) tensor->data = addr;
    return ACLNN_SUCCESS;
}

EXPORT aclnnStatus aclSetInputTensorAddr(aclOpExecutor* executor, const size_t index, aclTensor* tensor, void* addr) {
    return set_tensor_addr("aclSetInputTensorAddr", executor, index, tensor, addr, false);
}
EXPORT aclnnStatus aclSetOutputTensorAddr(aclOpExecutor* executor, const size_t index, aclTensor* tensor, void* addr) {
    return set_tensor_addr("aclSetOutputTensorAddr", executor, index, tensor, addr, true);
}

EXPORT aclnnStatus aclnnInit(const char* configPath) {
    (void)configPath;
    return sim::enter("aclnnInit");
}
EXPORT aclnnStatus aclnnFinalize(void) { return sim::enter("aclnnFinalize"); }
