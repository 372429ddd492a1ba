// Ascend.Interop simulator: the HCCL subset (hccl/hccl.h) over Gloo.
//
// A communicator is one Gloo context (TCP transport on the loopback interface). Ranks meet through a
// store: a file store in a directory that HcclGetRootInfo creates and names in the root info bytes
// (several processes on this machine), or an in-memory store (HcclCommInitAll, one process).
// Collectives are stream tasks (sim::submit): they run on the stream's worker, are ordered with
// everything else on that stream, and a capturing stream records them into the graph.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <type_traits>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/hash_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include "aclnn_internal.h"
#include "hccl/hccl.h"
#include "sim_state.h"

namespace sim {
namespace hccl {

constexpr char kMagic[8] = {'A', 'S', 'I', 'M', 'H', 'C', 'C', 'L'};
constexpr uint32_t kWireVersion = 1;

// The simulator's reading of the root info bytes (the rest of the 4108 bytes are zero).
struct RootWire {
    char magic[8];
    uint32_t version;
    uint32_t reserved;
    char storeDir[1024];  // file store directory made by HcclGetRootInfo
    char uid[64];         // names this communicator's keys in the store
    char host[64];        // address the ranks' TCP transport binds to
};
static_assert(sizeof(RootWire) <= HCCL_ROOT_INFO_BYTES, "root info layout too large");

struct Comm {
    uint32_t rank = 0;
    uint32_t size = 0;
    int32_t device = -1;
    std::shared_ptr<gloo::Context> ctx;
    std::mutex opMu;                       // one collective at a time per communicator
    std::atomic<bool> destroyed{false};
    std::atomic<int> asyncError{HCCL_SUCCESS};
    std::string asyncWhy;                  // guarded by opMu
    std::chrono::milliseconds timeout{30000};
    bool holdsStream = false;
};

std::mutex& reg_mu() {
    static auto* m = new std::mutex();
    return *m;
}
// Live communicators by handle: a destroyed or foreign handle is refused, never dereferenced.
std::map<Comm*, std::shared_ptr<Comm>>& registry() {
    static auto* r = new std::map<Comm*, std::shared_ptr<Comm>>();
    return *r;
}

int hfail(HcclResult code, const char* fn, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int hfail(HcclResult code, const char* fn, const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    // sim::fail appends "(error N)": here N is the HcclResult.
    fail(static_cast<int>(code), fn, "%s", buf);
    return code;
}

// ASCEND_SIM_HCCL_TIMEOUT_MS: connect and execution timeout of the simulator's communicators.
std::chrono::milliseconds timeout_from_env() {
    long v = 30000;
    if (const char* e = getenv("ASCEND_SIM_HCCL_TIMEOUT_MS")) {
        char* end = nullptr;
        long x = strtol(e, &end, 10);
        if (end != e && *end == 0 && x >= 100 && x <= 24L * 3600 * 1000) v = x;
        else fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_HCCL_TIMEOUT_MS='%s'\n", e);
    }
    return std::chrono::milliseconds(v);
}

size_t dtype_bytes(HcclDataType t) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8: case HCCL_DATA_TYPE_UINT8: return 1;
        case HCCL_DATA_TYPE_INT16: case HCCL_DATA_TYPE_UINT16: case HCCL_DATA_TYPE_FP16: case HCCL_DATA_TYPE_BFP16:
            return 2;
        case HCCL_DATA_TYPE_INT32: case HCCL_DATA_TYPE_UINT32: case HCCL_DATA_TYPE_FP32: return 4;
        case HCCL_DATA_TYPE_INT64: case HCCL_DATA_TYPE_UINT64: case HCCL_DATA_TYPE_FP64: return 8;
        default: return 0;  // INT128 and out-of-range values: not supported by the simulator
    }
}

const char* dtype_name(HcclDataType t) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8: return "int8";
        case HCCL_DATA_TYPE_INT16: return "int16";
        case HCCL_DATA_TYPE_INT32: return "int32";
        case HCCL_DATA_TYPE_FP16: return "fp16";
        case HCCL_DATA_TYPE_FP32: return "fp32";
        case HCCL_DATA_TYPE_INT64: return "int64";
        case HCCL_DATA_TYPE_UINT64: return "uint64";
        case HCCL_DATA_TYPE_UINT8: return "uint8";
        case HCCL_DATA_TYPE_UINT16: return "uint16";
        case HCCL_DATA_TYPE_UINT32: return "uint32";
        case HCCL_DATA_TYPE_FP64: return "fp64";
        case HCCL_DATA_TYPE_BFP16: return "bfp16";
        case HCCL_DATA_TYPE_INT128: return "int128";
        default: return "unknown";
    }
}

