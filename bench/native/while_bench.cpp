// C++ baseline of the WHILE-loop benchmarks (bench/Ascend.Interop.Benchmarks/WhileLoopBenchmarks.cs): K steps of a
// small model in one launch of a WHILE graph against K replays of the one-step graph, written against the C API and
// run on the same simulator library. One step on 1,024 floats: x = x * s + y (aclnnMul, aclnnAdd), counter + 1
// (aclnnAdd) and word = counter < K (aclnnLtScalar written into an int64 aclTensor over the word): the WHILE body's
// word is the loop's condition (aclmdlRICondHandleGetCondPtr; the C# side writes it through
// NpuGraphCondition.AsTensor), the step graph's a scratch int64. The WHILE graph first zeroes the counter (aclnnMul by
// zero) and its condition resets to 1 at each launch (ASSIGN_DEFAULT): 2 + 4K tasks per launch against 4K for K
// replays. Only aclmdlRIExecuteAsync (and the wait) is timed, reported per step.
// The program checks itself before timing: one WHILE launch and K replays from the same x give the same x byte for
// byte, the counter K, the condition word 0, and the task counts above (those of the C# side's check).
// Usage: ascend_bench_while [--check-only] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <chrono>
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
#include "aclnnop/aclnn_lt_scalar.h"
#include "aclnnop/aclnn_mul.h"

namespace {

constexpr int kSteps = 16;          // WhileLoopBenchmarkBodies.Steps
constexpr int64_t kElements = 1024; // WhileLoopBenchmarkBodies.Elements
constexpr uint64_t kStepTasks = 4;
constexpr uint64_t kWhileTasks = 2 + kStepTasks * kSteps;
constexpr int kEnqueueBatch = 16;   // invocations queued per timed batch (the C# side's InvocationCount(16))

[[noreturn]] void fail(const char* message) {
    std::fprintf(stderr, "ascend_bench_while: check failed: %s\n", message);
    std::exit(3);
}

uint64_t tasks_executed() {
    uint64_t v = 0;
    CHECK(aclsimGetCounter(ACLSIM_COUNT_TASKS_EXECUTED, &v));
    return v;
}

struct Buffer {
    void* ptr = nullptr;
    aclTensor* tensor = nullptr;
};

struct State {
    aclrtContext context = nullptr;
    aclrtStream stream = nullptr;
    aclrtStream body = nullptr;
    std::vector<float> x0;
    Buffer x, y, s, tmp, counter, one, zero, scratchWord;
    Buffer conditionWord;               // a tensor over the WHILE condition's word (the graph owns the memory)
    aclScalar* alpha = nullptr;
    aclScalar* limit = nullptr;
    aclmdlRI stepGraph = nullptr;
    aclmdlRI whileGraph = nullptr;

    Buffer make(int64_t count, aclDataType type, size_t elementSize, const void* data) {
        Buffer b;
        const size_t bytes = static_cast<size_t>(count) * elementSize;
        CHECK(aclrtMalloc(&b.ptr, bytes, ACL_MEM_MALLOC_HUGE_FIRST));
        if (data != nullptr)
            CHECK(aclrtMemcpy(b.ptr, bytes, data, bytes, ACL_MEMCPY_HOST_TO_DEVICE));
        else
            CHECK(aclrtMemset(b.ptr, bytes, 0, bytes));
        const int64_t dims[1] = {count};
        const int64_t strides[1] = {1};
        b.tensor = aclCreateTensor(dims, 1, type, strides, 0, ACL_FORMAT_ND, dims, 1, b.ptr);
        if (b.tensor == nullptr) die("aclCreateTensor", -1);
        return b;
    }

    // Phase 1 of an operator (no workspace: the simulator's elementwise operators need none), then its launch.
    template <typename Phase1, typename Launch>
    void run(aclrtStream on, Phase1 phase1, Launch launch) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        CHECK(phase1(&ws, &ex));
        if (ws != 0) fail("an operator of the step asks for a workspace");
        CHECK(launch(ex, on));
    }

    // One step on `on`: x = x * s + y, counter + 1, word = counter < K (the comparison written into `word`).
    void step(aclrtStream on, Buffer& word) {
        run(on, [&](uint64_t* w, aclOpExecutor** e) { return aclnnMulGetWorkspaceSize(x.tensor, s.tensor, tmp.tensor, w, e); },
            [](aclOpExecutor* e, aclrtStream st) { return aclnnMul(nullptr, 0, e, st); });
        run(on, [&](uint64_t* w, aclOpExecutor** e) { return aclnnAddGetWorkspaceSize(tmp.tensor, y.tensor, alpha, x.tensor, w, e); },
            [](aclOpExecutor* e, aclrtStream st) { return aclnnAdd(nullptr, 0, e, st); });
        run(on, [&](uint64_t* w, aclOpExecutor** e) { return aclnnAddGetWorkspaceSize(counter.tensor, one.tensor, alpha, counter.tensor, w, e); },
            [](aclOpExecutor* e, aclrtStream st) { return aclnnAdd(nullptr, 0, e, st); });
        run(on, [&](uint64_t* w, aclOpExecutor** e) { return aclnnLtScalarGetWorkspaceSize(counter.tensor, limit, word.tensor, w, e); },
            [](aclOpExecutor* e, aclrtStream st) { return aclnnLtScalar(nullptr, 0, e, st); });
    }

