/* Ascend.Interop: the HCCL subset this SDK supports (libhccl.so on CANN, libascend_sim.so in the
 * simulator). Function names and parameter lists follow CANN's hccl/hccl.h; the declarations are
 * our own. Every collective is a task on `stream`: the call returns once the task is queued, the
 * data is final when the stream is synchronized, and a capturing stream records it into the graph. */
#ifndef ASCEND_INTEROP_HCCL_H
#define ASCEND_INTEROP_HCCL_H

#include <stdint.h>
#include "hccl_types.h"
#include "../acl/acl.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HCCL_FUNC_VISIBILITY
#define HCCL_FUNC_VISIBILITY __attribute__((visibility("default")))
#endif

/* Rank 0 only: makes the rendezvous token for one communicator. */
HCCL_FUNC_VISIBILITY HcclResult HcclGetRootInfo(HcclRootInfo *rootInfo);

/* Every rank (one per process or thread, with its device current): joins the communicator of
 * `rootInfo` as `rank` of `nRanks`. Blocks until all ranks joined or the connect timeout. */
HCCL_FUNC_VISIBILITY HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo *rootInfo, uint32_t rank,
                                                     HcclComm *comm);

/* One process, `ndev` devices: makes one communicator per device (comms[i] is rank i, on devices[i]). */
HCCL_FUNC_VISIBILITY HcclResult HcclCommInitAll(uint32_t ndev, int32_t *devices, HcclComm *comms);

HCCL_FUNC_VISIBILITY HcclResult HcclCommDestroy(HcclComm comm);

HCCL_FUNC_VISIBILITY HcclResult HcclGetRankSize(HcclComm comm, uint32_t *rankSize);
HCCL_FUNC_VISIBILITY HcclResult HcclGetRankId(HcclComm comm, uint32_t *rank);

/* recvBuf[i] = op over ranks of sendBuf[i], `count` elements. */
HCCL_FUNC_VISIBILITY HcclResult HcclAllReduce(void *sendBuf, void *recvBuf, uint64_t count, HcclDataType dataType,
                                              HcclReduceOp op, HcclComm comm, aclrtStream stream);

/* buf of rank `root` is copied into buf of every rank. */
HCCL_FUNC_VISIBILITY HcclResult HcclBroadcast(void *buf, uint64_t count, HcclDataType dataType, uint32_t root,
                                              HcclComm comm, aclrtStream stream);

/* recvBuf (recvCount elements) of rank r = op over ranks of sendBuf[r*recvCount, (r+1)*recvCount). */
HCCL_FUNC_VISIBILITY HcclResult HcclReduceScatter(void *sendBuf, void *recvBuf, uint64_t recvCount,
                                                  HcclDataType dataType, HcclReduceOp op, HcclComm comm,
                                                  aclrtStream stream);

/* recvBuf[r*sendCount, (r+1)*sendCount) = sendBuf of rank r. */
HCCL_FUNC_VISIBILITY HcclResult HcclAllGather(void *sendBuf, void *recvBuf, uint64_t sendCount,
                                              HcclDataType dataType, HcclComm comm, aclrtStream stream);

/* Point to point: a Send to `destRank` pairs with a Recv from this rank there, in issue order. */
HCCL_FUNC_VISIBILITY HcclResult HcclSend(void *sendBuf, uint64_t count, HcclDataType dataType, uint32_t destRank,
                                         HcclComm comm, aclrtStream stream);
HCCL_FUNC_VISIBILITY HcclResult HcclRecv(void *recvBuf, uint64_t count, HcclDataType dataType, uint32_t srcRank,
                                         HcclComm comm, aclrtStream stream);

HCCL_FUNC_VISIBILITY HcclResult HcclBarrier(HcclComm comm, aclrtStream stream);

/* The error a collective of `comm` met while running on its stream (HCCL_SUCCESS when none):
 * stream synchronization reports only that a task failed, this names the HCCL cause. */
HCCL_FUNC_VISIBILITY HcclResult HcclGetCommAsyncError(HcclComm comm, HcclResult *asyncError);

#ifdef __cplusplus
}
#endif

#endif
