// Ascend.Interop simulator runtime core: stream workers, task submission, events, host callbacks.
#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sim_state.h"

namespace sim {

std::string stream_name(const Stream* s) {
    if (!s) return "NULL";
    char buf[64];
    if (s->isDefault) snprintf(buf, sizeof buf, "default stream of device %d", s->device);
    else snprintf(buf, sizeof buf, "%p (device %d)", static_cast<const void*>(s), s->device);
    return buf;
}

static void worker_loop(Stream* s) {
    for (;;) {
        Item it;
        {
            std::unique_lock<std::mutex> l(s->m);
            s->workCv.wait(l, [s] { return s->stop || !s->q.empty(); });
            if (s->q.empty()) return;
            it = std::move(s->q.front());
            s->q.pop_front();
        }
        std::string msg;
        int rc;
        try {
            rc = it.fn(msg);
        } catch (const std::exception& e) {
            rc = ACL_ERROR_RT_INTERNAL_ERROR;
            msg = std::string("exception: ") + e.what();
        } catch (...) {
            rc = ACL_ERROR_RT_INTERNAL_ERROR;
            msg = "unknown exception";
        }
        {
            std::lock_guard<std::mutex> l(s->m);
            if (rc != ACL_SUCCESS && s->sticky == 0) {
                s->sticky = rc;
                s->stickyMsg = item_what(it) + " failed on " + stream_name(s) + " with error " + std::to_string(rc) +
                               (msg.empty() ? "" : ": " + msg);
            }
            s->completed++;
        }
        s->doneCv.notify_all();
    }
}

std::shared_ptr<Stream> start_stream(Context* ctx, int32_t device, bool isDefault) {
    auto s = std::make_shared<Stream>();
    s->id = g().nextId++;
    s->ctx = ctx;
    s->device = device;
    s->isDefault = isDefault;
    Stream* raw = s.get();
    s->worker = std::thread([raw] { worker_loop(raw); });
    return s;
}

void enqueue(Stream* s, Item&& it) {
    {
        std::lock_guard<std::mutex> l(s->m);
        s->q.push_back(std::move(it));
        s->submitted++;
    }
    s->workCv.notify_one();
}

void stop_stream(const std::shared_ptr<Stream>& s) {
    if (!s) return;
    {
        std::lock_guard<std::mutex> l(s->m);
        s->stop = true;
    }
    s->workCv.notify_all();
    if (s->worker.joinable()) {
        if (s->worker.get_id() == std::this_thread::get_id()) s->worker.detach();
        else s->worker.join();
    }
}

int wait_stream(const char* fn, Stream* s, int32_t timeoutMs, int timeoutCode) {
    std::unique_lock<std::mutex> l(s->m);
    uint64_t target = s->submitted;
    auto pred = [s, target] { return s->completed >= target; };
    if (timeoutMs < 0) {
        s->doneCv.wait(l, pred);
    } else if (!s->doneCv.wait_for(l, std::chrono::milliseconds(timeoutMs), pred)) {
        return fail(timeoutCode, fn, "%s did not complete within %d ms (%llu task(s) pending)",
                    stream_name(s).c_str(), timeoutMs,
                    static_cast<unsigned long long>(s->submitted - s->completed));
    }
    if (s->sticky) {
        int rc = s->sticky;
        std::string m = s->stickyMsg;
        s->sticky = 0;
        s->stickyMsg.clear();
        return fail(rc, fn, "%s", m.c_str());
    }
    return ACL_SUCCESS;
}

int run_task(const Task& t, std::string& msg) {
    State& st = g();
    std::vector<Alloc*> pinned;
    {
        std::lock_guard<std::mutex> l(st.mu);
        for (const TaskBuffer& b : t.buffers) {
            if (!b.allocationId) continue;
            auto it = st.allocById.find(b.allocationId);
            if (it == st.allocById.end() || it->second->freed) {
                for (Alloc* a : pinned) a->pins--;
                char buf[256];
                snprintf(buf, sizeof buf, "task '%s' (%s) uses buffer %p (%zu bytes) whose allocation #%llu was freed",
                         t.name.c_str(), t.kind.c_str(), b.ptr, b.bytes,
                         static_cast<unsigned long long>(b.allocationId));
                msg = buf;
                st.cv.notify_all();
                return ACL_ERROR_RT_PARAM_INVALID;
            }
            it->second->pins++;
            pinned.push_back(it->second);
        }
    }
    if (uint32_t d = task_delay_us()) std::this_thread::sleep_for(std::chrono::microseconds(d));
    tls().hasErr = false;
    int rc = t.run ? t.run() : ACL_ERROR_RT_PARAM_INVALID;
    bump(ACLSIM_COUNT_TASKS_EXECUTED, 1);
    if (rc != ACL_SUCCESS && msg.empty()) {
        // A kernel that names its failure (sim::fail on this worker thread) passes the text on.
        msg = "task '" + t.name + "' (" + t.kind + ") returned " + std::to_string(rc);
        if (tls().hasErr) msg += ": " + tls().err;
    }
    tls().hasErr = false;
    if (!pinned.empty()) {
        std::lock_guard<std::mutex> l(st.mu);
        for (Alloc* a : pinned) {
            if (--a->pins == 0 && a->freed) {
                st.allocById.erase(a->id);
                free(a->base);
                delete a;
            }
        }
    }
    return rc;
}

int resolve_stream_locked(const char* fn, aclrtStream stream, Stream** out) {
    State& st = g();
    Context* c = cur_ctx_locked();
    if (!stream) {
        if (!c)
            return fail(ACL_ERROR_RT_CONTEXT_NULL, fn,
                        "the NULL (default) stream needs a current device; call aclrtSetDevice first");
        *out = c->defaultStream.get();
        return ACL_SUCCESS;
    }
    auto it = st.streams.find(static_cast<Stream*>(stream));
    if (it == st.streams.end())
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid stream handle %p (not a live stream)", stream);
    Stream* s = it->second.get();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
    if (c->device != s->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn,
                    "stream %p belongs to device %d but the current context is on device %d", stream, s->device,
                    c->device);
    *out = s;
    return ACL_SUCCESS;
}

int32_t stream_device(const char* fn, aclrtStream stream) {
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (resolve_stream_locked(fn, stream, &s)) return -1;
    return s->device;
}

static std::string describe_task(const void* task) {
    const Task& t = *static_cast<const Task*>(task);
    return t.name + " (" + t.kind + ")";
}

std::string item_what(const Item& it) { return it.describe ? it.describe(it.subject.get()) : it.what; }

int submit_locked(const char* fn, Stream* s, Task&& t) {
    State& st = g();
    if (!t.run) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "internal: task '%s' has no work", t.name.c_str());
    for (const TaskBuffer& b : t.buffers) {
        if (b.allocationId && !allocation_live_locked(b.allocationId)) {
            int rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "buffer %p (%zu bytes) of task '%s' was already freed",
                          b.ptr, b.bytes, t.name.c_str());
            if (s->cap) invalidate_locked(s->cap, tls().err);
            return rc;
        }
    }
    if (s->cap) {
        Capture* c = s->cap;
        if (c->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
            return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn,
                        "the capture on %s was invalidated (%s); end it with aclmdlRICaptureEnd",
                        stream_name(s).c_str(), c->invalidReason.c_str());
        ModelTask mt;
        mt.streamId = s->id;
        mt.task = std::make_shared<const Task>(std::move(t));
        std::lock_guard<std::mutex> ml(c->model->m);
        size_t idx = c->model->tasks.size();
        if (s->openGroup) {
            mt.group = s->openGroup->index;
            s->openGroup->tasks.push_back(idx);
        }
        c->model->tasks.push_back(std::move(mt));
        c->model->streamIds.insert(s->id);
        s->capPos++;
        return ACL_SUCCESS;
    }
    if (s->update) {
        Update* u = s->update;
        size_t i = u->tasks.size();
        if (u->failed)
            return fail(kErrTaskGroupUpdate, fn, "the task update on %s already failed: %s",
                        stream_name(s).c_str(), u->failMsg.c_str());
        std::lock_guard<std::mutex> ml(u->model->m);
        if (i >= u->group->tasks.size()) {
            u->failed = true;
            u->failMsg = "more tasks issued than the group holds (" + std::to_string(u->group->tasks.size()) + ")";
            return fail(kErrTaskGroupUpdate, fn, "task update: %s", u->failMsg.c_str());
        }
        const Task& old = *u->model->tasks[u->group->tasks[i]].task;
        if (old.kind != t.kind || old.name != t.name) {
            u->failed = true;
            u->failMsg = "task " + std::to_string(i) + " of the group is '" + old.name + "' (" + old.kind +
                         ") but '" + t.name + "' (" + t.kind + ") was issued";
            return fail(kErrTaskGroupUpdate, fn, "task update: %s", u->failMsg.c_str());
        }
        u->tasks.push_back(std::make_shared<const Task>(std::move(t)));
        return ACL_SUCCESS;
    }
    (void)st;
    auto tp = std::make_shared<const Task>(std::move(t));
    Item it;
    const Task* raw = tp.get();  // kept alive by it.subject; a plain pointer fits std::function's inline storage
    it.subject = std::move(tp);
    it.describe = describe_task;
    it.fn = [raw](std::string& msg) { return run_task(*raw, msg); };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

