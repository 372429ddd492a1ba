/* Synthetic operator header (not a real CANN operator): includes a header that the installation does not ship, as a
 * few CANN operator headers do. It cannot compile, so the generator skips it with that diagnostic and goes on. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_DISTRIBUTED_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_DISTRIBUTED_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"
#include "aclnn_fake_distributed_common.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeDistributedGetWorkspaceSize(const aclTensor *x, const char *group, aclTensor *out,
                                                           uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeDistributed(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                           aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
