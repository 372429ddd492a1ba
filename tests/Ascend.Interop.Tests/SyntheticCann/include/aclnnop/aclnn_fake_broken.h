/* Synthetic operator header (not a real CANN operator): uses a type nothing declares, so it does not compile.
 * Skipped with libclang's error; the headers around it are bound. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_BROKEN_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_BROKEN_H

#include "aclnn/aclnn_base.h"
#include "aclnn_util.h"

#ifdef __cplusplus
extern "C" {
#endif

ACLNN_API aclnnStatus aclnnFakeBrokenGetWorkspaceSize(const aclFakeUndeclared *self, aclTensor *out,
                                                      uint64_t *workspaceSize, aclOpExecutor **executor);

#ifdef __cplusplus
}
#endif

#endif
