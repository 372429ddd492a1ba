// Ascend.Interop simulator: the stream-ordered memory pool ("SOMA", acl/acl_rt_memory_soma.h), shared by
// sim_mempool.cpp (pools, attributes, trimming) and sim_mempool_async.cpp (MallocAsync, FreeAsync).
//
// A pool is one range of simulated device memory (maxSize bytes of address space, reserved with
// mmap and backed only where used) cut into segments of 2 MiB multiples. A segment is FREE (not
// reserved: no device memory accounted), CACHED (reserved, idle: given back by a FreeAsync) or BUSY
// (allocated: registered as device memory like an aclrtMalloc block, so copies, kernels and captures
// check it as such). Reserved memory (CACHED + BUSY) counts against the device in aclrtGetMemInfo.
// Guarded by State::mu.
#pragma once

#include <map>
#include <vector>

#include "sim_state.h"
#include "acl/acl_rt_memory_soma.h"

namespace sim {

// The CANN version the simulator presents (MallocAsync, FreeAsync and TrimTo came with 9.1; aclrtFree takes
// pool memory from 9.2). Until the presentation (ASCEND_SIM_CANN_VERSION) is in the core: the newest.
inline bool pool_cann_at_least(int, int) { return true; }
inline int pool_require_cann(const char*, int, int) { return ACL_SUCCESS; }

constexpr uint64_t kPoolBlock = uint64_t{2} << 20;  // allocation and pool-size granularity (2 MiB)

struct PoolSeg {
    enum Kind { Free, Cached, Busy } kind = Free;
    uint64_t size = 0;
    uint64_t streamId = 0;   // CACHED: the stream whose FreeAsync gave it back
    uint64_t freeTicket = 0; // CACHED: the FreeAsync that gave it back has not run yet (0 = it ran)
    Alloc* alloc = nullptr;  // BUSY: the registered allocation (holds one pin for the pool)
};

struct MemPool {
    int32_t device = -1;
    char* base = nullptr;
    uint64_t size = 0;
    std::map<uint64_t, PoolSeg> segs;  // by offset; together they cover [0, size)
    // Attributes (aclrtMemPoolAttr 1..4; the reuse switches read back as 0 or 1).
    uint32_t reuseEventDeps = 0;
    uint32_t reuseOpportunistic = 0;
    uint32_t reuseInternalDeps = 0;
    uint64_t releaseThreshold = 0;
    // Accounting (attributes 5..8).
    uint64_t reserved = 0;
    uint64_t reservedHigh = 0;
    uint64_t used = 0;
    uint64_t usedHigh = 0;
    int pendingFrees = 0;        // FreeAsync tasks queued, not run yet
    std::vector<Alloc*> zombies; // freed while a task of another stream still pinned them
};

// The live pool of a handle, or NULL.
MemPool* find_pool_locked(const void* handle);
// The live pool whose range holds `p`, or NULL.
MemPool* pool_of_address_locked(const void* p);
// Allocates `bytes` (a multiple of kPoolBlock) for work on stream `streamId`: a cached segment the
// stream may reuse, else fresh memory. Returns the code (message recorded); *out the address.
int pool_alloc_locked(const char* fn, MemPool& pool, uint64_t bytes, uint64_t streamId, void** out);
// The host side of a FreeAsync of the BUSY segment at `p`: the segment goes CACHED for `streamId`
// with a ticket the device side (pool_free_ran_locked) clears. Returns the code (message recorded).
int pool_free_locked(const char* fn, MemPool& pool, void* p, uint64_t streamId, uint64_t* ticket, Alloc** alloc);
// The device side of that FreeAsync (on the stream worker): the allocation is released and the
// segment may serve other streams.
void pool_free_ran_locked(MemPool& pool, uint64_t ticket, Alloc* alloc);
// Returns idle (CACHED, freed on the device) memory until no more than `keep` bytes stay reserved.
void pool_trim_locked(MemPool& pool, uint64_t keep);

}  // namespace sim
