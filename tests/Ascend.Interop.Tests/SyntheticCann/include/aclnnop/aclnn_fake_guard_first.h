/* Synthetic operator header (not a real CANN operator): its include guard is also aclnn_fake_guard_second.h's, a
 * copy-paste slip some CANN header pairs have. A program including both loses the second one's declarations; the
 * generator reads each header as a program that includes only it, so both operators are bound. */
#ifndef ASCEND_INTEROP_SYNTHETIC_FAKE_GUARD_H
#define ASCEND_INTEROP_SYNTHETIC_FAKE_GUARD_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeGuardFirstGetWorkspaceSize(const aclTensor *self, aclTensor *out,
                                                          uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeGuardFirst(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                          aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
