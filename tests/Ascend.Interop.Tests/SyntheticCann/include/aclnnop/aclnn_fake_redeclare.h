/* Synthetic operator header (not a real CANN operator): declares aclnnFakeScaleGetWorkspaceSize again, identically
 * (bound once), and aclnnFakeAttention with another signature than aclnn_fake_attention.h's (each header compiles
 * alone; the generator keeps the first header's and lists this one as skipped). */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_REDECLARE_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_REDECLARE_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeScaleGetWorkspaceSize(const aclTensor *self, const aclScalar *scale,
                                                     const aclIntArray *dims, bool keepDim, aclTensor *out,
                                                     uint64_t *workspaceSize, aclOpExecutor **executor);

ACLNN_API aclnnStatus aclnnFakeAttention(void *workspace, uint64_t workspaceSize, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
