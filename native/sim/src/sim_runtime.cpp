// Ascend.Interop simulator runtime core: errors, fault injection, counters, aclInit/aclFinalize,
// devices and contexts, and the aclsim controls.
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sim_state.h"

namespace sim {

State& g() {
    static State* s = new State();  // never destroyed: workers may outlive static destruction order
    return *s;
}

Tls& tls() {
    thread_local Tls t;
    return t;
}

// ---- errors ---------------------------------------------------------------------------------
int fail(int code, const char* fn, const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    Tls& t = tls();
    t.err = std::string(fn ? fn : "?") + ": " + buf + " (error " + std::to_string(code) + ")";
    t.hasErr = true;
    return code;
}

// ---- fault injection --------------------------------------------------------------------------
namespace {
struct Fault {
    uint32_t remaining;
    int32_t code;
};
std::mutex& fault_mu() {
    static std::mutex* m = new std::mutex();
    return *m;
}
std::map<std::string, Fault>& faults() {
    static auto* f = new std::map<std::string, Fault>();
    return *f;
}
std::atomic<bool> g_initialized{false};
std::atomic<uint32_t> g_taskDelayUs{0};

constexpr int kCounterSlots = 14;
std::atomic<int64_t> g_counters[kCounterSlots];

int counter_slot(aclsimCounter c) {
    int v = static_cast<int>(c);
    if (v >= 0 && v <= 9) return v;
    if (v >= 100 && v <= 103) return 10 + (v - 100);
    return -1;
}
}  // namespace

// Checks only armed faults (used by aclInit, which must not fail on "not initialized").
static int check_fault(const char* fn) {
    std::lock_guard<std::mutex> l(fault_mu());
    auto& f = faults();
    if (f.empty()) return ACL_SUCCESS;
    auto it = f.find(fn);
    if (it == f.end()) return ACL_SUCCESS;
    if (--it->second.remaining == 0) {
        int code = it->second.code;
        f.erase(it);
        return fail(code, fn, "injected fault (aclsimInjectFault)");
    }
    return ACL_SUCCESS;
}

int enter(const char* fn) {
    if (!g_initialized.load(std::memory_order_acquire))
        return fail(ACL_ERROR_UNINITIALIZE, fn, "AscendCL is not initialized; call aclInit first");
    return check_fault(fn);
}

uint32_t task_delay_us() { return g_taskDelayUs.load(std::memory_order_relaxed); }

void adjust_counter(aclsimCounter counter, int64_t delta) {
    int s = counter_slot(counter);
    if (s >= 0) g_counters[s].fetch_add(delta, std::memory_order_relaxed);
}
void bump(aclsimCounter c, int64_t d) { adjust_counter(c, d); }
uint64_t counter_value(aclsimCounter c) {
    int s = counter_slot(c);
    int64_t v = s >= 0 ? g_counters[s].load(std::memory_order_relaxed) : 0;
    return v < 0 ? 0 : static_cast<uint64_t>(v);
}

// ---- environment ------------------------------------------------------------------------------
static bool parse_size(const char* s, uint64_t* out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    uint64_t mul = 1;
    if (*end) {
        switch (*end) {
            case 'k': case 'K': mul = 1ull << 10; break;
            case 'm': case 'M': mul = 1ull << 20; break;
            case 'g': case 'G': mul = 1ull << 30; break;
            case 't': case 'T': mul = 1ull << 40; break;
            default: return false;
        }
        ++end;
        if (*end == 'i' || *end == 'I') ++end;
        if (*end == 'b' || *end == 'B') ++end;
        if (*end) return false;
    }
    *out = static_cast<uint64_t>(v) * mul;
    return true;
}

// ---- contexts -----------------------------------------------------------------------------------
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

static void stop_all(std::vector<std::shared_ptr<Stream>>& v) {
    for (auto& s : v) stop_stream(s);
}

}  // namespace sim

using namespace sim;

