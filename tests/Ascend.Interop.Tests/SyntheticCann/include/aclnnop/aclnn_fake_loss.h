/* Synthetic operator header (not a real CANN operator): declares a plain C++ enum with a short, common name, as
 * CANN's loss operators do. Bound at the top level of Ascend.Interop.Native it would collide with any other type of
 * that name; the generator nests it in the generated class. One operator takes the reduction as an int64_t, the other
 * as the enum itself. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_LOSS_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_LOSS_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the per-element losses are combined. */
enum Reduction { None = 0, Mean = 1, Sum = 2 };

ACLNN_API aclnnStatus aclnnFakeLossGetWorkspaceSize(const aclTensor *self, const aclTensor *target, int64_t reduction,
                                                    aclTensor *out, uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeLoss(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

ACLNN_API aclnnStatus aclnnFakeLossExGetWorkspaceSize(const aclTensor *self, const aclTensor *target, Reduction reduction,
                                                      aclTensor *out, uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeLossEx(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