const char* op_name(HcclReduceOp op) {
    switch (op) {
        case HCCL_REDUCE_SUM: return "sum";
        case HCCL_REDUCE_PROD: return "prod";
        case HCCL_REDUCE_MAX: return "max";
        case HCCL_REDUCE_MIN: return "min";
        default: return "unknown";
    }
}

// Reductions as an Atlas A2 (910B) supports them: int8/16/32/64, fp16, fp32, bfp16; prod not for
// int16 and bfp16 (HcclAllReduce documentation). Everything else is refused.
int check_reduce(const char* fn, HcclDataType t, HcclReduceOp op) {
    if (op < HCCL_REDUCE_SUM || op > HCCL_REDUCE_MIN)
        return hfail(HCCL_E_PARA, fn, "op %d is not a reduction (sum 0, prod 1, max 2, min 3)", static_cast<int>(op));
    switch (t) {
        case HCCL_DATA_TYPE_INT8: case HCCL_DATA_TYPE_INT16: case HCCL_DATA_TYPE_INT32: case HCCL_DATA_TYPE_INT64:
        case HCCL_DATA_TYPE_FP16: case HCCL_DATA_TYPE_FP32: case HCCL_DATA_TYPE_BFP16:
            break;
        default:
            return hfail(HCCL_E_NOT_SUPPORT, fn,
                         "dataType %s (%d) is not supported by reductions (int8, int16, int32, int64, fp16, fp32, bfp16)",
                         dtype_name(t), static_cast<int>(t));
    }
    if (op == HCCL_REDUCE_PROD && (t == HCCL_DATA_TYPE_INT16 || t == HCCL_DATA_TYPE_BFP16))
        return hfail(HCCL_E_NOT_SUPPORT, fn, "op prod does not support dataType %s", dtype_name(t));
    return HCCL_SUCCESS;
}

template <typename T>
T apply(HcclReduceOp op, T a, T b) {
    switch (op) {
        case HCCL_REDUCE_SUM: return static_cast<T>(a + b);
        case HCCL_REDUCE_PROD: return static_cast<T>(a * b);
        case HCCL_REDUCE_MAX: return a > b ? a : b;
        default: return a < b ? a : b;
    }
}

float apply_f(HcclReduceOp op, float a, float b) {
    if (op == HCCL_REDUCE_MAX || op == HCCL_REDUCE_MIN) {
        if (std::isnan(a) || std::isnan(b)) return NAN;  // NaN propagates, as on the device
    }
    return apply<float>(op, a, b);
}

// c[i] = op(a[i], b[i]) for n elements of type t (the Gloo reduction callback).
using ReduceFn = std::function<void(void*, const void*, const void*, size_t)>;
ReduceFn reducer(HcclDataType t, HcclReduceOp op) {
    switch (t) {
        case HCCL_DATA_TYPE_INT8:
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<int8_t*>(c)[i] = apply<int8_t>(op, static_cast<const int8_t*>(a)[i], static_cast<const int8_t*>(b)[i]);
            };
        case HCCL_DATA_TYPE_INT16:
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<int16_t*>(c)[i] = apply<int16_t>(op, static_cast<const int16_t*>(a)[i], static_cast<const int16_t*>(b)[i]);
            };
        case HCCL_DATA_TYPE_INT32:
            // Wrap-around arithmetic through unsigned (signed overflow is undefined in C++).
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i) {
                    int32_t x = static_cast<const int32_t*>(a)[i], y = static_cast<const int32_t*>(b)[i];
                    int32_t r;
                    if (op == HCCL_REDUCE_SUM) r = static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(y));
                    else if (op == HCCL_REDUCE_PROD) r = static_cast<int32_t>(static_cast<uint32_t>(x) * static_cast<uint32_t>(y));
                    else r = apply<int32_t>(op, x, y);
                    static_cast<int32_t*>(c)[i] = r;
                }
            };
        case HCCL_DATA_TYPE_INT64:
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i) {
                    int64_t x = static_cast<const int64_t*>(a)[i], y = static_cast<const int64_t*>(b)[i];
                    int64_t r;
                    if (op == HCCL_REDUCE_SUM) r = static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
                    else if (op == HCCL_REDUCE_PROD) r = static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
                    else r = apply<int64_t>(op, x, y);
                    static_cast<int64_t*>(c)[i] = r;
                }
            };
        case HCCL_DATA_TYPE_FP32:
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<float*>(c)[i] = apply_f(op, static_cast<const float*>(a)[i], static_cast<const float*>(b)[i]);
            };
        case HCCL_DATA_TYPE_FP16:
            // Each pairwise step rounds to fp16, as a reduction in the buffer's own type does.
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<uint16_t*>(c)[i] = aclnn::float_to_half(apply_f(
                        op, aclnn::half_to_float(static_cast<const uint16_t*>(a)[i]),
                        aclnn::half_to_float(static_cast<const uint16_t*>(b)[i])));
            };
        default:  // BFP16
            return [op](void* c, const void* a, const void* b, size_t n) {
                for (size_t i = 0; i < n; ++i)
                    static_cast<uint16_t*>(c)[i] = aclnn::float_to_bf16(apply_f(
                        op, aclnn::bf16_to_float(static_cast<const uint16_t*>(a)[i]),
                        aclnn::bf16_to_float(static_cast<const uint16_t*>(b)[i])));
            };
    }
}

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

