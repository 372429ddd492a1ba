// Ascend.Interop simulator, HCCL object: the runtime interface, error recording, settings and the set of live
// communicators.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "hccl_internal.h"

namespace sim {
namespace hccl {

Host* host_or_null() {
    static Host* h = [] {
        Host* found = aclsimRuntimeHost(Host::kVersion);
        if (!found)
            fprintf(stderr,
                    "ascend-sim: libascend_sim_hccl.so and the loaded libascend_sim.so come from different builds "
                    "(runtime interface version %u not offered); every HCCL call fails with HCCL_E_INTERNAL\n",
                    Host::kVersion);
        return found;
    }();
    return h;
}

HcclResult hfail(HcclResult code, const char* fn, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string message = vformat(fmt, ap);
    va_end(ap);
    // The core appends "(error N)": here N is the HcclResult.
    if (Host* h = host_or_null()) h->fail(static_cast<int>(code), fn, message.c_str());
    return code;
}

std::chrono::milliseconds timeout_from_env() {
    long v = 30000;
    if (const char* e = getenv("ASCEND_SIM_HCCL_TIMEOUT_MS")) {
        char* end = nullptr;
        long x = strtol(e, &end, 10);
        if (end != e && *end == 0 && x >= 100 && x <= 24L * 3600 * 1000) v = x;
        else fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_HCCL_TIMEOUT_MS='%s'\n", e);
    }
    return std::chrono::milliseconds(v);
}

namespace {
std::mutex& reg_mu() {
    static auto* m = new std::mutex();
    return *m;
}
std::map<Comm*, std::shared_ptr<Comm>>& registry() {
    static auto* r = new std::map<Comm*, std::shared_ptr<Comm>>();
    return *r;
}
}  // namespace

HcclComm publish(const std::shared_ptr<Comm>& c) {
    std::lock_guard<std::mutex> l(reg_mu());
    registry()[c.get()] = c;
    return c.get();
}

HcclResult find_comm(const char* fn, HcclComm comm, std::shared_ptr<Comm>* out) {
    if (!comm) return hfail(HCCL_E_PTR, fn, "comm is NULL");
    std::lock_guard<std::mutex> l(reg_mu());
    auto it = registry().find(static_cast<Comm*>(comm));
    if (it == registry().end())
        return hfail(HCCL_E_PARA, fn, "comm %p is not a live communicator (destroyed or never created)", comm);
    *out = it->second;
    return HCCL_SUCCESS;
}

bool retire_comm(HcclComm comm, std::shared_ptr<Comm>* out) {
    std::lock_guard<std::mutex> l(reg_mu());
    auto it = registry().find(static_cast<Comm*>(comm));
    if (it == registry().end()) return false;
    *out = it->second;
    registry().erase(it);
    return true;
}

}  // namespace hccl
}  // namespace sim
