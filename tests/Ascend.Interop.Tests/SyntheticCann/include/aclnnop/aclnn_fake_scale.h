/* Synthetic operator header laid out like an installed CANN's include/aclnnop (not a real CANN operator):
 * the bindings generator's --cann-include path and Ops.Invoke's "not simulated" error are tested with it. Exported
 * with the visibility attribute spelled out (a variant some CANN headers use instead of ACLNN_API). */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_SCALE_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_SCALE_H

#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

__attribute__((visibility("default"))) aclnnStatus aclnnFakeScaleGetWorkspaceSize(
    const aclTensor *self, const aclScalar *scale, const aclIntArray *dims, bool keepDim, aclTensor *out,
    uint64_t *workspaceSize, aclOpExecutor **executor);

__attribute__((visibility("default"))) aclnnStatus aclnnFakeScale(void *workspace, uint64_t workspaceSize,
                                                                 aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
