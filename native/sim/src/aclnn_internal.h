// Ascend.Interop simulator: internal types of the aclnn part (tensors, executors, dtype helpers).
// Internal only: nothing here is exported.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "aclnn/aclnn_base.h"
#include "sim_core.h"

constexpr size_t kAclnnMaxRank = 8;

struct aclTensor {
    std::vector<int64_t> dims;
    std::vector<int64_t> strides;     // elements
    int64_t offset = 0;               // elements
    std::vector<int64_t> storageDims;
    int64_t storageElems = 1;
    aclDataType dtype = ACL_FLOAT;
    aclFormat format = ACL_FORMAT_ND;
    void* data = nullptr;
};

struct aclScalar {
    aclDataType dtype = ACL_FLOAT;
    unsigned char bytes[16] = {};
};

struct aclIntArray { std::vector<int64_t> v; };
struct aclFloatArray { std::vector<float> v; };
struct aclBoolArray { std::vector<bool> v; };
struct aclTensorList { std::vector<const aclTensor*> v; };

namespace aclnn {

// A self-contained copy of a tensor's description: what a task owns (never the tensor object).
struct TensorDesc {
    std::vector<int64_t> dims;
    std::vector<int64_t> strides;
    int64_t offset = 0;
    int64_t storageElems = 1;
    aclDataType dtype = ACL_FLOAT;
    char* data = nullptr;

    int64_t numel() const;
    size_t storageBytes() const;
};

TensorDesc describe(const aclTensor* t);

// The kernel of one launch. Receives copies of the descriptors, the workspace and its size.
using Kernel = std::function<int(const std::vector<TensorDesc>& in, const std::vector<TensorDesc>& out,
                                 char* workspace, uint64_t workspaceSize)>;

// Element size in bytes of a dtype the simulator can store (0 when unsupported).
size_t dtype_size(aclDataType dt);
const char* dtype_name(aclDataType dt);
bool is_float_type(aclDataType dt);   // FLOAT, FLOAT16, BF16, DOUBLE
bool is_int_type(aclDataType dt);     // INT8, UINT8, INT16, INT32, INT64 (not BOOL)

// Scalar conversions with PyTorch semantics.
uint16_t float_to_half(float f);      // round to nearest even
float half_to_float(uint16_t h);
uint16_t float_to_bf16(float f);      // round to nearest even
float bf16_to_float(uint16_t b);

// Loads element `idx` (element index into storage) as double / int64; stores with conversion.
double load_f64(aclDataType dt, const char* base, int64_t idx);
int64_t load_i64(aclDataType dt, const char* base, int64_t idx);
void store_f64(aclDataType dt, char* base, int64_t idx, double v);  // float types: via float for half types
void store_i64(aclDataType dt, char* base, int64_t idx, int64_t v);
// float -> integer with truncation toward zero; NaN/out of range gives INT64_MIN (as x86 does), then wraps.
int64_t float_to_int_trunc(double v);

// Storage element indices of every element of `t` in row-major order of `shape`, where `t`
// broadcasts to `shape` (numpy rules; caller validated).
std::vector<int64_t> broadcast_indices(const TensorDesc& t, const std::vector<int64_t>& shape);

// Numpy broadcast of two shapes; false when incompatible.
bool broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b, std::vector<int64_t>* out);
std::string shape_str(const std::vector<int64_t>& s);
int64_t numel_of(const std::vector<int64_t>& s);

// Creates an executor for operator `op` (the launch function's name, e.g. "aclnnAdd").
aclOpExecutor* make_executor(const char* op, std::vector<TensorDesc> in, std::vector<TensorDesc> out,
                             uint64_t workspaceSize, Kernel kernel);

// The launch half of every operator.
aclnnStatus launch(const char* fn, void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                   aclrtStream stream);

// Validates a tensor argument at GetWorkspaceSize time: not null (161001) and its storage in
// device memory (161002). `what` names the argument.
aclnnStatus check_tensor(const char* fn, const char* what, const aclTensor* t);

inline uint64_t align32(uint64_t v) { return (v + 31) / 32 * 32; }

}  // namespace aclnn
