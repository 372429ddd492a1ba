// Ascend.Interop simulator: the internal interface between the runtime core (streams, memory,
// capture; sim_runtime*.cpp) and the aclnn part (tensors, executors, kernels; aclnn_*.cpp).
// Internal only: nothing here is exported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "acl_sim/acl_sim.h"

namespace sim {

// ---- errors ---------------------------------------------------------------------------------
// Records "<fn>: <message>" as the calling thread's recent error (aclGetRecentErrMsg) and returns
// `code`, so call sites read `return sim::fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtMalloc", "...")`.
int fail(int code, const char* fn, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Entry check every exported function runs first: not-initialized and armed fault injection.
// Returns ACL_SUCCESS or the code to return (message already recorded).
int enter(const char* fn);

// ---- memory ---------------------------------------------------------------------------------
enum class MemClass { Pageable, Device, Pinned };

struct MemRegion {
    MemClass cls = MemClass::Pageable;
    int32_t device = -1;          // owning device for Device memory
    char* base = nullptr;         // start of the allocation containing the pointer
    size_t size = 0;              // size of that allocation
    uint64_t allocationId = 0;    // unique per allocation, never reused
};

// Classifies `p`: Device or Pinned when it lies inside a live registered allocation
// (region filled in), otherwise Pageable.
MemRegion classify(const void* p);

// True when [p, p+bytes) lies entirely inside one live allocation of class `cls`
// (for Device: on any device; region returned through `out` when not null).
bool range_in(const void* p, size_t bytes, MemClass cls, MemRegion* out = nullptr);

// True when allocation `allocationId` is still live.
bool allocation_live(uint64_t allocationId);

// ---- streams and tasks ----------------------------------------------------------------------
// A buffer a task touches: recorded for capture dumps and for use-after-free detection at replay.
struct TaskBuffer {
    const void* ptr = nullptr;
    size_t bytes = 0;
    uint64_t allocationId = 0;    // 0 for host (pinned/pageable) buffers that are not tracked
    bool write = false;
};

struct Task {
    std::string kind;             // "kernel", "memcpy", "memset", "callback", "event_record", ...
    std::string name;             // operator or API name, e.g. "aclnnAdd", "aclrtMemcpyAsync"
    std::vector<TaskBuffer> buffers;
    // The work. Runs on the stream's worker thread, possibly many times (graph replay), so it
    // must own copies of everything it reads (no pointers to executors or tensor objects).
    // Returns ACL_SUCCESS or an error code; an error makes the stream's next synchronize fail.
    std::function<int()> run;
};

// Submits `t` to `stream` on behalf of API `fn` (NULL = the current device's default stream):
//  - validates the stream handle and context (error recorded, code returned);
//  - when the stream is capturing: appends the task to the capture (does not run it);
//    when it is in a task-group update: matches it against the group's next task;
//  - otherwise enqueues it on the stream's worker and returns at once.
// Submission errors on a capturing stream invalidate the capture, as CANN does.
int submit(const char* fn, aclrtStream stream, Task&& t);

// Marks the capture `stream` takes part in (if any) as INVALIDATED, as CANN does when a task
// submission fails on a capturing stream; aclmdlRICaptureEnd then fails with 507903. For the aclnn
// part: call it when a launch on a capturing stream fails after its arguments were accepted.
// Does not touch the caller's recent error message.
void invalidate_capture(aclrtStream stream, const char* reason);

// The device a stream belongs to (-1 and error recorded when the handle is invalid).
int32_t stream_device(const char* fn, aclrtStream stream);

// Current device of the calling thread, or -1 when none is set (no error recorded).
int32_t current_device();

// ---- counters (acl_sim.h) -------------------------------------------------------------------
// Adjusts a live count or cumulative counter (thread-safe); aclnn objects use
// ACLSIM_LIVE_TENSORS / ACLSIM_LIVE_ACLNN_OBJECTS / ACLSIM_LIVE_EXECUTORS.
void adjust_counter(aclsimCounter counter, int64_t delta);

}  // namespace sim