int submit(const char* fn, aclrtStream stream, Task&& t) {
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    return submit_locked(fn, s, std::move(t));
}

void invalidate_capture(aclrtStream stream, const char* reason) {
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    Tls saved = tls();
    if (resolve_stream_locked("invalidate_capture", stream, &s) == ACL_SUCCESS && s->cap)
        invalidate_locked(s->cap, reason ? reason : "a submission failed");
    tls() = saved;  // resolution errors here must not overwrite the caller's message
}

static Event* find_event_locked(aclrtEvent e) {
    auto it = g().events.find(static_cast<Event*>(e));
    return it == g().events.end() ? nullptr : it->second.get();
}

// For queued record/wait tasks: a destroyed event whose record is still pending lives on, retired.
static Event* find_event_for_task_locked(aclrtEvent e) {
    if (Event* live = find_event_locked(e)) return live;
    auto it = g().retiredEvents.find(static_cast<Event*>(e));
    return it == g().retiredEvents.end() ? nullptr : it->second.get();
}

// Waits (State::mu held through `l`) until event `e` (identified by id) completes sequence `t`.
static bool wait_event_locked(std::unique_lock<std::mutex>& l, Event* e, uint64_t id, uint64_t t, int32_t timeoutMs) {
    State& st = g();
    auto pred = [&] {
        if (st.shutdown) return true;
        Event* cur = find_event_for_task_locked(e);
        return !cur || cur->id != id || cur->done >= t;
    };
    if (timeoutMs < 0) {
        st.cv.wait(l, pred);
        return true;
    }
    return st.cv.wait_for(l, std::chrono::milliseconds(timeoutMs), pred);
}

}  // namespace sim

