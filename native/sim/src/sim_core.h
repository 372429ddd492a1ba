// Ascend.Interop simulator: the internal interface between the runtime core (streams, memory,
// capture; sim_runtime*.cpp) and the aclnn part (tensors, executors, kernels; aclnn_*.cpp).
// Internal only: nothing here is exported.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "acl_sim/acl_sim.h"

namespace sim {

// ---- errors ---------------------------------------------------------------------------------
// Records "<fn>: <message>" as the calling thread's recent error (aclGetRecentErrMsg) and returns
// `code`, so call sites read `return sim::fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtMalloc", "...")`.
int fail(int code, const char* fn, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// The text of a printf-style message (at most 1023 characters), for fail and the parts that record errors through
// sim::Host (inline: those parts cannot call into the core's hidden functions).
inline __attribute__((format(printf, 1, 0))) std::string vformat(const char* fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return buf;
}

// Entry check every exported function runs first: not-initialized and armed fault injection.
// Returns ACL_SUCCESS or the code to return (message already recorded).
int enter(const char* fn);

// ---- the preamble of an exported call -------------------------------------------------------
// Every exported call starts the same way: enter(fn), then the acl layer's argument checks `args` (a
// callable returning ACL_SUCCESS or a recorded code; they win over handle errors, as in CANN), then
// the runtime state's mutex taken and the handle the call works on resolved: a stream (NULL = the
// current context's default stream, with context checks) or the calling thread's current context.
// Read it as:
//     ApiCall call = enter_stream(fn, stream, [&] { return need_arg(fn, status, "status"); });
//     if (call.rc) return call.rc;
// On success `lock` holds the runtime state's mutex: code outside the runtime core (aclnn, HCCL)
// releases it (`call.lock.unlock()`) before calling back into the core (range_in, submit, ...), and
// then uses `device` only (another thread may destroy the stream once the lock is gone).
struct Stream;
struct Context;
struct ApiCall {
    int rc = ACL_SUCCESS;               // ACL_SUCCESS, or the code to return (message recorded)
    std::unique_lock<std::mutex> lock;  // holds the runtime state's mutex when rc == ACL_SUCCESS
    Stream* stream = nullptr;           // enter_stream: the resolved stream
    Context* ctx = nullptr;             // enter_context: the calling thread's current context
    int32_t device = -1;                // the device of the stream or context
};
inline int no_args() { return ACL_SUCCESS; }
// The acl layer's NULL check of a pointer argument: 100000, naming it.
inline int need_arg(const char* fn, const void* p, const char* name) {
    return p ? ACL_SUCCESS : fail(ACL_ERROR_INVALID_PARAM, fn, "%s is NULL", name);
}
// The parts after the argument checks (rc set and message recorded on failure).
void lock_state(ApiCall& call);
void resolve_stream(const char* fn, aclrtStream stream, ApiCall& call);
void resolve_context(const char* fn, ApiCall& call);

// enter(fn), the argument checks, then the runtime state's mutex (calls that resolve handles of their own).
template <class Args = int (*)()>
ApiCall enter_locked(const char* fn, Args args = no_args) {
    ApiCall call;
    if ((call.rc = enter(fn)) == ACL_SUCCESS && (call.rc = args()) == ACL_SUCCESS) lock_state(call);
    return call;
}

// ... then `stream` resolved.
template <class Args = int (*)()>
ApiCall enter_stream(const char* fn, aclrtStream stream, Args args = no_args) {
    ApiCall call = enter_locked(fn, args);
    if (call.rc == ACL_SUCCESS) resolve_stream(fn, stream, call);
    return call;
}

// ... then the calling thread's current context (107002 without one).
template <class Args = int (*)()>
ApiCall enter_context(const char* fn, Args args = no_args) {
    ApiCall call = enter_locked(fn, args);
    if (call.rc == ACL_SUCCESS) resolve_context(fn, call);
    return call;
}

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

// What the graph API's introspection reports of a task (aclmdlRITaskGetType / GetParams). `type` is
// an aclmdlRITaskType; kernel tasks ("kernel" kind) need nothing here.
struct TaskInfo {
    int type = 0;                 // ACL_MODEL_RI_TASK_DEFAULT unless set (kernel: derived from kind)
    void* addr = nullptr;         // value write/wait: the device word
    uint64_t value = 0;
    uint32_t flag = 0;            // value wait: ACL_STREAM_WAIT_VALUE_*; event tasks: the operation flag
    void* event = nullptr;        // event tasks
    uint32_t eventFlags = 0;      // event tasks: the event's creation flags
    uint64_t eventId = 0;         // event tasks: the event's identity (handles are reused)
    uint64_t key = 0;             // external event tasks: unique, keys the per-launch values
};

struct Task {
    std::string kind;             // "kernel", "memcpy", "memset", "callback", "event_record", ...
    std::string name;             // operator or API name, e.g. "aclnnAdd", "aclrtMemcpyAsync"
    std::vector<TaskBuffer> buffers;
    // The work. Runs on the stream's worker thread, possibly many times (graph replay), so it
    // must own copies of everything it reads (no pointers to executors or tensor objects).
    // Returns ACL_SUCCESS or an error code; an error makes the stream's next synchronize fail.
    std::function<int()> run;
    TaskInfo info;
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
