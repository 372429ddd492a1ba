// Ascend.Interop simulator, HCCL object (libascend_sim_hccl.so): what its files share. The object reaches the
// runtime core only through sim::Host (sim_host.h); the core's own functions are hidden from it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "hccl/hccl.h"
#include "sim_host.h"

namespace gloo {
class Context;
namespace rendezvous {
class Store;
}
}  // namespace gloo

namespace sim {
namespace hccl {

// The runtime core's interface; null when the loaded libascend_sim.so is of another build (see HCCL_ENTER).
Host* host_or_null();
inline Host& host() { return *host_or_null(); }

// Records "<fn>: <text> (error <code>)" as the recent error (aclGetRecentErrMsg) and returns `code`.
HcclResult hfail(HcclResult code, const char* fn, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// ---- communicators ---------------------------------------------------------------------------------------
struct Comm {
    uint32_t rank = 0;
    uint32_t size = 0;
    int32_t device = -1;
    std::shared_ptr<gloo::Context> ctx;
    std::mutex opMu;                       // one collective at a time per communicator
    std::atomic<bool> destroyed{false};
    std::atomic<int> asyncError{HCCL_SUCCESS};
    std::string asyncWhy;                  // guarded by opMu
    uint64_t issued = 0;                   // collectives run so far (guarded by opMu): names them in messages
    std::chrono::milliseconds timeout{30000};
    bool holdsStream = false;
};

// Live communicators by handle: a destroyed or foreign handle is refused, never dereferenced.
HcclComm publish(const std::shared_ptr<Comm>& c);
HcclResult find_comm(const char* fn, HcclComm comm, std::shared_ptr<Comm>* out);
// Removes `comm` from the live set (HcclCommDestroy); false when it was not live.
bool retire_comm(HcclComm comm, std::shared_ptr<Comm>* out);

// ASCEND_SIM_HCCL_TIMEOUT_MS: connect and execution timeout of the simulator's communicators.
std::chrono::milliseconds timeout_from_env();

// ---- rendezvous (hccl_rendezvous.cpp) ---------------------------------------------------------------------
// Creates the rendezvous folder of a new communicator and writes the root info bytes.
HcclResult make_root_info(const char* fn, HcclRootInfo* rootInfo);
// Joins the communicator of `rootInfo` as c.rank of c.size (file store); rank 0 then removes the folder.
HcclResult join_root_info(const char* fn, const HcclRootInfo& rootInfo, Comm& c);
// Connects every communicator of one process (in-memory store), one thread per rank.
HcclResult join_local(const char* fn, const std::shared_ptr<Comm>* comms, uint32_t n);

// ---- data types and reductions (hccl_reduce.cpp) ---------------------------------------------------------
size_t dtype_bytes(HcclDataType t);  // 0 when the simulator does not move the type
const char* dtype_name(HcclDataType t);
const char* op_name(HcclReduceOp op);
HcclResult check_dtype(const char* fn, HcclDataType t);
HcclResult check_reduce(const char* fn, HcclDataType t, HcclReduceOp op);
// c[i] = op(a[i], b[i]) for n elements of type t (the Gloo reduction callback).
using ReduceFn = std::function<void(void*, const void*, const void*, size_t)>;
ReduceFn reducer(HcclDataType t, HcclReduceOp op);

// ---- collectives (hccl_collectives.cpp) ------------------------------------------------------------------
enum class Kind : uint32_t { AllReduce = 1, Broadcast, AllGather, ReduceScatter, Send, Recv, Barrier };
const char* kind_function(Kind k);  // "HcclAllReduce", ...

// One collective call as the task runs it (every value copied: a captured task runs at each replay).
struct Collective {
    Kind kind = Kind::Barrier;
    uint64_t count = 0;                        // the call's count argument (sendCount, recvCount, count)
    HcclDataType dtype = HCCL_DATA_TYPE_INT8;
    HcclReduceOp op = HCCL_REDUCE_SUM;         // AllReduce, ReduceScatter
    uint32_t root = 0;                         // Broadcast: root; Send: destination; Recv: source
    void* send = nullptr;                      // sendBuf, or buf (Broadcast, Recv)
    void* recv = nullptr;                      // recvBuf, or buf (Broadcast)
};

// Exchanges headers with the ranks `k` involves (every other rank, or the send/recv peer) and compares them before
// any payload moves: "" when they agree, else the disagreement with both sides' values (hccl_agreement.cpp).
// Throws when the exchange itself fails (a peer that does not take part within the timeout, a closed connection).
std::string agree(Comm& c, const Collective& k);

// Runs `coll` on the calling stream worker under the communicator's lock: an ACL code, the failure recorded
// (ACL_ERROR_RT_COMM_OP_RETRY_FAIL, with the HCCL cause kept as the communicator's async error).
int run_collective(const std::shared_ptr<Comm>& c, const Collective& coll);

}  // namespace hccl
}  // namespace sim
