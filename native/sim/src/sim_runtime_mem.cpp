// Ascend.Interop simulator runtime core: device and pinned host memory, copies and memsets.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sim_state.h"

namespace sim {

namespace {
// Bases of allocations freed since, to tell "double free" from "never allocated".
std::set<uintptr_t>& freed_bases() {
    static auto* s = new std::set<uintptr_t>();
    return *s;
}

const char* class_name(MemClass c) {
    switch (c) {
        case MemClass::Device: return "device memory";
        case MemClass::Pinned: return "pinned host memory (aclrtMallocHost)";
        default: return "pageable host memory";
    }
}

Alloc* containing_locked(const void* p) {
    auto& m = g().allocs;
    if (m.empty() || !p) return nullptr;
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto it = m.upper_bound(a);
    if (it == m.begin()) return nullptr;
    --it;
    Alloc* al = it->second;
    if (a >= it->first && a < it->first + (al->size ? al->size : 1)) return al;
    return nullptr;
}

MemRegion region_of(const Alloc* a) {
    MemRegion r;
    r.cls = a->cls;
    r.device = a->device;
    r.base = a->base;
    r.size = a->size;
    r.allocationId = a->id;
    return r;
}
}  // namespace

MemRegion classify(const void* p) {
    std::lock_guard<std::mutex> l(g().mu);
    Alloc* a = containing_locked(p);
    return a ? region_of(a) : MemRegion{};
}

bool range_in(const void* p, size_t bytes, MemClass cls, MemRegion* out) {
    std::lock_guard<std::mutex> l(g().mu);
    Alloc* a = containing_locked(p);
    if (!a || a->cls != cls) return false;
    size_t off = static_cast<size_t>(static_cast<const char*>(p) - a->base);
    if (bytes > a->size - off) return false;
    if (out) *out = region_of(a);
    return true;
}

bool allocation_live_locked(uint64_t allocationId) {
    auto& m = g().allocById;
    auto it = m.find(allocationId);
    return it != m.end() && !it->second->freed;
}

bool allocation_live(uint64_t allocationId) {
    std::lock_guard<std::mutex> l(g().mu);
    return allocation_live_locked(allocationId);
}

}  // namespace sim

using namespace sim;

namespace {

// Validation result of one side of a copy.
struct Side {
    const void* p;
    MemClass cls;
    Alloc* alloc;
};

const char* kind_name(aclrtMemcpyKind k) {
    switch (k) {
        case ACL_MEMCPY_HOST_TO_HOST: return "ACL_MEMCPY_HOST_TO_HOST";
        case ACL_MEMCPY_HOST_TO_DEVICE: return "ACL_MEMCPY_HOST_TO_DEVICE";
        case ACL_MEMCPY_DEVICE_TO_HOST: return "ACL_MEMCPY_DEVICE_TO_HOST";
        case ACL_MEMCPY_DEVICE_TO_DEVICE: return "ACL_MEMCPY_DEVICE_TO_DEVICE";
        case ACL_MEMCPY_DEFAULT: return "ACL_MEMCPY_DEFAULT";
        case ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE: return "ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE";
        case ACL_MEMCPY_INNER_DEVICE_TO_DEVICE: return "ACL_MEMCPY_INNER_DEVICE_TO_DEVICE";
        case ACL_MEMCPY_INTER_DEVICE_TO_DEVICE: return "ACL_MEMCPY_INTER_DEVICE_TO_DEVICE";
    }
    return "?";
}

int check_range_locked(const char* fn, const char* what, const void* p, size_t count, Side* out) {
    Alloc* a = containing_locked(p);
    out->p = p;
    out->alloc = a;
    out->cls = a ? a->cls : MemClass::Pageable;
    if (a) {
        size_t off = static_cast<size_t>(static_cast<const char*>(p) - a->base);
        if (count > a->size - off)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                        "%s range [%p, +%zu) overruns its %s allocation [%p, +%zu) by %zu bytes", what, p, count,
                        class_name(a->cls), static_cast<void*>(a->base), a->size, count - (a->size - off));
    }
    return ACL_SUCCESS;
}

