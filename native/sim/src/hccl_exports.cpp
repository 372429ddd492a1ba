// Ascend.Interop simulator, HCCL object: the exported HCCL subset (hccl/hccl.h). Argument checks happen here, at
// the call; every collective is then a stream task (Host::submit): it runs on the stream's worker, ordered with
// everything else on that stream, and a capturing stream records it into the graph.
#include <set>
#include <vector>

#include "hccl_internal.h"

namespace sim {
namespace hccl {
namespace {

// A stream of the communicator's device (not NULL: HCCL needs an explicit stream).
HcclResult check_stream(const char* fn, const Comm& c, aclrtStream stream) {
    if (!stream) return hfail(HCCL_E_PTR, fn, "stream is NULL; HCCL collectives need a created stream");
    int32_t dev = host().stream_device(fn, stream);
    if (dev < 0) {
        std::string why = host().recent_error();
        return hfail(HCCL_E_PARA, fn, "stream %p is not usable here: %s", stream, why.c_str());
    }
    if (dev != c.device)
        return hfail(HCCL_E_PARA, fn, "stream %p belongs to device %d but the communicator (rank %u) is on device %d",
                     stream, dev, c.rank, c.device);
    return HCCL_SUCCESS;
}

// A device buffer of `bytes` on the communicator's device, aligned to its element size.
HcclResult check_buffer(const char* fn, const char* name, const Comm& c, const void* p, uint64_t bytes, size_t align,
                        bool write, std::vector<TaskBuffer>& out) {
    if (!p) return hfail(HCCL_E_PTR, fn, "%s is NULL", name);
    if (reinterpret_cast<uintptr_t>(p) % align)
        return hfail(HCCL_E_PARA, fn, "%s %p is not aligned to %zu bytes (its element size)", name, p, align);
    MemRegion r;
    if (!host().device_range(p, bytes, &r))
        return hfail(HCCL_E_PARA, fn,
                     "%s %p (%llu bytes) is not inside one device allocation (aclrtMalloc); HCCL buffers must be "
                     "device memory",
                     name, p, static_cast<unsigned long long>(bytes));
    if (r.device != c.device)
        return hfail(HCCL_E_PARA, fn, "%s %p is memory of device %d but the communicator is on device %d", name, p,
                     r.device, c.device);
    TaskBuffer b;
    b.ptr = p;
    b.bytes = bytes;
    b.allocationId = r.allocationId;
    b.write = write;
    out.push_back(b);
    return HCCL_SUCCESS;
}

// The checks every data-moving call shares: the communicator, the data type, a non-zero count.
HcclResult check_common(const char* fn, HcclComm comm, HcclDataType dataType, uint64_t count, const char* countName,
                        std::shared_ptr<Comm>* c) {
    if (HcclResult rc = find_comm(fn, comm, c)) return rc;
    if (HcclResult rc = check_dtype(fn, dataType)) return rc;
    if (count == 0) return hfail(HCCL_E_PARA, fn, "%s is 0", countName);
    return HCCL_SUCCESS;
}

// Queues `k` as a stream task touching `buffers` (after the stream check, the last argument check).
HcclResult submit_collective(const char* fn, const std::shared_ptr<Comm>& c, aclrtStream stream, const Collective& k,
                             std::vector<TaskBuffer>&& buffers) {
    if (HcclResult rc = check_stream(fn, *c, stream)) return rc;
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.buffers = std::move(buffers);
    t.run = [c, k]() { return run_collective(c, k); };
    if (host().submit(fn, stream, std::move(t)) != ACL_SUCCESS) {
        std::string why = host().recent_error();
        return hfail(HCCL_E_RUNTIME, fn, "the task could not be queued on stream %p: %s", stream, why.c_str());
    }
    return HCCL_SUCCESS;
}

HcclResult point_to_point(const char* fn, Kind kind, void* buf, uint64_t count, HcclDataType dataType, uint32_t peer,
                          HcclComm comm, aclrtStream stream) {
    const bool send = kind == Kind::Send;
    std::shared_ptr<Comm> c;
    if (HcclResult rc = check_common(fn, comm, dataType, count, "count", &c)) return rc;
    const char* peerName = send ? "destRank" : "srcRank";
    if (peer >= c->size) return hfail(HCCL_E_PARA, fn, "%s %u is not a rank (rank size %u)", peerName, peer, c->size);
    if (peer == c->rank)
        return hfail(HCCL_E_PARA, fn, "%s %u is this rank; a rank cannot %s itself", peerName, peer,
                     send ? "send to" : "receive from");
    size_t w = dtype_bytes(dataType);
    std::vector<TaskBuffer> bufs;
    if (HcclResult rc = check_buffer(fn, send ? "sendBuf" : "recvBuf", *c, buf, count * w, w, !send, bufs)) return rc;
    Collective k;
    k.kind = kind;
    k.count = count;
    k.dtype = dataType;
    k.root = peer;
    (send ? k.send : k.recv) = buf;
    return submit_collective(fn, c, stream, k, std::move(bufs));
}

// The calls with a send and a receive buffer (AllReduce, AllGather, ReduceScatter): `count` elements per rank on the
// small side, Size times that on the other; `op` only for the reductions.
HcclResult two_buffers(const char* fn, Kind kind, void* sendBuf, void* recvBuf, uint64_t count, const char* countName,
                       HcclDataType dataType, const HcclReduceOp* op, HcclComm comm, aclrtStream stream) {
    std::shared_ptr<Comm> c;
    if (HcclResult rc = check_common(fn, comm, dataType, count, countName, &c)) return rc;
    if (op) {
        if (HcclResult rc = check_reduce(fn, dataType, *op)) return rc;
    }
    size_t w = dtype_bytes(dataType);
    uint64_t sendElems = count * (kind == Kind::ReduceScatter ? c->size : 1);
    uint64_t recvElems = count * (kind == Kind::AllGather ? c->size : 1);
    std::vector<TaskBuffer> bufs;
    if (HcclResult rc = check_buffer(fn, "sendBuf", *c, sendBuf, sendElems * w, w, false, bufs)) return rc;
    if (HcclResult rc = check_buffer(fn, "recvBuf", *c, recvBuf, recvElems * w, w, true, bufs)) return rc;
    Collective k;
    k.kind = kind;
    k.count = count;
    k.dtype = dataType;
    if (op) k.op = *op;
    k.send = sendBuf;
    k.recv = recvBuf;
    return submit_collective(fn, c, stream, k, std::move(bufs));
}

// A property of a live communicator written to `out` (HcclGetRankSize, HcclGetRankId, HcclGetCommAsyncError).
template <typename T, typename Read>
HcclResult query(const char* fn, HcclComm comm, T* out, const char* outName, Read read) {
    if (!host_or_null()) return HCCL_E_INTERNAL;
    std::shared_ptr<Comm> c;
    if (HcclResult rc = find_comm(fn, comm, &c)) return rc;
    if (!out) return hfail(HCCL_E_PTR, fn, "%s is NULL", outName);
    *out = read(*c);
    return HCCL_SUCCESS;
}

}  // namespace
}  // namespace hccl
}  // namespace sim