// ---- running a collective on the worker ------------------------------------------------------------
// Runs `body` under the communicator's lock; maps Gloo failures to the stream error
// ACL_ERROR_RT_COMM_OP_RETRY_FAIL and records HCCL_E_TIMEOUT as the communicator's async error
// (CANN: a peer that died or never arrives leaves the others waiting until HCCL_EXEC_TIMEOUT).
int run_collective_inner(const std::shared_ptr<Comm>& c, const std::string& what, std::string& msg,
                         const std::function<void()>& body) {
    std::lock_guard<std::mutex> l(c->opMu);
    if (c->destroyed.load()) {
        msg = what + ": the communicator was destroyed (HcclCommDestroy) before this task ran";
        return ACL_ERROR_RT_PARAM_INVALID;
    }
    if (c->asyncError.load() != HCCL_SUCCESS) {
        msg = what + ": the communicator already failed (HcclResult " + std::to_string(c->asyncError.load()) +
              "): " + c->asyncWhy;
        return ACL_ERROR_RT_COMM_OP_RETRY_FAIL;
    }
    try {
        body();
        return ACL_SUCCESS;
    } catch (const std::exception& e) {
        c->asyncWhy = what + " on rank " + std::to_string(c->rank) + " of " + std::to_string(c->size) +
                      " failed: a peer rank did not take part within " + std::to_string(c->timeout.count()) +
                      " ms or closed its connection (HCCL_E_TIMEOUT; transport: " + e.what() + ")";
        c->asyncError.store(HCCL_E_TIMEOUT);
        msg = c->asyncWhy;
        return ACL_ERROR_RT_COMM_OP_RETRY_FAIL;
    }
}

// The worker passes a failing task's recorded message on to the stream error (aclrtSynchronizeStream).
int run_collective(const std::shared_ptr<Comm>& c, const std::string& what, std::string& msg,
                   const std::function<void()>& body) {
    int rc = run_collective_inner(c, what, msg, body);
    if (rc != ACL_SUCCESS) fail(rc, what.c_str(), "%s", msg.c_str());
    return rc;
}

// ---- argument checks ----------------------------------------------------------------------------------
int find_comm(const char* fn, HcclComm comm, std::shared_ptr<Comm>* out) {
    if (!comm) return hfail(HCCL_E_PTR, fn, "comm is NULL");
    std::lock_guard<std::mutex> l(reg_mu());
    auto it = registry().find(static_cast<Comm*>(comm));
    if (it == registry().end())
        return hfail(HCCL_E_PARA, fn, "comm %p is not a live communicator (destroyed or never created)", comm);
    *out = it->second;
    return HCCL_SUCCESS;
}

// A stream of the communicator's device (not NULL: HCCL needs an explicit stream).
int check_stream(const char* fn, const Comm& c, aclrtStream stream) {
    if (!stream) return hfail(HCCL_E_PTR, fn, "stream is NULL; HCCL collectives need a created stream");
    int32_t dev = stream_device(fn, stream);
    if (dev < 0) {
        std::string why = tls().err;
        return hfail(HCCL_E_PARA, fn, "stream %p is not usable here: %s", stream, why.c_str());
    }
    if (dev != c.device)
        return hfail(HCCL_E_PARA, fn, "stream %p belongs to device %d but the communicator (rank %u) is on device %d",
                     stream, dev, c.rank, c.device);
    return HCCL_SUCCESS;
}

