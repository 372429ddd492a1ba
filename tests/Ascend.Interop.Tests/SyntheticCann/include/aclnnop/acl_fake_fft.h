/* Synthetic operator header (not a real CANN operator): a two-phase operator named acl* rather than aclnn*, as a
 * few CANN signal-processing operators are. Bound like the aclnn* ones. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACL_FAKE_FFT_H
#define ASCEND_INTEROP_SYNTHETIC_ACL_FAKE_FFT_H

#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclFakeFftGetWorkspaceSize(const aclTensor *self, int64_t n, int64_t dim, bool normalized,
                                       aclTensor *out, uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclFakeFft(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif
