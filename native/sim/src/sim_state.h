// Ascend.Interop simulator: internal state shared by the runtime core (sim_runtime*.cpp) and graph
// capture (sim_capture*.cpp). Not used by the aclnn part (that one codes against sim_core.h).
//
// Locking: one coarse mutex (State::mu) guards every registry, device accounting, event state and
// capture state. Each stream has its own queue mutex (Stream::m). Order: State::mu before Stream::m,
// never the reverse. Stream workers run tasks with no lock held.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sim_core.h"

namespace sim {

// Short names for the runtime codes of acl/error_codes/rt_error_codes.h that the simulator returns.
constexpr int kErrSubscribeThread = ACL_ERROR_RT_SUBSCRIBE_THREAD;
constexpr int kErrStreamNoCbReg = ACL_ERROR_RT_STREAM_NO_CB_REG;
constexpr int kErrCaptureUnmatched = ACL_ERROR_RT_STREAM_CAPTURE_UNMATCHED;
constexpr int kErrEventNotComplete = ACL_ERROR_RT_EVENT_NOT_COMPLETE;
constexpr int kErrReportTimeout = ACL_ERROR_RT_REPORT_TIMEOUT;
constexpr int kErrModelRunning = ACL_ERROR_RT_MODEL_RUNNING;
// CANN codes the graph API returns that native/include does not name (values from CANN's rt_error_codes.h):
constexpr int kErrInvalidHandle = 107017;     // ACL_ERROR_RT_INVALID_HANDLE (CANN 9.1 handle validation)
constexpr int kErrModelContext = 107004;      // ACL_ERROR_RT_MODEL_CONTEXT
constexpr int kErrStreamModel = 107005;       // ACL_ERROR_RT_STREAM_MODEL (stream bound to a model)
constexpr int kErrModelExecute = 507011;      // ACL_ERROR_RT_MODEL_EXECUTE
// RT_ERROR_STREAM_TASKGRP_UPDATE maps to ACL_ERROR_RT_INTERNAL_ERROR in CANN's error table.
constexpr int kErrTaskGroupUpdate = ACL_ERROR_RT_INTERNAL_ERROR;

struct Alloc {
    char* base = nullptr;
    size_t size = 0;
    struct MemPool* pool = nullptr;  // a block of a stream-ordered pool (sim_mempool.h): never free()d
    MemClass cls = MemClass::Device;
    int32_t device = -1;
    uint64_t id = 0;
    int pins = 0;        // tasks currently running that use this allocation
    bool freed = false;  // freed by the user while pinned: released on the last unpin
    bool internal = false;  // owned by the runtime (a condition word): the API cannot free it
};

struct Context;
struct Stream;
struct Event;
struct Capture;
struct Model;
struct Group;

struct Device {
    size_t total = 0;
    size_t used = 0;
    uint32_t streams = 0;        // budget in use: default streams, user streams, live models
    Context* primary = nullptr;  // default context (aclrtSetDevice)
    int primaryRefs = 0;
};

// A queued unit of work on a stream worker.
struct Item {
    std::function<int(std::string& msg)> fn;  // msg receives the failure text
    std::string what;  // for messages: "aclnnAdd (kernel)"; empty when `describe` builds it
    // Built only when a message needs it (a failure), not per launch: describe(subject.get()).
    // `subject` also keeps the task or model alive while the item is queued.
    std::shared_ptr<const void> subject;
    std::string (*describe)(const void* subject) = nullptr;
};
std::string item_what(const Item& it);

struct Stream {
    uint64_t id = 0;
    int32_t device = -1;
    Context* ctx = nullptr;
    bool isDefault = false;
    uint32_t priority = 0;
    uint32_t flags = 0;

    // Queue (guarded by m).
    std::mutex m;
    std::condition_variable workCv;
    std::condition_variable doneCv;
    std::deque<Item> q;
    uint64_t submitted = 0;
    uint64_t completed = 0;
    bool stop = false;
    int sticky = 0;
    std::string stickyMsg;
    std::thread worker;

