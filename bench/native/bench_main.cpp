// C++ baseline of the Ascend.Interop benchmarks: the call sequences of
// bench/Ascend.Interop.Benchmarks/BenchmarkBodies.cs, written by hand against the C API and run on
// the same simulator library. What the SDK does per operator call (descriptors, workspace query,
// workspace, launch) is mirrored here call for call; see the comments at OpRunner.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_check.h"
#include "acl/acl.h"
#include "acl_sim/acl_sim.h"
#include "aclnn/acl_meta.h"
#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_matmul.h"
#include "aclnnop/aclnn_rms_norm.h"
#include "aclnnop/aclnn_silu.h"
#include "aclnnop/aclnn_softmax.h"

namespace {

// ---- shapes of the benchmarks (identical to BenchmarkShapes in the C# project) ------------------
constexpr int64_t kAddElements = 1024;
constexpr int64_t kBatch = 8;
constexpr int64_t kWidth = 256;
constexpr int kLayers = 4;            // 3 x (MatMul, Add bias, Silu) + (MatMul, Add bias)
constexpr double kRmsEpsilon = 1e-6;
constexpr int kEnqueueBatch = 64;     // enqueue benchmarks: operations queued per timed batch
constexpr size_t kPoolBlockBytes = 4096;

// Deterministic inputs, same formula as BenchmarkData.Fill in C#.
std::vector<float> fill(size_t count, uint32_t seed, float scale) {
    std::vector<float> v(count);
    uint32_t state = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < count; ++i) {
        state = state * 1664525u + 1013904223u;
        v[i] = (static_cast<float>(state >> 8) / 16777216.0f - 0.5f) * scale;
    }
    return v;
}

// A contiguous float tensor with its aclTensor descriptor, created once and reused by every
// operator call (the SDK's NpuTensor caches its descriptor the same way; storage is described
// as 1-D, as the SDK does).
struct DeviceTensor {
    void* data = nullptr;
    int64_t dims[2] = {0, 0};
    uint64_t rank = 0;
    aclTensor* desc = nullptr;
    int64_t elements() const {
        int64_t n = 1;
        for (uint64_t i = 0; i < rank; ++i) n *= dims[i];
        return n;
    }
    size_t bytes() const { return static_cast<size_t>(elements()) * sizeof(float); }
};

DeviceTensor device_tensor(std::initializer_list<int64_t> dims) {
    DeviceTensor t;
    for (int64_t d : dims) t.dims[t.rank++] = d;
    CHECK(aclrtMalloc(&t.data, t.bytes(), ACL_MEM_MALLOC_HUGE_FIRST));
    int64_t strides[2];
    int64_t s = 1;
    for (int64_t i = static_cast<int64_t>(t.rank) - 1; i >= 0; --i) {
        strides[i] = s;
        s *= t.dims[i];
    }
    int64_t storage = t.elements();
    t.desc = aclCreateTensor(t.dims, t.rank, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, &storage, 1, t.data);
    if (t.desc == nullptr) die("aclCreateTensor", -1);
    return t;
}

void release(DeviceTensor& t) {
    aclDestroyTensor(t.desc);
    CHECK(aclrtFree(t.data));
    t = DeviceTensor();
}

void upload(const DeviceTensor& t, const std::vector<float>& host) {
    CHECK(aclrtMemcpy(t.data, t.bytes(), host.data(), t.bytes(), ACL_MEMCPY_HOST_TO_DEVICE));
}

// One eager operator call, as the SDK's Ops make it: the tensors' cached descriptors, phase 1
// (workspace query; a fresh single-use executor every call), a workspace when the operator asks
// for one, phase 2 (the launch consumes the executor). Add creates and destroys its alpha scalar
// per call, as Ops.Add does. The workspace is one buffer reused by every call (grown on demand
// outside the timed region): the hand-written optimum the SDK's pool is measured against.
struct OpRunner {
    aclrtStream stream = nullptr;
    void* workspace = nullptr;
    uint64_t workspaceBytes = 0;

    explicit OpRunner(aclrtStream s) : stream(s) {}
    ~OpRunner() {
        if (workspace) aclrtFree(workspace);
    }

    void* reserve(uint64_t bytes) {
        if (bytes == 0) return nullptr;
        if (bytes > workspaceBytes) {
            if (workspace) {
                CHECK(aclrtSynchronizeStream(stream));  // queued work may still use the old one
                CHECK(aclrtFree(workspace));
            }
            CHECK(aclrtMalloc(&workspace, bytes, ACL_MEM_MALLOC_HUGE_FIRST));
            workspaceBytes = bytes;
        }
        return workspace;
    }

    void add(const DeviceTensor& a, const DeviceTensor& b, const DeviceTensor& out) {
        float one = 1.0f;
        aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
        if (alpha == nullptr) die("aclCreateScalar", -1);
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(aclnnAddGetWorkspaceSize(a.desc, b.desc, alpha, out.desc, &ws, &ex));
        CHECK(aclnnAdd(reserve(ws), ws, ex, stream));
        aclDestroyScalar(alpha);
    }

