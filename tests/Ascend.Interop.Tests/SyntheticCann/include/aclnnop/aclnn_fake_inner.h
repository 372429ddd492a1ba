/* Synthetic operator header (not a real CANN operator), shaped like CANN's *_inner.h headers: it defines ACLNN_API
 * itself, declares its operator with extern and a C++ reference parameter (bound as a pointer: the same ABI), and
 * mixes in C++ declarations the generator cannot bind by a C name: helpers that are not acl* functions, an overload
 * set and a function outside extern "C" (C++ linkage), an inline definition, a namespace and a constexpr. */
#ifndef ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_INNER_H
#define ASCEND_INTEROP_SYNTHETIC_ACLNN_FAKE_INNER_H
#define ACLNN_API __attribute__((visibility("default")))

#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

extern aclnnStatus aclnnInnerFakeGetWorkspaceSize(const aclTensor *query, const aclTensor *&scratch,
                                                  const aclTensor *sinksOptional, double softmaxScale,
                                                  const char *layout, const aclTensor *attnOut,
                                                  uint64_t *workspaceSize, aclOpExecutor **executor);

extern aclnnStatus aclnnInnerFake(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
                                  const aclrtStream stream);

void FakeInnerPrepareScratch(const aclTensor *&scratch);

inline int64_t aclnnFakeInnerVersion() { return 1; }

#ifdef __cplusplus
}
#endif

aclnnStatus aclnnFakeInnerCheck(const aclTensor *query);

aclnnStatus aclnnFakeInnerShape(int64_t rank);
aclnnStatus aclnnFakeInnerShape(const aclIntArray *dims);

namespace fake_inner {
int64_t Blocks(int64_t n);
}

constexpr int64_t FAKE_INNER_MAX_HEADS = 8;

#endif
