/* Ascend.Interop: aclnnIncreFlashAttentionV4: incremental (decode) attention of a one-token query over a
 * padded key/value cache: out = softmax(scaleValue * q k^T, masked) v per head, over the first
 * actualSeqLengths[b] cache positions of batch b. key/value are tensor lists (one tensor of batch B, or B
 * tensors of batch 1). inputLayout: "BSH", "BSND" or "BNSD". numKeyValueHeads 0 means numHeads (GQA when
 * smaller). actualSeqLengths is read on the host at GetWorkspaceSize time. */
#ifndef ASCEND_INTEROP_ACLNN_INCRE_FLASH_ATTENTION_V4_H
#define ASCEND_INTEROP_ACLNN_INCRE_FLASH_ATTENTION_V4_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Phase 1. The arguments that may be absent (a null pointer), in the @param form the bindings generator reads for
 * the typed entry points (docs/operators.md, "Typed operators"):
 * @param [in] pseShift : optional
 * @param [in] attenMask : optional
 * @param [in] actualSeqLengths : optional
 * @param [in] dequantScale1 : optional
 * @param [in] quantScale1 : optional
 * @param [in] dequantScale2 : optional
 * @param [in] quantScale2 : optional
 * @param [in] quantOffset2 : optional
 * @param [in] antiquantScale : optional
 * @param [in] antiquantOffset : optional
 * @param [in] blocktable : optional
 * @param [in] kvPaddingSize : optional
 * @param [out] attentionOut : required */
ACL_FUNC_VISIBILITY aclnnStatus aclnnIncreFlashAttentionV4GetWorkspaceSize(
    const aclTensor *query, const aclTensorList *key, const aclTensorList *value, const aclTensor *pseShift,
    const aclTensor *attenMask, const aclIntArray *actualSeqLengths, const aclTensor *dequantScale1,
    const aclTensor *quantScale1, const aclTensor *dequantScale2, const aclTensor *quantScale2,
    const aclTensor *quantOffset2, const aclTensor *antiquantScale, const aclTensor *antiquantOffset,
    const aclTensor *blocktable, const aclTensor *kvPaddingSize, int64_t numHeads, double scaleValue,
    char *inputLayout, int64_t numKeyValueHeads, int64_t blockSize, int64_t innerPrecise,
    const aclTensor *attentionOut, uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnIncreFlashAttentionV4(void *workspace, uint64_t workspaceSize,
                                                           aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
