/* Ascend.Interop: base types of the AscendCL ABI subset we support.
 * Written from the ABI facts in shared/reference/cann-abi.md; compiles as C11 and C++17. */
#ifndef ASCEND_INTEROP_ACL_BASE_H
#define ASCEND_INTEROP_ACL_BASE_H

#include <stddef.h>
#include <stdint.h>
#include "error_codes/rt_error_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ACL_FUNC_VISIBILITY
#define ACL_FUNC_VISIBILITY __attribute__((visibility("default")))
#endif

typedef int aclError;
typedef uint16_t aclFloat16;

/* Handles: all plain pointers. */
typedef void *aclrtStream;
typedef void *aclrtEvent;
typedef void *aclrtContext;
/* A task of a graph (CANN 9.1+): from aclmdlRIGetTasksByStream, valid while its graph lives. */
typedef void *aclmdlRITask;

#define ACL_SUCCESS                       0
#define ACL_ERROR_NONE                    0

#define ACL_ERROR_INVALID_PARAM           100000
#define ACL_ERROR_UNINITIALIZE            100001
#define ACL_ERROR_REPEAT_INITIALIZE       100002
#define ACL_ERROR_INVALID_FILE            100003
#define ACL_ERROR_REPEAT_FINALIZE         100037

#define ACL_ERROR_BAD_ALLOC               200000
#define ACL_ERROR_API_NOT_SUPPORT         200001
#define ACL_ERROR_INVALID_DEVICE          200002
#define ACL_ERROR_MEMORY_ADDRESS_UNALIGNED 200003
#define ACL_ERROR_RESOURCE_NOT_MATCH      200004
#define ACL_ERROR_INVALID_RESOURCE_HANDLE 200005
#define ACL_ERROR_FEATURE_UNSUPPORTED     200006

#define ACL_ERROR_INTERNAL_ERROR          500000
#define ACL_ERROR_FAILURE                 500001

typedef enum {
    ACL_DT_UNDEFINED = -1,
    ACL_FLOAT = 0,
    ACL_FLOAT16 = 1,
    ACL_INT8 = 2,
    ACL_INT32 = 3,
    ACL_UINT8 = 4,
    ACL_INT16 = 6,
    ACL_UINT16 = 7,
    ACL_UINT32 = 8,
    ACL_INT64 = 9,
    ACL_UINT64 = 10,
    ACL_DOUBLE = 11,
    ACL_BOOL = 12,
    ACL_STRING = 13,
    ACL_COMPLEX64 = 16,
    ACL_COMPLEX128 = 17,
    ACL_BF16 = 27,
    ACL_INT4 = 29,
    ACL_UINT1 = 30,
    ACL_COMPLEX32 = 33,
    ACL_HIFLOAT8 = 34,
    ACL_FLOAT8_E5M2 = 35,
    ACL_FLOAT8_E4M3FN = 36
} aclDataType;

typedef enum {
    ACL_FORMAT_UNDEFINED = -1,
    ACL_FORMAT_NCHW = 0,
    ACL_FORMAT_NHWC = 1,
    ACL_FORMAT_ND = 2,
    ACL_FORMAT_NC1HWC0 = 3,
    ACL_FORMAT_FRACTAL_Z = 4,
    ACL_FORMAT_NC1HWC0_C04 = 12,
    ACL_FORMAT_HWCN = 16,
    ACL_FORMAT_NDHWC = 27,
    ACL_FORMAT_FRACTAL_NZ = 29,
    ACL_FORMAT_NCDHW = 30,
    ACL_FORMAT_NDC1HWC0 = 32,
    ACL_FRACTAL_Z_3D = 33,
    ACL_FORMAT_NC = 35,
    ACL_FORMAT_NCL = 47
} aclFormat;

/* The calling thread's most recent error text (NULL when there is none). */
ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void);

#ifdef __cplusplus
}
#endif

#endif