    void setup() {
        CHECK(aclInit(nullptr));
        CHECK(aclrtSetDevice(0));
        CHECK(aclrtCreateContext(&context, 0));
        CHECK(aclrtCreateStream(&stream));
        CHECK(aclrtCreateStream(&body));
        x0.resize(kElements);
        std::vector<float> yv(kElements), sv(kElements);
        for (int64_t i = 0; i < kElements; ++i) {
            x0[i] = 0.37f * static_cast<float>(i) - 5.0f;
            yv[i] = 1.0f / static_cast<float>(i + 3);
            sv[i] = 0.75f + 0.0002f * static_cast<float>(i);
        }
        const float oneValue = 1.0f, zeroValue = 0.0f;
        x = make(kElements, ACL_FLOAT, 4, x0.data());
        y = make(kElements, ACL_FLOAT, 4, yv.data());
        s = make(kElements, ACL_FLOAT, 4, sv.data());
        tmp = make(kElements, ACL_FLOAT, 4, nullptr);
        counter = make(1, ACL_FLOAT, 4, &zeroValue);
        one = make(1, ACL_FLOAT, 4, &oneValue);
        zero = make(1, ACL_FLOAT, 4, &zeroValue);
        scratchWord = make(1, ACL_INT64, 8, nullptr);
        float alphaValue = 1.0f;
        double limitValue = kSteps;  // the C# side's Ops.Lt(..., double, ...)
        alpha = aclCreateScalar(&alphaValue, ACL_FLOAT);
        limit = aclCreateScalar(&limitValue, ACL_DOUBLE);
        if (alpha == nullptr || limit == nullptr) die("aclCreateScalar", -1);

        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        step(stream, scratchWord);
        CHECK(aclmdlRICaptureEnd(stream, &stepGraph));

        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        run(stream, [&](uint64_t* w, aclOpExecutor** e) { return aclnnMulGetWorkspaceSize(counter.tensor, zero.tensor, counter.tensor, w, e); },
            [](aclOpExecutor* e, aclrtStream st) { return aclnnMul(nullptr, 0, e, st); });
        aclmdlRI root = nullptr;
        CHECK(aclmdlRICaptureGetInfo(stream, nullptr, &root));
        aclmdlRICondHandle cond = nullptr;
        CHECK(aclmdlRICondHandleCreate(root, 1, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &cond));
        uint64_t* word = nullptr;
        CHECK(aclmdlRICondHandleGetCondPtr(cond, &word));
        const int64_t wordDims[1] = {1};
        const int64_t wordStrides[1] = {1};
        conditionWord.ptr = word;
        conditionWord.tensor = aclCreateTensor(wordDims, 1, ACL_INT64, wordStrides, 0, ACL_FORMAT_ND, wordDims, 1, word);
        if (conditionWord.tensor == nullptr) die("aclCreateTensor", -1);
        aclmdlRI loop = nullptr;
        aclmdlRICondTaskParams p{};
        p.handle = cond;
        p.type = ACL_MODEL_RI_COND_TYPE_WHILE;
        p.size = 1;
        p.modelRIArray = &loop;
        CHECK(aclmdlRIAddCondTask(p, stream, 0));
        CHECK(aclmdlRICaptureToModelRIBegin(body, loop, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        step(body, conditionWord);
        CHECK(aclmdlRICaptureEnd(body, nullptr));
        CHECK(aclmdlRICaptureEnd(stream, &whileGraph));
    }

    void reset() {
        const float zeroValue = 0.0f;
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclrtMemcpy(x.ptr, kElements * 4, x0.data(), kElements * 4, ACL_MEMCPY_HOST_TO_DEVICE));
        CHECK(aclrtMemcpy(counter.ptr, 4, &zeroValue, 4, ACL_MEMCPY_HOST_TO_DEVICE));
    }

    void replays() {
        for (int k = 0; k < kSteps; ++k) CHECK(aclmdlRIExecuteAsync(stepGraph, stream));
    }

    void check() {
        std::vector<float> viaWhile(kElements), viaReplays(kElements);
        float whileCounter = -1, replayCounter = -1;
        int64_t whileFlag = -1;
        reset();
        uint64_t before = tasks_executed();
        CHECK(aclmdlRIExecuteAsync(whileGraph, stream));
        CHECK(aclrtSynchronizeStream(stream));
        const uint64_t whileTasks = tasks_executed() - before;
        CHECK(aclrtMemcpy(viaWhile.data(), kElements * 4, x.ptr, kElements * 4, ACL_MEMCPY_DEVICE_TO_HOST));
        CHECK(aclrtMemcpy(&whileCounter, 4, counter.ptr, 4, ACL_MEMCPY_DEVICE_TO_HOST));
        CHECK(aclrtMemcpy(&whileFlag, 8, conditionWord.ptr, 8, ACL_MEMCPY_DEVICE_TO_HOST));

        reset();
        before = tasks_executed();
        replays();
        CHECK(aclrtSynchronizeStream(stream));
        const uint64_t replayTasks = tasks_executed() - before;
        CHECK(aclrtMemcpy(viaReplays.data(), kElements * 4, x.ptr, kElements * 4, ACL_MEMCPY_DEVICE_TO_HOST));
        CHECK(aclrtMemcpy(&replayCounter, 4, counter.ptr, 4, ACL_MEMCPY_DEVICE_TO_HOST));
        reset();

        std::printf("ascend_bench_while: K = %d, tasks per WHILE launch %llu, per %d replays %llu\n", kSteps,
                    static_cast<unsigned long long>(whileTasks), kSteps, static_cast<unsigned long long>(replayTasks));
        std::fflush(stdout);
        if (whileCounter != kSteps || replayCounter != kSteps) fail("the counter is not K after a WHILE launch or K replays");
        if (whileFlag != 0) fail("the condition word is not 0 after a WHILE launch");
        if (whileTasks != kWhileTasks) fail("simulator tasks per WHILE launch differ from kWhileTasks");
        if (replayTasks != kStepTasks * kSteps) fail("simulator tasks per K replays differ from kStepTasks * K");
        if (std::memcmp(viaWhile.data(), viaReplays.data(), kElements * 4) != 0)
            fail("one WHILE launch of K steps differs from K replays of the step graph");
        if (std::memcmp(viaWhile.data(), x0.data(), kElements * 4) == 0) fail("x did not change");
    }

    void teardown() {
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclDestroyTensor(conditionWord.tensor));   // its memory goes with the graph
        CHECK(aclmdlRIDestroy(whileGraph));
        CHECK(aclmdlRIDestroy(stepGraph));
        CHECK(aclDestroyScalar(alpha));
        CHECK(aclDestroyScalar(limit));
        for (Buffer* b : {&x, &y, &s, &tmp, &counter, &one, &zero, &scratchWord}) {
            CHECK(aclDestroyTensor(b->tensor));
            CHECK(aclrtFree(b->ptr));
        }
        CHECK(aclrtDestroyStream(body));
        CHECK(aclrtDestroyStream(stream));
        CHECK(aclrtDestroyContext(context));
        CHECK(aclrtResetDevice(0));
        CHECK(aclFinalize());
    }
};