    void matmul(const DeviceTensor& a, const DeviceTensor& b, const DeviceTensor& out) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(aclnnMatmulGetWorkspaceSize(a.desc, b.desc, out.desc, 0, &ws, &ex));
        CHECK(aclnnMatmul(reserve(ws), ws, ex, stream));
    }

    void silu(const DeviceTensor& a, const DeviceTensor& out) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(aclnnSiluGetWorkspaceSize(a.desc, out.desc, &ws, &ex));
        CHECK(aclnnSilu(reserve(ws), ws, ex, stream));
    }

    void softmax(const DeviceTensor& a, const DeviceTensor& out) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(aclnnSoftmaxGetWorkspaceSize(a.desc, -1, out.desc, &ws, &ex));
        CHECK(aclnnSoftmax(reserve(ws), ws, ex, stream));
    }

    void rms_norm(const DeviceTensor& x, const DeviceTensor& gamma, const DeviceTensor& y, const DeviceTensor& rstd) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(aclnnRmsNormGetWorkspaceSize(x.desc, gamma.desc, kRmsEpsilon, y.desc, rstd.desc, &ws, &ex));
        CHECK(aclnnRmsNorm(reserve(ws), ws, ex, stream));
    }
};

// ---- the process-wide fixture -------------------------------------------------------------------
struct Mlp {
    DeviceTensor x, gamma, normed, rstd, out;
    DeviceTensor weight[kLayers], bias[kLayers];
    DeviceTensor product[kLayers], biased[kLayers], activated[kLayers - 1];

    void allocate() {
        x = device_tensor({kBatch, kWidth});
        gamma = device_tensor({kWidth});
        normed = device_tensor({kBatch, kWidth});
        rstd = device_tensor({kBatch, 1});
        out = device_tensor({kBatch, kWidth});
        upload(x, fill(kBatch * kWidth, 1, 2.0f));
        upload(gamma, fill(kWidth, 2, 1.0f));
        for (int l = 0; l < kLayers; ++l) {
            weight[l] = device_tensor({kWidth, kWidth});
            bias[l] = device_tensor({kWidth});
            product[l] = device_tensor({kBatch, kWidth});
            biased[l] = device_tensor({kBatch, kWidth});
            if (l < kLayers - 1) activated[l] = device_tensor({kBatch, kWidth});
            upload(weight[l], fill(kWidth * kWidth, 10 + l, 0.125f));
            upload(bias[l], fill(kWidth, 20 + l, 0.5f));
        }
    }

    void release_all() {
        for (DeviceTensor* t : {&x, &gamma, &normed, &rstd, &out}) release(*t);
        for (int l = 0; l < kLayers; ++l) {
            release(weight[l]);
            release(bias[l]);
            release(product[l]);
            release(biased[l]);
            if (l < kLayers - 1) release(activated[l]);
        }
    }

    // 13 operators: RmsNorm, 3 x (MatMul, Add bias, Silu), MatMul, Add bias, Softmax.
    void step(OpRunner& ops) const {
        ops.rms_norm(x, gamma, normed, rstd);
        const DeviceTensor* h = &normed;
        for (int l = 0; l < kLayers; ++l) {
            ops.matmul(*h, weight[l], product[l]);
            ops.add(product[l], bias[l], biased[l]);
            if (l < kLayers - 1) {
                ops.silu(biased[l], activated[l]);
                h = &activated[l];
            }
        }
        ops.softmax(biased[kLayers - 1], out);
    }
};

struct Fixture {
    aclrtContext context = nullptr;
    aclrtStream stream = nullptr;
    OpRunner* ops = nullptr;
    DeviceTensor a, b, sum;
    Mlp mlp;
    aclmdlRI graph = nullptr;
    aclrtEvent event = nullptr;
};
Fixture g;

