// Ascend.Interop simulator runtime core: the state singletons, errors, fault injection, counters,
// the entry check of every exported call, and the aclsim controls.
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
    va_list ap;
    va_start(ap, fmt);
    std::string message = vformat(fmt, ap);
    va_end(ap);
    Tls& t = tls();
    t.err = std::string(fn ? fn : "?") + ": " + message + " (error " + std::to_string(code) + ")";
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
// How many faults are armed (written under fault_mu): with none, check_fault takes no lock (every exported call makes it).
std::atomic<size_t> g_armedFaults{0};
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
int check_fault(const char* fn) {
    if (g_armedFaults.load(std::memory_order_acquire) == 0) return ACL_SUCCESS;
    std::lock_guard<std::mutex> l(fault_mu());
    auto& f = faults();
    if (f.empty()) return ACL_SUCCESS;
    auto it = f.find(fn);
    if (it == f.end()) return ACL_SUCCESS;
    if (--it->second.remaining == 0) {
        int code = it->second.code;
        f.erase(it);
        g_armedFaults.store(f.size(), std::memory_order_release);
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

void set_initialized(bool on) { g_initialized.store(on, std::memory_order_release); }

void reset_cumulative_counters() {
    for (int c = 100; c <= 103; ++c) g_counters[counter_slot(static_cast<aclsimCounter>(c))].store(0);
}

}  // namespace sim

using namespace sim;

extern "C" {

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
    g_armedFaults.store(faults().size(), std::memory_order_release);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimClearFaults(uint32_t* remaining) {
    std::lock_guard<std::mutex> l(fault_mu());
    if (remaining) *remaining = static_cast<uint32_t>(faults().size());
    faults().clear();
    g_armedFaults.store(0, std::memory_order_release);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimSetTaskDelay(uint32_t microseconds) {
    if (int rc = check_fault("aclsimSetTaskDelay")) return rc;
    g_taskDelayUs.store(microseconds, std::memory_order_relaxed);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsimHoldStreams(int32_t hold) {
    if (int rc = check_fault("aclsimHoldStreams")) return rc;
    hold_streams(hold != 0);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY const char* aclsimGetVersion(void) { return "ascend-sim 0.1.0 (ACL 1.17)"; }

}  // extern "C"
