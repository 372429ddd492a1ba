/* Ascend.Interop: AscendCL umbrella header (initialization plus the runtime). */
#ifndef ASCEND_INTEROP_ACL_H
#define ASCEND_INTEROP_ACL_H

#include "acl_base.h"
#include "acl_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initializes AscendCL; reference counted (a second call returns 100002 and takes a reference). configPath may be NULL. */
ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath);
/* Releases AscendCL once no reference remains. */
ACL_FUNC_VISIBILITY aclError aclFinalize(void);
/* Drops one aclInit reference and reports how many remain in refCount. */
ACL_FUNC_VISIBILITY aclError aclFinalizeReference(uint64_t *refCount);

#ifdef __cplusplus
}
#endif

#endif
