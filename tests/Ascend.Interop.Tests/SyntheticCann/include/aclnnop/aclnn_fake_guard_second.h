/* Synthetic operator header (not a real CANN operator): shares its include guard with aclnn_fake_guard_first.h. */
#ifndef ASCEND_INTEROP_SYNTHETIC_FAKE_GUARD_H
#define ASCEND_INTEROP_SYNTHETIC_FAKE_GUARD_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeGuardSecondGetWorkspaceSize(const aclTensor *self, int64_t times, aclTensor *out,
                                                           uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeGuardSecond(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                           aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
