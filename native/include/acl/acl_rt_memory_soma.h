/* Ascend.Interop: the stream-ordered memory pool ("SOMA") of the CANN runtime, CANN 9.1 form
 * (CANN 9.0 named this header acl_rt_memory.h and had no MallocAsync/FreeAsync/TrimTo).
 * Like CANN's, acl/acl.h does not include it. Written from cann-graph-api-9.x.md section 8;
 * compiles as C11 and C++17. */
#ifndef ASCEND_INTEROP_ACL_RT_MEMORY_SOMA_H
#define ASCEND_INTEROP_ACL_RT_MEMORY_SOMA_H

#include <stddef.h>
#include "acl_base.h"
#include "acl_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *aclrtMemPool;

/* Pool attributes; values are uint64_t unless noted. RESERVED_MEM_CURRENT and USED_MEM_CURRENT are read-only. */
typedef enum aclrtMemPoolAttr {
    ACL_RT_MEM_POOL_REUSE_FOLLOW_EVENT_DEPENDENCIES = 0x1,
    ACL_RT_MEM_POOL_REUSE_ALLOW_OPPORTUNISTIC = 0x2,
    ACL_RT_MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES = 0x3,
    ACL_RT_MEM_POOL_ATTR_RELEASE_THRESHOLD = 0x4,
    ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_CURRENT = 0x5,
    ACL_RT_MEM_POOL_ATTR_RESERVED_MEM_HIGH = 0x6,
    ACL_RT_MEM_POOL_ATTR_USED_MEM_CURRENT = 0x7,
    ACL_RT_MEM_POOL_ATTR_USED_MEM_HIGH = 0x8
} aclrtMemPoolAttr;

typedef struct {
    aclrtMemAllocationType allocType;
    aclrtMemHandleType handleType;
    aclrtMemLocation location;
    size_t maxSize;              /* the most the pool may reserve */
    unsigned char reserved[32];
} aclrtMemPoolProps;

/* Creates a pool of device memory. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolCreate(aclrtMemPool *memPool, const aclrtMemPoolProps *poolProps);
/* Destroys a pool. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolDestroy(const aclrtMemPool memPool);
/* Sets one attribute from *value. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolSetAttr(aclrtMemPool memPool, aclrtMemPoolAttr attr, void *value);
/* Reads one attribute into *value. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolGetAttr(aclrtMemPool memPool, aclrtMemPoolAttr attr, void *value);
/* CANN 9.1+: allocates from the pool in stream order (size rounded up to 2 MiB); the address is
 * returned at once and usable by work queued on the stream after this call. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolMallocAsync(void **ptr, size_t size, aclrtMemPool memPool, aclrtStream stream);
/* CANN 9.1+: returns pool memory to its pool in stream order (other aclrtMalloc memory is freed). */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolFreeAsync(void *ptr, aclrtStream stream);
/* CANN 9.1+: releases idle pool memory above minBytesToKeep. */
ACL_FUNC_VISIBILITY aclError aclrtMemPoolTrimTo(aclrtMemPool memPool, size_t minBytesToKeep);

#ifdef __cplusplus
}
#endif

#endif
