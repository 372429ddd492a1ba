/* Ascend.Interop: aclnnIndexCopy / aclnnInplaceIndexCopy: along dimension dim, slice i of source is written to
 * slice index[i] of the destination (outRef, or selfRef in place). index is a 0-D or 1-D INT32/INT64 device
 * tensor, so a captured graph writes wherever the index holds at replay time. */
#ifndef ASCEND_INTEROP_ACLNN_INDEX_COPY_H
#define ASCEND_INTEROP_ACLNN_INDEX_COPY_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnIndexCopyGetWorkspaceSize(aclTensor *selfRef, int64_t dim, const aclTensor *index,
                                                               const aclTensor *source, aclTensor *outRef,
                                                               uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnIndexCopy(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                               aclrtStream stream);

ACL_FUNC_VISIBILITY aclnnStatus aclnnInplaceIndexCopyGetWorkspaceSize(aclTensor *selfRef, int64_t dim,
                                                                      const aclTensor *index, const aclTensor *source,
                                                                      uint64_t *workspaceSize,
                                                                      aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnInplaceIndexCopy(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                                      aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