using namespace sim;

extern "C" {

// ---- streams ---------------------------------------------------------------------------------------
static aclError create_stream(const char* fn, aclrtStream* stream, uint32_t priority, uint32_t flags) {
    if (!stream) return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
    Device& d = st.devices[c->device];
    if (d.streams >= st.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn,
                    "device %d has no stream left (%u of %u in use: default streams, user streams and live models)",
                    c->device, d.streams, st.streamLimit);
    auto s = start_stream(c, c->device, false);
    s->priority = priority;
    s->flags = flags;
    d.streams++;
    bump(ACLSIM_LIVE_STREAMS, 1);
    *stream = s.get();
    st.streams.emplace(s.get(), std::move(s));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream* stream) {
    if (int rc = enter("aclrtCreateStream")) return rc;
    return create_stream("aclrtCreateStream", stream, 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStreamWithConfig(aclrtStream* stream, uint32_t priority, uint32_t flag) {
    if (int rc = enter("aclrtCreateStreamWithConfig")) return rc;
    if (priority > 7)
        return fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtCreateStreamWithConfig", "priority %u out of range [0, 7]",
                    priority);
    if (flag & ~(ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC | ACL_STREAM_PERSISTENT))
        return fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtCreateStreamWithConfig", "unknown stream flag bits 0x%x", flag);
    return create_stream("aclrtCreateStreamWithConfig", stream, priority, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream) {
    const char* fn = "aclrtDestroyStream";
    if (int rc = enter(fn)) return rc;
    State& st = g();
    std::unique_lock<std::mutex> l(st.mu);
    if (!stream) return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be destroyed)");
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %p is capturing; end the capture first", stream);
    if (s->worker.get_id() == std::this_thread::get_id())
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "stream %p cannot be destroyed from its own task", stream);
    if (s->update) {
        s->update->group->updating = false;
        delete s->update;
        s->update = nullptr;
    }
    auto it = st.streams.find(s);
    std::shared_ptr<Stream> sp = it->second;
    st.streams.erase(it);
    st.devices[s->device].streams--;
    bump(ACLSIM_LIVE_STREAMS, -1);
    l.unlock();
    stop_stream(sp);
    return ACL_SUCCESS;
}

static aclError sync_stream(const char* fn, aclrtStream stream, int32_t timeout) {
    Stream* s = nullptr;
    std::shared_ptr<Stream> keep;
    {
        std::lock_guard<std::mutex> l(g().mu);
        if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
        if (s->cap)
            return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; it cannot be synchronized",
                        stream_name(s).c_str());
        if (s->isDefault) keep = s->ctx->defaultStream;
        else keep = g().streams[s];
    }
    return wait_stream(fn, keep.get(), timeout, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStream(aclrtStream stream) {
    if (int rc = enter("aclrtSynchronizeStream")) return rc;
    return sync_stream("aclrtSynchronizeStream", stream, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout) {
    const char* fn = "aclrtSynchronizeStreamWithTimeout";
    if (int rc = enter(fn)) return rc;
    if (timeout < -1 || timeout == 0)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, or > 0 ms)", timeout);
    return sync_stream(fn, stream, timeout);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus* status) {
    const char* fn = "aclrtStreamQuery";
    if (int rc = enter(fn)) return rc;
    if (!status) return fail(ACL_ERROR_INVALID_PARAM, fn, "status is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (s->cap) return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; it cannot be queried", stream_name(s).c_str());
    std::lock_guard<std::mutex> sl(s->m);
    *status = s->completed >= s->submitted ? ACL_STREAM_STATUS_COMPLETE : ACL_STREAM_STATUS_NOT_READY;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDevice(void) {
    const char* fn = "aclrtSynchronizeDevice";
    if (int rc = enter(fn)) return rc;
    std::vector<std::shared_ptr<Stream>> all;
    {
        State& st = g();
        std::lock_guard<std::mutex> l(st.mu);
        Context* c = cur_ctx_locked();
        if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
        for (auto& cp : st.contexts)
            if (cp.second->device == c->device) all.push_back(cp.second->defaultStream);
        for (auto& sp : st.streams)
            if (sp.second->device == c->device) all.push_back(sp.second);
        for (auto& s : all)
            if (s->cap)
                return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; the device cannot be synchronized",
                            stream_name(s.get()).c_str());
    }
    int first = ACL_SUCCESS;
    std::string msg;
    for (auto& s : all) {
        int rc = wait_stream(fn, s.get(), -1, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
        if (rc && !first) {
            first = rc;
            msg = tls().err;
        }
    }
    if (first) {
        tls().err = msg;
        tls().hasErr = true;
    }
    return first;
}

// ---- events -----------------------------------------------------------------------------------------
static aclError create_event(const char* fn, aclrtEvent* event, uint32_t flags) {
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
    auto e = std::make_unique<Event>();
    e->id = st.nextId++;
    e->device = c->device;
    e->flags = flags;
    *event = e.get();
    st.events.emplace(e.get(), std::move(e));
    bump(ACLSIM_LIVE_EVENTS, 1);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEvent(aclrtEvent* event) {
    if (int rc = enter("aclrtCreateEvent")) return rc;
    return create_event("aclrtCreateEvent", event, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventWithFlag(aclrtEvent* event, uint32_t flag) {
    const char* fn = "aclrtCreateEventWithFlag";
    if (int rc = enter(fn)) return rc;
    if (flag & ~(ACL_EVENT_SYNC | ACL_EVENT_CAPTURE_STREAM_PROGRESS | ACL_EVENT_TIME_LINE))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "unknown event flag bits 0x%x", flag);
    return create_event(fn, event, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event) {
    const char* fn = "aclrtDestroyEvent";
    if (int rc = enter(fn)) return rc;
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    auto it = st.events.find(static_cast<Event*>(event));
    if (!event || it == st.events.end())
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid event handle %p", event);
    if (it->second->done < it->second->target) st.retiredEvents.emplace(it->first, std::move(it->second));
    st.events.erase(it);
    bump(ACLSIM_LIVE_EVENTS, -1);
    st.cv.notify_all();
    return ACL_SUCCESS;
}

// Shared by record and reset: resolves the stream and the event; an unknown event invalidates a
// capture on the stream, and a stream whose capture is already invalidated refuses the call.
static int resolve_event_on_stream_locked(const char* fn, aclrtEvent event, aclrtStream stream, Stream** s, Event** e) {
    if (int rc = resolve_stream_locked(fn, stream, s)) return rc;
    *e = find_event_locked(event);
    if (!*e) {
        int rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid event handle %p", event);
        if ((*s)->cap) invalidate_locked((*s)->cap, tls().err);
        return rc;
    }
    if ((*s)->cap && (*s)->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
        return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                    stream_name(*s).c_str(), (*s)->cap->invalidReason.c_str());
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
    const char* fn = "aclrtRecordEvent";
    if (int rc = enter(fn)) return rc;
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    Event* e = nullptr;
    if (int rc = resolve_event_on_stream_locked(fn, event, stream, &s, &e)) return rc;
    if (s->cap) {
        e->capturedBy = s->cap;
        e->capStream = s;
        e->capPos = s->capPos;
        e->capKnown = s->known;
        e->capKnown[s] = s->capPos;
        return ACL_SUCCESS;
    }
    e->capturedBy = nullptr;
    e->capStream = nullptr;
    e->capKnown.clear();
    uint64_t seq = ++e->seq;
    e->target = seq;
    uint64_t id = e->id;
    Item it;
    it.what = "aclrtRecordEvent (event_record)";
    it.fn = [event, id, seq](std::string&) {
        State& st2 = g();
        std::lock_guard<std::mutex> l2(st2.mu);
        Event* cur = find_event_for_task_locked(event);
        if (cur && cur->id == id) {
            if (seq > cur->done) cur->done = seq;
            if (seq > cur->stampSeq) {
                cur->stampSeq = seq;
                cur->stamp = std::chrono::steady_clock::now();
            }
        }
        auto retired = st2.retiredEvents.find(static_cast<Event*>(event));
        if (retired != st2.retiredEvents.end() && retired->second->done >= retired->second->target)
            st2.retiredEvents.erase(retired);  // the last pending record ran: now it can go
        st2.cv.notify_all();
        return ACL_SUCCESS;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream) {
    const char* fn = "aclrtResetEvent";
    if (int rc = enter(fn)) return rc;
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    Event* e = nullptr;
    if (int rc = resolve_event_on_stream_locked(fn, event, stream, &s, &e)) return rc;
    if (s->cap) {
        return ACL_SUCCESS;  // a reset inside a graph has no host-visible effect
    }
    uint64_t id = e->id;
    uint64_t target = e->target;
    Item it;
    it.what = "aclrtResetEvent (event_reset)";
    it.fn = [event, id, target](std::string&) {
        std::lock_guard<std::mutex> l2(g().mu);
        Event* cur = find_event_locked(event);
        if (cur && cur->id == id && cur->target == target) cur->target = 0;
        return ACL_SUCCESS;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

static int check_event_host_use(const char* fn, aclrtEvent event, Event** out) {
    Event* e = find_event_locked(event);
    if (!e) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid event handle %p", event);
    if (e->capturedBy)
        return fail(ACL_ERROR_RT_EVENT_CAPTURED, fn,
                    "event %p was recorded inside a graph capture; it has no host-visible status", event);
    *out = e;
    return ACL_SUCCESS;
}

static aclError sync_event(const char* fn, aclrtEvent event, int32_t timeout) {
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::unique_lock<std::mutex> l(st.mu);
    Event* e = nullptr;
    if (int rc = check_event_host_use(fn, event, &e)) return rc;
    if (e->target == 0) return ACL_SUCCESS;
    if (!wait_event_locked(l, e, e->id, e->target, timeout))
        return fail(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, fn, "event %p did not complete within %d ms", event, timeout);
    if (st.shutdown) return fail(ACL_ERROR_UNINITIALIZE, fn, "AscendCL was finalized while waiting");
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEvent(aclrtEvent event) {
    if (int rc = enter("aclrtSynchronizeEvent")) return rc;
    return sync_event("aclrtSynchronizeEvent", event, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout) {
    const char* fn = "aclrtSynchronizeEventWithTimeout";
    if (int rc = enter(fn)) return rc;
    if (timeout < -1 || timeout == 0)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, or > 0 ms)", timeout);
    return sync_event(fn, event, timeout);
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus* status) {
    const char* fn = "aclrtQueryEventStatus";
    if (int rc = enter(fn)) return rc;
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    if (!status) return fail(ACL_ERROR_INVALID_PARAM, fn, "status is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Event* e = nullptr;
    if (int rc = check_event_host_use(fn, event, &e)) return rc;
    *status = (e->target != 0 && e->done >= e->target) ? ACL_EVENT_RECORDED_STATUS_COMPLETE
                                                       : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtEventElapsedTime(float* ms, aclrtEvent startEvent, aclrtEvent endEvent) {
    const char* fn = "aclrtEventElapsedTime";
    if (int rc = enter(fn)) return rc;
    if (!ms) return fail(ACL_ERROR_INVALID_PARAM, fn, "ms is NULL");
    if (!startEvent || !endEvent) return fail(ACL_ERROR_INVALID_PARAM, fn, "an event is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Event *a = nullptr, *b = nullptr;
    if (int rc = check_event_host_use(fn, startEvent, &a)) return rc;
    if (int rc = check_event_host_use(fn, endEvent, &b)) return rc;
    for (Event* e : {a, b}) {
        if (e->target == 0 || e->done < e->target || e->stampSeq != e->target)
            return fail(kErrEventNotComplete, fn, "event %p has not completed a record (recorded: %s)",
                        static_cast<void*>(e), e->target ? "yes, still pending" : "no");
    }
    *ms = std::chrono::duration<float, std::milli>(b->stamp - a->stamp).count();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
    const char* fn = "aclrtStreamWaitEvent";
    if (int rc = enter(fn)) return rc;
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, fn, "event is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    Event* e = find_event_locked(event);
    if (!e) {
        int rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid event handle %p", event);
        if (s->cap) invalidate_locked(s->cap, tls().err);
        return rc;
    }
    Capture* ec = e->capturedBy;
    if (ec) {
        bool live = false;
        for (auto& c : st.captures) live = live || c.get() == ec;
        if (!live) ec = nullptr;
    }
    if (ec) {
        if (s->cap && s->cap != ec) {
            int rc = fail(ACL_ERROR_RT_CAPTURE_DEPENDENCY, fn,
                          "%s is capturing a different graph than the one event %p was recorded in",
                          stream_name(s).c_str(), event);
            invalidate_locked(s->cap, tls().err);
            return rc;
        }
        if (ec->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
            return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture event %p belongs to was invalidated (%s)",
                        event, ec->invalidReason.c_str());
        if (!s->cap) {
            if (s->update)
                return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is in a task update; it cannot join a capture",
                            stream_name(s).c_str());
            // The stream joins the capture.
            s->cap = ec;
            s->capPos = 0;
            s->known.clear();
            ec->streams.insert(s);
        }
        for (auto& kv : e->capKnown) {
            uint64_t& k = s->known[kv.first];  // presence = "has joined back at least once"
            k = std::max(k, kv.second);
        }
        return ACL_SUCCESS;
    }
    if (s->cap) {
        if (s->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
            return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                        stream_name(s).c_str(), s->cap->invalidReason.c_str());
        if (e->target == 0) return ACL_SUCCESS;  // nothing to wait for
        int rc = fail(ACL_ERROR_RT_CAPTURE_DEPENDENCY, fn,
                      "%s is capturing but event %p was recorded outside the capture; a graph cannot depend on "
                      "outside work",
                      stream_name(s).c_str(), event);
        invalidate_locked(s->cap, tls().err);
        return rc;
    }
    uint64_t t = e->target;
    if (t == 0) return ACL_SUCCESS;  // never recorded: nothing to wait for
    uint64_t id = e->id;
    Item it;
    it.what = "aclrtStreamWaitEvent (event_wait)";
    it.fn = [event, id, t](std::string&) {
        std::unique_lock<std::mutex> l2(g().mu);
        wait_event_locked(l2, static_cast<Event*>(event), id, t, -1);
        return ACL_SUCCESS;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

// ---- host callbacks -------------------------------------------------------------------------------
// CANN delivers callbacks to the thread subscribed to the stream (aclrtSubscribeReport), which runs
// them inside aclrtProcessReport. The simulator does the same: the stream worker posts a report and,
// for ACL_CALLBACK_BLOCK, waits until the subscriber thread ran it.
static uint64_t self_tid() { return static_cast<uint64_t>(pthread_self()); }

ACL_FUNC_VISIBILITY aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream) {
    const char* fn = "aclrtSubscribeReport";
    if (int rc = enter(fn)) return rc;
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (s->hasSubscriber)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is already subscribed by thread %llu",
                    stream_name(s).c_str(), static_cast<unsigned long long>(s->subscriber));
    s->hasSubscriber = true;
    s->subscriber = threadId;
    g().reports[threadId];
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream) {
    const char* fn = "aclrtUnSubscribeReport";
    if (int rc = enter(fn)) return rc;
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (!s->hasSubscriber || s->subscriber != threadId)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is not subscribed by thread %llu", stream_name(s).c_str(),
                    static_cast<unsigned long long>(threadId));
    s->hasSubscriber = false;
    s->subscriber = 0;
    bool still = false;
    for (auto& sp : g().streams) still = still || (sp.second->hasSubscriber && sp.second->subscriber == threadId);
    for (auto& cp : g().contexts) {
        Stream* d = cp.second->defaultStream.get();
        still = still || (d->hasSubscriber && d->subscriber == threadId);
    }
    if (!still) {
        // Reports nobody will process any more: release blocked stream workers.
        auto it = g().reports.find(threadId);
        if (it != g().reports.end()) {
            for (auto& r : it->second) r->done = true;
            g().reports.erase(it);
            g().cv.notify_all();
        }
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtProcessReport(int32_t timeout) {
    const char* fn = "aclrtProcessReport";
    if (int rc = enter(fn)) return rc;
    if (timeout < -1) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, >= 0 ms)", timeout);
    State& st = g();
    std::unique_lock<std::mutex> l(st.mu);
    uint64_t tid = self_tid();
    auto qit = st.reports.find(tid);
    if (qit == st.reports.end())
        return fail(kErrSubscribeThread, fn,
                    "the calling thread is not subscribed to any stream (aclrtSubscribeReport)");
    auto pred = [&] {
        auto it = st.reports.find(tid);
        return st.shutdown || it == st.reports.end() || !it->second.empty();
    };
    bool ok = true;
    if (timeout < 0) st.cv.wait(l, pred);
    else ok = st.cv.wait_for(l, std::chrono::milliseconds(timeout), pred);
    auto it = st.reports.find(tid);
    if (!ok || it == st.reports.end() || it->second.empty()) {
        if (st.shutdown) return fail(ACL_ERROR_UNINITIALIZE, fn, "AscendCL was finalized while waiting");
        return fail(kErrReportTimeout, fn, "no callback report arrived within %d ms", timeout);
    }
    std::shared_ptr<Report> r = it->second.front();
    it->second.pop_front();
    l.unlock();
    r->fn(r->user);
    l.lock();
    r->done = true;
    st.cv.notify_all();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtLaunchCallback(aclrtCallback fn_, void* userData, aclrtCallbackBlockType blockType,
                                                 aclrtStream stream) {
    const char* fn = "aclrtLaunchCallback";
    if (int rc = enter(fn)) return rc;
    if (!fn_) return fail(ACL_ERROR_INVALID_PARAM, fn, "callback function is NULL");
    if (blockType != ACL_CALLBACK_BLOCK && blockType != ACL_CALLBACK_NO_BLOCK)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid block type %d", static_cast<int>(blockType));
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (!s->hasSubscriber) {
        int rc = fail(kErrStreamNoCbReg, fn,
                      "%s has no subscribed report thread; call aclrtSubscribeReport first and run "
                      "aclrtProcessReport on that thread",
                      stream_name(s).c_str());
        if (s->cap) invalidate_locked(s->cap, tls().err);
        return rc;
    }
    uint64_t tid = s->subscriber;
    bool block = blockType == ACL_CALLBACK_BLOCK;
    Task t;
    t.kind = "callback";
    t.name = fn;
    t.run = [fn_, userData, tid, block]() {
        State& st = g();
        std::unique_lock<std::mutex> l2(st.mu);
        auto it = st.reports.find(tid);
        if (it == st.reports.end()) return ACL_ERROR_RT_PARAM_INVALID;
        auto r = std::make_shared<Report>();
        r->fn = fn_;
        r->user = userData;
        r->block = block;
        it->second.push_back(r);
        st.cv.notify_all();
        if (block) st.cv.wait(l2, [&] { return r->done || st.shutdown; });
        return ACL_SUCCESS;
    };
    return submit_locked(fn, s, std::move(t));
}

}  // extern "C"
