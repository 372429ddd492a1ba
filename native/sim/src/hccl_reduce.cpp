// Ascend.Interop simulator, HCCL object: element types and the reductions collectives apply.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "aclnn_internal.h"
#include "hccl_internal.h"

namespace sim {
namespace hccl {

size_t dtype_bytes(HcclDataType t) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8: case HCCL_DATA_TYPE_UINT8: return 1;
        case HCCL_DATA_TYPE_HIF8: case HCCL_DATA_TYPE_FP8E4M3: case HCCL_DATA_TYPE_FP8E5M2: case HCCL_DATA_TYPE_FP8E8M0:
            return 1;
        case HCCL_DATA_TYPE_INT16: case HCCL_DATA_TYPE_UINT16: case HCCL_DATA_TYPE_FP16: case HCCL_DATA_TYPE_BFP16:
            return 2;
        case HCCL_DATA_TYPE_INT32: case HCCL_DATA_TYPE_UINT32: case HCCL_DATA_TYPE_FP32: return 4;
        case HCCL_DATA_TYPE_INT64: case HCCL_DATA_TYPE_UINT64: case HCCL_DATA_TYPE_FP64: return 8;
        default: return 0;  // INT128, 13 and out-of-range values: refused
    }
}

const char* dtype_name(HcclDataType t) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8: return "int8";
        case HCCL_DATA_TYPE_INT16: return "int16";
        case HCCL_DATA_TYPE_INT32: return "int32";
        case HCCL_DATA_TYPE_FP16: return "fp16";
        case HCCL_DATA_TYPE_FP32: return "fp32";
        case HCCL_DATA_TYPE_INT64: return "int64";
        case HCCL_DATA_TYPE_UINT64: return "uint64";
        case HCCL_DATA_TYPE_UINT8: return "uint8";
        case HCCL_DATA_TYPE_UINT16: return "uint16";
        case HCCL_DATA_TYPE_UINT32: return "uint32";
        case HCCL_DATA_TYPE_FP64: return "fp64";
        case HCCL_DATA_TYPE_BFP16: return "bfp16";
        case HCCL_DATA_TYPE_INT128: return "int128";
        case HCCL_DATA_TYPE_HIF8: return "hif8";
        case HCCL_DATA_TYPE_FP8E4M3: return "fp8e4m3";
        case HCCL_DATA_TYPE_FP8E5M2: return "fp8e5m2";
        case HCCL_DATA_TYPE_FP8E8M0: return "fp8e8m0";
        default: return "not a data type";
    }
}

const char* op_name(HcclReduceOp op) {
    switch (op) {
        case HCCL_REDUCE_SUM: return "sum";
        case HCCL_REDUCE_PROD: return "prod";
        case HCCL_REDUCE_MAX: return "max";
        case HCCL_REDUCE_MIN: return "min";
        default: return "unknown";
    }
}

// Reductions as an Atlas A2 (910B) supports them: int8/16/32/64, fp16, fp32, bfp16; prod not for
// int16 and bfp16 (HcclAllReduce documentation). Everything else is refused.
HcclResult check_reduce(const char* fn, HcclDataType t, HcclReduceOp op) {
    if (op < HCCL_REDUCE_SUM || op > HCCL_REDUCE_MIN)
        return hfail(HCCL_E_PARA, fn, "op %d is not a reduction (sum 0, prod 1, max 2, min 3)", static_cast<int>(op));
    switch (t) {
        case HCCL_DATA_TYPE_INT8: case HCCL_DATA_TYPE_INT16: case HCCL_DATA_TYPE_INT32: case HCCL_DATA_TYPE_INT64:
        case HCCL_DATA_TYPE_FP16: case HCCL_DATA_TYPE_FP32: case HCCL_DATA_TYPE_BFP16:
            break;
        default:
            return hfail(HCCL_E_NOT_SUPPORT, fn,
                         "dataType %s (%d) is not supported by reductions (int8, int16, int32, int64, fp16, fp32, bfp16)",
                         dtype_name(t), static_cast<int>(t));
    }
    if (op == HCCL_REDUCE_PROD && (t == HCCL_DATA_TYPE_INT16 || t == HCCL_DATA_TYPE_BFP16))
        return hfail(HCCL_E_NOT_SUPPORT, fn, "op prod does not support dataType %s", dtype_name(t));
    return HCCL_SUCCESS;
}

template <typename T>
T apply(HcclReduceOp op, T a, T b) {
    switch (op) {
        case HCCL_REDUCE_SUM: return static_cast<T>(a + b);
        case HCCL_REDUCE_PROD: return static_cast<T>(a * b);
        case HCCL_REDUCE_MAX: return a > b ? a : b;
        default: return a < b ? a : b;
    }
}

float apply_f(HcclReduceOp op, float a, float b) {
    if (op == HCCL_REDUCE_MAX || op == HCCL_REDUCE_MIN) {
        if (std::isnan(a) || std::isnan(b)) return NAN;  // NaN propagates, as on the device
    }
    return apply<float>(op, a, b);
}

// Integers wrap around: sums and products through an unsigned type at least as wide as `unsigned` (signed overflow,
// and unsigned short products promoted to int, are undefined in C++).
template <typename T>
ReduceFn integer_reducer(HcclReduceOp op) {
    using W = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return [op](void* c, const void* a, const void* b, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            T x = static_cast<const T*>(a)[i], y = static_cast<const T*>(b)[i];
            T r;
            if (op == HCCL_REDUCE_SUM) r = static_cast<T>(static_cast<W>(x) + static_cast<W>(y));
            else if (op == HCCL_REDUCE_PROD) r = static_cast<T>(static_cast<W>(x) * static_cast<W>(y));
            else r = apply<T>(op, x, y);
            static_cast<T*>(c)[i] = r;
        }
    };
}

ReduceFn reducer(HcclDataType t, HcclReduceOp op) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8: return integer_reducer<int8_t>(op);
        case HCCL_DATA_TYPE_INT16: return integer_reducer<int16_t>(op);
        case HCCL_DATA_TYPE_INT32: return integer_reducer<int32_t>(op);
        case HCCL_DATA_TYPE_INT64: return integer_reducer<int64_t>(op);
        case HCCL_DATA_TYPE_FP32:
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<float*>(c)[i] = apply_f(op, static_cast<const float*>(a)[i], static_cast<const float*>(b)[i]);
            };
        case HCCL_DATA_TYPE_FP16:
            // Each pairwise step rounds to fp16, as a reduction in the buffer's own type does.
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<uint16_t*>(c)[i] = aclnn::float_to_half(apply_f(
                        op, aclnn::half_to_float(static_cast<const uint16_t*>(a)[i]),
                        aclnn::half_to_float(static_cast<const uint16_t*>(b)[i])));
            };
        default:  // BFP16
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<uint16_t*>(c)[i] = aclnn::float_to_bf16(apply_f(
                        op, aclnn::bf16_to_float(static_cast<const uint16_t*>(a)[i]),
                        aclnn::bf16_to_float(static_cast<const uint16_t*>(b)[i])));
            };
    }
}

// Data movement takes every type but int128, as CANN (HCCL_E_NOT_SUPPORT for int128, and for values that name no
// type, where CANN 9.0/9.1 lets 13 through: the strict reading refuses it).
HcclResult check_dtype(const char* fn, HcclDataType t) {
    if (dtype_bytes(t) == 0)
        return hfail(HCCL_E_NOT_SUPPORT, fn, "dataType %d (%s) is not supported", static_cast<int>(t), dtype_name(t));
    return HCCL_SUCCESS;
}

}  // namespace hccl
}  // namespace sim
