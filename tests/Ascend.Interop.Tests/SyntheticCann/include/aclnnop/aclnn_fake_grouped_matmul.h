/* Synthetic operator header (not a real CANN operator): an anonymous enum named by its typedef, with long-suffixed
 * values; a list type only this CANN declares (aclScalarList); a deprecated operator whose export attribute carries
 * the deprecation message. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_GROUPED_MATMUL_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_GROUPED_MATMUL_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The activation applied after each group's product. */
typedef enum {
    FAKE_ACT_NONE = 0L,
    FAKE_ACT_RELU = 1L,
    FAKE_ACT_GELU = 2L,
} FakeActType;

ACLNN_API aclnnStatus aclnnFakeGroupedMatmulGetWorkspaceSize(const aclTensorList *x, const aclTensorList *weight,
                                                             const aclScalarList *scales, int64_t activation,
                                                             const aclTensorList *out, uint64_t *workspaceSize,
                                                             aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeGroupedMatmul(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                             aclrtStream stream);

__attribute__((visibility("default"), deprecated("aclnnFakeGroupedMatmulOld is replaced by aclnnFakeGroupedMatmul")))
aclnnStatus aclnnFakeGroupedMatmulOldGetWorkspaceSize(const aclTensorList *x, const aclTensorList *weight,
                                                      FakeActType activation, const aclTensorList *out,
                                                      uint64_t *workspaceSize, aclOpExecutor **executor);
__attribute__((visibility("default"), deprecated("aclnnFakeGroupedMatmulOld is replaced by aclnnFakeGroupedMatmul")))
aclnnStatus aclnnFakeGroupedMatmulOld(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                      aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
