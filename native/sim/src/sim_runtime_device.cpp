// Ascend.Interop simulator runtime core: devices and contexts (the calling thread's current one),
// the SoC name and the runtime version.
#include "sim_state.h"

namespace sim {

Context* cur_ctx_locked() {
    Tls& t = tls();
    if (!t.ctx) return nullptr;
    auto it = g().contexts.find(t.ctx);
    if (it == g().contexts.end() || it->second->id != t.ctxId) {
        t.ctx = nullptr;
        t.ctxId = 0;
        return nullptr;
    }
    return t.ctx;
}

static void set_cur_ctx(Context* c) {
    tls().ctx = c;
    tls().ctxId = c ? c->id : 0;
}

int32_t current_device() {
    std::lock_guard<std::mutex> l(g().mu);
    Context* c = cur_ctx_locked();
    return c ? c->device : -1;
}

static Context* create_context_locked(int32_t device, bool primary) {
    State& s = g();
    auto c = std::make_unique<Context>();
    c->id = s.nextId++;
    c->device = device;
    c->primary = primary;
    c->defaultStream = start_stream(c.get(), device, true);
    s.devices[device].streams += 1;
    Context* raw = c.get();
    s.contexts.emplace(raw, std::move(c));
    return raw;
}

// Removes a context and its streams from the registries; returns the streams to stop (caller
// stops them after releasing State::mu).
static std::vector<std::shared_ptr<Stream>> remove_context_locked(Context* c) {
    State& s = g();
    std::vector<std::shared_ptr<Stream>> out;
    for (auto it = s.streams.begin(); it != s.streams.end();) {
        if (it->second->ctx == c) {
            out.push_back(it->second);
            s.devices[c->device].streams -= 1;
            bump(ACLSIM_LIVE_STREAMS, -1);
            it = s.streams.erase(it);
        } else {
            ++it;
        }
    }
    out.push_back(c->defaultStream);
    s.devices[c->device].streams -= 1;
    if (s.devices[c->device].primary == c) {
        s.devices[c->device].primary = nullptr;
        s.devices[c->device].primaryRefs = 0;
    }
    if (!c->primary) bump(ACLSIM_LIVE_CONTEXTS, -1);
    auto it = s.contexts.find(c);
    it->second.release();  // freed below, after the workers stopped (they reference it)
    s.contexts.erase(it);
    return out;
}

static int check_device_id_locked(const char* fn, int32_t deviceId) {
    State& s = g();
    if (deviceId < 0 || deviceId >= static_cast<int32_t>(s.devices.size()))
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, fn, "invalid device id %d (device count %zu)", deviceId,
                    s.devices.size());
    return ACL_SUCCESS;
}

static int find_context_locked(const char* fn, aclrtContext context, Context** out) {
    auto it = g().contexts.find(static_cast<Context*>(context));
    if (it == g().contexts.end()) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid context handle %p", context);
    *out = it->second.get();
    return ACL_SUCCESS;
}

// A stream of context `c` taking part in a capture, or NULL.
static Stream* capturing_stream_of_locked(const Context* c) {
    for (auto& cap : g().captures)
        for (Stream* st : cap->streams)
            if (st->ctx == c) return st;
    return nullptr;
}

static void stop_all(std::vector<std::shared_ptr<Stream>>& v) {
    for (auto& s : v) stop_stream(s);
}

}  // namespace sim

using namespace sim;