State g;

// Times kEnqueueBatch invocations per iteration and reports the time of one step (an invocation is K steps); the
// stream is drained between batches outside the timed region (the C# side's InvocationCount(16) + IterationCleanup).
template <typename Enqueue>
void enqueue_batches(benchmark::State& state, Enqueue enqueue) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEnqueueBatch; ++i) enqueue();
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / (kEnqueueBatch * kSteps));
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

// K steps and the wait, reported per step.
template <typename Enqueue>
void with_wait(benchmark::State& state, Enqueue enqueue) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        enqueue();
        CHECK(aclrtSynchronizeStream(g.stream));
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / kSteps);
    }
}

// ---- benchmarks (names match the C# methods) -------------------------------------------------------------
void ReplayLoopEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.replays(); });
}
void WhileLoopEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { CHECK(aclmdlRIExecuteAsync(g.whileGraph, g.stream)); });
}
void ReplayLoopStep(benchmark::State& state) {
    with_wait(state, [] { g.replays(); });
}
void WhileLoopStep(benchmark::State& state) {
    with_wait(state, [] { CHECK(aclmdlRIExecuteAsync(g.whileGraph, g.stream)); });
}

}  // namespace

// Fixed iteration counts: the manual time is per step, so Google Benchmark's min_time (counted in manual time) would
// take K x 16 times longer in real time than it asks for.
BENCHMARK(ReplayLoopEnqueue)->UseManualTime()->Iterations(200);
BENCHMARK(WhileLoopEnqueue)->UseManualTime()->Iterations(200);
BENCHMARK(ReplayLoopStep)->UseManualTime()->Iterations(2000);
BENCHMARK(WhileLoopStep)->UseManualTime()->Iterations(2000);

int main(int argc, char** argv) {
    return run_bench_main(argc, argv, [] { g.setup(); g.check(); }, [] { g.teardown(); });
}