// A device buffer of `bytes` on the communicator's device, aligned to its element size.
int check_buffer(const char* fn, const char* name, const Comm& c, const void* p, uint64_t bytes, size_t align,
                 TaskBuffer* out, bool write) {
    if (!p) return hfail(HCCL_E_PTR, fn, "%s is NULL", name);
    if (reinterpret_cast<uintptr_t>(p) % align)
        return hfail(HCCL_E_PARA, fn, "%s %p is not aligned to %zu bytes (its element size)", name, p, align);
    MemRegion r;
    if (!range_in(p, bytes, MemClass::Device, &r))
        return hfail(HCCL_E_PARA, fn,
                     "%s %p (%llu bytes) is not inside one device allocation (aclrtMalloc); HCCL buffers must be "
                     "device memory",
                     name, p, static_cast<unsigned long long>(bytes));
    if (r.device != c.device)
        return hfail(HCCL_E_PARA, fn, "%s %p is memory of device %d but the communicator is on device %d", name, p,
                     r.device, c.device);
    out->ptr = p;
    out->bytes = bytes;
    out->allocationId = r.allocationId;
    out->write = write;
    return HCCL_SUCCESS;
}

int check_dtype(const char* fn, HcclDataType t) {
    if (dtype_bytes(t) == 0)
        return hfail(t == HCCL_DATA_TYPE_INT128 ? HCCL_E_NOT_SUPPORT : HCCL_E_PARA, fn,
                     "dataType %d (%s) is not supported", static_cast<int>(t), dtype_name(t));
    return HCCL_SUCCESS;
}

int submit_task(const char* fn, aclrtStream stream, Task&& t) {
    int rc = submit(fn, stream, std::move(t));
    if (rc != ACL_SUCCESS) {
        std::string why = tls().err;
        return hfail(HCCL_E_RUNTIME, fn, "the task could not be queued on stream %p: %s", stream, why.c_str());
    }
    return HCCL_SUCCESS;
}

// ---- communicator creation --------------------------------------------------------------------------
// Charges (or returns) one stream of the device's budget per communicator: CANN's communicators
// hold streams of their own for the lifetime of the communicator.
int take_stream_locked(const char* fn, int32_t device) {
    State& s = g();
    if (device < 0 || device >= static_cast<int32_t>(s.devices.size()))
        return hfail(HCCL_E_RUNTIME, fn, "device %d is not a device of this process", device);
    if (s.devices[device].streams >= s.streamLimit)
        return hfail(HCCL_E_RUNTIME, fn,
                     "no stream left on device %d for the communicator (limit %u, %u in use)", device, s.streamLimit,
                     s.devices[device].streams);
    s.devices[device].streams++;
    return HCCL_SUCCESS;
}

void give_stream(int32_t device) {
    State& s = g();
    std::lock_guard<std::mutex> l(s.mu);
    if (device >= 0 && device < static_cast<int32_t>(s.devices.size()) && s.devices[device].streams > 0)
        s.devices[device].streams--;
}

std::shared_ptr<gloo::transport::Device> make_device(const std::string& host) {
    gloo::transport::tcp::attr a(host.c_str());
    return gloo::transport::tcp::CreateDevice(a);
}

// Connects one rank; returns HCCL_SUCCESS or a failure with the message recorded.
int connect_rank(const char* fn, gloo::rendezvous::Store& store, const std::string& host, Comm& c) {
    try {
        auto dev = make_device(host);
        auto ctx = std::make_shared<gloo::rendezvous::Context>(static_cast<int>(c.rank), static_cast<int>(c.size));
        ctx->setTimeout(c.timeout);
        ctx->connectFullMesh(store, dev);
        // Everyone connected before anyone returns (and before rank 0 removes the store).
        gloo::BarrierOptions b(ctx);
        b.setTimeout(c.timeout);
        gloo::barrier(b);
        c.ctx = ctx;
        return HCCL_SUCCESS;
    } catch (const std::exception& e) {
        std::string text = e.what();
        bool timeout = text.find("imeout") != std::string::npos || text.find("imed out") != std::string::npos;
        return hfail(timeout ? HCCL_E_TIMEOUT : HCCL_E_TCP_CONNECT, fn,
                     "rank %u of %u could not connect to the other ranks within %lld ms (%s): %s", c.rank, c.size,
                     static_cast<long long>(c.timeout.count()),
                     timeout ? "a rank never joined" : "connection failed", text.c_str());
    }
}

void remove_store_dir(const std::string& dir) {
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            unlink((dir + "/" + e->d_name).c_str());
        }
        closedir(d);
    }
    rmdir(dir.c_str());
}

HcclComm publish(const std::shared_ptr<Comm>& c) {
    std::lock_guard<std::mutex> l(reg_mu());
    registry()[c.get()] = c;
    return c.get();
}

}  // namespace hccl
}  // namespace sim