extern "C" {

// ---- devices --------------------------------------------------------------------------------------
ACL_FUNC_VISIBILITY aclError aclrtSetDevice(int32_t deviceId) {
    const char* fn = "aclrtSetDevice";
    ApiCall call = enter_locked(fn);
    if (call.rc) return call.rc;
    State& s = g();
    if (int rc = check_device_id_locked(fn, deviceId)) return rc;
    Device& d = s.devices[deviceId];
    if (!d.primary) {
        if (d.streams >= s.streamLimit)
            return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn, "no stream left on device %d for the default stream (limit %u)",
                        deviceId, s.streamLimit);
        d.primary = create_context_locked(deviceId, true);
    }
    d.primaryRefs++;
    set_cur_ctx(d.primary);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtResetDevice(int32_t deviceId) {
    const char* fn = "aclrtResetDevice";
    ApiCall call = enter_locked(fn);
    if (call.rc) return call.rc;
    State& s = g();
    if (int rc = check_device_id_locked(fn, deviceId)) return rc;
    Device& d = s.devices[deviceId];
    if (!d.primary) return ACL_SUCCESS;
    Context* cur = cur_ctx_locked();
    if (cur && cur == d.primary) set_cur_ctx(nullptr);
    if (--d.primaryRefs > 0) return ACL_SUCCESS;
    Context* p = d.primary;
    if (Stream* st = capturing_stream_of_locked(p))
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %s of device %d is capturing; end the capture first",
                    stream_name(st).c_str(), deviceId);
    auto streams = remove_context_locked(p);
    call.lock.unlock();
    stop_all(streams);
    delete p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t* deviceId) {
    const char* fn = "aclrtGetDevice";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, deviceId, "deviceId"); });
    if (call.rc) return call.rc;
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no device is set on this thread");
    *deviceId = c->device;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t* count) {
    const char* fn = "aclrtGetDeviceCount";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, count, "count"); });
    if (call.rc) return call.rc;
    *count = static_cast<uint32_t>(g().devices.size());
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
    const char* fn = "aclrtCreateContext";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, context, "context"); });
    if (call.rc) return call.rc;
    State& s = g();
    if (int rc = check_device_id_locked(fn, deviceId)) return rc;
    if (s.devices[deviceId].streams >= s.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn,
                    "no stream left on device %d for the context's default stream (limit %u)", deviceId,
                    s.streamLimit);
    Context* c = create_context_locked(deviceId, false);
    bump(ACLSIM_LIVE_CONTEXTS, 1);
    set_cur_ctx(c);
    *context = c;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyContext(aclrtContext context) {
    const char* fn = "aclrtDestroyContext";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, context, "context"); });
    if (call.rc) return call.rc;
    Context* c = nullptr;
    if (int rc = find_context_locked(fn, context, &c)) return rc;
    if (c->primary)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "context %p is a device's default context; release it with aclrtResetDevice", context);
    if (Stream* st = capturing_stream_of_locked(c))
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %s of this context is capturing; end the capture first",
                    stream_name(st).c_str());
    if (tls().ctx == c) set_cur_ctx(nullptr);
    auto streams = remove_context_locked(c);
    call.lock.unlock();
    stop_all(streams);
    delete c;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSetCurrentContext(aclrtContext context) {
    const char* fn = "aclrtSetCurrentContext";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, context, "context"); });
    if (call.rc) return call.rc;
    Context* c = nullptr;
    if (int rc = find_context_locked(fn, context, &c)) return rc;
    set_cur_ctx(c);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetCurrentContext(aclrtContext* context) {
    const char* fn = "aclrtGetCurrentContext";
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, context, "context"); });
    if (call.rc) return call.rc;
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no context is current on this thread");
    *context = c;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY const char* aclrtGetSocName(void) {
    if (enter("aclrtGetSocName")) return nullptr;
    return "Ascend910B-sim";
}

ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t* majorVersion, int32_t* minorVersion, int32_t* patchVersion) {
    if (int rc = enter("aclrtGetVersion")) return rc;
    if (!majorVersion || !minorVersion || !patchVersion)
        return fail(ACL_ERROR_INVALID_PARAM, "aclrtGetVersion", "an output pointer is NULL");
    *majorVersion = 1;
    *minorVersion = 17;
    *patchVersion = 0;
    return ACL_SUCCESS;
}

}  // extern "C"
