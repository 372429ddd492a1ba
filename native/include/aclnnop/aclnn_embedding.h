/* Ascend.Interop: aclnnEmbedding: rows of a 2-D weight selected by indices; out shape = indices shape + [columns]. */
#ifndef ASCEND_INTEROP_ACLNN_EMBEDDING_H
#define ASCEND_INTEROP_ACLNN_EMBEDDING_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnEmbeddingGetWorkspaceSize(const aclTensor *weight, const aclTensor *indices,
                                                               const aclTensor *out, uint64_t *workspaceSize,
                                                               aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnEmbedding(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
