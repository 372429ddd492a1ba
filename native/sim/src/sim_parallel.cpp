// Ascend.Interop simulator: the kernel thread pool (see sim_parallel.h).
#include "sim_parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace sim {
namespace {

constexpr int kMaxThreads = 64;

struct Job {
    const std::function<void(int64_t, int64_t)>* body;
    int64_t count;
    int64_t grain;
    int64_t chunks;
    int helperLimit;              // pool threads allowed to join (kernel_threads() - 1 when queued)
    int helpers = 0;              // pool threads that joined (under the pool mutex)
    int active = 0;               // pool threads working on it now (under the pool mutex)
    std::atomic<int64_t> next{0}; // next chunk to claim
};

void run_chunks(Job& job) {
    for (;;) {
        const int64_t chunk = job.next.fetch_add(1, std::memory_order_relaxed);
        if (chunk >= job.chunks) return;
        const int64_t begin = chunk * job.grain;
        (*job.body)(begin, std::min(job.count, begin + job.grain));
    }
}

int default_threads() {
    if (const char* e = std::getenv("ASCEND_SIM_KERNEL_THREADS")) {
        char* end = nullptr;
        long v = std::strtol(e, &end, 10);
        if (end != e && *end == '\0' && v >= 1 && v <= kMaxThreads) return static_cast<int>(v);
        std::fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_KERNEL_THREADS='%s' (1..%d)\n", e, kMaxThreads);
    }
    unsigned hw = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(hw == 0 ? 1u : hw, 1u, 8u));
}

// Never destroyed: pool threads may still sleep in it while the process exits.
struct Pool {
    std::mutex m;
    std::condition_variable work;
    std::condition_variable done;
    std::deque<Job*> queue;
    int threads = 0;  // pool threads started (they never exit)

    void ensure_threads(int wanted) {  // under m
        while (threads < wanted) {
            std::thread([this] { loop(); }).detach();
            threads++;
        }
    }

    void loop() {
        std::unique_lock<std::mutex> l(m);
        for (;;) {
            work.wait(l, [this] { return !queue.empty(); });
            Job* job = nullptr;
            for (auto it = queue.begin(); it != queue.end();) {
                Job* j = *it;
                if (j->next.load(std::memory_order_relaxed) >= j->chunks) {
                    it = queue.erase(it);  // every chunk claimed: nothing left to join
                } else if (j->helpers < j->helperLimit) {
                    job = j;
                    break;
                } else {
                    ++it;
                }
            }
            if (!job) {
                // Only full jobs are queued: sleep until the queue changes.
                work.wait(l);
                continue;
            }
            job->helpers++;
            job->active++;
            l.unlock();
            run_chunks(*job);
            l.lock();
            // The job lives on its caller's stack: this is the last access.
            if (--job->active == 0) done.notify_all();
        }
    }
};

Pool& pool() {
    static Pool* p = new Pool();
    return *p;
}

std::atomic<int> g_override{0};

}  // namespace

int kernel_threads() {
    static const int configured = default_threads();
    int o = g_override.load(std::memory_order_relaxed);
    return o > 0 ? o : configured;
}

void set_kernel_threads(int threads) { g_override.store(std::clamp(threads, 0, kMaxThreads), std::memory_order_relaxed); }

void parallel_for(int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
    if (count <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int64_t chunks = (count + grain - 1) / grain;
    const int threads = kernel_threads();
    if (chunks == 1 || threads == 1) {
        for (int64_t begin = 0; begin < count; begin += grain) body(begin, std::min(count, begin + grain));
        return;
    }
    Job job;
    job.body = &body;
    job.count = count;
    job.grain = grain;
    job.chunks = chunks;
    job.helperLimit = static_cast<int>(std::min<int64_t>(threads - 1, chunks - 1));
    Pool& p = pool();
    {
        std::lock_guard<std::mutex> l(p.m);
        p.ensure_threads(threads - 1);
        p.queue.push_back(&job);
    }
    p.work.notify_all();
    run_chunks(job);
    std::unique_lock<std::mutex> l(p.m);
    auto it = std::find(p.queue.begin(), p.queue.end(), &job);
    if (it != p.queue.end()) p.queue.erase(it);
    p.done.wait(l, [&job] { return job.active == 0; });
}

}  // namespace sim
