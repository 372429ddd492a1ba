/* Ascend.Interop: aclnnRotaryPositionEmbedding: out = x * cos + rotate(x) * sin over the last dimension D.
 * mode: 0 half (GPT-NeoX), 1 interleave (GPT-J), 2 quarter, 3 interleave-half. cos and sin have one shape,
 * broadcast to x's shape, with x's last dimension. */
#ifndef ASCEND_INTEROP_ACLNN_ROTARY_POSITION_EMBEDDING_H
#define ASCEND_INTEROP_ACLNN_ROTARY_POSITION_EMBEDDING_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnRotaryPositionEmbeddingGetWorkspaceSize(const aclTensor *x, const aclTensor *cos,
                                                                             const aclTensor *sin, int64_t mode,
                                                                             aclTensor *out, uint64_t *workspaceSize,
                                                                             aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnRotaryPositionEmbedding(void *workspace, uint64_t workspaceSize,
                                                             aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
