// Ascend.Interop simulator runtime core: host callbacks (aclrtLaunchCallback) and the report
// threads that run them (aclrtSubscribeReport, aclrtProcessReport).
//
// CANN delivers callbacks to the thread subscribed to the stream (aclrtSubscribeReport), which runs
// them inside aclrtProcessReport. The simulator does the same: the stream worker posts a report and,
// for ACL_CALLBACK_BLOCK, waits until the subscriber thread ran it.
#include <pthread.h>

#include "sim_state.h"

using namespace sim;

static uint64_t self_tid() { return static_cast<uint64_t>(pthread_self()); }

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream) {
    const char* fn = "aclrtSubscribeReport";
    ApiCall call = enter_stream(fn, stream);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
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
    ApiCall call = enter_stream(fn, stream);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
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
    ApiCall call = enter_locked(fn, [&] {
        if (timeout < -1) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, >= 0 ms)", timeout);
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    State& st = g();
    std::unique_lock<std::mutex>& l = call.lock;
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
    ApiCall call = enter_stream(fn, stream, [&] {
        if (!fn_) return fail(ACL_ERROR_INVALID_PARAM, fn, "callback function is NULL");
        if (blockType != ACL_CALLBACK_BLOCK && blockType != ACL_CALLBACK_NO_BLOCK)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid block type %d", static_cast<int>(blockType));
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
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
