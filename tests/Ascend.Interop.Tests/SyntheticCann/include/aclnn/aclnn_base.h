/* Synthetic CANN base header (not CANN's text): like an installed CANN's aclnn/aclnn_base.h, C++ only
 * (<cstdint>, <cstdlib>); every operator header includes it, so the generator precompiles it once. */
#ifndef ASCEND_INTEROP_SYNTHETIC_CANN_ACLNN_BASE_H
#define ASCEND_INTEROP_SYNTHETIC_CANN_ACLNN_BASE_H

#include <cstdint>
#include <cstdlib>
#include "aclnn/acl_meta.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnInit(const char *configPath);
ACL_FUNC_VISIBILITY aclnnStatus aclnnFinalize();

#ifdef __cplusplus
}
#endif

#endif
