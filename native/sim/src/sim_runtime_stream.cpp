// Ascend.Interop simulator runtime core: the stream API (create, destroy, synchronize, query) and
// device synchronization.
#include "sim_state.h"

namespace sim {

int check_timeout(const char* fn, int32_t timeout) {
    if (timeout < -1 || timeout == 0)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, or > 0 ms)", timeout);
    return ACL_SUCCESS;
}

std::shared_ptr<Stream> stream_keep_alive_locked(Stream* s) {
    return s->isDefault ? s->ctx->defaultStream : g().streams[s];
}

}  // namespace sim

using namespace sim;

namespace {

aclError create_stream(const char* fn, aclrtStream* stream, uint32_t priority, uint32_t flags) {
    ApiCall call = enter_context(fn, [&] {
        if (priority > 7) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "priority %u out of range [0, 7]", priority);
        if (flags & ~(ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC | ACL_STREAM_PERSISTENT))
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "unknown stream flag bits 0x%x", flags);
        return need_arg(fn, stream, "stream");
    });
    if (call.rc) return call.rc;
    State& st = g();
    Device& d = st.devices[call.device];
    if (d.streams >= st.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn,
                    "device %d has no stream left (%u of %u in use: default streams, user streams and live models)",
                    call.device, d.streams, st.streamLimit);
    auto s = start_stream(call.ctx, call.device, false);
    s->priority = priority;
    s->flags = flags;
    d.streams++;
    bump(ACLSIM_LIVE_STREAMS, 1);
    *stream = s.get();
    st.streams.emplace(s.get(), std::move(s));
    return ACL_SUCCESS;
}

aclError sync_stream(const char* fn, aclrtStream stream, int32_t timeout) {
    ApiCall call = enter_stream(fn, stream, [&] { return check_timeout(fn, timeout); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; it cannot be synchronized",
                    stream_name(s).c_str());
    std::shared_ptr<Stream> keep = stream_keep_alive_locked(s);
    call.lock.unlock();
    int rc = wait_stream(fn, keep.get(), timeout, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
    if (rc == ACL_SUCCESS) mempool_trim_implicit();
    return rc;
}

}  // namespace


extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream* stream) {
    return create_stream("aclrtCreateStream", stream, 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStreamWithConfig(aclrtStream* stream, uint32_t priority, uint32_t flag) {
    return create_stream("aclrtCreateStreamWithConfig", stream, priority, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream) {
    const char* fn = "aclrtDestroyStream";
    ApiCall call = enter_stream(fn, stream, [&] {
        return stream ? ACL_SUCCESS
                      : fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be destroyed)");
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %p is capturing; end the capture first", stream);
    if (s->worker.get_id() == std::this_thread::get_id())
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "stream %p cannot be destroyed from its own task", stream);
    if (s->boundTo)
        return fail(kErrStreamModel, fn, "stream %p is bound to a built graph; aclmdlRIUnbindStream it first", stream);
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
    call.lock.unlock();
    stop_stream(sp);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStream(aclrtStream stream) {
    return sync_stream("aclrtSynchronizeStream", stream, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout) {
    return sync_stream("aclrtSynchronizeStreamWithTimeout", stream, timeout);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus* status) {
    const char* fn = "aclrtStreamQuery";
    ApiCall call = enter_stream(fn, stream, [&] { return need_arg(fn, status, "status"); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (s->cap) return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; it cannot be queried", stream_name(s).c_str());
    std::lock_guard<std::mutex> sl(s->m);
    *status = s->completed >= s->submitted ? ACL_STREAM_STATUS_COMPLETE : ACL_STREAM_STATUS_NOT_READY;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDevice(void) {
    const char* fn = "aclrtSynchronizeDevice";
    ApiCall call = enter_context(fn);
    if (call.rc) return call.rc;
    State& st = g();
    std::vector<std::shared_ptr<Stream>> all;
    for (auto& cp : st.contexts)
        if (cp.second->device == call.device) all.push_back(cp.second->defaultStream);
    for (auto& sp : st.streams)
        if (sp.second->device == call.device) all.push_back(sp.second);
    for (auto& s : all)
        if (s->cap)
            return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; the device cannot be synchronized",
                        stream_name(s.get()).c_str());
    call.lock.unlock();
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
    } else {
        mempool_trim_implicit();
    }
    return first;
}

}  // extern "C"
