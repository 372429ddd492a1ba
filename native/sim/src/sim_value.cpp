// Ascend.Interop simulator: 64-bit value write and wait on a stream (aclrtValueWrite / aclrtValueWait).
// Both are capturable: inside a graph they are VALUE_WRITE / VALUE_WAIT tasks (aclmdlRITaskGetType),
// which aclmdlRITaskSetParams can retarget. The word is read and written atomically by the worker.
// The task makers run with State::mu held (they look up the word's allocation).
#include <thread>

#include "sim_graph.h"

namespace sim {

int check_value_word_locked(const char* fn, const void* addr) {
    if (reinterpret_cast<uintptr_t>(addr) % 8 != 0)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "devAddr %p is not 8-byte aligned", addr);
    if (!range_in_locked(addr, sizeof(uint64_t), MemClass::Device))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "devAddr %p is not 8 bytes inside a live device allocation (aclrtMalloc or a condition word)",
                    addr);
    return ACL_SUCCESS;
}

bool replay_stopped(const Model* root) {
    std::lock_guard<std::mutex> l(g().mu);
    return g().shutdown || (root && root->abort.load());
}

namespace {

TaskBuffer word_buffer(void* addr, bool write) {
    TaskBuffer b;
    b.ptr = addr;
    b.bytes = sizeof(uint64_t);
    b.allocationId = allocation_id_locked(addr);
    b.write = write;
    return b;
}

bool value_met(uint64_t cur, uint64_t v, uint32_t flag) {
    switch (flag) {
        case ACL_STREAM_WAIT_VALUE_GEQ: return static_cast<int64_t>(cur - v) >= 0;
        case ACL_STREAM_WAIT_VALUE_EQ: return cur == v;
        case ACL_STREAM_WAIT_VALUE_AND: return (cur & v) != 0;
        default: return ~(cur | v) != 0;  // NOR
    }
}

// What a value write and a value wait share: the task's names, its word (written or read) and its parameters.
Task value_task(const char* fn, void* addr, uint64_t value, bool write) {
    Task t;
    t.kind = write ? "value_write" : "value_wait";
    t.name = fn;
    t.buffers.push_back(word_buffer(addr, write));
    t.info.type = write ? ACL_MODEL_RI_TASK_VALUE_WRITE : ACL_MODEL_RI_TASK_VALUE_WAIT;
    t.info.addr = addr;
    t.info.value = value;
    return t;
}

}  // namespace

Task make_value_write_task(const char* fn, void* addr, uint64_t value) {
    Task t = value_task(fn, addr, value, true);
    auto* w = static_cast<uint64_t*>(addr);
    t.run = [w, value]() {
        __atomic_store_n(w, value, __ATOMIC_RELEASE);
        return ACL_SUCCESS;
    };
    return t;
}

Task make_value_wait_task(const char* fn, void* addr, uint64_t value, uint32_t flag) {
    Task t = value_task(fn, addr, value, false);
    t.info.flag = flag;
    auto* w = static_cast<uint64_t*>(addr);
    t.run = [w, value, flag]() {
        // Polls like the device's wait: short sleeps; an abort of the running graph or aclFinalize ends it.
        for (unsigned spin = 0;; ++spin) {
            if (value_met(__atomic_load_n(w, __ATOMIC_ACQUIRE), value, flag)) return ACL_SUCCESS;
            if (spin % 64 == 63 && replay_stopped(tls().replayRoot))
                return fail(ACL_ERROR_RT_INTERNAL_ERROR, "aclrtValueWait",
                            "the wait on %p was ended by aclmdlRIAbort or aclFinalize", static_cast<void*>(w));
            std::this_thread::sleep_for(std::chrono::microseconds(spin < 64 ? 5 : 100));
        }
    };
    return t;
}

}  // namespace sim

using namespace sim;

namespace {

aclError submit_value_task(const char* fn, void* devAddr, aclrtStream stream, bool write, uint64_t value,
                           uint32_t flag) {
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = need_arg(fn, devAddr, "devAddr")) return rc;
        if (write && flag != 0) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flag %u is not 0", flag);
        if (!write && flag > ACL_STREAM_WAIT_VALUE_NOR)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flag %u is not an ACL_STREAM_WAIT_VALUE_* comparison", flag);
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (int rc = check_value_word_locked(fn, devAddr)) {
        if (s->cap) invalidate_locked(s->cap, tls().err);
        return rc;
    }
    Task t = write ? make_value_write_task(fn, devAddr, value) : make_value_wait_task(fn, devAddr, value, flag);
    return submit_locked(fn, s, std::move(t));
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtValueWrite(void* devAddr, uint64_t value, uint32_t flag, aclrtStream stream) {
    return submit_value_task("aclrtValueWrite", devAddr, stream, true, value, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtValueWait(void* devAddr, uint64_t value, uint32_t flag, aclrtStream stream) {
    return submit_value_task("aclrtValueWait", devAddr, stream, false, value, flag);
}

}  // extern "C"
