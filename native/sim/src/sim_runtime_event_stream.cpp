// Ascend.Interop simulator runtime core: events on streams (record, reset, wait), with their
// capture rules (a record inside a capture marks the event; a wait on it joins the capture).
#include <algorithm>

#include "sim_state.h"

using namespace sim;

namespace {

// Shared by record and reset: enter, the stream and the event resolved; an unknown event
// invalidates a capture on the stream, and a stream whose capture is already invalidated refuses
// the call.
ApiCall enter_event_on_stream(const char* fn, aclrtEvent event, aclrtStream stream, Event** e,
                              const ArgCheck& args = nullptr) {
    ApiCall call = enter_stream(fn, stream, [&] {
        if (args)
            if (int rc = args()) return rc;
        return need_arg(fn, event, "event");
    });
    if (call.rc) return call;
    Stream* s = call.stream;
    *e = find_event_locked(event);
    if (!*e) {
        call.rc = fail(stale_handle_code(), fn, "invalid event handle %p", event);
        if (s->cap) invalidate_locked(s->cap, tls().err);
    } else if (s->cap && s->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE) {
        call.rc = fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                       stream_name(s).c_str(), s->cap->invalidReason.c_str());
    }
    return call;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
    return record_event("aclrtRecordEvent", event, stream);
}

ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream) {
    const char* fn = "aclrtResetEvent";
    Event* e = nullptr;
    ApiCall call = enter_event_on_stream(fn, event, stream, &e);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (s->cap || s->boundTo) {
        if (s->cap && !(e->flags & ACL_EVENT_EXTERNAL))
            if (int rc = capture_event_allowed_locked(fn, e, s)) return rc;
        return ACL_SUCCESS;  // a reset inside a graph has no host-visible effect
    }
    if (e->newMode)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "event %p was created with aclrtCreateEventExWithFlag, which aclrtResetEvent does not support", event);
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

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
    return stream_wait_event("aclrtStreamWaitEvent", stream, event, -1);
}

}  // extern "C"

namespace sim {

int record_event(const char* fn, aclrtEvent event, aclrtStream stream, const ArgCheck& args) {
    Event* e = nullptr;
    ApiCall call = enter_event_on_stream(fn, event, stream, &e, args);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (s->cap && (e->flags & ACL_EVENT_EXTERNAL)) return capture_external_locked(fn, e, s, true);
    if (s->cap) {
        if (int rc = capture_event_allowed_locked(fn, e, s)) return rc;
        e->capturedBy = s->cap;
        e->capStream = s;
        e->capPos = s->capPos;
        e->capKnown = s->known;
        e->capKnown[s] = s->capPos;
        return ACL_SUCCESS;
    }
    if (s->boundTo) return ACL_SUCCESS;  // inside a built graph: ordering only (its tasks run in submission order)
    e->capturedBy = nullptr;
    e->capStream = nullptr;
    e->capKnown.clear();
    uint64_t seq = ++e->seq;
    e->target = seq;
    uint64_t id = e->id;
    Item it;
    it.what = std::string(fn) + " (event_record)";
    it.fn = [event, id, seq](std::string&) {
        complete_record(event, id, seq);
        return ACL_SUCCESS;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

void complete_record(aclrtEvent event, uint64_t id, uint64_t seq) {
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Event* cur = find_event_for_task_locked(event);
    if (cur && cur->id == id) {
        if (seq > cur->done) cur->done = seq;
        if (seq > cur->stampSeq) {
            cur->stampSeq = seq;
            cur->stamp = std::chrono::steady_clock::now();
        }
    }
    auto retired = st.retiredEvents.find(static_cast<Event*>(event));
    if (retired != st.retiredEvents.end() && retired->second->done >= retired->second->target)
        st.retiredEvents.erase(retired);  // the last pending record ran: now it can go
    st.cv.notify_all();
}

int stream_wait_event(const char* fn, aclrtStream stream, aclrtEvent event, int32_t timeoutMs, const ArgCheck& args) {
    ApiCall call = enter_stream(fn, stream, [&] {
        if (args)
            if (int rc = args()) return rc;
        return need_arg(fn, event, "event");
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    Event* e = find_event_locked(event);
    if (!e) {
        int rc = fail(stale_handle_code(), fn, "invalid event handle %p", event);
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
        if (e->flags & ACL_EVENT_EXTERNAL) return capture_external_locked(fn, e, s, false);
        if (e->target == 0) return ACL_SUCCESS;  // nothing to wait for
        if (int rc = capture_event_allowed_locked(fn, e, s)) return rc;
        int rc = fail(ACL_ERROR_RT_CAPTURE_DEPENDENCY, fn,
                      "%s is capturing but event %p was recorded outside the capture; a graph cannot depend on "
                      "outside work",
                      stream_name(s).c_str(), event);
        invalidate_locked(s->cap, tls().err);
        return rc;
    }
    if (s->boundTo) return ACL_SUCCESS;  // inside a built graph: ordering only
    uint64_t t = e->target;
    if (t == 0) return ACL_SUCCESS;  // never recorded: nothing to wait for
    uint64_t id = e->id;
    Item it;
    it.what = std::string(fn) + " (event_wait)";
    it.fn = [event, id, t, timeoutMs](std::string& msg) {
        std::unique_lock<std::mutex> l2(g().mu);
        if (wait_event_locked(l2, static_cast<Event*>(event), id, t, timeoutMs)) return ACL_SUCCESS;
        msg = "the event was not recorded within " + std::to_string(timeoutMs) + " ms";
        return ACL_ERROR_RT_WAIT_TIMEOUT;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

}  // namespace sim
