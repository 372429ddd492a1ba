// Ascend.Interop simulator: the CANN 9.1/9.2 graph-API entry points declared in native/include but
// not simulated yet. Each returns 207000 (ACL_ERROR_RT_FEATURE_NOT_SUPPORT, what CANN returns on a
// chip without the feature) and names itself in aclGetRecentErrMsg. An entry leaves this file when
// its simulation lands; the file goes when it is empty.
#include "sim_core.h"
#include "acl/acl_rt_memory_soma.h"

namespace {
int pending(const char* fn) {
    if (int rc = sim::enter(fn)) return rc;
    return sim::fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "not simulated yet by this build of the simulator");
}
}  // namespace

#define PENDING(name, params) \
    ACL_FUNC_VISIBILITY aclError name params { return pending(#name); }

extern "C" {

PENDING(aclrtStreamWaitEventWithTimeout, (aclrtStream, aclrtEvent, int32_t))
PENDING(aclrtStreamWaitEventWithFlag, (aclrtStream, aclrtEvent, uint32_t, uint32_t))
PENDING(aclrtRecordEventWithFlag, (aclrtEvent, aclrtStream, uint32_t))

}  // extern "C"