using namespace sim;
using namespace sim::hccl;

#define HCCL_ENTER(fn)                                                        \
    do {                                                                      \
        if (int rc_ = enter(fn)) {                                            \
            (void)rc_;                                                        \
            return static_cast<HcclResult>(hfail(HCCL_E_RUNTIME, fn, "AscendCL is not initialized or the call was refused (aclInit first)")); \
        }                                                                     \
    } while (0)

extern "C" {

HCCL_FUNC_VISIBILITY HcclResult HcclGetRootInfo(HcclRootInfo* rootInfo) {
    const char* fn = "HcclGetRootInfo";
    HCCL_ENTER(fn);
    if (!rootInfo) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "rootInfo is NULL"));
    const char* base = getenv("ASCEND_SIM_HCCL_STORE_DIR");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    std::string templ = std::string(base) + "/ascend-sim-hccl-XXXXXX";
    if (templ.size() >= sizeof(RootWire::storeDir))
        return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "store directory base '%s' is too long", base));
    std::vector<char> path(templ.begin(), templ.end());
    path.push_back(0);
    if (!mkdtemp(path.data()))
        return static_cast<HcclResult>(
            hfail(HCCL_E_SYSCALL, fn, "cannot create the rendezvous directory under '%s': %s", base, strerror(errno)));
    RootWire w;
    memset(&w, 0, sizeof w);
    memcpy(w.magic, kMagic, sizeof kMagic);
    w.version = kWireVersion;
    snprintf(w.storeDir, sizeof w.storeDir, "%s", path.data());
    std::random_device rd;
    snprintf(w.uid, sizeof w.uid, "comm-%d-%08x%08x", static_cast<int>(getpid()), rd(), rd());
    snprintf(w.host, sizeof w.host, "127.0.0.1");
    memset(rootInfo->internal, 0, sizeof rootInfo->internal);
    memcpy(rootInfo->internal, &w, sizeof w);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommInitRootInfo(uint32_t nRanks, const HcclRootInfo* rootInfo, uint32_t rank,
                                                     HcclComm* comm) {
    const char* fn = "HcclCommInitRootInfo";
    HCCL_ENTER(fn);
    if (!rootInfo) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "rootInfo is NULL"));
    if (!comm) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "comm is NULL"));
    if (nRanks == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "nRanks is 0"));
    if (rank >= nRanks)
        return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "rank %u is not below nRanks %u", rank, nRanks));
    RootWire w;
    memcpy(&w, rootInfo->internal, sizeof w);
    if (memcmp(w.magic, kMagic, sizeof kMagic) != 0 || w.version != kWireVersion ||
        !memchr(w.storeDir, 0, sizeof w.storeDir) || !memchr(w.uid, 0, sizeof w.uid) || !memchr(w.host, 0, sizeof w.host))
        return static_cast<HcclResult>(
            hfail(HCCL_E_PARA, fn, "rootInfo was not made by HcclGetRootInfo (unknown layout or damaged bytes)"));
    int32_t device = current_device();
    if (device < 0)
        return static_cast<HcclResult>(
            hfail(HCCL_E_RUNTIME, fn, "no current device on this thread; call aclrtSetDevice before creating a communicator"));
    {
        std::lock_guard<std::mutex> l(g().mu);
        if (int rc = take_stream_locked(fn, device)) return static_cast<HcclResult>(rc);
    }
    auto c = std::make_shared<Comm>();
    c->rank = rank;
    c->size = nRanks;
    c->device = device;
    c->timeout = timeout_from_env();
    c->holdsStream = true;
    int rc;
    struct stat sb;
    if (stat(w.storeDir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = hfail(HCCL_E_TIMEOUT, fn,
                   "the rendezvous directory '%s' of this root info does not exist (rank 0 already gave up or finished "
                   "connecting, or the root info comes from another machine)",
                   w.storeDir);
    } else {
        try {
            gloo::rendezvous::FileStore files(w.storeDir);
            gloo::rendezvous::PrefixStore store(w.uid, files);
            rc = connect_rank(fn, store, w.host, *c);
        } catch (const std::exception& e) {
            rc = hfail(HCCL_E_TCP_CONNECT, fn, "rendezvous store '%s' failed: %s", w.storeDir, e.what());
        }
    }
    // Rank 0 owns the rendezvous directory: once everyone connected (or the attempt failed), it goes.
    if (rank == 0) remove_store_dir(w.storeDir);
    if (rc != HCCL_SUCCESS) {
        give_stream(device);
        return static_cast<HcclResult>(rc);
    }
    *comm = publish(c);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommInitAll(uint32_t ndev, int32_t* devices, HcclComm* comms) {
    const char* fn = "HcclCommInitAll";
    HCCL_ENTER(fn);
    if (!devices) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "devices is NULL"));
    if (!comms) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "comms is NULL"));
    if (ndev == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "ndev is 0"));
    {
        std::lock_guard<std::mutex> l(g().mu);
        std::set<int32_t> seen;
        for (uint32_t i = 0; i < ndev; ++i) {
            if (devices[i] < 0 || devices[i] >= static_cast<int32_t>(g().devices.size()))
                return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "devices[%u] = %d is not a device (device count %zu)",
                                                     i, devices[i], g().devices.size()));
            if (!seen.insert(devices[i]).second)
                return static_cast<HcclResult>(
                    hfail(HCCL_E_PARA, fn, "devices[%u] = %d appears twice; one rank per device", i, devices[i]));
        }
        for (uint32_t i = 0; i < ndev; ++i) {
            if (int rc = take_stream_locked(fn, devices[i])) {
                for (uint32_t j = 0; j < i; ++j) g().devices[devices[j]].streams--;
                return static_cast<HcclResult>(rc);
            }
        }
    }
    gloo::rendezvous::HashStore store;
    std::vector<std::shared_ptr<Comm>> cs(ndev);
    std::vector<int> rcs(ndev, HCCL_SUCCESS);
    std::vector<std::string> errs(ndev);
    std::vector<std::thread> threads;
    for (uint32_t i = 0; i < ndev; ++i) {
        cs[i] = std::make_shared<Comm>();
        cs[i]->rank = i;
        cs[i]->size = ndev;
        cs[i]->device = devices[i];
        cs[i]->timeout = timeout_from_env();
        cs[i]->holdsStream = true;
        threads.emplace_back([&, i] {
            rcs[i] = connect_rank(fn, store, "127.0.0.1", *cs[i]);
            if (rcs[i]) errs[i] = tls().err;
        });
    }
    for (auto& t : threads) t.join();
    for (uint32_t i = 0; i < ndev; ++i) {
        if (rcs[i] != HCCL_SUCCESS) {
            for (uint32_t j = 0; j < ndev; ++j) give_stream(devices[j]);
            return static_cast<HcclResult>(hfail(static_cast<HcclResult>(rcs[i]), fn, "%s", errs[i].c_str()));
        }
    }
    for (uint32_t i = 0; i < ndev; ++i) comms[i] = publish(cs[i]);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclCommDestroy(HcclComm comm) {
    const char* fn = "HcclCommDestroy";
    if (!comm) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "comm is NULL"));
    std::shared_ptr<Comm> c;
    {
        std::lock_guard<std::mutex> l(reg_mu());
        auto it = registry().find(static_cast<Comm*>(comm));
        if (it == registry().end())
            return static_cast<HcclResult>(
                hfail(HCCL_E_PARA, fn, "comm %p is not a live communicator (destroyed twice or never created)", comm));
        c = it->second;
        registry().erase(it);
    }
    c->destroyed.store(true);
    {
        // Waits for a collective in flight (bounded by the execution timeout), then closes the transport.
        std::lock_guard<std::mutex> l(c->opMu);
        c->ctx.reset();
    }
    if (c->holdsStream) give_stream(c->device);
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetRankSize(HcclComm comm, uint32_t* rankSize) {
    const char* fn = "HcclGetRankSize";
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (!rankSize) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "rankSize is NULL"));
    *rankSize = c->size;
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetRankId(HcclComm comm, uint32_t* rank) {
    const char* fn = "HcclGetRankId";
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (!rank) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "rank is NULL"));
    *rank = c->rank;
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclGetCommAsyncError(HcclComm comm, HcclResult* asyncError) {
    const char* fn = "HcclGetCommAsyncError";
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (!asyncError) return static_cast<HcclResult>(hfail(HCCL_E_PTR, fn, "asyncError is NULL"));
    *asyncError = static_cast<HcclResult>(c->asyncError.load());
    return HCCL_SUCCESS;
}

