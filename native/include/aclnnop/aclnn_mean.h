/* Ascend.Interop: aclnnMean: mean over the dimensions in dim (all when dim is empty), result in dtype. */
#ifndef ASCEND_INTEROP_ACLNN_MEAN_H
#define ASCEND_INTEROP_ACLNN_MEAN_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnMeanGetWorkspaceSize(const aclTensor *self, const aclIntArray *dim, bool keepDim,
                                                          aclDataType dtype, aclTensor *out, uint64_t *workspaceSize,
                                                          aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnMean(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
