// Ascend.Interop simulator runtime core: aclInit (and the environment it reads), aclFinalize and
// aclFinalizeReference.
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "sim_state.h"

namespace sim {

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

}  // namespace sim

using namespace sim;

// ---- init / finalize ----------------------------------------------------------------------------
static void finalize_locked_and_unlock(std::unique_lock<std::mutex>& l) {
    State& s = g();
    set_initialized(false);
    s.initialized = false;
    s.everFinalized = true;
    s.shutdown = true;
    s.cv.notify_all();
    // Captures and models.
    for (auto& c : s.captures) end_capture_streams_locked(c.get());
    s.captures.clear();
    for (auto& m : s.models) {
        m.second->live = false;
        if (m.second->kind != ModelKind::Child) bump(ACLSIM_LIVE_MODELS, -1);
        m.second->conds.clear();  // the words are released with all memory below
    }
    s.models.clear();
    s.conds.clear();
    s.modelStreams.clear();
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
    mempool_release_all_locked();
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

// The entry of aclFinalize and aclFinalizeReference: 100001 before any aclInit, 100037 after the
// last finalize, then armed faults; on success `l` holds State::mu.
static int enter_finalize(const char* fn, std::unique_lock<std::mutex>& l) {
    State& s = g();
    {
        std::lock_guard<std::mutex> first(s.mu);
        if (!s.initialized) {
            if (s.everFinalized) return fail(ACL_ERROR_REPEAT_FINALIZE, fn, "AscendCL is already finalized");
            return fail(ACL_ERROR_UNINITIALIZE, fn, "AscendCL is not initialized; call aclInit first");
        }
    }
    if (int rc = check_fault(fn)) return rc;
    l = std::unique_lock<std::mutex>(s.mu);
    if (!s.initialized) return fail(ACL_ERROR_REPEAT_FINALIZE, fn, "AscendCL is already finalized");
    return ACL_SUCCESS;
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
    reset_cumulative_counters();
    s.initialized = true;
    set_initialized(true);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclFinalize(void) {
    std::unique_lock<std::mutex> l;
    if (int rc = enter_finalize("aclFinalize", l)) return rc;
    finalize_locked_and_unlock(l);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclFinalizeReference(uint64_t* refCount) {
    std::unique_lock<std::mutex> l;
    if (int rc = enter_finalize("aclFinalizeReference", l)) return rc;
    State& s = g();
    if (s.initRefs > 0) s.initRefs--;
    if (refCount) *refCount = s.initRefs;  // NULL: the caller does not want the count (CANN allows it)
    if (s.initRefs == 0) finalize_locked_and_unlock(l);
    return ACL_SUCCESS;
}

}  // extern "C"
