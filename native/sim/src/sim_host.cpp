// Ascend.Interop simulator runtime core: the interface the separately loaded parts call (sim_host.h).
#include "sim_host.h"

#include "sim_state.h"

namespace sim {
namespace {

class CoreHost final : public Host {
public:
    int enter(const char* fn) override { return sim::enter(fn); }

    int fail(int code, const char* fn, const char* message) override { return sim::fail(code, fn, "%s", message); }

    std::string recent_error() override { return tls().hasErr ? tls().err : std::string(); }

    int submit(const char* fn, aclrtStream stream, Task&& t) override { return sim::submit(fn, stream, std::move(t)); }

    int32_t stream_device(const char* fn, aclrtStream stream) override { return sim::stream_device(fn, stream); }

    int32_t current_device() override { return sim::current_device(); }

    int32_t device_count() override {
        std::lock_guard<std::mutex> l(g().mu);
        return static_cast<int32_t>(g().devices.size());
    }

    bool take_streams(const int32_t* devices, size_t count, std::string* why) override {
        State& s = g();
        std::lock_guard<std::mutex> l(s.mu);
        for (size_t i = 0; i < count; ++i) {
            int32_t d = devices[i];
            if (d < 0 || d >= static_cast<int32_t>(s.devices.size())) {
                *why = "device " + std::to_string(d) + " is not a device of this process";
                return false;
            }
            uint32_t wanted = 0;  // a device listed twice needs two streams of its budget
            for (size_t j = 0; j <= i; ++j) wanted += devices[j] == d ? 1 : 0;
            if (s.devices[d].streams + wanted > s.streamLimit) {
                *why = "no stream left on device " + std::to_string(d) + " for the communicator (limit " +
                       std::to_string(s.streamLimit) + ", " + std::to_string(s.devices[d].streams) +
                       " in use: default streams, user streams, live models and communicators)";
                return false;
            }
        }
        for (size_t i = 0; i < count; ++i) s.devices[devices[i]].streams++;
        return true;
    }

    void give_stream(int32_t device) override {
        State& s = g();
        std::lock_guard<std::mutex> l(s.mu);
        if (device >= 0 && device < static_cast<int32_t>(s.devices.size()) && s.devices[device].streams > 0)
            s.devices[device].streams--;
    }

    bool device_range(const void* p, size_t bytes, MemRegion* out) override {
        return range_in(p, bytes, MemClass::Device, out);
    }
};

}  // namespace
}  // namespace sim

extern "C" __attribute__((visibility("default"))) sim::Host* aclsimRuntimeHost(uint32_t version) {
    static sim::CoreHost* host = new sim::CoreHost();  // never destroyed: stream workers may outlive statics
    return version == sim::Host::kVersion ? host : nullptr;
}
