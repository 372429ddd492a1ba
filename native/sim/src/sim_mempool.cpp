// Ascend.Interop simulator: stream-ordered memory pools (SOMA): the pools and their segments,
// aclrtMemPoolCreate/Destroy/SetAttr/GetAttr/TrimTo, the trim at synchronize, and aclrtFree of pool
// memory. Codes follow hicann/runtime (src/acl/aclrt_impl/memory.cpp, api_impl_soma.cc, soma.cc,
// stream_mem_pool.cc); the runtime's pool errors are not in its public error table, so they surface
// as 507000 (ACL_ERROR_RT_INTERNAL_ERROR), as its error mapping does for every unlisted code.
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "sim_mempool.h"

namespace sim {

namespace {

std::unordered_map<MemPool*, std::unique_ptr<MemPool>>& registry() {
    static auto* r = new std::unordered_map<MemPool*, std::unique_ptr<MemPool>>();
    return *r;
}
std::atomic<int> g_poolCount{0};  // lets a synchronize skip the trim without taking State::mu
uint64_t g_nextTicket = 1;

bool mergeable(const PoolSeg& a, const PoolSeg& b) {
    if (a.kind != b.kind || a.kind == PoolSeg::Busy) return false;
    return a.kind == PoolSeg::Free || (a.streamId == b.streamId && a.freeTicket == b.freeTicket);
}

// Joins neighbouring segments of one kind (CACHED ones only when freed by the same FreeAsync state).
void merge_all(MemPool& pool) {
    auto it = pool.segs.begin();
    while (it != pool.segs.end()) {
        auto next = std::next(it);
        if (next != pool.segs.end() && mergeable(it->second, next->second)) {
            it->second.size += next->second.size;
            pool.segs.erase(next);
        } else {
            it = next;
        }
    }
}

// Cuts segment `it` to `bytes`; the rest becomes a segment of the same kind after it.
void split(MemPool& pool, std::map<uint64_t, PoolSeg>::iterator it, uint64_t bytes) {
    if (it->second.size <= bytes) return;
    PoolSeg rest = it->second;
    rest.size = it->second.size - bytes;
    rest.alloc = nullptr;
    it->second.size = bytes;
    pool.segs.emplace(it->first + bytes, rest);
}

// Registers a BUSY segment as device memory; the pool holds one pin so the generic release paths
// (which free() what they release) never release pool memory.
Alloc* register_segment(MemPool& pool, uint64_t off, uint64_t bytes) {
    State& st = g();
    auto* a = new Alloc();
    a->base = pool.base + off;
    a->size = bytes;
    a->cls = MemClass::Device;
    a->device = pool.device;
    a->id = st.nextId++;
    a->pins = 1;
    a->pool = &pool;
    st.allocs[reinterpret_cast<uintptr_t>(a->base)] = a;
    st.allocById[a->id] = a;
    return a;
}

// The allocation of a segment given back: freed for every later use; deleted unless a running task
// of another stream still pins it (then deleted by a later sweep).
void release_alloc(MemPool& pool, Alloc* a) {
    State& st = g();
    auto it = st.allocs.find(reinterpret_cast<uintptr_t>(a->base));
    if (it != st.allocs.end() && it->second == a) st.allocs.erase(it);
    a->freed = true;
    st.freeEpoch++;
    if (a->pins == 1) {
        st.allocById.erase(a->id);
        delete a;
    } else {
        pool.zombies.push_back(a);
    }
}

void sweep_zombies(MemPool& pool) {
    auto& z = pool.zombies;
    for (auto it = z.begin(); it != z.end();) {
        if ((*it)->pins == 1) {
            g().allocById.erase((*it)->id);
            delete *it;
            it = z.erase(it);
        } else {
            ++it;
        }
    }
}

// Reserved memory goes back to the device: accounting and the pages themselves.
void unreserve(MemPool& pool, uint64_t off, uint64_t bytes) {
    madvise(pool.base + off, bytes, MADV_DONTNEED);
    pool.reserved -= bytes;
    g().devices[pool.device].used -= bytes;
}

void note_used(MemPool& pool, uint64_t bytes) {
    pool.used += bytes;
    pool.usedHigh = std::max(pool.usedHigh, pool.used);
}

}  // namespace

MemPool* find_pool_locked(const void* handle) {
    auto it = registry().find(static_cast<MemPool*>(const_cast<void*>(handle)));
    return it == registry().end() ? nullptr : it->second.get();
}

MemPool* pool_of_address_locked(const void* p) {
    const char* c = static_cast<const char*>(p);
    for (auto& kv : registry()) {
        MemPool& pool = *kv.second;
        if (c >= pool.base && c < pool.base + pool.size) return &pool;
    }
    return nullptr;
}

int pool_alloc_locked(const char* fn, MemPool& pool, uint64_t bytes, uint64_t streamId, void** out) {
    // A cached segment: always the stream's own (stream order makes it safe); another stream's only
    // when a reuse attribute allows it and its FreeAsync already ran on the device.
    const bool crossStream = pool.reuseEventDeps || pool.reuseOpportunistic || pool.reuseInternalDeps;
    auto best = pool.segs.end();
    for (auto it = pool.segs.begin(); it != pool.segs.end(); ++it) {
        const PoolSeg& s = it->second;
        if (s.kind != PoolSeg::Cached || s.size < bytes) continue;
        if (s.streamId != streamId && !(crossStream && s.freeTicket == 0)) continue;
        if (best == pool.segs.end() || s.size < best->second.size) best = it;
    }
    if (best == pool.segs.end()) {
        for (auto it = pool.segs.begin(); it != pool.segs.end(); ++it) {
            const PoolSeg& s = it->second;
            if (s.kind == PoolSeg::Free && s.size >= bytes && (best == pool.segs.end() || s.size < best->second.size))
                best = it;
        }
        if (best == pool.segs.end())
            return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn,
                        "the pool (%llu bytes, %llu in use, %llu reserved) has no room for %llu bytes; free memory "
                        "with aclrtMemPoolFreeAsync or create a larger pool",
                        static_cast<unsigned long long>(pool.size), static_cast<unsigned long long>(pool.used),
                        static_cast<unsigned long long>(pool.reserved), static_cast<unsigned long long>(bytes));
        Device& d = g().devices[pool.device];
        if (bytes > d.total - d.used)
            return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn,
                        "out of device memory on device %d: the pool needs %llu more bytes, %zu of %zu free",
                        pool.device, static_cast<unsigned long long>(bytes), d.total - d.used, d.total);
        d.used += bytes;
        pool.reserved += bytes;
        pool.reservedHigh = std::max(pool.reservedHigh, pool.reserved);
    }
    split(pool, best, bytes);
    PoolSeg& s = best->second;
    s.kind = PoolSeg::Busy;
    s.streamId = streamId;
    s.freeTicket = 0;
    s.alloc = register_segment(pool, best->first, bytes);
    note_used(pool, bytes);
    *out = s.alloc->base;
    return ACL_SUCCESS;
}

