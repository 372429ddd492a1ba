// Ascend.Interop simulator: allocation in stream order from a stream-ordered pool (CANN 9.1):
// aclrtMemPoolMallocAsync and aclrtMemPoolFreeAsync.
//
// MallocAsync returns the address at once; CANN then maps the memory with a task on the stream, so
// work queued after the call may use it. FreeAsync gives pool memory back to the pool at the call (a
// later MallocAsync on the same stream may reuse it: stream order keeps them apart) and releases it on
// the device when its task runs (from then on it may serve other streams). A pointer that is not pool
// memory is taken for aclrtMalloc memory and freed by a host task queued on the stream.
//
// Strict readings (CANN's behaviour under capture is unknown): both calls are refused on a capturing
// stream or a stream in a task update (207000, and the capture is invalidated, as a failed
// submission on a capturing stream does).
#include <set>

#include "sim_mempool.h"

using namespace sim;

namespace {

// aclrtMalloc blocks with a FreeAsync queued (a second FreeAsync of one is refused at the call).
std::set<uint64_t>& pending_host_frees() {
    static auto* s = new std::set<uint64_t>();
    return *s;
}

// The stream may take pool work: not capturing, not in a task update.
int stream_takes_pool_work(const char* fn, Stream* s) {
    if (s->cap) {
        int rc = fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                      "%s is capturing: stream-ordered pool memory cannot be allocated or freed inside a graph "
                      "capture (allocate before the capture, free after it)",
                      stream_name(s).c_str());
        invalidate_locked(s->cap, tls().err);
        return rc;
    }
    if (s->update)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                    "%s is in a task update; stream-ordered pool memory cannot be allocated or freed there",
                    stream_name(s).c_str());
    return ACL_SUCCESS;
}

int pool_on_stream_device(const char* fn, const MemPool& pool, const Stream* s) {
    if (pool.device == s->device) return ACL_SUCCESS;
    return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "the pool belongs to device %d but %s is on device %d", pool.device,
                stream_name(s).c_str(), s->device);
}

// The stream-ordered task of a MallocAsync or FreeAsync.
Task pool_task(const char* fn, std::function<int()> run) {
    Task t;
    t.kind = "memory";
    t.name = fn;
    t.run = std::move(run);
    return t;
}

int free_to_pool_locked(const char* fn, MemPool& pool, void* ptr, Stream* s) {
    if (int rc = pool_on_stream_device(fn, pool, s)) return rc;
    uint64_t ticket = 0;
    Alloc* alloc = nullptr;
    if (int rc = pool_free_locked(fn, pool, ptr, s->id, &ticket, &alloc)) return rc;
    MemPool* handle = &pool;
    return submit_locked(fn, s, pool_task(fn, [handle, ticket, alloc]() {
        std::lock_guard<std::mutex> l(g().mu);
        // A pool with a FreeAsync not yet run cannot be destroyed; aclFinalize drains the streams first.
        if (MemPool* p = find_pool_locked(handle)) pool_free_ran_locked(*p, ticket, alloc);
        return ACL_SUCCESS;
    }));
}

int free_device_block_locked(const char* fn, void* ptr, Stream* s) {
    State& st = g();
    auto it = st.allocs.find(reinterpret_cast<uintptr_t>(ptr));
    if (it == st.allocs.end() || it->second->cls != MemClass::Device || it->second->device != s->device)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%p is neither memory of a stream-ordered pool nor the start of a live aclrtMalloc block on "
                    "device %d",
                    ptr, s->device);
    const uint64_t id = it->second->id;
    if (!pending_host_frees().insert(id).second)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p already has an aclrtMemPoolFreeAsync queued", ptr);
    int rc = submit_locked(fn, s, pool_task(fn, [ptr, id]() {
        {
            std::lock_guard<std::mutex> l(g().mu);
            pending_host_frees().erase(id);
        }
        return aclrtFree(ptr);  // CANN's host task frees it as aclrtFree does
    }));
    if (rc) pending_host_frees().erase(id);
    return rc;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtMemPoolMallocAsync(void** ptr, size_t size, aclrtMemPool memPool, aclrtStream stream) {
    const char* fn = "aclrtMemPoolMallocAsync";
    if (int rc = pool_require_cann(fn, 9, 1)) return rc;
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_arg(fn, ptr, "ptr")) return rc;
        if (int rc = need_arg(fn, memPool, "memPool")) return rc;
        return need_arg(fn, stream, "stream");
    });
    if (call.rc) return call.rc;
    if (size == 0) return ACL_SUCCESS;  // CANN's acl layer returns before the runtime; *ptr is not written
    resolve_stream(fn, stream, call);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    MemPool* pool = find_pool_locked(memPool);
    if (!pool) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a live memory pool", memPool);
    if (int rc = pool_on_stream_device(fn, *pool, s)) return rc;
    if (int rc = stream_takes_pool_work(fn, s)) return rc;
    if (size > pool->size)
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "%zu bytes exceed the pool size %llu", size,
                    static_cast<unsigned long long>(pool->size));
    const uint64_t bytes = (static_cast<uint64_t>(size) + kPoolBlock - 1) / kPoolBlock * kPoolBlock;
    void* p = nullptr;
    if (int rc = pool_alloc_locked(fn, *pool, bytes, s->id, &p)) return rc;
    if (int rc = submit_locked(fn, s, pool_task(fn, [] { return ACL_SUCCESS; }))) return rc;
    *ptr = p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemPoolFreeAsync(void* ptr, aclrtStream stream) {
    const char* fn = "aclrtMemPoolFreeAsync";
    if (int rc = pool_require_cann(fn, 9, 1)) return rc;
    ApiCall call = enter_locked(fn, [&] { return need_arg(fn, ptr, "ptr"); });
    if (call.rc) return call.rc;
    // The acl layer passes a NULL stream on; the runtime's NULL-stream error maps to 507000.
    if (!stream) return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "stream is NULL");
    resolve_stream(fn, stream, call);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (int rc = stream_takes_pool_work(fn, s)) return rc;
    if (MemPool* pool = pool_of_address_locked(ptr)) return free_to_pool_locked(fn, *pool, ptr, s);
    return free_device_block_locked(fn, ptr, s);
}

}  // extern "C"