// ---- init / finalize ----------------------------------------------------------------------------
static void finalize_locked_and_unlock(std::unique_lock<std::mutex>& l) {
    State& s = g();
    g_initialized.store(false, std::memory_order_release);
    s.initialized = false;
    s.everFinalized = true;
    s.shutdown = true;
    s.cv.notify_all();
    // Captures and models.
    for (auto& c : s.captures) end_capture_streams_locked(c.get());
    s.captures.clear();
    for (auto& m : s.models) {
        m.second->live = false;
        bump(ACLSIM_LIVE_MODELS, -1);
    }
    s.models.clear();
    s.groups.clear();
    // Streams and contexts.
    std::vector<std::shared_ptr<Stream>> stop;
    std::vector<Context*> ctxs;
    for (auto& st : s.streams) {
        stop.push_back(st.second);
        bump(ACLSIM_LIVE_STREAMS, -1);
    }
    s.streams.clear();
    for (auto& c : s.contexts) {
        stop.push_back(c.second->defaultStream);
        if (!c.second->primary) bump(ACLSIM_LIVE_CONTEXTS, -1);
        ctxs.push_back(c.second.release());
    }
    s.contexts.clear();
    for (auto& e : s.events) { (void)e; bump(ACLSIM_LIVE_EVENTS, -1); }
    s.events.clear();
    s.retiredEvents.clear();
    s.reports.clear();
    l.unlock();
    for (auto& st : stop) stop_stream(st);
    stop.clear();
    for (Context* c : ctxs) delete c;
    l.lock();
    // Memory: everything still allocated is released (workers are gone, nothing is pinned).
    for (auto& a : s.allocById) {
        Alloc* al = a.second;
        if (!al->freed) {
            if (al->cls == MemClass::Device) {
                bump(ACLSIM_LIVE_DEVICE_ALLOCATIONS, -1);
                bump(ACLSIM_LIVE_DEVICE_BYTES, -static_cast<int64_t>(al->size));
            } else {
                bump(ACLSIM_LIVE_PINNED_BLOCKS, -1);
            }
        }
        free(al->base);
        delete al;
    }
    s.allocById.clear();
    s.allocs.clear();
    s.devices.clear();
    s.initRefs = 0;
    s.shutdown = false;
}

