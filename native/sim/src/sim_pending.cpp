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

PENDING(aclsysGetVersionStr, (char*, char*))
PENDING(aclsysGetVersionNum, (char*, int32_t*))
PENDING(aclrtStreamWaitEventWithTimeout, (aclrtStream, aclrtEvent, int32_t))
PENDING(aclrtStreamWaitEventWithFlag, (aclrtStream, aclrtEvent, uint32_t, uint32_t))
PENDING(aclrtCreateEventExWithFlag, (aclrtEvent*, uint32_t))
PENDING(aclrtRecordEventWithFlag, (aclrtEvent, aclrtStream, uint32_t))
PENDING(aclrtValueWrite, (void*, uint64_t, uint32_t, aclrtStream))
PENDING(aclrtValueWait, (void*, uint64_t, uint32_t, aclrtStream))
PENDING(aclmdlRIBuildBegin, (aclmdlRI*, uint32_t))
PENDING(aclmdlRIBindStream, (aclmdlRI, aclrtStream, uint32_t))
PENDING(aclmdlRIEndTask, (aclmdlRI, aclrtStream))
PENDING(aclmdlRIBuildEnd, (aclmdlRI, void*))
PENDING(aclmdlRIUnbindStream, (aclmdlRI, aclrtStream))
PENDING(aclmdlRIAbort, (aclmdlRI))
PENDING(aclmdlRIGetId, (aclmdlRI, uint32_t*))
PENDING(aclmdlRIDestroyRegisterCallback, (aclmdlRI, aclrtCallback, void*))
PENDING(aclmdlRIDestroyUnregisterCallback, (aclmdlRI, aclrtCallback))
PENDING(aclmdlRIGetStreams, (aclmdlRI, aclrtStream*, uint32_t*))
PENDING(aclmdlRIGetTasksByStream, (aclrtStream, aclmdlRITask*, uint32_t*))
PENDING(aclmdlRITaskGetType, (aclmdlRITask, aclmdlRITaskType*))
PENDING(aclmdlRITaskGetSeqId, (aclmdlRITask, uint32_t*))
PENDING(aclmdlRITaskGetParams, (aclmdlRITask, aclmdlRITaskParams*))
PENDING(aclmdlRIKernelTaskGetAttribute, (aclmdlRITask, aclrtLaunchKernelAttrId, aclrtLaunchKernelAttrValue*))
PENDING(aclmdlRITaskSetParams, (aclmdlRITask, aclmdlRITaskParams*))
PENDING(aclmdlRITaskDisable, (aclmdlRITask))
PENDING(aclmdlRIUpdate, (aclmdlRI))
PENDING(aclmdlRICondHandleCreate, (aclmdlRI, uint32_t, aclmdlRICondHandleFlag, aclmdlRICondHandle*))
PENDING(aclmdlRICondHandleGetCondPtr, (aclmdlRICondHandle, uint64_t**))
PENDING(aclmdlRIAddCondTask, (aclmdlRICondTaskParams, aclrtStream, uint32_t))
PENDING(aclmdlRICaptureToModelRIBegin, (aclrtStream, aclmdlRI, aclmdlRICaptureMode))

}  // extern "C"