using namespace sim;
using namespace sim::hccl;

// Entry check of every export: the runtime interface of this build, then aclInit and armed faults.
#define HCCL_ENTER(fn)                                                                                            \
    do {                                                                                                          \
        if (!host_or_null()) return HCCL_E_INTERNAL;                                                              \
        if (host().enter(fn) != ACL_SUCCESS)                                                                      \
            return hfail(HCCL_E_RUNTIME, fn, "AscendCL is not initialized or the call was refused (aclInit first)"); \
    } while (0)

extern "C" {

HCCL_FUNC_VISIBILITY HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo) {
    const char* fn = "HcclGetRootInfo";
    HCCL_ENTER(fn);
    if (!rootInfo) return hfail(HCCL_E_PTR, fn, "rootInfo is NULL");
    return make_root_info(fn, rootInfo);
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank,
                                                     HcclComm* comm) {
    const char* fn = "HcclCommInitRootInfo";
    HCCL_ENTER(fn);
    if (!rootInfo) return hfail(HCCL_E_PTR, fn, "rootInfo is NULL");
    if (!comm) return hfail(HCCL_E_PTR, fn, "comm is NULL");
    if (nRanks == 0) return hfail(HCCL_E_PARA, fn, "nRanks is 0");
    if (rank >= nRanks) return hfail(HCCL_E_PARA, fn, "rank %u is not below nRanks %u", rank, nRanks);
    int32_t device = host().current_device();
    if (device < 0)
        return hfail(HCCL_E_RUNTIME, fn, "no current device on this thread; call aclrtSetDevice before creating a communicator");
    std::string why;
    if (!host().take_streams(&device, 1, &why)) return hfail(HCCL_E_RUNTIME, fn, "%s", why.c_str());
    auto c = std::make_shared<Comm>();
    c->rank = rank;
    c->size = nRanks;
    c->device = device;
    c->timeout = timeout_from_env();
    c->holdsStream = true;
    if (HcclResult rc = join_root_info(fn, *rootInfo, *c)) {
        host().give_stream(device);
        return rc;
    }
    *comm = publish(c);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommInitAll(uint32_t ndev, int32_t* devices, HcclComm* comms) {
    const char* fn = "HcclCommInitAll";
    HCCL_ENTER(fn);
    if (!devices) return hfail(HCCL_E_PTR, fn, "devices is NULL");
    if (!comms) return hfail(HCCL_E_PTR, fn, "comms is NULL");
    if (ndev == 0) return hfail(HCCL_E_PARA, fn, "ndev is 0");
    int32_t count = host().device_count();
    std::set<int32_t> seen;
    for (uint32_t i = 0; i < ndev; ++i) {
        if (devices[i] < 0 || devices[i] >= count)
            return hfail(HCCL_E_PARA, fn, "devices[%u] = %d is not a device (device count %d)", i, devices[i], count);
        if (!seen.insert(devices[i]).second)
            return hfail(HCCL_E_PARA, fn, "devices[%u] = %d appears twice; one rank per device", i, devices[i]);
    }
    std::string why;
    if (!host().take_streams(devices, ndev, &why)) return hfail(HCCL_E_RUNTIME, fn, "%s", why.c_str());
    std::vector<std::shared_ptr<Comm>> cs(ndev);
    for (uint32_t i = 0; i < ndev; ++i) {
        cs[i] = std::make_shared<Comm>();
        cs[i]->rank = i;
        cs[i]->size = ndev;
        cs[i]->device = devices[i];
        cs[i]->timeout = timeout_from_env();
        cs[i]->holdsStream = true;
    }
    if (HcclResult rc = join_local(fn, cs.data(), ndev)) {
        for (uint32_t i = 0; i < ndev; ++i) host().give_stream(devices[i]);
        return rc;
    }
    for (uint32_t i = 0; i < ndev; ++i) comms[i] = publish(cs[i]);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommDestroy(HcclComm comm) {
    const char* fn = "HcclCommDestroy";
    if (!host_or_null()) return HCCL_E_INTERNAL;
    if (!comm) return hfail(HCCL_E_PTR, fn, "comm is NULL");
    std::shared_ptr<Comm> c;
    if (!retire_comm(comm, &c))
        return hfail(HCCL_E_PARA, fn, "comm %p is not a live communicator (destroyed twice or never created)", comm);
    c->destroyed.store(true);
    {
        // Waits for a collective in flight (bounded by the execution timeout), then closes the transport.
        std::lock_guard<std::mutex> l(c->opMu);
        c->ctx.reset();
    }
    if (c->holdsStream) host().give_stream(c->device);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetRankSize(HcclComm comm, uint32_t* rankSize) {
    return query("HcclGetRankSize", comm, rankSize, "rankSize", [](const Comm& c) { return c.size; });
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetRankId(HcclComm comm, uint32_t* rank) {
    return query("HcclGetRankId", comm, rank, "rank", [](const Comm& c) { return c.rank; });
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetCommAsyncError(HcclComm comm, HcclResult* asyncError) {
    return query("HcclGetCommAsyncError", comm, asyncError, "asyncError",
                 [](const Comm& c) { return static_cast<HcclResult>(c.asyncError.load()); });
}

HCCL_FUNC_VISIBILITY HcclResult HcclAllReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType,
                                              HcclReduceOp op, HcclComm comm, aclrtStream stream) {
    HCCL_ENTER("HcclAllReduce");
    return two_buffers("HcclAllReduce", Kind::AllReduce, sendBuf, recvBuf, count, "count", dataType, &op, comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclBroadcast(void* buf, uint64_t count, HcclDataType dataType, uint32_t root,
                                              HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclBroadcast";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (HcclResult rc = check_common(fn, comm, dataType, count, "count", &c)) return rc;
    if (root >= c->size) return hfail(HCCL_E_PARA, fn, "root %u is not a rank (rank size %u)", root, c->size);
    size_t w = dtype_bytes(dataType);
    std::vector<TaskBuffer> bufs;
    if (HcclResult rc = check_buffer(fn, "buf", *c, buf, count * w, w, c->rank != root, bufs)) return rc;
    Collective k;
    k.kind = Kind::Broadcast;
    k.count = count;
    k.dtype = dataType;
    k.root = root;
    k.send = k.recv = buf;
    return submit_collective(fn, c, stream, k, std::move(bufs));
}

HCCL_FUNC_VISIBILITY HcclResult HcclAllGather(void* sendBuf, void* recvBuf, uint64_t sendCount, HcclDataType dataType,
                                              HcclComm comm, aclrtStream stream) {
    HCCL_ENTER("HcclAllGather");
    return two_buffers("HcclAllGather", Kind::AllGather, sendBuf, recvBuf, sendCount, "sendCount", dataType, nullptr, comm,
                       stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclReduceScatter(void* sendBuf, void* recvBuf, uint64_t recvCount,
                                                  HcclDataType dataType, HcclReduceOp op, HcclComm comm,
                                                  aclrtStream stream) {
    HCCL_ENTER("HcclReduceScatter");
    return two_buffers("HcclReduceScatter", Kind::ReduceScatter, sendBuf, recvBuf, recvCount, "recvCount", dataType, &op,
                       comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclSend(void* sendBuf, uint64_t count, HcclDataType dataType, uint32_t destRank,
                                         HcclComm comm, aclrtStream stream) {
    HCCL_ENTER("HcclSend");
    return point_to_point("HcclSend", Kind::Send, sendBuf, count, dataType, destRank, comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclRecv(void* recvBuf, uint64_t count, HcclDataType dataType, uint32_t srcRank,
                                         HcclComm comm, aclrtStream stream) {
    HCCL_ENTER("HcclRecv");
    return point_to_point("HcclRecv", Kind::Recv, recvBuf, count, dataType, srcRank, comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclBarrier(HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclBarrier";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (HcclResult rc = find_comm(fn, comm, &c)) return rc;
    Collective k;
    k.kind = Kind::Barrier;
    return submit_collective(fn, c, stream, k, {});
}

}  // extern "C"