// Validates a copy; fills the two sides. Caller holds State::mu.
// Argument checks CANN's acl layer makes before the runtime sees the call (ACL_ERROR_INVALID_PARAM;
// they never touch a capture).
int acl_check_copy(const char* fn, const void* dst, const void* src, int kind) {
    if (!dst) return fail(ACL_ERROR_INVALID_PARAM, fn, "dst is NULL");
    if (!src) return fail(ACL_ERROR_INVALID_PARAM, fn, "src is NULL");
    if (kind < 0 || kind > ACL_MEMCPY_INTER_DEVICE_TO_DEVICE)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "invalid memcpy kind %d", kind);
    return ACL_SUCCESS;
}

int validate_copy_locked(const char* fn, void* dst, size_t destMax, const void* src, size_t count,
                         aclrtMemcpyKind kind, Side* d, Side* s) {
    if (count > destMax)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "count %zu exceeds destMax %zu", count, destMax);
    if (int rc = check_range_locked(fn, "dst", dst, count, d)) return rc;
    if (int rc = check_range_locked(fn, "src", src, count, s)) return rc;
    bool dDev = d->cls == MemClass::Device, sDev = s->cls == MemClass::Device;
    bool wantD, wantS;
    switch (kind) {
        case ACL_MEMCPY_HOST_TO_HOST: wantD = false; wantS = false; break;
        case ACL_MEMCPY_HOST_TO_DEVICE:
        case ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE: wantD = true; wantS = false; break;
        case ACL_MEMCPY_DEVICE_TO_HOST: wantD = false; wantS = true; break;
        case ACL_MEMCPY_DEFAULT: wantD = dDev; wantS = sDev; break;
        default: wantD = true; wantS = true; break;
    }
    if (wantD != dDev || wantS != sDev)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s does not match the pointers: dst %p is %s, src %p is %s",
                    kind_name(kind), dst, class_name(d->cls), src, class_name(s->cls));
    if (dDev && sDev) {
        if (kind == ACL_MEMCPY_INNER_DEVICE_TO_DEVICE && d->alloc->device != s->alloc->device)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s between different devices (%d and %d)", kind_name(kind),
                        s->alloc->device, d->alloc->device);
        if (kind == ACL_MEMCPY_INTER_DEVICE_TO_DEVICE && d->alloc->device == s->alloc->device)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s within one device (%d)", kind_name(kind), d->alloc->device);
    }
    return ACL_SUCCESS;
}

int validate_memset_locked(const char* fn, void* devPtr, size_t maxCount, size_t count, Side* d) {
    if (count > maxCount) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "count %zu exceeds maxCount %zu", count, maxCount);
    if (int rc = check_range_locked(fn, "devPtr", devPtr, count, d)) return rc;
    if (d->cls == MemClass::Pageable)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "devPtr %p is pageable host memory; only device or pinned host allocations can be set", devPtr);
    return ACL_SUCCESS;
}

void pin(Alloc* a) {
    if (a) a->pins++;
}
// Releases the memory and record of an allocation that is freed and no copy pins any more.
void release_alloc_locked(Alloc* a) {
    g().allocById.erase(a->id);
    free(a->base);
    delete a;
}

void unpin_locked(Alloc* a) {
    if (a && --a->pins == 0 && a->freed) release_alloc_locked(a);
}

// A device allocation (the caller's or the runtime's own) enters or leaves its device's used bytes and the live counters.
void count_device_alloc_locked(const Alloc* a, bool live) {
    const int64_t sign = live ? 1 : -1;
    if (live) g().devices[a->device].used += a->size;
    else g().devices[a->device].used -= a->size;
    bump(ACLSIM_LIVE_DEVICE_ALLOCATIONS, sign);
    bump(ACLSIM_LIVE_DEVICE_BYTES, sign * static_cast<int64_t>(a->size));
}

// An allocation whose map entry is gone: marked freed (a copy pinning it releases it at its end), else released now.
void retire_alloc_locked(Alloc* a) {
    a->freed = true;
    g().freeEpoch++;
    if (a->pins == 0) release_alloc_locked(a);
}

