/* Ascend.Interop: aclnnMaximum: out = max(self, other) element-wise, NaN propagating, with broadcasting. */
#ifndef ASCEND_INTEROP_ACLNN_MAXIMUM_H
#define ASCEND_INTEROP_ACLNN_MAXIMUM_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnMaximumGetWorkspaceSize(const aclTensor *self, const aclTensor *other, aclTensor *out,
    uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnMaximum(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