extern "C" {

ACL_FUNC_VISIBILITY aclError aclInit(const char* configPath) {
    int rc = check_fault("aclInit");
    if (rc) return rc;
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    if (s.initialized) {
        s.initRefs++;
        return fail(ACL_ERROR_REPEAT_INITIALIZE, "aclInit", "AscendCL is already initialized");
    }
    if (configPath && *configPath) {
        FILE* f = fopen(configPath, "rb");
        if (!f) return fail(ACL_ERROR_INVALID_PARAM, "aclInit", "cannot open config file '%s'", configPath);
        std::string text;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        fclose(f);
        size_t i = text.find_first_not_of(" \t\r\n");
        size_t j = text.find_last_not_of(" \t\r\n");
        if (i == std::string::npos || text[i] != '{' || text[j] != '}')
            return fail(ACL_ERROR_INVALID_PARAM, "aclInit", "config file '%s' is not a JSON object", configPath);
    }
    uint64_t count = 2;
    if (const char* e = getenv("ASCEND_SIM_DEVICE_COUNT")) {
        uint64_t v;
        if (parse_size(e, &v) && v >= 1 && v <= 64) count = v;
        else fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_DEVICE_COUNT='%s'\n", e);
    }
    uint64_t mem = 8ull << 30;
    if (const char* e = getenv("ASCEND_SIM_DEVICE_MEMORY")) {
        uint64_t v;
        if (parse_size(e, &v) && v > 0) mem = v;
        else fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_DEVICE_MEMORY='%s'\n", e);
    }
    uint64_t limit = 2048;
    if (const char* e = getenv("ASCEND_SIM_STREAM_LIMIT")) {
        uint64_t v;
        if (parse_size(e, &v) && v >= 1 && v <= 1000000) limit = v;
        else fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_STREAM_LIMIT='%s'\n", e);
    }
    s.devices.assign(count, Device{});
    for (auto& d : s.devices) d.total = mem;
    s.streamLimit = static_cast<uint32_t>(limit);
    s.initRefs = 1;
    s.shutdown = false;
    for (int c = 100; c <= 103; ++c) g_counters[counter_slot(static_cast<aclsimCounter>(c))].store(0);
    s.initialized = true;
    g_initialized.store(true, std::memory_order_release);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclFinalize(void) {
    State& s = g();
    {
        std::lock_guard<std::mutex> l(s.mu);
        if (!s.initialized) {
            if (s.everFinalized)
                return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize", "AscendCL is already finalized");
            return fail(ACL_ERROR_UNINITIALIZE, "aclFinalize", "AscendCL is not initialized; call aclInit first");
        }
    }
    int rc = check_fault("aclFinalize");
    if (rc) return rc;
    std::unique_lock<std::mutex> l(s.mu);
    if (!s.initialized) return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize", "AscendCL is already finalized");
    finalize_locked_and_unlock(l);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclFinalizeReference(uint64_t* refCount) {
    State& s = g();
    {
        std::lock_guard<std::mutex> l(s.mu);
        if (!s.initialized) {
            if (s.everFinalized)
                return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalizeReference", "AscendCL is already finalized");
            return fail(ACL_ERROR_UNINITIALIZE, "aclFinalizeReference",
                        "AscendCL is not initialized; call aclInit first");
        }
    }
    int rc = check_fault("aclFinalizeReference");
    if (rc) return rc;
    std::unique_lock<std::mutex> l(s.mu);
    if (!s.initialized)
        return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalizeReference", "AscendCL is already finalized");
    if (s.initRefs > 0) s.initRefs--;
    if (refCount) *refCount = s.initRefs;  // NULL: the caller does not want the count (CANN allows it)
    if (s.initRefs == 0) finalize_locked_and_unlock(l);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY const char* aclGetRecentErrMsg(void) {
    Tls& t = tls();
    if (!t.hasErr) return nullptr;
    // Reading consumes the message (CANN's error manager clears it once reported); the returned
    // pointer stays valid until this thread's next aclGetRecentErrMsg call.
    t.errOut = t.err;
    t.hasErr = false;
    t.err.clear();
    return t.errOut.c_str();
}

// ---- devices --------------------------------------------------------------------------------------
ACL_FUNC_VISIBILITY aclError aclrtSetDevice(int32_t deviceId) {
    if (int rc = enter("aclrtSetDevice")) return rc;
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    if (deviceId < 0 || deviceId >= static_cast<int32_t>(s.devices.size()))
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtSetDevice", "invalid device id %d (device count %zu)",
                    deviceId, s.devices.size());
    Device& d = s.devices[deviceId];
    if (!d.primary) {
        if (d.streams >= s.streamLimit)
            return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclrtSetDevice",
                        "no stream left on device %d for the default stream (limit %u)", deviceId, s.streamLimit);
        d.primary = create_context_locked(deviceId, true);
    }
    d.primaryRefs++;
    set_cur_ctx(d.primary);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtResetDevice(int32_t deviceId) {
    if (int rc = enter("aclrtResetDevice")) return rc;
    State& s = g();
    std::unique_lock<std::mutex> l(s.mu);
    if (deviceId < 0 || deviceId >= static_cast<int32_t>(s.devices.size()))
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtResetDevice", "invalid device id %d (device count %zu)",
                    deviceId, s.devices.size());
    Device& d = s.devices[deviceId];
    if (!d.primary) return ACL_SUCCESS;
    Context* cur = cur_ctx_locked();
    if (cur && cur == d.primary) set_cur_ctx(nullptr);
    if (--d.primaryRefs > 0) return ACL_SUCCESS;
    Context* p = d.primary;
    for (auto& c : s.captures)
        for (Stream* st : c->streams)
            if (st->ctx == p)
                return fail(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtResetDevice",
                            "stream %s of device %d is capturing; end the capture first", stream_name(st).c_str(),
                            deviceId);
    auto streams = remove_context_locked(p);
    l.unlock();
    stop_all(streams);
    delete p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t* deviceId) {
    if (int rc = enter("aclrtGetDevice")) return rc;
    if (!deviceId) return fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDevice", "deviceId is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, "aclrtGetDevice", "no device is set on this thread");
    *deviceId = c->device;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t* count) {
    if (int rc = enter("aclrtGetDeviceCount")) return rc;
    if (!count) return fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDeviceCount", "count is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    *count = static_cast<uint32_t>(g().devices.size());
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
    if (int rc = enter("aclrtCreateContext")) return rc;
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "aclrtCreateContext", "context is NULL");
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    if (deviceId < 0 || deviceId >= static_cast<int32_t>(s.devices.size()))
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "aclrtCreateContext", "invalid device id %d (device count %zu)",
                    deviceId, s.devices.size());
    if (s.devices[deviceId].streams >= s.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, "aclrtCreateContext",
                    "no stream left on device %d for the context's default stream (limit %u)", deviceId,
                    s.streamLimit);
    Context* c = create_context_locked(deviceId, false);
    bump(ACLSIM_LIVE_CONTEXTS, 1);
    set_cur_ctx(c);
    *context = c;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyContext(aclrtContext context) {
    if (int rc = enter("aclrtDestroyContext")) return rc;
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "aclrtDestroyContext", "context is NULL");
    State& s = g();
    std::unique_lock<std::mutex> l(s.mu);
    auto it = s.contexts.find(static_cast<Context*>(context));
    if (!context || it == s.contexts.end())
        return fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtDestroyContext", "invalid context handle %p", context);
    Context* c = it->second.get();
    if (c->primary)
        return fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtDestroyContext",
                    "context %p is a device's default context; release it with aclrtResetDevice", context);
    for (auto& cap : s.captures)
        for (Stream* st : cap->streams)
            if (st->ctx == c)
                return fail(ACL_ERROR_RT_STREAM_CAPTURED, "aclrtDestroyContext",
                            "stream %s of this context is capturing; end the capture first",
                            stream_name(st).c_str());
    if (tls().ctx == c) set_cur_ctx(nullptr);
    auto streams = remove_context_locked(c);
    l.unlock();
    stop_all(streams);
    delete c;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSetCurrentContext(aclrtContext context) {
    if (int rc = enter("aclrtSetCurrentContext")) return rc;
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "aclrtSetCurrentContext", "context is NULL");
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    auto it = s.contexts.find(static_cast<Context*>(context));
    if (!context || it == s.contexts.end())
        return fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtSetCurrentContext", "invalid context handle %p", context);
    set_cur_ctx(it->second.get());
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetCurrentContext(aclrtContext* context) {
    if (int rc = enter("aclrtGetCurrentContext")) return rc;
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "aclrtGetCurrentContext", "context is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Context* c = cur_ctx_locked();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, "aclrtGetCurrentContext", "no context is current on this thread");
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

// ---- simulator controls ---------------------------------------------------------------------------
ACL_FUNC_VISIBILITY aclError aclsimGetCounter(aclsimCounter counter, uint64_t* value) {
    if (int rc = check_fault("aclsimGetCounter")) return rc;
    if (!value) return fail(ACL_ERROR_INVALID_PARAM, "aclsimGetCounter", "value is NULL");
    if (counter_slot(counter) < 0)
        return fail(ACL_ERROR_INVALID_PARAM, "aclsimGetCounter", "unknown counter %d", static_cast<int>(counter));
    *value = counter_value(counter);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimGetStreamBudget(int32_t deviceId, uint32_t* inUse, uint32_t* limit) {
    if (int rc = enter("aclsimGetStreamBudget")) return rc;
    if (!inUse || !limit) return fail(ACL_ERROR_INVALID_PARAM, "aclsimGetStreamBudget", "an output pointer is NULL");
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    if (deviceId < 0 || deviceId >= static_cast<int32_t>(s.devices.size()))
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "aclsimGetStreamBudget", "invalid device id %d", deviceId);
    *inUse = s.devices[deviceId].streams;
    *limit = s.streamLimit;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimInjectFault(const char* functionName, uint32_t nth, int32_t errorCode) {
    if (!functionName || !*functionName)
        return fail(ACL_ERROR_INVALID_PARAM, "aclsimInjectFault", "functionName is NULL or empty");
    if (nth == 0) return fail(ACL_ERROR_INVALID_PARAM, "aclsimInjectFault", "nth must be >= 1 (1 = the next call)");
    if (errorCode == 0)
        return fail(ACL_ERROR_INVALID_PARAM, "aclsimInjectFault", "errorCode must be non-zero");
    std::lock_guard<std::mutex> l(fault_mu());
    faults()[functionName] = Fault{nth, errorCode};
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimClearFaults(uint32_t* remaining) {
    std::lock_guard<std::mutex> l(fault_mu());
    if (remaining) *remaining = static_cast<uint32_t>(faults().size());
    faults().clear();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimSetTaskDelay(uint32_t microseconds) {
    if (int rc = check_fault("aclsimSetTaskDelay")) return rc;
    g_taskDelayUs.store(microseconds, std::memory_order_relaxed);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY const char* aclsimGetVersion(void) { return "ascend-sim 0.1.0 (ACL 1.17)"; }

}  // extern "C"
