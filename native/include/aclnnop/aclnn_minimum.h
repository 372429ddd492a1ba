/* Ascend.Interop: aclnnMinimum: out = min(self, other) element-wise, NaN propagating, with broadcasting. */
#ifndef ASCEND_INTEROP_ACLNN_MINIMUM_H
#define ASCEND_INTEROP_ACLNN_MINIMUM_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnMinimumGetWorkspaceSize(const aclTensor *self, const aclTensor *other, aclTensor *out,
    uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnMinimum(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
