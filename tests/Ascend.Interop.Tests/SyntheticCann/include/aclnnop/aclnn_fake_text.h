/* Synthetic operator header (not a real CANN operator): includes a C++ standard header (<string>, as several CANN
 * operator headers do), takes a handle type only this CANN declares, and exports with ACL_FUNC_VISIBILITY. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_TEXT_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_TEXT_H

#include <string>
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

ACL_FUNC_VISIBILITY aclnnStatus aclnnFakeTextGetWorkspaceSize(const aclTensor *self, const char *mode,
                                                              aclSyntheticQueue queue, aclTensor *out,
                                                              uint64_t *workspaceSize, aclOpExecutor **executor);
ACL_FUNC_VISIBILITY aclnnStatus aclnnFakeText(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                              aclrtStream stream);

/* A first phase whose launch function no header declares. */
ACL_FUNC_VISIBILITY aclnnStatus aclnnFakeTextProbeGetWorkspaceSize(const aclTensor *self, uint64_t *workspaceSize,
                                                                   aclOpExecutor **executor);

#ifdef __cplusplus
}
#endif

#endif