int pool_free_locked(const char* fn, MemPool& pool, void* p, uint64_t streamId, uint64_t* ticket, Alloc** alloc) {
    auto it = pool.segs.find(static_cast<uint64_t>(static_cast<char*>(p) - pool.base));
    if (it == pool.segs.end() || it->second.kind != PoolSeg::Busy)
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn,
                    "%p lies in a memory pool but is not the start of a live allocation from it (freed already, or "
                    "an address inside an allocation)",
                    p);
    PoolSeg& s = it->second;
    *alloc = s.alloc;
    *ticket = g_nextTicket++;
    // New work can no longer name the address; work queued before the free still runs on it.
    auto a = g().allocs.find(reinterpret_cast<uintptr_t>(p));
    if (a != g().allocs.end() && a->second == s.alloc) g().allocs.erase(a);
    pool.used -= s.size;
    s.kind = PoolSeg::Cached;
    s.streamId = streamId;
    s.freeTicket = *ticket;
    s.alloc = nullptr;
    pool.pendingFrees++;
    merge_all(pool);
    return ACL_SUCCESS;
}

void pool_free_ran_locked(MemPool& pool, uint64_t ticket, Alloc* alloc) {
    for (auto& kv : pool.segs)
        if (kv.second.kind == PoolSeg::Cached && kv.second.freeTicket == ticket) kv.second.freeTicket = 0;
    merge_all(pool);
    pool.pendingFrees--;
    release_alloc(pool, alloc);
}