    // Capture and task-update state (guarded by State::mu).
    Model* boundTo = nullptr;     // aclmdlRIBindStream: the built graph this persistent stream belongs to
    Capture* cap = nullptr;
    uint64_t capPos = 0;          // operations captured on this stream in its current capture
    uint64_t joinedBackPos = 0;   // highest capPos of this stream that the origin waited on
    std::map<Stream*, uint64_t> known;  // capPos of other capture streams this one waited on
    Group* openGroup = nullptr;   // TaskGrpBegin without End yet
    struct Update* update = nullptr;
    uint64_t subscriber = 0;      // aclrtSubscribeReport thread id (0 = none)
    bool hasSubscriber = false;
};

struct Context {
    uint64_t id = 0;
    int32_t device = -1;
    bool primary = false;
    std::shared_ptr<Stream> defaultStream;
};

struct Event {
    uint64_t id = 0;
    int32_t device = -1;
    uint32_t flags = 0;
    bool newMode = false; // aclrtCreateEventExWithFlag (CANN 9.1: the only kind a capture may record)
    uint64_t seq = 0;     // record sequence allocator
    uint64_t target = 0;  // sequence of the latest record (0 = not recorded / reset)
    uint64_t done = 0;    // highest sequence completed by a worker
    std::chrono::steady_clock::time_point stamp{};
    uint64_t stampSeq = 0;     // the sequence `stamp` belongs to
    Capture* capturedBy = nullptr;  // recorded inside a live capture (107028 on host-side use)
    Stream* capStream = nullptr;
    uint64_t capPos = 0;
    std::map<Stream*, uint64_t> capKnown;  // what a waiter on this event learns (join tracking)
};

// A task of a captured model; `task` is replaced by a task-group update. The address of a ModelTask
// is its aclmdlRITask handle (Model::tasks is a deque: addresses stay put while tasks are appended).
struct ModelTask {
    std::shared_ptr<const Task> task;
    uint64_t streamId = 0;
    int group = -1;
    uint32_t seq = 0;             // position in capture order (aclmdlRITaskGetSeqId)
    bool disabled = false;        // skipped at replay (aclmdlRITaskDisable, applied by aclmdlRIUpdate)
    bool disablePending = false;  // aclmdlRITaskDisable done, aclmdlRIUpdate not yet
    std::shared_ptr<const Task> pendingTask;  // aclmdlRITaskSetParams done, aclmdlRIUpdate not yet
    uint64_t* args = nullptr;     // a kernel's argument block as aclmdlRITaskGetParams shows it (buffer addresses):
    size_t argCount = 0;          // device memory the runtime owns (CANN returns a device copy), freed with the root
};

// The condition word of a conditional node (aclmdlRICondHandleCreate): 8 bytes of device memory
// owned by the root graph.
struct CondHandle {
    struct Model* model = nullptr;  // the (root or child) graph it was created on
    uint64_t* word = nullptr;       // device memory (a registered allocation)
    uint32_t defaultValue = 0;
    bool assignDefault = false;     // ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT
    bool used = false;              // one conditional task per handle
};

// What a graph is: captured (aclmdlRICaptureBegin), a child of a conditional task, or built on
// persistent streams (aclmdlRIBuildBegin).
enum class ModelKind { Captured, Child, Built };
// READY runs; UPDATING (a task edited, aclmdlRIUpdate not yet) and FAULT (an edit failed) do not.
enum class ModelState { Ready, Updating, Fault };

struct Group {
    std::weak_ptr<Model> model;
    bool updating = false;  // a stream is between TaskUpdateBegin and TaskUpdateEnd on it
    int index = 0;
    std::vector<size_t> tasks;  // indices into Model::tasks
    bool closed = false;
};

struct Model {
    uint64_t id = 0;
    int32_t device = -1;
    Context* ctx = nullptr;
    std::string name;
    std::mutex m;  // guards tasks[i].task against concurrent updates and replays
    std::deque<ModelTask> tasks;
    std::vector<std::unique_ptr<Group>> groups;
    std::set<uint64_t> streamIds;
    std::atomic<int> pending{0};  // queued or running replays
    bool live = true;   // not destroyed (guarded by State::mu)
    bool holdsBudget = false;
    // State::freeEpoch at the last launch whose memory check passed (guarded by m; 0 = check again):
    // while no allocation was freed since and no task was replaced, every tracked buffer is still live.
    uint64_t memoryCheckedAt = 0;
    // A task keyed for per-launch values (TaskInfo::key: external event records and waits) was ever added
    // (guarded by State::mu; never cleared): only then does a launch walk the tasks (prepare_launch_locked).
    bool launchValues = false;