HCCL_FUNC_VISIBILITY HcclResult HcclAllReduce(void* sendBuf, void* recvBuf, uint64_t count, HcclDataType dataType,
                                              HcclReduceOp op, HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclAllReduce";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_dtype(fn, dataType)) return static_cast<HcclResult>(rc);
    if (int rc = check_reduce(fn, dataType, op)) return static_cast<HcclResult>(rc);
    if (count == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "count is 0"));
    size_t w = dtype_bytes(dataType);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    TaskBuffer in, out;
    if (int rc = check_buffer(fn, "sendBuf", *c, sendBuf, count * w, w, &in, false)) return static_cast<HcclResult>(rc);
    if (int rc = check_buffer(fn, "recvBuf", *c, recvBuf, count * w, w, &out, true)) return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    t.buffers = {in, out};
    ReduceFn red = reducer(dataType, op);
    t.run = [c, sendBuf, recvBuf, count, w, red]() {
        std::string msg;
        int rc = run_collective(c, "HcclAllReduce", msg, [&] {
            if (recvBuf != sendBuf) memcpy(recvBuf, sendBuf, count * w);
            if (c->size == 1) return;
            by_width(w, [&](auto* tag) {
                using T = std::remove_pointer_t<decltype(tag)>;
                gloo::AllreduceOptions o(c->ctx);
                o.setOutput(static_cast<T*>(recvBuf), count);
                o.setReduceFunction(red);
                o.setTimeout(c->timeout);
                gloo::allreduce(o);
            });
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

HCCL_FUNC_VISIBILITY HcclResult HcclBroadcast(void* buf, uint64_t count, HcclDataType dataType, uint32_t root,
                                              HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclBroadcast";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_dtype(fn, dataType)) return static_cast<HcclResult>(rc);
    if (count == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "count is 0"));
    if (root >= c->size)
        return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "root %u is not a rank (rank size %u)", root, c->size));
    size_t w = dtype_bytes(dataType);
    TaskBuffer b;
    if (int rc = check_buffer(fn, "buf", *c, buf, count * w, w, &b, c->rank != root)) return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.buffers = {b};
    t.run = [c, buf, count, w, root]() {
        std::string msg;
        int rc = run_collective(c, "HcclBroadcast", msg, [&] {
            if (c->size == 1) return;
            by_width(w, [&](auto* tag) {
                using T = std::remove_pointer_t<decltype(tag)>;
                gloo::BroadcastOptions o(c->ctx);
                o.setOutput(static_cast<T*>(buf), count);
                o.setRoot(static_cast<int>(root));
                o.setTimeout(c->timeout);
                gloo::broadcast(o);
            });
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

HCCL_FUNC_VISIBILITY HcclResult HcclAllGather(void* sendBuf, void* recvBuf, uint64_t sendCount, HcclDataType dataType,
                                              HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclAllGather";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_dtype(fn, dataType)) return static_cast<HcclResult>(rc);
    if (sendCount == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "sendCount is 0"));
    size_t w = dtype_bytes(dataType);
    TaskBuffer in, out;
    if (int rc = check_buffer(fn, "sendBuf", *c, sendBuf, sendCount * w, w, &in, false)) return static_cast<HcclResult>(rc);
    if (int rc = check_buffer(fn, "recvBuf", *c, recvBuf, sendCount * w * c->size, w, &out, true))
        return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.buffers = {in, out};
    t.run = [c, sendBuf, recvBuf, sendCount, w]() {
        std::string msg;
        int rc = run_collective(c, "HcclAllGather", msg, [&] {
            if (c->size == 1) {
                memmove(recvBuf, sendBuf, sendCount * w);
                return;
            }
            // Gloo's allgather reads the input before writing the output; a staging copy makes an
            // input that overlaps the output (in-place use) safe.
            std::vector<char> staged(static_cast<const char*>(sendBuf), static_cast<const char*>(sendBuf) + sendCount * w);
            by_width(w, [&](auto* tag) {
                using T = std::remove_pointer_t<decltype(tag)>;
                gloo::AllgatherOptions o(c->ctx);
                o.setInput(reinterpret_cast<T*>(staged.data()), sendCount);
                o.setOutput(static_cast<T*>(recvBuf), sendCount * c->size);
                o.setTimeout(c->timeout);
                gloo::allgather(o);
            });
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

HCCL_FUNC_VISIBILITY HcclResult HcclReduceScatter(void* sendBuf, void* recvBuf, uint64_t recvCount,
                                                  HcclDataType dataType, HcclReduceOp op, HcclComm comm,
                                                  aclrtStream stream) {
    const char* fn = "HcclReduceScatter";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_dtype(fn, dataType)) return static_cast<HcclResult>(rc);
    if (int rc = check_reduce(fn, dataType, op)) return static_cast<HcclResult>(rc);
    if (recvCount == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "recvCount is 0"));
    size_t w = dtype_bytes(dataType);
    TaskBuffer in, out;
    if (int rc = check_buffer(fn, "sendBuf", *c, sendBuf, recvCount * w * c->size, w, &in, false))
        return static_cast<HcclResult>(rc);
    if (int rc = check_buffer(fn, "recvBuf", *c, recvBuf, recvCount * w, w, &out, true)) return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.buffers = {in, out};
    ReduceFn red = reducer(dataType, op);
    t.run = [c, sendBuf, recvBuf, recvCount, w, red]() {
        std::string msg;
        int rc = run_collective(c, "HcclReduceScatter", msg, [&] {
            // All-reduce of the whole input into a scratch buffer, then this rank's block.
            size_t total = recvCount * c->size;
            std::vector<char> scratch(static_cast<const char*>(sendBuf), static_cast<const char*>(sendBuf) + total * w);
            if (c->size > 1) {
                by_width(w, [&](auto* tag) {
                    using T = std::remove_pointer_t<decltype(tag)>;
                    gloo::AllreduceOptions o(c->ctx);
                    o.setOutput(reinterpret_cast<T*>(scratch.data()), total);
                    o.setReduceFunction(red);
                    o.setTimeout(c->timeout);
                    gloo::allreduce(o);
                });
            }
            memcpy(recvBuf, scratch.data() + static_cast<size_t>(c->rank) * recvCount * w, recvCount * w);
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

// Point to point: one Gloo slot per communicator for all sends/receives; pairs match in issue order.
static constexpr uint64_t kP2pSlot = 0x48434c50;  // "HCLP"

static HcclResult p2p(const char* fn, bool send, void* buf, uint64_t count, HcclDataType dataType, uint32_t peer,
                      HcclComm comm, aclrtStream stream) {
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_dtype(fn, dataType)) return static_cast<HcclResult>(rc);
    if (count == 0) return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "count is 0"));
    if (peer >= c->size)
        return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "%s %u is not a rank (rank size %u)",
                                             send ? "destRank" : "srcRank", peer, c->size));
    if (peer == c->rank)
        return static_cast<HcclResult>(hfail(HCCL_E_PARA, fn, "%s %u is this rank; a rank cannot %s itself",
                                             send ? "destRank" : "srcRank", peer, send ? "send to" : "receive from"));
    size_t w = dtype_bytes(dataType);
    TaskBuffer b;
    if (int rc = check_buffer(fn, send ? "sendBuf" : "recvBuf", *c, buf, count * w, w, &b, !send))
        return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.buffers = {b};
    std::string name = fn;
    t.run = [c, send, buf, count, w, peer, name]() {
        std::string msg;
        int rc = run_collective(c, name, msg, [&] {
            auto ub = c->ctx->createUnboundBuffer(buf, count * w);
            if (send) {
                ub->send(static_cast<int>(peer), kP2pSlot);
                if (!ub->waitSend(c->timeout)) throw std::runtime_error("send did not complete (timeout)");
            } else {
                ub->recv(static_cast<int>(peer), kP2pSlot);
                if (!ub->waitRecv(c->timeout)) throw std::runtime_error("receive did not complete (timeout)");
            }
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

HCCL_FUNC_VISIBILITY HcclResult HcclSend(void* sendBuf, uint64_t count, HcclDataType dataType, uint32_t destRank,
                                         HcclComm comm, aclrtStream stream) {
    return p2p("HcclSend", true, sendBuf, count, dataType, destRank, comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclRecv(void* recvBuf, uint64_t count, HcclDataType dataType, uint32_t srcRank,
                                         HcclComm comm, aclrtStream stream) {
    return p2p("HcclRecv", false, recvBuf, count, dataType, srcRank, comm, stream);
}

HCCL_FUNC_VISIBILITY HcclResult HcclBarrier(HcclComm comm, aclrtStream stream) {
    const char* fn = "HcclBarrier";
    HCCL_ENTER(fn);
    std::shared_ptr<Comm> c;
    if (int rc = find_comm(fn, comm, &c)) return static_cast<HcclResult>(rc);
    if (int rc = check_stream(fn, *c, stream)) return static_cast<HcclResult>(rc);
    Task t;
    t.kind = "hccl";
    t.name = fn;
    t.run = [c]() {
        std::string msg;
        int rc = run_collective(c, "HcclBarrier", msg, [&] {
            if (c->size == 1) return;
            gloo::BarrierOptions o(c->ctx);
            o.setTimeout(c->timeout);
            gloo::barrier(o);
        });
        return rc;
    };
    return static_cast<HcclResult>(submit_task(fn, stream, std::move(t)));
}

}  // extern "C"
