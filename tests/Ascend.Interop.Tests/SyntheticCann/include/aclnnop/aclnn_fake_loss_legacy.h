/* Synthetic operator header (not a real CANN operator): a second enum named Reduction with other constants. Each
 * header compiles alone; together they would not. The generator keeps both, the later one renamed after its header,
 * and says so in its summary. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_LOSS_LEGACY_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_LOSS_LEGACY_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

enum Reduction { ReductionNone = 0, ReductionSum = 1 };

ACLNN_API aclnnStatus aclnnFakeLossLegacyGetWorkspaceSize(const aclTensor *self, Reduction reduction, aclTensor *out,
                                                          uint64_t *workspaceSize, aclOpExecutor **executor);
ACLNN_API aclnnStatus aclnnFakeLossLegacy(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                          aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
