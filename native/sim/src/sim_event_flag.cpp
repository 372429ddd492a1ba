// Ascend.Interop simulator: events between graphs and streams. External records and waits (the
// ACL_EVENT_EXTERNAL creation flag, and CANN 9.2's aclrtRecordEventWithFlag /
// aclrtStreamWaitEventWithFlag with the EXTERNAL operation flags) are captured as real graph tasks;
// each launch fixes the record sequence they produce or wait for. Also aclrtStreamWaitEventWithTimeout,
// and CANN 9.1's rule that a capture uses new-mode events only.
#include "sim_graph.h"

namespace sim {

namespace {

uint64_t launch_value(uint64_t key) {
    const LaunchValues* v = tls().launch;
    if (!v) return 0;
    auto it = v->find(key);
    return it == v->end() ? 0 : it->second;
}

bool is_new_sync(const Event* e) { return e->newMode && (e->flags & ACL_EVENT_SYNC); }

}  // namespace

int capture_event_allowed_locked(const char* fn, Event* e, Stream* s) {
    if (e->newMode || cann_version() < kCann910) return ACL_SUCCESS;
    int rc = fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                  "event %p was created with aclrtCreateEvent/aclrtCreateEventWithFlag; from CANN 9.1 a capture (on %s) "
                  "records, resets and waits on events from aclrtCreateEventExWithFlag only; the capture is invalidated",
                  static_cast<void*>(e), stream_name(s).c_str());
    invalidate_locked(s->cap, tls().err);
    return rc;
}

int capture_external_locked(const char* fn, Event* e, Stream* s, bool record) {
    if (s->cap->child)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                    "an external event %s inside a child graph of a conditional task is not simulated (it may not run)",
                    record ? "record" : "wait");
    Task t;
    t.kind = record ? "event_record" : "event_wait";
    t.name = fn;
    t.info.type = record ? ACL_MODEL_RI_TASK_EVENT_RECORD : ACL_MODEL_RI_TASK_EVENT_WAIT;
    t.info.event = e;
    t.info.eventFlags = e->flags;
    t.info.flag = record ? ACL_EVENT_RECORD_EXTERNAL : ACL_EVENT_WAIT_EXTERNAL;
    t.info.eventId = e->id;
    t.info.key = g().nextId++;
    const uint64_t key = t.info.key, id = e->id;
    aclrtEvent event = e;
    if (record) {
        t.run = [event, id, key]() {
            if (uint64_t seq = launch_value(key)) complete_record(event, id, seq);
            return ACL_SUCCESS;
        };
    } else {
        t.run = [event, id, key]() {
            const uint64_t target = launch_value(key);
            if (!target) return ACL_SUCCESS;
            std::unique_lock<std::mutex> l(g().mu);
            wait_event_locked(l, static_cast<Event*>(event), id, target, -1);
            return ACL_SUCCESS;
        };
    }
    return submit_locked(fn, s, std::move(t));
}

int prepare_launch_locked(const char* fn, Model& m, std::shared_ptr<LaunchValues>* out) {
    *out = nullptr;
    if (!m.launchValues) return ACL_SUCCESS;  // no keyed task: nothing to fix per launch (O(1) per replay)
    std::lock_guard<std::mutex> ml(m.m);
    std::shared_ptr<LaunchValues> v;
    for (const ModelTask& mt : m.tasks) {
        const TaskInfo& info = mt.task->info;
        if (!info.key || mt.disabled) continue;
        Event* e = find_event_locked(info.event);
        if (!e || e->id != info.eventId)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s waits on or records event %p, which was destroyed",
                        model_label(m).c_str(), info.event);
        if (!v) v = std::make_shared<LaunchValues>();
        if (info.type == ACL_MODEL_RI_TASK_EVENT_RECORD) {
            e->capturedBy = nullptr;
            e->target = ++e->seq;
            (*v)[info.key] = e->target;
        } else {
            (*v)[info.key] = e->target;
        }
    }
    *out = std::move(v);
    return ACL_SUCCESS;
}

}  // namespace sim

using namespace sim;

namespace {

// The checks of the WithFlag calls' EXTERNAL form: a capturing stream (107029) and a new-mode SYNC event (207000).
int enter_external(const char* fn, aclrtStream stream, aclrtEvent event, const ArgCheck& args, ApiCall* call, Event** e) {
    *call = enter_stream(fn, stream, args);
    if (call->rc) return call->rc;
    Stream* s = call->stream;
    *e = find_event_locked(event);
    if (!*e) return call->rc = fail(stale_handle_code(), fn, "invalid event handle %p", event);
    if (!s->cap)
        return call->rc = fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn,
                               "%s is not capturing; the EXTERNAL flag works inside a capture", stream_name(s).c_str());
    if (s->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
        return call->rc = fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                               stream_name(s).c_str(), s->cap->invalidReason.c_str());
    if (!is_new_sync(*e))
        return call->rc = fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                               "event %p is not from aclrtCreateEventExWithFlag(ACL_EVENT_SYNC)", event);
    return ACL_SUCCESS;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtRecordEventWithFlag(aclrtEvent event, aclrtStream stream, uint32_t flag) {
    const char* fn = "aclrtRecordEventWithFlag";
    ArgCheck args = [&] {
        if (int rc = need_version(fn, kCann920b1)) return rc;
        if (int rc = need_arg(fn, event, "event")) return rc;
        return flag > ACL_EVENT_RECORD_EXTERNAL
                   ? fail(ACL_ERROR_INVALID_PARAM, fn, "flag %u is not ACL_EVENT_RECORD_DEFAULT or _EXTERNAL", flag)
                   : ACL_SUCCESS;
    };
    if (flag == ACL_EVENT_RECORD_DEFAULT) return record_event(fn, event, stream, args);
    ApiCall call;
    Event* e = nullptr;
    if (int rc = enter_external(fn, stream, event, args, &call, &e)) return rc;
    return capture_external_locked(fn, e, call.stream, true);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEventWithFlag(aclrtStream stream, aclrtEvent event, uint32_t timeout,
                                                          uint32_t flag) {
    const char* fn = "aclrtStreamWaitEventWithFlag";
    ArgCheck args = [&] {
        if (int rc = need_version(fn, kCann920b1)) return rc;
        if (int rc = need_arg(fn, event, "event")) return rc;
        if (flag > ACL_EVENT_WAIT_EXTERNAL)
            return fail(ACL_ERROR_INVALID_PARAM, fn, "flag %u is not ACL_EVENT_WAIT_DEFAULT or _EXTERNAL", flag);
        if (flag == ACL_EVENT_WAIT_EXTERNAL && timeout != 0)
            return fail(ACL_ERROR_INVALID_PARAM, fn, "ACL_EVENT_WAIT_EXTERNAL takes timeout 0 (got %u s)", timeout);
        return timeout > 2147483u ? fail(ACL_ERROR_INVALID_PARAM, fn, "timeout %u s is too large", timeout) : ACL_SUCCESS;
    };
    if (flag == ACL_EVENT_WAIT_DEFAULT)
        return stream_wait_event(fn, stream, event, timeout ? static_cast<int32_t>(timeout * 1000) : -1, args);
    ApiCall call;
    Event* e = nullptr;
    if (int rc = enter_external(fn, stream, event, args, &call, &e)) return rc;
    return capture_external_locked(fn, e, call.stream, false);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEventWithTimeout(aclrtStream stream, aclrtEvent event, int32_t timeout) {
    const char* fn = "aclrtStreamWaitEventWithTimeout";
    return stream_wait_event(fn, stream, event, timeout, [&] { return check_timeout(fn, timeout); });
}

}  // extern "C"
