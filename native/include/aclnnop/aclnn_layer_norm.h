/* Ascend.Interop: aclnnLayerNorm: (x - mean) * rstd * weight + bias over the trailing normalizedShape dims; weight, bias, meanOut, rstdOut may be NULL. */
#ifndef ASCEND_INTEROP_ACLNN_LAYER_NORM_H
#define ASCEND_INTEROP_ACLNN_LAYER_NORM_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnLayerNormGetWorkspaceSize(const aclTensor *input, const aclIntArray *normalizedShape,
                                                               const aclTensor *weightOptional,
                                                               const aclTensor *biasOptional, double eps,
                                                               aclTensor *out, aclTensor *meanOutOptional,
                                                               aclTensor *rstdOutOptional, uint64_t *workspaceSize,
                                                               aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnLayerNorm(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