TaskBuffer buffer_of(const Side& s, size_t bytes, bool write) {
    TaskBuffer b;
    b.ptr = s.p;
    b.bytes = bytes;
    b.allocationId = s.alloc ? s.alloc->id : 0;
    b.write = write;
    return b;
}

int register_alloc_locked(void* p, size_t size, MemClass cls, int32_t device) {
    State& st = g();
    auto* a = new Alloc();
    a->base = static_cast<char*>(p);
    a->size = size;
    a->cls = cls;
    a->device = device;
    a->id = st.nextId++;
    st.allocs[reinterpret_cast<uintptr_t>(p)] = a;
    st.allocById[a->id] = a;
    freed_bases().erase(reinterpret_cast<uintptr_t>(p));
    return ACL_SUCCESS;
}

int free_alloc(const char* fn, void* p, MemClass cls) {
    ApiCall call = enter_locked(fn, [&] { return p ? ACL_SUCCESS : fail(ACL_ERROR_INVALID_PARAM, fn, "pointer is NULL"); });
    if (call.rc) return call.rc;
    State& st = g();
    auto it = st.allocs.find(reinterpret_cast<uintptr_t>(p));
    if (it == st.allocs.end()) {
        if (Alloc* a = containing_locked(p))
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                        "%p points %zu bytes into the %s allocation at %p; pass the base address", p,
                        static_cast<size_t>(static_cast<char*>(p) - a->base), class_name(a->cls),
                        static_cast<void*>(a->base));
        if (freed_bases().count(reinterpret_cast<uintptr_t>(p)))
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p was already freed (double free)", p);
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not an allocation of this runtime", p);
    }
    Alloc* a = it->second;
    if (a->cls != cls)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is %s; free it with %s", p, class_name(a->cls),
                    a->cls == MemClass::Device ? "aclrtFree" : "aclrtFreeHost");
    if (a->internal)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%p is owned by a graph (a condition word or a kernel task's argument block); it is freed when its root "
                    "graph is destroyed", p);
    if (a->pool) return mempool_free_sync_locked(fn, a);
    st.allocs.erase(it);
    freed_bases().insert(reinterpret_cast<uintptr_t>(p));
    if (cls == MemClass::Device) {
        count_device_alloc_locked(a, false);
        bump(ACLSIM_COUNT_FREE_CALLS, 1);
    } else {
        bump(ACLSIM_LIVE_PINNED_BLOCKS, -1);
    }
    retire_alloc_locked(a);
    return ACL_SUCCESS;
}

// Performs a synchronous copy or set with both allocations pinned (State::mu held through l on entry).
void do_copy(std::unique_lock<std::mutex>& l, Side d, Side s, size_t count) {
    pin(d.alloc);
    pin(s.alloc);
    l.unlock();
    if (count) memmove(const_cast<void*>(d.p), s.p, count);
    l.lock();
    unpin_locked(d.alloc);
    unpin_locked(s.alloc);
}

}  // namespace

