/* Ascend.Interop simulator controls. Only the simulator exports these; they are never part of
 * the CANN-named headers. Programs that must also run on real CANN resolve them optionally. */
#ifndef ASCEND_INTEROP_ACL_SIM_H
#define ASCEND_INTEROP_ACL_SIM_H

#include <stdint.h>
#include "../acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    /* Live objects (go up on create, down on destroy). */
    ACLSIM_LIVE_STREAMS = 0,          /* user-created streams (not the implicit default streams) */
    ACLSIM_LIVE_EVENTS = 1,
    ACLSIM_LIVE_DEVICE_ALLOCATIONS = 2,
    ACLSIM_LIVE_PINNED_BLOCKS = 3,
    ACLSIM_LIVE_MODELS = 4,           /* captured aclmdlRI models not yet destroyed */
    ACLSIM_LIVE_CONTEXTS = 5,         /* explicitly created contexts */
    ACLSIM_LIVE_TENSORS = 6,          /* aclTensor objects */
    ACLSIM_LIVE_ACLNN_OBJECTS = 7,    /* scalars, int/float/bool arrays, tensor lists */
    ACLSIM_LIVE_EXECUTORS = 8,
    ACLSIM_LIVE_DEVICE_BYTES = 9,     /* bytes of live device allocations, all devices */
    /* Cumulative counters since aclInit (only go up). */
    ACLSIM_COUNT_MALLOC_CALLS = 100,  /* successful aclrtMalloc */
    ACLSIM_COUNT_FREE_CALLS = 101,    /* successful aclrtFree */
    ACLSIM_COUNT_TASKS_EXECUTED = 102, /* tasks run by stream workers, replayed tasks included */
    ACLSIM_COUNT_MODEL_EXECUTIONS = 103
} aclsimCounter;

/* Reads a live count or cumulative counter. */
ACL_FUNC_VISIBILITY aclError aclsimGetCounter(aclsimCounter counter, uint64_t *value);

/* Streams of a device's budget in use (user streams, default stream, live models) and the limit. */
ACL_FUNC_VISIBILITY aclError aclsimGetStreamBudget(int32_t deviceId, uint32_t *inUse, uint32_t *limit);

/* Fault injection: the nth call (1 = the next one) of the exported function named
 * `functionName`, counted from this call, fails with `errorCode` without doing anything.
 * One armed fault per function name; arming again replaces it. */
ACL_FUNC_VISIBILITY aclError aclsimInjectFault(const char *functionName, uint32_t nth, int32_t errorCode);
/* Disarms every fault; returns how many were still armed through *remaining (may be NULL). */
ACL_FUNC_VISIBILITY aclError aclsimClearFaults(uint32_t *remaining);

/* Each task a stream worker runs first sleeps this many microseconds (default 0): makes
 * asynchrony and ordering observable in tests. */
ACL_FUNC_VISIBILITY aclError aclsimSetTaskDelay(uint32_t microseconds);

/* While `hold` is nonzero, stream workers start no new queued work (work already running finishes); submissions
 * queue up and run once the hold is released (hold 0). Benchmarks hold the workers while they time submission, so
 * that the simulated device's execution does not compete for the host's cores with the submitting thread (on an NPU
 * the device runs it). A synchronize or event wait that needs held work waits until the release; destroying a
 * stream or aclFinalize runs its queued work even while held. */
ACL_FUNC_VISIBILITY aclError aclsimHoldStreams(int32_t hold);

/* The simulator's version string, e.g. "ascend-sim 0.1.0 (ACL 1.17)". */
ACL_FUNC_VISIBILITY const char *aclsimGetVersion(void);

#ifdef __cplusplus
}
#endif

#endif