void pool_trim_locked(MemPool& pool, uint64_t keep) {
    sweep_zombies(pool);
    // Smallest idle segments first, as CANN trims; the last one is cut at a 2 MiB boundary, so at most
    // keep + 2 MiB - 1 bytes stay reserved. Segments whose FreeAsync has not run yet are not touched.
    std::vector<std::pair<uint64_t, uint64_t>> idle;  // size, offset
    for (auto& kv : pool.segs)
        if (kv.second.kind == PoolSeg::Cached && kv.second.freeTicket == 0) idle.emplace_back(kv.second.size, kv.first);
    std::sort(idle.begin(), idle.end());
    for (auto& [size, off] : idle) {
        if (pool.reserved <= keep) break;
        uint64_t cut = std::min(size, (pool.reserved - keep) / kPoolBlock * kPoolBlock);
        if (cut == 0) break;
        auto it = pool.segs.find(off);
        split(pool, it, cut);
        it->second.kind = PoolSeg::Free;
        it->second.streamId = 0;
        unreserve(pool, off, cut);
    }
    merge_all(pool);
}

}  // namespace sim

using namespace sim;

namespace sim {

// aclrtFree of pool memory (free_alloc calls it with State::mu held). CANN 9.2 gives the segment back
// to the pool at once and releases its memory (DevFree then MemPoolFreeSync); CANN 9.1's aclrtFree
// does not know pool memory, so the simulator refuses it there.
int mempool_free_sync_locked(const char* fn, Alloc* a) {
    MemPool& pool = *a->pool;
    if (!pool_cann_at_least(9, 2))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%p is memory of a stream-ordered pool; give it back with aclrtMemPoolFreeAsync (aclrtFree takes "
                    "pool memory from CANN 9.2 on)",
                    static_cast<void*>(a->base));
    const uint64_t off = static_cast<uint64_t>(a->base - pool.base);
    auto it = pool.segs.find(off);
    PoolSeg& s = it->second;
    pool.used -= s.size;
    s.kind = PoolSeg::Free;
    s.alloc = nullptr;
    unreserve(pool, off, s.size);
    release_alloc(pool, a);
    merge_all(pool);
    return ACL_SUCCESS;
}

void mempool_trim_implicit() {
    if (g_poolCount.load(std::memory_order_relaxed) == 0) return;
    std::lock_guard<std::mutex> l(g().mu);
    // CANN trims every pool to its release threshold; its TrimTo refuses a target below the memory in
    // use, so a pool whose threshold is below that keeps everything it reserved.
    for (auto& kv : registry()) {
        MemPool& pool = *kv.second;
        if (pool.releaseThreshold >= pool.used) pool_trim_locked(pool, pool.releaseThreshold);
    }
}

void mempool_release_all_locked() {
    State& st = g();
    for (auto& kv : registry()) {
        MemPool& pool = *kv.second;
        for (auto& seg : pool.segs) {
            if (Alloc* a = seg.second.alloc) {
                st.allocs.erase(reinterpret_cast<uintptr_t>(a->base));
                st.allocById.erase(a->id);
                delete a;
            }
        }
        for (Alloc* a : pool.zombies) {
            st.allocById.erase(a->id);
            delete a;
        }
        if (pool.device >= 0 && static_cast<size_t>(pool.device) < st.devices.size())
            st.devices[pool.device].used -= pool.reserved;
        munmap(pool.base, pool.size);
    }
    registry().clear();
    g_poolCount.store(0);
}

}  // namespace sim

