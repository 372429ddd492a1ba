/* Synthetic operator header laid out like an installed CANN's include/aclnnop (not a real CANN operator):
 * tensor lists, an optional tensor, an int array, plain values, a string and a data type. Exported with ACLNN_API
 * from aclnn_util.h, as most CANN operator headers do. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_ATTENTION_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_ATTENTION_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeAttentionGetWorkspaceSize(const aclTensor *query, const aclTensorList *key,
                                                         const aclTensorList *value, const aclTensor *attenMask,
                                                         const aclIntArray *actualSeqLengths, double scaleValue,
                                                         int64_t numHeads, char *inputLayout, aclDataType outDtype,
                                                         aclTensor *attentionOut, uint64_t *workspaceSize,
                                                         aclOpExecutor **executor);

ACLNN_API aclnnStatus aclnnFakeAttention(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