    // The graph API of CANN 9.x (guarded by State::mu unless noted).
    ModelKind kind = ModelKind::Captured;
    Model* parent = nullptr;      // Child: the graph holding its conditional task
    Model* root = nullptr;        // Child: the root graph (the one that owns the whole tree)
    bool childCaptured = false;   // Child: aclmdlRICaptureToModelRIBegin ... CaptureEnd done
    ModelState state = ModelState::Ready;
    std::vector<std::shared_ptr<Model>> children;        // direct child graphs (owned)
    std::vector<std::unique_ptr<CondHandle>> conds;      // root only: every handle of the tree
    std::atomic<bool> abort{false};  // aclmdlRIAbort: a running replay stops at its next task
    std::map<uintptr_t, void*> destroyCallbacks;         // by function address: userData
    // Built graphs: the bound streams (first = head) and those whose aclmdlRIEndTask was called.
    std::vector<Stream*> bound;
    std::set<Stream*> ended;
    bool buildEnded = false;
    // The runtime's internal streams of a captured graph, one per capture stream (aclmdlRIGetStreams).
    std::vector<std::unique_ptr<struct ModelStream>> internalStreams;
};

// A stream of a graph as aclmdlRIGetStreams hands it out (captured graphs): which graph and which of
// its capture streams.
struct ModelStream {
    Model* model = nullptr;
    uint64_t streamId = 0;
};

struct Capture {
    std::shared_ptr<Model> model;
    Stream* origin = nullptr;
    aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_GLOBAL;
    std::thread::id thread;
    aclmdlRICaptureStatus status = ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE;
    std::string invalidReason;
    std::set<Stream*> streams;  // origin and joined streams
    bool child = false;         // aclmdlRICaptureToModelRIBegin: the model is a child graph
};

struct Update {
    Group* group = nullptr;
    std::shared_ptr<Model> model;
    std::vector<std::shared_ptr<const Task>> tasks;
    bool failed = false;
    std::string failMsg;
};

struct Report {
    aclrtCallback fn = nullptr;
    void* user = nullptr;
    bool block = false;
    bool done = false;
};

struct State {
    std::mutex mu;
    std::condition_variable cv;  // event completion, reports, pins, shutdown
    bool initialized = false;
    bool everFinalized = false;
    uint64_t initRefs = 0;
    bool shutdown = false;

    std::vector<Device> devices;
    uint32_t streamLimit = 2048;

