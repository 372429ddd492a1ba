// Ascend.Interop simulator, HCCL object: the collectives as they run on a stream worker, over Gloo.
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/context.h>

#include "hccl_internal.h"

namespace sim {
namespace hccl {
namespace {

// Gloo's option setters take typed pointers (element size = sizeof(T)); these stand in for each width.
struct E1 { uint8_t v[1]; };
struct E2 { uint8_t v[2]; };
struct E4 { uint8_t v[4]; };
struct E8 { uint8_t v[8]; };

template <typename F>
void by_width(size_t w, F&& f) {
    switch (w) {
        case 1: f(static_cast<E1*>(nullptr)); break;
        case 2: f(static_cast<E2*>(nullptr)); break;
        case 4: f(static_cast<E4*>(nullptr)); break;
        default: f(static_cast<E8*>(nullptr)); break;
    }
}

// In-place all-reduce of `count` elements at `data`.
void allreduce(Comm& c, void* data, uint64_t count, size_t w, const ReduceFn& red) {
    by_width(w, [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        gloo::AllreduceOptions o(c.ctx);
        o.setOutput(static_cast<T*>(data), count);
        o.setReduceFunction(red);
        o.setTimeout(c.timeout);
        gloo::allreduce(o);
    });
}

// Point to point: one Gloo slot per communicator for all sends/receives; pairs match in issue order.
constexpr uint64_t kP2pSlot = 0x48434c50;  // "HCLP"

// The payload of one collective (the ranks agreed on every argument before it runs).
void move_payload(Comm& c, const Collective& k) {
    const size_t w = dtype_bytes(k.dtype);
    const uint64_t n = k.count;
    switch (k.kind) {
        case Kind::AllReduce:
            if (k.recv != k.send) memcpy(k.recv, k.send, n * w);
            if (c.size > 1) allreduce(c, k.recv, n, w, reducer(k.dtype, k.op));
            return;
        case Kind::Broadcast:
            if (c.size == 1) return;
            by_width(w, [&](auto* tag) {
                using T = std::remove_pointer_t<decltype(tag)>;
                gloo::BroadcastOptions o(c.ctx);
                o.setOutput(static_cast<T*>(k.recv), n);
                o.setRoot(static_cast<int>(k.root));
                o.setTimeout(c.timeout);
                gloo::broadcast(o);
            });
            return;
        case Kind::AllGather: {
            if (c.size == 1) {
                memmove(k.recv, k.send, n * w);
                return;
            }
            // Gloo's allgather reads the input before writing the output; a staging copy makes an input that
            // overlaps the output (in-place use) safe.
            std::vector<char> staged(static_cast<const char*>(k.send), static_cast<const char*>(k.send) + n * w);
            by_width(w, [&](auto* tag) {
                using T = std::remove_pointer_t<decltype(tag)>;
                gloo::AllgatherOptions o(c.ctx);
                o.setInput(reinterpret_cast<T*>(staged.data()), n);
                o.setOutput(static_cast<T*>(k.recv), n * c.size);
                o.setTimeout(c.timeout);
                gloo::allgather(o);
            });
            return;
        }
        case Kind::ReduceScatter: {
            // All-reduce of the whole input into a scratch buffer, then this rank's block.
            size_t total = n * c.size;
            std::vector<char> scratch(static_cast<const char*>(k.send), static_cast<const char*>(k.send) + total * w);
            if (c.size > 1) allreduce(c, scratch.data(), total, w, reducer(k.dtype, k.op));
            memcpy(k.recv, scratch.data() + static_cast<size_t>(c.rank) * n * w, n * w);
            return;
        }
        case Kind::Send: {
            auto ub = c.ctx->createUnboundBuffer(k.send, n * w);
            ub->send(static_cast<int>(k.root), kP2pSlot);
            if (!ub->waitSend(c.timeout)) throw std::runtime_error("send did not complete (timeout)");
            return;
        }
        case Kind::Recv: {
            auto ub = c.ctx->createUnboundBuffer(k.recv, n * w);
            ub->recv(static_cast<int>(k.root), kP2pSlot);
            if (!ub->waitRecv(c.timeout)) throw std::runtime_error("receive did not complete (timeout)");
            return;
        }
        case Kind::Barrier: {
            if (c.size == 1) return;
            gloo::BarrierOptions o(c.ctx);
            o.setTimeout(c.timeout);
            gloo::barrier(o);
            return;
        }
    }
}

// Under opMu: ACL_SUCCESS, or an ACL code with `msg` set.
int run_locked(Comm& c, const Collective& k, std::string& msg) {
    const std::string what = kind_function(k.kind);
    if (c.destroyed.load()) {
        msg = "the communicator was destroyed (HcclCommDestroy) before this task ran";
        return ACL_ERROR_RT_PARAM_INVALID;
    }
    if (c.asyncError.load() != HCCL_SUCCESS) {
        msg = "the communicator already failed at " + c.asyncWhy;
        return ACL_ERROR_RT_COMM_OP_RETRY_FAIL;
    }
    const std::string where = "collective #" + std::to_string(++c.issued) + " on rank " + std::to_string(c.rank) +
                              " of " + std::to_string(c.size);
    std::string mismatch, transport;
    try {
        if (c.size > 1) mismatch = agree(c, k);
        if (mismatch.empty()) {
            move_payload(c, k);
            return ACL_SUCCESS;
        }
    } catch (const std::exception& e) {
        transport = e.what();
    } catch (...) {
        transport = "unknown exception";
    }
    std::string why;
    if (!mismatch.empty()) {
        // CANN with its consistency check on (HCCL_DFS_CONFIG inconsistent_check): HCCL_E_PARA, both values named.
        why = "the ranks disagree on " + mismatch +
              ". Every rank must issue the same collectives with the same count, data type, reduction and root (and each "
              "HcclSend an HcclRecv of the same size and type), in the same order; no data moved (HcclResult 1, HCCL_E_PARA)";
        c.asyncError.store(HCCL_E_PARA);
    } else {
        // CANN: a peer that died or never arrives leaves the others waiting until HCCL_EXEC_TIMEOUT.
        why = "a peer rank did not take part within " + std::to_string(c.timeout.count()) +
              " ms or closed its connection (HcclResult 9, HCCL_E_TIMEOUT; transport: " + transport + ")";
        c.asyncError.store(HCCL_E_TIMEOUT);
    }
    c.asyncWhy = what + " (" + where + "): " + why;
    // The communicator stays failed. Closing its transport now makes the ranks still waiting on this one fail at
    // once (connection closed) instead of at their timeout, and leaves nothing of this collective in flight.
    c.ctx.reset();
    msg = where + ": " + why;
    return ACL_ERROR_RT_COMM_OP_RETRY_FAIL;
}

}  // namespace

const char* kind_function(Kind k) {
    switch (k) {
        case Kind::AllReduce: return "HcclAllReduce";
        case Kind::Broadcast: return "HcclBroadcast";
        case Kind::AllGather: return "HcclAllGather";
        case Kind::ReduceScatter: return "HcclReduceScatter";
        case Kind::Send: return "HcclSend";
        case Kind::Recv: return "HcclRecv";
        case Kind::Barrier: return "HcclBarrier";
    }
    return "Hccl?";
}

int run_collective(const std::shared_ptr<Comm>& c, const Collective& k) {
    std::string msg;
    int rc;
    {
        std::lock_guard<std::mutex> l(c->opMu);
        rc = run_locked(*c, k, msg);
    }
    // The worker passes a failing task's recorded message on to the stream error (aclrtSynchronizeStream).
    if (rc != ACL_SUCCESS) host().fail(rc, kind_function(k.kind), msg.c_str());
    return rc;
}

}  // namespace hccl
}  // namespace sim
