/* Ascend.Interop: HCCL types (collective communication). Names, values and sizes follow CANN's
 * hccl/hccl_types.h so code compiles against either these headers or an installed CANN; the
 * declarations are our own and compile as C11 and C++17. Every value was checked against the public
 * CANN headers of tags v9.0.0 and v9.1.0 (they agree on all of them; docs/distributed.md). */
#ifndef ASCEND_INTEROP_HCCL_TYPES_H
#define ASCEND_INTEROP_HCCL_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every HCCL function. */
typedef enum {
    HCCL_SUCCESS = 0,
    HCCL_E_PARA = 1,               /* invalid parameter */
    HCCL_E_PTR = 2,                /* NULL pointer */
    HCCL_E_MEMORY = 3,
    HCCL_E_INTERNAL = 4,
    HCCL_E_NOT_SUPPORT = 5,
    HCCL_E_NOT_FOUND = 6,
    HCCL_E_UNAVAIL = 7,
    HCCL_E_SYSCALL = 8,
    HCCL_E_TIMEOUT = 9,
    HCCL_E_OPEN_FILE_FAILURE = 10,
    HCCL_E_TCP_CONNECT = 11,
    HCCL_E_ROCE_CONNECT = 12,
    HCCL_E_TCP_TRANSFER = 13,
    HCCL_E_ROCE_TRANSFER = 14,
    HCCL_E_RUNTIME = 15,           /* a runtime (aclrt*) call failed */
    HCCL_E_DRV = 16,
    HCCL_E_PROFILING = 17,
    HCCL_E_CCE = 18,
    HCCL_E_NETWORK = 19,
    HCCL_E_AGAIN = 20,
    HCCL_E_REMOTE = 21,
    HCCL_E_SUSPENDING = 22,        /* the communicator is suspended */
    HCCL_E_OPRETRY_FAIL = 23,      /* an operation retry failed (retry constraint) */
    HCCL_E_OOM = 24,               /* out of memory */
    HCCL_E_IN_STATUS = 1041,       /* the error information is in the status */
    HCCL_E_RESERVED = 1042         /* reserved (implicit in CANN: the value after HCCL_E_IN_STATUS) */
} HcclResult;

/* A communicator. */
typedef void *HcclComm;

/* Reduction applied by AllReduce and ReduceScatter. */
typedef enum {
    HCCL_REDUCE_SUM = 0,
    HCCL_REDUCE_PROD = 1,
    HCCL_REDUCE_MAX = 2,
    HCCL_REDUCE_MIN = 3,
    HCCL_REDUCE_RESERVED = 255
} HcclReduceOp;

/* Element type of communicated buffers. */
typedef enum {
    HCCL_DATA_TYPE_INT8 = 0,
    HCCL_DATA_TYPE_INT16 = 1,
    HCCL_DATA_TYPE_INT32 = 2,
    HCCL_DATA_TYPE_FP16 = 3,
    HCCL_DATA_TYPE_FP32 = 4,
    HCCL_DATA_TYPE_INT64 = 5,
    HCCL_DATA_TYPE_UINT64 = 6,
    HCCL_DATA_TYPE_UINT8 = 7,
    HCCL_DATA_TYPE_UINT16 = 8,
    HCCL_DATA_TYPE_UINT32 = 9,
    HCCL_DATA_TYPE_FP64 = 10,
    HCCL_DATA_TYPE_BFP16 = 11,
    HCCL_DATA_TYPE_INT128 = 12,
    HCCL_DATA_TYPE_HIF8 = 14,      /* HiFloat8 (13 is not a type) */
    HCCL_DATA_TYPE_FP8E4M3 = 15,   /* float8 e4m3 */
    HCCL_DATA_TYPE_FP8E5M2 = 16,   /* float8 e5m2 */
    HCCL_DATA_TYPE_FP8E8M0 = 17,   /* float8 e8m0 (scale factors) */
    HCCL_DATA_TYPE_RESERVED = 255
} HcclDataType;

/* Size of the opaque rendezvous token made by HcclGetRootInfo (CANN declares it as a
 * `const uint32_t`; a macro keeps this header valid C11). */
#define HCCL_ROOT_INFO_BYTES 4108

/* Opaque rendezvous token: rank 0 makes it with HcclGetRootInfo and hands the bytes to every
 * other rank (file, socket, MPI...) before all call HcclCommInitRootInfo. */
typedef struct HcclRootInfoDef {
    char internal[HCCL_ROOT_INFO_BYTES];
} HcclRootInfo;

#ifdef __cplusplus
}
#endif

#endif
