// Ascend.Interop simulator: aclnn meta objects: tensors, scalars, int/float/bool arrays and tensor lists
// (create and destroy, with the live counts of acl_sim.h), aclnnInit and aclnnFinalize.
#include <algorithm>
#include <new>

#include "aclnn_op_common.h"

using namespace aclnn;

ACLNN_EXPORT aclTensor* aclCreateTensor(const int64_t* viewDims, uint64_t viewDimsNum, aclDataType dataType,
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

ACLNN_EXPORT aclScalar* aclCreateScalar(void* value, aclDataType dataType) {
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

ACLNN_EXPORT aclIntArray* aclCreateIntArray(const int64_t* value, uint64_t size) {
    return create_array<aclIntArray>("aclCreateIntArray", value, size);
}
ACLNN_EXPORT aclFloatArray* aclCreateFloatArray(const float* value, uint64_t size) {
    return create_array<aclFloatArray>("aclCreateFloatArray", value, size);
}
ACLNN_EXPORT aclBoolArray* aclCreateBoolArray(const bool* value, uint64_t size) {
    return create_array<aclBoolArray>("aclCreateBoolArray", value, size);
}
ACLNN_EXPORT aclTensorList* aclCreateTensorList(const aclTensor* const* value, uint64_t size) {
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
ACLNN_EXPORT aclnnStatus aclDestroyTensor(const aclTensor* tensor) {
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
ACLNN_EXPORT aclnnStatus aclDestroyScalar(const aclScalar* s) { return destroy_object(s); }
ACLNN_EXPORT aclnnStatus aclDestroyIntArray(const aclIntArray* a) { return destroy_object(a); }
ACLNN_EXPORT aclnnStatus aclDestroyFloatArray(const aclFloatArray* a) { return destroy_object(a); }
ACLNN_EXPORT aclnnStatus aclDestroyBoolArray(const aclBoolArray* a) { return destroy_object(a); }
// As on CANN ("the aclTensors in the list need not be destroyed again"), the list owns its tensors and
// destroys them with itself; a tensor listed twice is destroyed once.
ACLNN_EXPORT aclnnStatus aclDestroyTensorList(const aclTensorList* l) {
    if (l == nullptr) return ACLNN_SUCCESS;
    std::vector<const aclTensor*> owned(l->v);
    std::sort(owned.begin(), owned.end());
    owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
    for (const aclTensor* t : owned) aclDestroyTensor(t);
    return destroy_object(l);
}

ACLNN_EXPORT aclnnStatus aclnnInit(const char* configPath) {
    (void)configPath;
    return sim::enter("aclnnInit");
}
ACLNN_EXPORT aclnnStatus aclnnFinalize(void) { return sim::enter("aclnnFinalize"); }