namespace sim {

uint64_t* device_word_alloc_locked(int32_t device) { return device_words_alloc_locked(device, 1); }

uint64_t* device_words_alloc_locked(int32_t device, size_t count) {
    void* p = calloc(count, sizeof(uint64_t));
    if (!p) return nullptr;
    register_alloc_locked(p, count * sizeof(uint64_t), MemClass::Device, device);
    Alloc* a = g().allocs[reinterpret_cast<uintptr_t>(p)];
    a->internal = true;
    count_device_alloc_locked(a, true);
    return static_cast<uint64_t*>(p);
}

void device_word_free_locked(uint64_t* p) {
    State& st = g();
    auto it = st.allocs.find(reinterpret_cast<uintptr_t>(p));
    if (it == st.allocs.end()) return;
    Alloc* a = it->second;
    st.allocs.erase(it);
    count_device_alloc_locked(a, false);
    retire_alloc_locked(a);
}

uint64_t allocation_id_locked(const void* p) {
    Alloc* a = containing_locked(p);
    return a ? a->id : 0;
}

bool range_in_locked(const void* p, size_t bytes, MemClass cls) {
    Alloc* a = containing_locked(p);
    if (!a || a->cls != cls) return false;
    size_t off = static_cast<size_t>(static_cast<const char*>(p) - a->base);
    return bytes <= a->size - off;
}

}  // namespace sim

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy policy) {
    const char* fn = "aclrtMalloc";
    const uint32_t p = static_cast<uint32_t>(policy);  // read here: an enum load inside the lambda trips UBSan on bad values
    ApiCall call = enter_context(fn, [&] {
        if (int rc = need_arg(fn, devPtr, "devPtr")) return rc;
        if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, fn, "size is 0");
        if ((p & ~0x1107u) > 7u || (p & 0xFFu) > 7u)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid memory policy 0x%x", p);
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    State& st = g();
    Device& d = st.devices[call.device];
    if (size > d.total - d.used)
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn,
                    "out of device memory on device %d: requested %zu bytes, %zu of %zu free", call.device, size,
                    d.total - d.used, d.total);
    void* mem = nullptr;
    // Not touched here: contents are undefined, as on the device, and untouched pages cost nothing.
    if (posix_memalign(&mem, 512, size) != 0 || !mem)
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "host could not back %zu bytes of device memory", size);
    register_alloc_locked(mem, size, MemClass::Device, call.device);
    d.used += size;
    bump(ACLSIM_LIVE_DEVICE_ALLOCATIONS, 1);
    bump(ACLSIM_LIVE_DEVICE_BYTES, static_cast<int64_t>(size));
    bump(ACLSIM_COUNT_MALLOC_CALLS, 1);
    *devPtr = mem;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtFree(void* devPtr) { return free_alloc("aclrtFree", devPtr, MemClass::Device); }

ACL_FUNC_VISIBILITY aclError aclrtMallocHost(void** hostPtr, size_t size) {
    const char* fn = "aclrtMallocHost";
    ApiCall call = enter_context(fn, [&] {
        if (int rc = need_arg(fn, hostPtr, "hostPtr")) return rc;
        return size ? ACL_SUCCESS : fail(ACL_ERROR_INVALID_PARAM, fn, "size is 0");
    });
    if (call.rc) return call.rc;
    void* mem = nullptr;
    if (posix_memalign(&mem, 64, size) != 0 || !mem)
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "cannot allocate %zu bytes of pinned host memory", size);
    register_alloc_locked(mem, size, MemClass::Pinned, call.device);
    bump(ACLSIM_LIVE_PINNED_BLOCKS, 1);
    *hostPtr = mem;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtFreeHost(void* hostPtr) {
    return free_alloc("aclrtFreeHost", hostPtr, MemClass::Pinned);
}

