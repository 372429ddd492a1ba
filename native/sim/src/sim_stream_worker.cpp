// Ascend.Interop simulator runtime core: stream workers (one thread per stream running its queue in
// order), waiting for a stream, and running one task with its buffers pinned.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sim_state.h"

namespace sim {

std::string stream_name(const Stream* s) {
    if (!s) return "NULL";
    char buf[64];
    if (s->isDefault) snprintf(buf, sizeof buf, "default stream of device %d", s->device);
    else snprintf(buf, sizeof buf, "%p (device %d)", static_cast<const void*>(s), s->device);
    return buf;
}

// aclsimHoldStreams: while held, workers start no new item (one already running finishes). The workers register here
// so that the release can wake each one under its own mutex (no lost wake-up).
namespace {
std::atomic<bool> g_held{false};
std::mutex g_workersMu;
std::vector<Stream*>& workers() {
    static auto* v = new std::vector<Stream*>();  // never destroyed: workers may outlive static destruction
    return *v;
}
}  // namespace

void hold_streams(bool hold) {
    g_held.store(hold);
    if (hold) return;
    std::lock_guard<std::mutex> wl(g_workersMu);
    for (Stream* s : workers()) {
        { std::lock_guard<std::mutex> l(s->m); }
        s->workCv.notify_all();
    }
}

static void worker_loop(Stream* s) {
    for (;;) {
        Item it;
        {
            std::unique_lock<std::mutex> l(s->m);
            // A stopping stream runs what is queued even while held (aclFinalize and stream destruction never wait for a release).
            s->workCv.wait(l, [s] { return s->stop || (!s->q.empty() && !g_held.load()); });
            if (s->q.empty()) return;
            it = std::move(s->q.front());
            s->q.pop_front();
        }
        std::string msg;
        int rc;
        try {
            rc = it.fn(msg);
        } catch (const std::exception& e) {
            rc = ACL_ERROR_RT_INTERNAL_ERROR;
            msg = std::string("exception: ") + e.what();
        } catch (...) {
            rc = ACL_ERROR_RT_INTERNAL_ERROR;
            msg = "unknown exception";
        }
        {
            std::lock_guard<std::mutex> l(s->m);
            if (rc != ACL_SUCCESS && s->sticky == 0) {
                s->sticky = rc;
                s->stickyMsg = item_what(it) + " failed on " + stream_name(s) + " with error " + std::to_string(rc) +
                               (msg.empty() ? "" : ": " + msg);
            }
            s->completed++;
        }
        s->doneCv.notify_all();
    }
}

std::shared_ptr<Stream> start_stream(Context* ctx, int32_t device, bool isDefault) {
    auto s = std::make_shared<Stream>();
    s->id = g().nextId++;
    s->ctx = ctx;
    s->device = device;
    s->isDefault = isDefault;
    Stream* raw = s.get();
    {
        std::lock_guard<std::mutex> wl(g_workersMu);
        workers().push_back(raw);
    }
    s->worker = std::thread([raw] { worker_loop(raw); });
    return s;
}

void enqueue(Stream* s, Item&& it) {
    {
        std::lock_guard<std::mutex> l(s->m);
        s->q.push_back(std::move(it));
        s->submitted++;
    }
    // A held worker would wake only to sleep again; the release wakes every worker.
    if (!g_held.load()) s->workCv.notify_one();
}

void stop_stream(const std::shared_ptr<Stream>& s) {
    if (!s) return;
    {
        std::lock_guard<std::mutex> l(s->m);
        s->stop = true;
    }
    s->workCv.notify_all();
    {
        std::lock_guard<std::mutex> wl(g_workersMu);
        auto& v = workers();
        v.erase(std::remove(v.begin(), v.end(), s.get()), v.end());
    }
    if (s->worker.joinable()) {
        if (s->worker.get_id() == std::this_thread::get_id()) s->worker.detach();
        else s->worker.join();
    }
}

int wait_stream(const char* fn, Stream* s, int32_t timeoutMs, int timeoutCode) {
    std::unique_lock<std::mutex> l(s->m);
    uint64_t target = s->submitted;
    auto pred = [s, target] { return s->completed >= target; };
    if (timeoutMs < 0) {
        s->doneCv.wait(l, pred);
    } else if (!s->doneCv.wait_for(l, std::chrono::milliseconds(timeoutMs), pred)) {
        return fail(timeoutCode, fn, "%s did not complete within %d ms (%llu task(s) pending)",
                    stream_name(s).c_str(), timeoutMs,
                    static_cast<unsigned long long>(s->submitted - s->completed));
    }
    if (s->sticky) {
        int rc = s->sticky;
        std::string m = s->stickyMsg;
        s->sticky = 0;
        s->stickyMsg.clear();
        return fail(rc, fn, "%s", m.c_str());
    }
    return ACL_SUCCESS;
}

int run_task(const Task& t, std::string& msg) {
    State& st = g();
    std::vector<Alloc*> pinned;
    {
        std::lock_guard<std::mutex> l(st.mu);
        for (const TaskBuffer& b : t.buffers) {
            if (!b.allocationId) continue;
            auto it = st.allocById.find(b.allocationId);
            if (it == st.allocById.end() || it->second->freed) {
                for (Alloc* a : pinned) a->pins--;
                char buf[256];
                snprintf(buf, sizeof buf, "task '%s' (%s) uses buffer %p (%zu bytes) whose allocation #%llu was freed",
                         t.name.c_str(), t.kind.c_str(), b.ptr, b.bytes,
                         static_cast<unsigned long long>(b.allocationId));
                msg = buf;
                st.cv.notify_all();
                return ACL_ERROR_RT_PARAM_INVALID;
            }
            it->second->pins++;
            pinned.push_back(it->second);
        }
    }
    if (uint32_t d = task_delay_us()) std::this_thread::sleep_for(std::chrono::microseconds(d));
    tls().hasErr = false;
    int rc = t.run ? t.run() : ACL_ERROR_RT_PARAM_INVALID;
    bump(ACLSIM_COUNT_TASKS_EXECUTED, 1);
    if (rc != ACL_SUCCESS && msg.empty()) {
        // A kernel that names its failure (sim::fail on this worker thread) passes the text on.
        msg = "task '" + t.name + "' (" + t.kind + ") returned " + std::to_string(rc);
        if (tls().hasErr) msg += ": " + tls().err;
    }
    tls().hasErr = false;
    if (!pinned.empty()) {
        std::lock_guard<std::mutex> l(st.mu);
        for (Alloc* a : pinned) {
            if (--a->pins == 0 && a->freed) {
                st.allocById.erase(a->id);
                free(a->base);
                delete a;
            }
        }
    }
    return rc;
}

}  // namespace sim
