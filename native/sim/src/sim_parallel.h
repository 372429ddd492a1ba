// Ascend.Interop simulator: the kernel thread pool shared by every operator kernel (internal).
//
// Stream workers stay the simulator's unit of ordering (one worker per stream runs that stream's
// tasks in order, sim_runtime_stream.cpp); inside one task, a kernel may split its work over this
// pool. The calling worker always works on its own job too, so a job finishes even when every
// pool thread is busy with other streams' jobs.
//
// Determinism: the split depends only on the item count and grain, never on the number of
// threads or on timing, and each item must write its own outputs (no reduction across items),
// so results are bit-identical whatever the thread count, eager or replayed.
#pragma once

#include <cstdint>
#include <functional>

namespace sim {

// Threads a kernel may use, the calling worker included: ASCEND_SIM_KERNEL_THREADS when set
// (1 = kernels run on the stream worker alone), else the machine's hardware threads (at most 8).
int kernel_threads();

// Overrides kernel_threads() (tests); 0 restores the default. Takes effect for later jobs.
void set_kernel_threads(int threads);

// Runs body(begin, end) over [0, count) in chunks of `grain` items ([0, grain), [grain, 2 grain), ...),
// on the pool and the calling thread; returns when every chunk ran. Runs inline when there is
// one chunk or one thread. The body must not throw.
void parallel_for(int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace sim