    std::map<uintptr_t, Alloc*> allocs;               // live allocations by base
    std::unordered_map<uint64_t, Alloc*> allocById;   // live or pinned-after-free
    uint64_t freeEpoch = 1;  // incremented by every free (see Model::memoryCheckedAt)
    std::unordered_map<Context*, std::unique_ptr<Context>> contexts;
    std::unordered_map<Stream*, std::shared_ptr<Stream>> streams;  // user streams
    std::unordered_map<Event*, std::unique_ptr<Event>> events;
    // Destroyed while a record was still pending: kept (invisible to the API) until that record
    // completes, so queued waits on it still order their streams (as CUDA/CANN release the
    // resources of a destroyed event asynchronously).
    std::unordered_map<Event*, std::unique_ptr<Event>> retiredEvents;
    std::unordered_map<Model*, std::shared_ptr<Model>> models;  // roots, built graphs and child graphs
    std::unordered_map<CondHandle*, Model*> conds;  // live condition handles: their root graph
    std::unordered_map<ModelStream*, Model*> modelStreams;  // internal streams of captured graphs
    std::unordered_map<Group*, std::weak_ptr<Model>> groups;
    std::vector<std::unique_ptr<Capture>> captures;
    std::unordered_map<uint64_t, std::deque<std::shared_ptr<Report>>> reports;  // by subscriber

