/* Synthetic CANN base header (not CANN's text): shaped like an installed CANN's aclnn/acl_meta.h, which is C++ only:
 * it includes C++ standard headers and declares a constexpr. It also declares a list type that Ascend.Interop.Native
 * lacks (aclScalarList), so the generator has to nest it in the generated class. The other types have our names. */
#ifndef ASCEND_INTEROP_SYNTHETIC_CANN_ACL_META_H
#define ASCEND_INTEROP_SYNTHETIC_CANN_ACL_META_H

#include <cstdint>
#include <cstdlib>
#include "acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aclOpExecutor aclOpExecutor;
typedef struct aclTensor aclTensor;
typedef struct aclScalar aclScalar;
typedef struct aclIntArray aclIntArray;
typedef struct aclFloatArray aclFloatArray;
typedef struct aclBoolArray aclBoolArray;
typedef struct aclTensorList aclTensorList;
typedef struct aclScalarList aclScalarList;
typedef int32_t aclnnStatus;
constexpr aclnnStatus SYNTHETIC_OK = 0;

/* A handle type of this CANN only: bound as void* (its C name stays in NativeTypeName). */
typedef void *aclSyntheticQueue;

ACL_FUNC_VISIBILITY aclScalarList *aclCreateScalarList(const aclScalar *const *value, uint64_t size);
ACL_FUNC_VISIBILITY aclnnStatus aclDestroyScalarList(const aclScalarList *array);

#ifdef __cplusplus
}
#endif

#endif
