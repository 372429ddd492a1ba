// Ascend.Interop simulator: the runtime core's interface to the parts of the simulator that are shared objects of
// their own (the HCCL object, libascend_sim_hccl.so, which needs Gloo and is loaded only when a program uses
// HCCL). The core exports one C function, aclsimRuntimeHost, returning this interface; everything else in the
// core stays hidden, so such a part can only reach the runtime through these calls, never its state.
// Internal only: both sides are built together (same compiler, same standard library), so C++ types cross.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim_core.h"

namespace sim {

class Host {
public:
    // Bumped whenever a member below changes: a part built against another version gets no interface.
    static constexpr uint32_t kVersion = 1;

    // ---- calls and errors (as sim::enter / sim::fail) ----
    // Not initialized or an armed injected fault: the code to return (message recorded), else ACL_SUCCESS.
    virtual int enter(const char* fn) = 0;
    // Records "<fn>: <message> (error <code>)" as the calling thread's recent error; returns `code`.
    virtual int fail(int code, const char* fn, const char* message) = 0;
    // The calling thread's recent error text ("" when none).
    virtual std::string recent_error() = 0;

    // ---- streams ----
    // sim::submit: queues (or captures) `t` on `stream`; errors recorded and returned.
    virtual int submit(const char* fn, aclrtStream stream, Task&& t) = 0;
    // The device of a live stream usable from the calling thread, or -1 with the reason recorded.
    virtual int32_t stream_device(const char* fn, aclrtStream stream) = 0;

    // ---- devices ----
    // The calling thread's current device, or -1 (nothing recorded).
    virtual int32_t current_device() = 0;
    virtual int32_t device_count() = 0;
    // Charges one stream of each listed device's budget (a communicator holds streams of its device for its
    // whole life), all or none: true, or false with the reason in `why` (nothing recorded).
    virtual bool take_streams(const int32_t* devices, size_t count, std::string* why) = 0;
    // Returns one stream of `device`'s budget taken by take_streams.
    virtual void give_stream(int32_t device) = 0;

    // ---- memory ----
    // True when [p, p+bytes) lies inside one live device allocation (region in `out`).
    virtual bool device_range(const void* p, size_t bytes, MemRegion* out) = 0;

protected:
    ~Host() = default;
};

}  // namespace sim

// The interface, when `version` is the core's Host::kVersion; NULL otherwise.
extern "C" __attribute__((visibility("default"))) sim::Host* aclsimRuntimeHost(uint32_t version);
