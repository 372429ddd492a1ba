// Ascend.Interop simulator, HCCL object: how ranks meet. A communicator is one Gloo context (TCP transport on the
// loopback). Ranks meet through a store: a file store in a folder that HcclGetRootInfo creates and names in the
// root info bytes (several processes on this machine), or an in-memory store (HcclCommInitAll, one process).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <gloo/barrier.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/hash_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include "hccl_internal.h"

namespace sim {
namespace hccl {
namespace {

constexpr char kMagic[8] = {'A', 'S', 'I', 'M', 'H', 'C', 'C', 'L'};
constexpr uint32_t kWireVersion = 1;

// The simulator's reading of the root info bytes (the rest of the 4108 bytes are zero).
struct RootWire {
    char magic[8];
    uint32_t version;
    uint32_t reserved;
    char storeDir[1024];  // file store folder made by HcclGetRootInfo
    char uid[64];         // names this communicator's keys in the store
    char host[64];        // address the ranks' TCP transport binds to
};
static_assert(sizeof(RootWire) <= HCCL_ROOT_INFO_BYTES, "root info layout too large");

// Connects one rank; HCCL_SUCCESS or a failure with the message recorded.
HcclResult connect_rank(const char* fn, gloo::rendezvous::Store& store, const std::string& address, Comm& c) {
    try {
        gloo::transport::tcp::attr a(address.c_str());
        auto dev = gloo::transport::tcp::CreateDevice(a);
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

}  // namespace

HcclResult make_root_info(const char* fn, HcclRootInfo* rootInfo) {
    const char* base = getenv("ASCEND_SIM_HCCL_STORE_DIR");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    std::string templ = std::string(base) + "/ascend-sim-hccl-XXXXXX";
    if (templ.size() >= sizeof(RootWire::storeDir))
        return hfail(HCCL_E_PARA, fn, "store folder base '%s' is too long", base);
    std::vector<char> path(templ.begin(), templ.end());
    path.push_back(0);
    if (!mkdtemp(path.data()))
        return hfail(HCCL_E_SYSCALL, fn, "cannot create the rendezvous folder under '%s': %s", base, strerror(errno));
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

HcclResult join_root_info(const char* fn, const HcclRootInfo& rootInfo, Comm& c) {
    RootWire w;
    memcpy(&w, rootInfo.internal, sizeof w);
    if (memcmp(w.magic, kMagic, sizeof kMagic) != 0 || w.version != kWireVersion ||
        !memchr(w.storeDir, 0, sizeof w.storeDir) || !memchr(w.uid, 0, sizeof w.uid) || !memchr(w.host, 0, sizeof w.host))
        return hfail(HCCL_E_PARA, fn, "rootInfo was not made by HcclGetRootInfo (unknown layout or damaged bytes)");
    HcclResult rc;
    struct stat sb;
    if (stat(w.storeDir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = hfail(HCCL_E_TIMEOUT, fn,
                   "the rendezvous folder '%s' of this root info does not exist (rank 0 already gave up or finished "
                   "connecting, or the root info comes from another machine)",
                   w.storeDir);
    } else {
        try {
            gloo::rendezvous::FileStore files(w.storeDir);
            gloo::rendezvous::PrefixStore store(w.uid, files);
            rc = connect_rank(fn, store, w.host, c);
        } catch (const std::exception& e) {
            rc = hfail(HCCL_E_TCP_CONNECT, fn, "rendezvous store '%s' failed: %s", w.storeDir, e.what());
        }
    }
    // Rank 0 owns the rendezvous folder: once everyone connected (or the attempt failed), it goes.
    if (c.rank == 0) remove_store_dir(w.storeDir);
    return rc;
}

HcclResult join_local(const char* fn, const std::shared_ptr<Comm>* comms, uint32_t n) {
    gloo::rendezvous::HashStore store;
    std::vector<HcclResult> rcs(n, HCCL_SUCCESS);
    std::vector<std::string> errs(n);
    std::vector<std::thread> threads;
    for (uint32_t i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            rcs[i] = connect_rank(fn, store, "127.0.0.1", *comms[i]);
            if (rcs[i] != HCCL_SUCCESS) errs[i] = host().recent_error();
        });
    }
    for (auto& t : threads) t.join();
    for (uint32_t i = 0; i < n; ++i)
        if (rcs[i] != HCCL_SUCCESS) return hfail(rcs[i], fn, "%s", errs[i].c_str());
    return HCCL_SUCCESS;
}

}  // namespace hccl
}  // namespace sim