ACL_FUNC_VISIBILITY aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t* free_, size_t* total) {
    const char* fn = "aclrtGetMemInfo";
    const int attrValue = static_cast<int>(attr);  // read here: an enum load inside the lambda trips UBSan on bad values
    ApiCall call = enter_context(fn, [&] {
        if (!free_ || !total) return fail(ACL_ERROR_INVALID_PARAM, fn, "an output pointer is NULL");
        if (attrValue < 0 || attrValue > ACL_HBM_MEM_P2P_HUGE1G)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid memory attribute %d", attrValue);
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    const Device& d = g().devices[call.device];
    *total = d.total;
    *free_ = d.total - d.used;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count,
                                         aclrtMemcpyKind kind) {
    const char* fn = "aclrtMemcpy";
    const int kindValue = static_cast<int>(kind);  // an int: an enum load inside the lambda trips UBSan on bad values
    ApiCall call = enter_context(fn, [&] { return acl_check_copy(fn, dst, src, kindValue); });
    if (call.rc) return call.rc;
    Side d{}, s{};
    if (int rc = validate_copy_locked(fn, dst, destMax, src, count, kind, &d, &s)) return rc;
    if (unsafe_call_refused_locked(call.ctx))
        return fail(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, fn,
                    "synchronous copy is not allowed while a graph capture is active (capture mode of this "
                    "thread forbids it; use aclrtMemcpyAsync on the capturing stream or "
                    "aclmdlRICaptureThreadExchangeMode(RELAXED))");
    do_copy(call.lock, d, s, count);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemset(void* devPtr, size_t maxCount, int32_t value, size_t count) {
    const char* fn = "aclrtMemset";
    ApiCall call = enter_context(fn, [&] { return need_arg(fn, devPtr, "devPtr"); });
    if (call.rc) return call.rc;
    Side d{};
    if (int rc = validate_memset_locked(fn, devPtr, maxCount, count, &d)) return rc;
    if (unsafe_call_refused_locked(call.ctx))
        return fail(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, fn,
                    "synchronous memset is not allowed while a graph capture is active (capture mode of this "
                    "thread forbids it; use aclrtMemsetAsync on the capturing stream or "
                    "aclmdlRICaptureThreadExchangeMode(RELAXED))");
    pin(d.alloc);
    call.lock.unlock();
    if (count) memset(devPtr, static_cast<unsigned char>(value), count);
    call.lock.lock();
    unpin_locked(d.alloc);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpyAsync(void* dst, size_t destMax, const void* src, size_t count,
                                              aclrtMemcpyKind kind, aclrtStream stream) {
    const char* fn = "aclrtMemcpyAsync";
    const int kindValue = static_cast<int>(kind);  // an int: an enum load inside the lambda trips UBSan on bad values
    ApiCall call = enter_stream(fn, stream, [&] { return acl_check_copy(fn, dst, src, kindValue); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    Side d{}, sr{};
    if (int rc = validate_copy_locked(fn, dst, destMax, src, count, kind, &d, &sr)) {
        if (s->cap) invalidate_locked(s->cap, tls().err);
        return rc;
    }
    bool pageable = d.cls == MemClass::Pageable || sr.cls == MemClass::Pageable;
    if (pageable) {
        const void* hp = d.cls == MemClass::Pageable ? d.p : sr.p;
        if (s->cap || s->update)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                        "%p is pageable host memory; an asynchronous copy on a capturing stream needs pinned "
                        "memory from aclrtMallocHost",
                        hp);
        // CANN turns an async copy with pageable memory into stream sync + synchronous copy.
        Context* c = cur_ctx_locked();
        if (unsafe_call_refused_locked(c))
            return fail(ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC, fn,
                        "%p is pageable host memory, so this copy would block (stream sync + synchronous copy), "
                        "which the active graph capture's mode forbids",
                        hp);
        std::shared_ptr<Stream> keep = stream_keep_alive_locked(s);
        call.lock.unlock();
        if (int rc = wait_stream(fn, keep.get(), -1, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT)) return rc;
        call.lock.lock();
        // Re-validate: memory may have been freed while we waited.
        if (int rc = validate_copy_locked(fn, dst, destMax, src, count, kind, &d, &sr)) return rc;
        do_copy(call.lock, d, sr, count);
        return ACL_SUCCESS;
    }
    Task t;
    t.kind = "memcpy";
    t.name = fn;
    t.buffers.push_back(buffer_of(sr, count, false));
    t.buffers.push_back(buffer_of(d, count, true));
    t.run = [dst, src, count]() {
        if (count) memmove(dst, src, count);
        return ACL_SUCCESS;
    };
    return submit_locked(fn, s, std::move(t));
}

ACL_FUNC_VISIBILITY aclError aclrtMemsetAsync(void* devPtr, size_t maxCount, int32_t value, size_t count,
                                              aclrtStream stream) {
    const char* fn = "aclrtMemsetAsync";
    ApiCall call = enter_stream(fn, stream, [&] { return need_arg(fn, devPtr, "devPtr"); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    Side d{};
    if (int rc = validate_memset_locked(fn, devPtr, maxCount, count, &d)) {
        if (s->cap) invalidate_locked(s->cap, tls().err);
        return rc;
    }
    Task t;
    t.kind = "memset";
    t.name = fn;
    t.buffers.push_back(buffer_of(d, count, true));
    unsigned char v = static_cast<unsigned char>(value);
    t.run = [devPtr, v, count]() {
        if (count) memset(devPtr, v, count);
        return ACL_SUCCESS;
    };
    return submit_locked(fn, s, std::move(t));
}

}  // extern "C"