void setup() {
    CHECK(aclInit(nullptr));
    CHECK(aclrtCreateContext(&g.context, 0));
    CHECK(aclrtCreateStream(&g.stream));
    g.ops = new OpRunner(g.stream);
    CHECK(aclrtCreateEvent(&g.event));
    g.a = device_tensor({kAddElements});
    g.b = device_tensor({kAddElements});
    g.sum = device_tensor({kAddElements});
    upload(g.a, fill(kAddElements, 3, 1.0f));
    upload(g.b, fill(kAddElements, 4, 1.0f));
    g.mlp.allocate();

    // Warm up eagerly (sizes the workspace outside the capture), then capture one step.
    g.mlp.step(*g.ops);
    CHECK(aclrtSynchronizeStream(g.stream));
    std::vector<float> eager(kBatch * kWidth), replayed(kBatch * kWidth);
    CHECK(aclrtMemcpy(eager.data(), g.mlp.out.bytes(), g.mlp.out.data, g.mlp.out.bytes(), ACL_MEMCPY_DEVICE_TO_HOST));
    CHECK(aclmdlRICaptureBegin(g.stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    g.mlp.step(*g.ops);
    CHECK(aclmdlRICaptureEnd(g.stream, &g.graph));

    // The baseline checks itself: a replay must reproduce the eager output.
    CHECK(aclrtMemset(g.mlp.out.data, g.mlp.out.bytes(), 0, g.mlp.out.bytes()));
    CHECK(aclmdlRIExecuteAsync(g.graph, g.stream));
    CHECK(aclrtSynchronizeStream(g.stream));
    CHECK(aclrtMemcpy(replayed.data(), g.mlp.out.bytes(), g.mlp.out.data, g.mlp.out.bytes(), ACL_MEMCPY_DEVICE_TO_HOST));
    double rowSum = 0;
    for (size_t i = 0; i < eager.size(); ++i) {
        if (!std::isfinite(eager[i]) || eager[i] != replayed[i]) {
            std::fprintf(stderr, "ascend_bench_native: replay output %zu is %g, eager gave %g\n", i, replayed[i], eager[i]);
            std::exit(3);
        }
        if (i < static_cast<size_t>(kWidth)) rowSum += eager[i];
    }
    // Tasks the simulator runs per step, printed for RESULTS.md (the SDK's count comes from its loop command).
    uint64_t t0 = 0, t1 = 0, t2 = 0;
    CHECK(aclsimGetCounter(ACLSIM_COUNT_TASKS_EXECUTED, &t0));
    g.mlp.step(*g.ops);
    CHECK(aclrtSynchronizeStream(g.stream));
    CHECK(aclsimGetCounter(ACLSIM_COUNT_TASKS_EXECUTED, &t1));
    CHECK(aclmdlRIExecuteAsync(g.graph, g.stream));
    CHECK(aclrtSynchronizeStream(g.stream));
    CHECK(aclsimGetCounter(ACLSIM_COUNT_TASKS_EXECUTED, &t2));
    std::fprintf(stderr, "ascend_bench_native: simulator tasks per eager MLP step %llu, per replay %llu\n",
                 static_cast<unsigned long long>(t1 - t0), static_cast<unsigned long long>(t2 - t1));
    if (std::fabs(rowSum - 1.0) > 1e-3) {
        std::fprintf(stderr, "ascend_bench_native: softmax row sums to %g, not 1\n", rowSum);
        std::exit(3);
    }
}

void teardown() {
    CHECK(aclrtSynchronizeStream(g.stream));
    CHECK(aclmdlRIDestroy(g.graph));
    delete g.ops;
    CHECK(aclrtDestroyEvent(g.event));
    g.mlp.release_all();
    release(g.a);
    release(g.b);
    release(g.sum);
    CHECK(aclrtDestroyStream(g.stream));
    CHECK(aclrtDestroyContext(g.context));
    aclFinalize();
}

// Times kEnqueueBatch submissions per iteration and reports the time of one; the stream is drained
// between batches outside the timed region (as the C# side's IterationCleanup does).
template <typename Enqueue>
void enqueue_batches(benchmark::State& state, Enqueue enqueue) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEnqueueBatch; ++i) enqueue();
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / kEnqueueBatch);
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

// ---- benchmarks (names match the C# benchmark methods) ----------------------------------------
void EagerAdd(benchmark::State& state) {
    for (auto _ : state) {
        g.ops->add(g.a, g.b, g.sum);
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

void EagerMlpStep(benchmark::State& state) {
    for (auto _ : state) {
        g.mlp.step(*g.ops);
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

void EagerMlpEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.mlp.step(*g.ops); });
}

void ReplayMlpStep(benchmark::State& state) {
    for (auto _ : state) {
        CHECK(aclmdlRIExecuteAsync(g.graph, g.stream));
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

void ReplayMlpEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { CHECK(aclmdlRIExecuteAsync(g.graph, g.stream)); });
}

void RawMallocFree(benchmark::State& state) {
    for (auto _ : state) {
        void* p = nullptr;
        CHECK(aclrtMalloc(&p, kPoolBlockBytes, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtFree(p));
    }
}

// Not a C# counterpart: what DeviceMemoryPool.Return pays on every return (it records a readiness event on the
// returning stream); RESULTS.md uses it to split the pool's cost.
void EventRecord(benchmark::State& state) {
    for (auto _ : state) CHECK(aclrtRecordEvent(g.event, g.stream));
}

void StreamQuery(benchmark::State& state) {
    for (auto _ : state) {
        aclrtStreamStatus status;
        CHECK(aclrtStreamQuery(g.stream, &status));
        benchmark::DoNotOptimize(status);
    }
}

}  // namespace

BENCHMARK(EagerAdd)->UseRealTime();
BENCHMARK(EagerMlpStep)->UseRealTime();
BENCHMARK(EagerMlpEnqueue)->UseManualTime()->Iterations(40);
BENCHMARK(ReplayMlpStep)->UseRealTime();
BENCHMARK(ReplayMlpEnqueue)->UseManualTime()->Iterations(40);
BENCHMARK(RawMallocFree)->UseRealTime();
BENCHMARK(EventRecord)->UseRealTime();
BENCHMARK(StreamQuery)->UseRealTime();

int main(int argc, char** argv) { return run_bench_main(argc, argv, setup, teardown); }