    uint64_t nextId = 1;
};

State& g();

// Per-thread state.
struct Tls {
    std::string err;
    std::string errOut;
    bool hasErr = false;
    Context* ctx = nullptr;
    uint64_t ctxId = 0;
    aclmdlRICaptureMode mode = ACL_MODEL_RI_CAPTURE_MODE_GLOBAL;
    const struct Model* replayRoot = nullptr;  // stream workers: the root graph whose replay is running
    const std::unordered_map<uint64_t, uint64_t>* launch = nullptr;  // ... and its LaunchValues
};
Tls& tls();

// ---- initialisation (sim_runtime.cpp) -------------------------------------------------------
// Armed fault injection alone (aclInit and the finalize calls, which have their own "not initialised" rules).
int check_fault(const char* fn);
// What enter() reads: set by aclInit, cleared by the last finalize.
void set_initialized(bool on);
// aclInit restarts the cumulative counters (ACLSIM_COUNT_*).
void reset_cumulative_counters();

// ---- helpers (callers hold State::mu unless noted) ------------------------------------------
Context* cur_ctx_locked();
// The current context, or 107002 (recorded) when the thread has none.
int need_ctx_locked(const char* fn, Context** out);
// A timeout argument of the ...WithTimeout calls: -1 (forever) or > 0 ms, else 107000 (recorded).
int check_timeout(const char* fn, int32_t timeout);
// Keeps a resolved stream alive while the caller waits on it without State::mu.
std::shared_ptr<Stream> stream_keep_alive_locked(Stream* s);
// Resolves a stream handle (NULL = current default stream) with context checks.
int resolve_stream_locked(const char* fn, aclrtStream stream, Stream** out);
std::shared_ptr<Stream> start_stream(Context* ctx, int32_t device, bool isDefault);
// Enqueues on the worker (takes Stream::m; State::mu may be held).
void enqueue(Stream* s, Item&& it);
// aclsimHoldStreams: while held, stream workers start no new queued item (a stopping stream still drains).
void hold_streams(bool hold);
// Stops and joins a worker after draining it. Must be called WITHOUT State::mu.
void stop_stream(const std::shared_ptr<Stream>& s);
// Waits until everything submitted so far has completed; timeoutMs < 0 = forever.
// Returns ACL_SUCCESS, the sticky error (cleared), or `timeoutCode`. Called WITHOUT State::mu.
int wait_stream(const char* fn, Stream* s, int32_t timeoutMs, int timeoutCode);
// Runs one task on the current (worker) thread: pins its buffers, runs, counts. No lock held.
int run_task(const Task& t, std::string& msg);
uint32_t task_delay_us();
bool allocation_live_locked(uint64_t allocationId);
int submit_locked(const char* fn, Stream* s, Task&& t);
// submit_locked on a stream bound to a built graph (sim_build.cpp): the task joins the graph.
int append_built_task_locked(const char* fn, Stream* s, Task&& t);
void bump(aclsimCounter c, int64_t d);
uint64_t counter_value(aclsimCounter c);
// Live events by handle; for queued record/wait tasks also a destroyed event whose record is still
// pending (it lives on, retired).
Event* find_event_locked(aclrtEvent e);
Event* find_event_for_task_locked(aclrtEvent e);
// Waits (State::mu held through `l`) until event `e` (identified by id) completes sequence `t`;
// false on timeout (timeoutMs < 0 = forever).
bool wait_event_locked(std::unique_lock<std::mutex>& l, Event* e, uint64_t id, uint64_t t, int32_t timeoutMs);
bool unsafe_call_refused_locked(Context* ctx);
void invalidate_locked(Capture* c, const std::string& why);
void end_capture_streams_locked(Capture* c);
std::string stream_name(const Stream* s);

// ---- graph-API support (sim_runtime_mem.cpp, sim_version.cpp) -------------------------------
// An 8-byte zeroed device word the runtime owns (a condition word); freed with device_word_free_locked.
uint64_t* device_word_alloc_locked(int32_t device);
// As device_word_alloc_locked for `count` zeroed 8-byte words (a kernel task's argument block).
uint64_t* device_words_alloc_locked(int32_t device, size_t count);
void device_word_free_locked(uint64_t* p);
// range_in (sim_core.h) with State::mu already held.
bool range_in_locked(const void* p, size_t bytes, MemClass cls);
// The id of the live allocation containing p (0 when none).
uint64_t allocation_id_locked(const void* p);
// The CANN version the simulator presents (ASCEND_SIM_CANN_VERSION; aclsysGetVersionNum's encoding).
int32_t cann_version();
constexpr int32_t kCann900 = 90000000;
constexpr int32_t kCann910 = 90100000;
constexpr int32_t kCann920b1 = 90199801;
// A function the presented version does not have: 207000 naming it and the first version with it.
int need_version(const char* fn, int32_t since);
// The code for a destroyed or wrong-type handle: 107017 from CANN 9.1 (handle validation), 107000 before.
int stale_handle_code();

// ---- events on streams (sim_runtime_event_stream.cpp, sim_event_flag.cpp) ----------------------
// aclrtRecordEvent / aclrtStreamWaitEvent(WithTimeout) under the name `fn` (timeoutMs < 0 = forever).
// `args`: the caller's extra argument checks (run by the entry helper, after enter(fn)).
using ArgCheck = std::function<int()>;
int record_event(const char* fn, aclrtEvent event, aclrtStream stream, const ArgCheck& args = nullptr);
int stream_wait_event(const char* fn, aclrtStream stream, aclrtEvent event, int32_t timeoutMs,
                      const ArgCheck& args = nullptr);
// A worker reached a record of `event` (the one with id `id`): sequence `seq` is done. Takes State::mu.
void complete_record(aclrtEvent event, uint64_t id, uint64_t seq);
// CANN 9.1: a capture may record, reset or wait on new-mode events only (aclrtCreateEventExWithFlag);
// a legacy event gives 207000 and invalidates the capture. ACL_SUCCESS under 9.0.
int capture_event_allowed_locked(const char* fn, Event* e, Stream* s);
// An external record (record = true) or wait captured on capturing stream `s` as a real graph task.
int capture_external_locked(const char* fn, Event* e, Stream* s, bool record);
// What one launch of a graph fixes before it is queued: the record sequence of each external record
// task and the record each external wait task waits for (by TaskInfo::key). 107000 for a graph whose
// external event was destroyed.
using LaunchValues = std::unordered_map<uint64_t, uint64_t>;
int prepare_launch_locked(const char* fn, Model& m, std::shared_ptr<LaunchValues>* out);

// ---- stream-ordered memory pools (sim_mempool*.cpp) ------------------------------------------
// aclrtFree of a pool block `a` (free_alloc calls it; State::mu held).
int mempool_free_sync_locked(const char* fn, Alloc* a);
// After a successful synchronize: idle pool memory above each pool's release threshold goes back to
// the device. Takes State::mu; cheap when no pool exists.
void mempool_trim_implicit();
// aclFinalize, after the stream workers stopped: every pool and its memory released.
void mempool_release_all_locked();

}  // namespace sim