namespace {

int pool_arg(const char* fn, const void* memPool) { return need_arg(fn, memPool, "memPool"); }

int check_props(const char* fn, const aclrtMemPoolProps* p) {
    if (p->allocType != ACL_MEM_ALLOCATION_TYPE_PINNED)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "poolProps->allocType %d is not ACL_MEM_ALLOCATION_TYPE_PINNED",
                    static_cast<int>(p->allocType));
    if (p->location.type != ACL_MEM_LOCATION_TYPE_DEVICE)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "poolProps->location.type %d is not ACL_MEM_LOCATION_TYPE_DEVICE",
                    static_cast<int>(p->location.type));
    for (unsigned char b : p->reserved)
        if (b) return fail(ACL_ERROR_INVALID_PARAM, fn, "poolProps->reserved must be all zero");
    return ACL_SUCCESS;
}

// A pool attribute's value: uint32_t for the reuse switches (1..3), uint64_t for the rest (4..8).
bool is_reuse_attr(aclrtMemPoolAttr a) {
    return a >= ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES && a <= ACL_RT_MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES;
}

int bad_attr(const char* fn, aclrtMemPoolAttr attr) {
    return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "invalid pool attribute %d (1 to 8)", static_cast<int>(attr));
}

int set_attr_locked(const char* fn, MemPool& pool, aclrtMemPoolAttr attr, const void* value) {
    if (is_reuse_attr(attr)) {
        uint32_t v = *static_cast<const uint32_t*>(value) != 0 ? 1u : 0u;
        if (attr == ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES) pool.reuseEventDeps = v;
        else if (attr == ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC) pool.reuseOpportunistic = v;
        else pool.reuseInternalDeps = v;
        return ACL_SUCCESS;
    }
    const uint64_t v = *static_cast<const uint64_t*>(value);
    switch (attr) {
        case ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD:
            if (v > pool.size)
                return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "release threshold %llu exceeds the pool size %llu",
                            static_cast<unsigned long long>(v), static_cast<unsigned long long>(pool.size));
            pool.releaseThreshold = v;
            return ACL_SUCCESS;
        case ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH:
        case ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH:
            if (v != 0)
                return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "a high-water mark can only be reset, to 0 (got %llu)",
                            static_cast<unsigned long long>(v));
            (attr == ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH ? pool.reservedHigh : pool.usedHigh) = 0;
            return ACL_SUCCESS;
        default:
            return bad_attr(fn, attr);
    }
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclrtMemPoolCreate(aclrtMemPool* memPool, const aclrtMemPoolProps* poolProps) {
    const char* fn = "aclrtMemPoolCreate";
    ApiCall call = enter_context(fn, [&] {
        if (int rc = pool_arg(fn, memPool)) return rc;
        if (int rc = need_arg(fn, poolProps, "poolProps")) return rc;
        return check_props(fn, poolProps);
    });
    if (call.rc) return call.rc;
    State& st = g();
    if (poolProps->handleType != ACL_MEM_HANDLE_TYPE_NONE)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                    "handle type %d: shareable (IPC) pools are not simulated; use ACL_MEM_HANDLE_TYPE_NONE",
                    static_cast<int>(poolProps->handleType));
    const uint32_t dev = poolProps->location.id;
    if (dev >= st.devices.size())
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, fn, "poolProps->location.id %u is not a device (%zu devices)", dev,
                    st.devices.size());
    const uint64_t total = st.devices[dev].total;
    uint64_t size = poolProps->maxSize == 0 ? total / kPoolBlock * kPoolBlock
                                            : (poolProps->maxSize + kPoolBlock - 1) / kPoolBlock * kPoolBlock;
    if (size > total || size == 0)
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "pool size %llu exceeds the device's %llu bytes of memory",
                    static_cast<unsigned long long>(size), static_cast<unsigned long long>(total));
    // Address space only: pages are backed when written and given back by a trim.
    void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "the host could not reserve %llu bytes of address space",
                    static_cast<unsigned long long>(size));
    auto pool = std::make_unique<MemPool>();
    pool->device = static_cast<int32_t>(dev);
    pool->base = static_cast<char*>(mem);
    pool->size = size;
    pool->segs[0] = PoolSeg{PoolSeg::Free, size, 0, 0, nullptr};
    *memPool = pool.get();
    registry().emplace(pool.get(), std::move(pool));
    g_poolCount.fetch_add(1);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemPoolDestroy(const aclrtMemPool memPool) {
    const char* fn = "aclrtMemPoolDestroy";
    ApiCall call = enter_locked(fn, [&] { return pool_arg(fn, memPool); });
    if (call.rc) return call.rc;
    MemPool* pool = find_pool_locked(memPool);
    if (!pool) return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "%p is not a live memory pool", memPool);
    sweep_zombies(*pool);
    if (pool->used || pool->pendingFrees || !pool->zombies.empty())
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn,
                    "the pool still has %llu bytes allocated and %d FreeAsync(s) not yet run; free its memory and "
                    "synchronize the streams first",
                    static_cast<unsigned long long>(pool->used), pool->pendingFrees);
    g().devices[pool->device].used -= pool->reserved;
    munmap(pool->base, pool->size);
    registry().erase(pool);
    g_poolCount.fetch_sub(1);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemPoolSetAttr(aclrtMemPool memPool, aclrtMemPoolAttr attr, void* value) {
    const char* fn = "aclrtMemPoolSetAttr";
    ApiCall call = enter_locked(fn, [&] { return pool_arg(fn, memPool); });
    if (call.rc) return call.rc;
    if (!value) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "value is NULL");
    if (attr == ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT || attr == ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT)
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "attribute %d is read-only", static_cast<int>(attr));
    MemPool* pool = find_pool_locked(memPool);
    if (!pool) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a live memory pool", memPool);
    return set_attr_locked(fn, *pool, attr, value);
}

