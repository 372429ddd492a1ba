// Ascend.Interop simulator runtime core: events seen from the host (create, destroy, synchronize,
// query, elapsed time) and the event registry the stream-side calls share.
#include "sim_state.h"

namespace sim {

Event* find_event_locked(aclrtEvent e) {
    auto it = g().events.find(static_cast<Event*>(e));
    return it == g().events.end() ? nullptr : it->second.get();
}

Event* find_event_for_task_locked(aclrtEvent e) {
    if (Event* live = find_event_locked(e)) return live;
    auto it = g().retiredEvents.find(static_cast<Event*>(e));
    return it == g().retiredEvents.end() ? nullptr : it->second.get();
}

bool wait_event_locked(std::unique_lock<std::mutex>& l, Event* e, uint64_t id, uint64_t t, int32_t timeoutMs) {
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

namespace {

aclError create_event(const char* fn, aclrtEvent* event, uint32_t flags, uint32_t allowed, bool newMode = false) {
    ApiCall call = enter_context(fn, [&] {
        if (flags & ~allowed) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "unknown event flag bits 0x%x", flags);
        return need_arg(fn, event, "event");
    });
    if (call.rc) return call.rc;
    State& st = g();
    auto e = std::make_unique<Event>();
    e->id = st.nextId++;
    e->device = call.device;
    e->flags = flags;
    e->newMode = newMode;
    *event = e.get();
    st.events.emplace(e.get(), std::move(e));
    bump(ACLSIM_LIVE_EVENTS, 1);
    return ACL_SUCCESS;
}

// An event the host asks about: live, and not recorded inside a capture (107028).
int check_event_host_use(const char* fn, aclrtEvent event, Event** out) {
    Event* e = find_event_locked(event);
    if (!e) return fail(stale_handle_code(), fn, "invalid event handle %p", event);
    if (e->capturedBy)
        return fail(ACL_ERROR_RT_EVENT_CAPTURED, fn,
                    "event %p was recorded inside a graph capture; it has no host-visible status", event);
    *out = e;
    return ACL_SUCCESS;
}

aclError sync_event(const char* fn, aclrtEvent event, int32_t timeout) {
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = check_timeout(fn, timeout)) return rc;
        return need_arg(fn, event, "event");
    });
    if (call.rc) return call.rc;
    State& st = g();
    Event* e = nullptr;
    if (int rc = check_event_host_use(fn, event, &e)) return rc;
    if (e->target == 0) return ACL_SUCCESS;
    if (!wait_event_locked(call.lock, e, e->id, e->target, timeout))
        return fail(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, fn, "event %p did not complete within %d ms", event, timeout);
    if (st.shutdown) return fail(ACL_ERROR_UNINITIALIZE, fn, "AscendCL was finalized while waiting");
    call.lock.unlock();
    mempool_trim_implicit();
    return ACL_SUCCESS;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtCreateEvent(aclrtEvent* event) {
    const uint32_t flags = ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE;
    return create_event("aclrtCreateEvent", event, flags, flags);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventWithFlag(aclrtEvent* event, uint32_t flag) {
    return create_event("aclrtCreateEventWithFlag", event, flag,
                        ACL_EVENT_SYNC | ACL_EVENT_CAPTURE_STREAM_PROGRESS | ACL_EVENT_TIME_LINE);
}

// The reusable ("new mode") events of CANN 9.x: the kind a CANN 9.1 capture may record. EXTERNAL
// is not combinable with other flags.
ACL_FUNC_VISIBILITY aclError aclrtCreateEventExWithFlag(aclrtEvent* event, uint32_t flag) {
    const char* fn = "aclrtCreateEventExWithFlag";
    if (flag & ACL_EVENT_EXTERNAL && flag != ACL_EVENT_EXTERNAL) {
        if (int rc = enter(fn)) return rc;
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "ACL_EVENT_EXTERNAL cannot be combined with other flags (0x%x)", flag);
    }
    return create_event(fn, event, flag,
                        ACL_EVENT_SYNC | ACL_EVENT_CAPTURE_STREAM_PROGRESS | ACL_EVENT_TIME_LINE | ACL_EVENT_EXTERNAL,
                        true);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event) {
    const char* fn = "aclrtDestroyEvent";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, event, "event"); });
    if (call.rc) return call.rc;
    State& st = g();
    auto it = st.events.find(static_cast<Event*>(event));
    if (it == st.events.end()) return fail(stale_handle_code(), fn, "invalid event handle %p", event);
    if (it->second->done < it->second->target) st.retiredEvents.emplace(it->first, std::move(it->second));
    st.events.erase(it);
    bump(ACLSIM_LIVE_EVENTS, -1);
    st.cv.notify_all();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEvent(aclrtEvent event) {
    return sync_event("aclrtSynchronizeEvent", event, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout) {
    return sync_event("aclrtSynchronizeEventWithTimeout", event, timeout);
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus* status) {
    const char* fn = "aclrtQueryEventStatus";
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_arg(fn, event, "event")) return rc;
        return need_arg(fn, status, "status");
    });
    if (call.rc) return call.rc;
    Event* e = nullptr;
    if (int rc = check_event_host_use(fn, event, &e)) return rc;
    *status = (e->target != 0 && e->done >= e->target) ? ACL_EVENT_RECORDED_STATUS_COMPLETE
                                                       : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtEventElapsedTime(float* ms, aclrtEvent startEvent, aclrtEvent endEvent) {
    const char* fn = "aclrtEventElapsedTime";
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_arg(fn, ms, "ms")) return rc;
        if (!startEvent || !endEvent) return fail(ACL_ERROR_INVALID_PARAM, fn, "an event is NULL");
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
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

}  // extern "C"
