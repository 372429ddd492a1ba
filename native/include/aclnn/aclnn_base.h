/* Ascend.Interop: aclnn base (status codes, library init). */
#ifndef ASCEND_INTEROP_ACLNN_BASE_H
#define ASCEND_INTEROP_ACLNN_BASE_H

#include "acl_meta.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACLNN_SUCCESS              0
#define ACLNN_ERR_PARAM_NULLPTR    161001
#define ACLNN_ERR_PARAM_INVALID    161002
#define ACLNN_ERR_RUNTIME_ERROR    361001
#define ACLNN_ERR_INNER            561000
#define ACLNN_ERR_INNER_NULLPTR    561103
#define ACLNN_ERR_INNER_TILING_ERROR 561002

/* Initializes the aclnn operator library (configPath may be NULL). */
ACL_FUNC_VISIBILITY aclnnStatus aclnnInit(const char *configPath);
/* Releases the aclnn operator library. */
ACL_FUNC_VISIBILITY aclnnStatus aclnnFinalize(void);

#ifdef __cplusplus
}
#endif

#endif