ACL_FUNC_VISIBILITY aclError aclrtMemPoolGetAttr(aclrtMemPool memPool, aclrtMemPoolAttr attr, void* value) {
    const char* fn = "aclrtMemPoolGetAttr";
    ApiCall call = enter_locked(fn, [&] { return pool_arg(fn, memPool); });
    if (call.rc) return call.rc;
    if (!value) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "value is NULL");
    MemPool* pool = find_pool_locked(memPool);
    if (!pool) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a live memory pool", memPool);
    switch (attr) {
        case ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES: *static_cast<uint32_t*>(value) = pool->reuseEventDeps; break;
        case ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC: *static_cast<uint32_t*>(value) = pool->reuseOpportunistic; break;
        case ACL_RT_MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES: *static_cast<uint32_t*>(value) = pool->reuseInternalDeps; break;
        case ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD: *static_cast<uint64_t*>(value) = pool->releaseThreshold; break;
        case ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT: *static_cast<uint64_t*>(value) = pool->reserved; break;
        case ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH: *static_cast<uint64_t*>(value) = pool->reservedHigh; break;
        case ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT: *static_cast<uint64_t*>(value) = pool->used; break;
        case ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH: *static_cast<uint64_t*>(value) = pool->usedHigh; break;
        default: return bad_attr(fn, attr);
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemPoolTrimTo(aclrtMemPool memPool, size_t minBytesToKeep) {
    const char* fn = "aclrtMemPoolTrimTo";
    if (int rc = pool_require_cann(fn, 9, 1)) return rc;
    ApiCall call = enter_context(fn, [&] { return pool_arg(fn, memPool); });
    if (call.rc) return call.rc;
    MemPool* pool = find_pool_locked(memPool);
    if (!pool) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a live memory pool", memPool);
    if (minBytesToKeep > pool->size)
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "minBytesToKeep %zu exceeds the pool size %llu", minBytesToKeep,
                    static_cast<unsigned long long>(pool->size));
    if (minBytesToKeep >= pool->reserved) return ACL_SUCCESS;
    if (minBytesToKeep < pool->used)
        return fail(ACL_ERROR_RT_INTERNAL_ERROR, fn, "minBytesToKeep %zu is below the %llu bytes in use",
                    minBytesToKeep, static_cast<unsigned long long>(pool->used));
    pool_trim_locked(*pool, minBytesToKeep);
    return ACL_SUCCESS;
}

}  // extern "C"
