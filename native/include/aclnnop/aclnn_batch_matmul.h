/* Ascend.Interop: aclnnBatchMatMul: out[b] = self[b] @ mat2[b] for 3-D operands [B, M, K] x [B, K, N];
 * a batch of 1 on either side is broadcast. cubeMathType: 0 KEEP_DTYPE, 1 ALLOW_FP32_DOWN_PRECISION,
 * 2 USE_FP16, 3 USE_HF32. */
#ifndef ASCEND_INTEROP_ACLNN_BATCH_MATMUL_H
#define ASCEND_INTEROP_ACLNN_BATCH_MATMUL_H

#include "../aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnBatchMatMulGetWorkspaceSize(const aclTensor *self, const aclTensor *mat2,
                                                                 aclTensor *out, int8_t cubeMathType,
                                                                 uint64_t *workspaceSize, aclOpExecutor **executor);

ACL_FUNC_VISIBILITY aclnnStatus aclnnBatchMatMul(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                                 aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
