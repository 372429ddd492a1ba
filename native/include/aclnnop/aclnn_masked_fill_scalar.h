/* Ascend.Interop: aclnnInplaceMaskedFillScalar: selfRef[mask] = value, mask broadcast to selfRef. */
#ifndef ASCEND_INTEROP_ACLNN_MASKED_FILL_SCALAR_H
#define ASCEND_INTEROP_ACLNN_MASKED_FILL_SCALAR_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnInplaceMaskedFillScalarGetWorkspaceSize(aclTensor *selfRef, const aclTensor *mask, const aclScalar *value,
    uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnInplaceMaskedFillScalar(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
