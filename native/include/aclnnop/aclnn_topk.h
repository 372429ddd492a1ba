/* Ascend.Interop: aclnnTopk: the k largest (or smallest) values along one dimension and their INT64 indices. */
#ifndef ASCEND_INTEROP_ACLNN_TOPK_H
#define ASCEND_INTEROP_ACLNN_TOPK_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnTopkGetWorkspaceSize(const aclTensor *self, int64_t k, int64_t dim, bool largest,
                                                          bool sorted, aclTensor *valuesOut, aclTensor *indicesOut,
                                                          uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnTopk(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
