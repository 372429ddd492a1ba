// Ascend.Interop simulator: the aclnn part's element types (sizes, names, loads and stores with
// PyTorch's conversions) and shapes (broadcasting, row-major index walks, descriptors).
#include <algorithm>
#include <cmath>
#include <limits>

#include "aclnn_internal.h"

namespace aclnn {

int64_t numel_of(const std::vector<int64_t>& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

int64_t TensorDesc::numel() const { return numel_of(dims); }
size_t TensorDesc::storageBytes() const { return static_cast<size_t>(storageElems) * dtype_size(dtype); }

TensorDesc describe(const aclTensor* t) {
    return TensorDesc{t->dims, t->strides, t->offset, t->storageElems, t->dtype, static_cast<char*>(t->data)};
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

}  // namespace aclnn
