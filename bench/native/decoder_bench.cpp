// C++ baseline of the decoder benchmarks (bench/Ascend.Interop.Benchmarks/DecoderBenchmarks.cs): the decode step of
// samples/Ascend.Interop.Llm (LlmModel.Step, LlmEngine.SubmitDecodeStep, NpuGraph.Update/Replay) written by hand
// against the C API and run on the same simulator library. The model's dimensions, batch, context and operator
// sequence are the C# benchmark's; the weights are deterministic pseudo-random numbers (values do not change the
// work). What the SDK does per call is mirrored call for call:
//  - every operator: descriptors cached per tensor, as NpuTensor caches them (the weights, the KV cache, the static
//    buffers and their row views, and the intermediates: LlmModel's eager steps compute into preallocated scratch
//    views, so a steady-state step creates no descriptor either), per-call aclScalar (Add's alpha), aclIntArray (attention lengths) and aclTensorList (attention key/value, whose
//    elements are fresh descriptors: a list owns its tensors), phase 1, the launch, then the per-call objects destroyed;
//  - intermediates: the same scratch buffers as LlmModel's, allocated once (shared by the layers, outputs alternating
//    between two buffers); the capture uses them too (the SDK captures into its graph pool: not timed);
//  - the workspace: one reused buffer, grown outside the timed region (as bench_main.cpp's MLP baseline; the SDK
//    rents it from the pool per call);
//  - a graph step with per-step updates (positions alternating 3, 4 so every update changes the lengths, as in a
//    real decode): the pinned input copy, NpuGraph.Update's calls for the four groups of one step (one marker event
//    recorded on the replay stream and waited on the update stream; per layer TaskUpdateBegin, the re-issued
//    attention, TaskUpdateEnd: the SDK's validating dry pass makes no runtime call, its group answers from the
//    signature validated before, the lengths being checked by the SDK itself), the "update done" event recorded once
//    and waited by the replay stream, aclmdlRIExecuteAsync, the pinned token copy;
//  - a window step (LlmEngine window mode, W = 64: the step captured with the device attention mask over lengths
//    rounded up to 64, followed in the graph by aclnnAdd of the advance to the step inputs and the pinned token copy):
//    the replay alone while the positions are the ones the last window step advanced to; the pinned input copy (of
//    the inputs and the advance, one block) when they are not; the attention groups updated (as in the graph step)
//    when the rounded lengths change. The benchmark walks positions 3..127 and back to 3, as DecoderBenchmarkBodies:
//    per 125 steps one input copy and two updates of the four groups;
//  - a loop launch (LlmEngine loop mode, DecodeLoop, K = 16): the graph holds the first condition (aclnnAmax,
//    aclnnLtTensor, aclnnLogicalAnd into an aclTensor over the condition word) and a WHILE node whose body is the step
//    (masked attention over the whole context, no task group) and the loop's bookkeeping (the tokens into a device ring
//    by aclnnInplaceIndexCopy, aclnnAdds on the counter, aclnnAdd of the advance to the step inputs, aclnnNeTensor
//    against the end token, aclnnInplaceLogicalAnd into the live flags, the condition again); a launch is the pinned
//    input copy, the pinned control copy, aclmdlRIExecuteAsync and the pinned copy of the counter and the ring.
// The program checks itself before timing (token ids in range, graph step == eager step byte for byte, replay
// without the updates differs, no descriptor/executor leaks, simulator task counts equal to the C# side's, see
// kExpected* below and tests/Ascend.Interop.Benchmarks.Tests/DecoderBenchmarkTests.cs).
// Usage: ascend_bench_decoder [--check-only] [Google Benchmark flags]   (--check-only: the checks, no timing; prints
// the task counts and the operator sequence of one eager step for the tests)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <utility>
#include <vector>

#include "bench_check.h"
#include "acl/acl.h"
#include "acl_sim/acl_sim.h"
#include "aclnn/acl_meta.h"
#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_amax.h"
#include "aclnnop/aclnn_argmax.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_incre_flash_attention_v4.h"
#include "aclnnop/aclnn_index_copy.h"
#include "aclnnop/aclnn_logical_and.h"
#include "aclnnop/aclnn_lt_tensor.h"
#include "aclnnop/aclnn_mm.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_ne_tensor.h"
#include "aclnnop/aclnn_rms_norm.h"
#include "aclnnop/aclnn_rotary_position_embedding.h"
#include "aclnnop/aclnn_silu.h"

namespace {

[[noreturn]] void fail(const char* message) {
    std::fprintf(stderr, "ascend_bench_decoder: check failed: %s\n", message);
    std::exit(3);
}

// ---- the model (LlmConfig defaults; DecoderBenchmarkBodies: Context 64, MaxBatch 8, 8 sequences) ---------------
constexpr int64_t kLayers = 4;
constexpr int64_t kHidden = 256;
constexpr int64_t kHeads = 8;
constexpr int64_t kHeadDim = kHidden / kHeads;
constexpr int64_t kIntermediate = 512;
constexpr int64_t kVocab = 4096;
constexpr int64_t kContext = 128;  // DecoderBenchmarkBodies.Context: two windows
constexpr int64_t kBatch = 8;       // MaxBatch = the bucket = the sequences of a step
constexpr double kRmsEpsilon = 1e-5;
constexpr double kRopeTheta = 10000;
constexpr int64_t kPosition = 3;    // every row holds 3 prefilled positions; the benchmarked step writes position 3
constexpr int kEnqueueBatch = 16;   // steps queued per timed batch (DecoderEnqueueBenchmarks' InvocationCount)
constexpr int64_t kWindow = 64;     // LlmEngine's attention window in the window benchmarks
constexpr int64_t kLoopSteps = 16;  // DecoderBenchmarkBodies.LoopSteps: decode steps per loop launch (K)

// What the simulator runs, counted by ACLSIM_COUNT_TASKS_EXECUTED; the C# side asserts the same numbers
// (DecoderBenchmarkBodies.EagerStepTasks, GraphStepTasks, ReplayTasks).
constexpr int kOperatorsPerStep = 4 + 22 * kLayers + 3;       // LlmModel.OperatorsPerStep: 95
constexpr uint64_t kExpectedEagerStepTasks = kOperatorsPerStep + 2;  // + input copy + token copy
constexpr uint64_t kExpectedReplayTasks = kOperatorsPerStep;
// The graph step: the replay's tasks + the two copies (the simulator counts neither event records/waits nor the
// task-group updates as executed tasks).
constexpr uint64_t kExpectedGraphStepTasks = kExpectedReplayTasks + 2;
// A window step that copies no inputs (DecoderBenchmarkBodies.WindowStepTasks): the step, the advance, the token copy.
constexpr uint64_t kExpectedWindowStepTasks = kOperatorsPerStep + 1 + 1;
// A loop launch (DecoderBenchmarkBodies.LoopLaunchTasks): three copies, the first condition (3), the WHILE task, and
// per iteration the step and the 8 bookkeeping operators.
constexpr uint64_t kExpectedLoopTasks = 3 + 3 + 1 + kLoopSteps * (kOperatorsPerStep + 8);

std::vector<float> fill(size_t count, uint32_t seed, float scale, float offset = 0) {
    std::vector<float> v(count);
    uint32_t state = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < count; ++i) {
        state = state * 1664525u + 1013904223u;
        v[i] = offset + (static_cast<float>(state >> 8) / 16777216.0f - 0.5f) * scale;
    }
    return v;
}

size_t element_size(aclDataType t) {
    switch (t) {
        case ACL_FLOAT16: return 2;
        case ACL_INT64: return 8;
        case ACL_UINT8: return 1;
        default: return 4;
    }
}

// A strided view with its aclTensor described as the SDK's NpuTensor describes it: storage = the whole buffer
// (1-D), the view's offset in elements. desc() creates the descriptor on first use; drop() destroys it.
struct Tensor {
    void* base = nullptr;
    int64_t storage = 0;  // elements of the buffer
    int64_t dims[4] = {0, 0, 0, 0};
    int64_t strides[4] = {0, 0, 0, 0};
    uint64_t rank = 0;
    int64_t offset = 0;
    aclDataType type = ACL_FLOAT;
    aclTensor* cached = nullptr;

    int64_t elements() const {
        int64_t n = 1;
        for (uint64_t i = 0; i < rank; ++i) n *= dims[i];
        return n;
    }
    size_t bytes() const { return static_cast<size_t>(elements()) * element_size(type); }
    void* data() const { return static_cast<char*>(base) + offset * static_cast<int64_t>(element_size(type)); }

    aclTensor* fresh() const {
        aclTensor* t = aclCreateTensor(dims, rank, type, strides, offset, ACL_FORMAT_ND, &storage, 1, base);
        if (t == nullptr) die("aclCreateTensor", -1);
        return t;
    }
    aclTensor* desc() {
        if (cached == nullptr) cached = fresh();
        return cached;
    }
    void drop() {
        if (cached != nullptr) aclDestroyTensor(cached);
        cached = nullptr;
    }
    // A contiguous view of the same memory with other dimensions (NpuTensor.Reshape); no descriptor yet.
    Tensor reshape(std::initializer_list<int64_t> shape) const {
        Tensor t = *this;
        t.cached = nullptr;
        t.set_dims(shape);
        return t;
    }
    // Rows [start, start + count) of dimension 0 (NpuTensor.Slice(0, ...)).
    Tensor rows(int64_t start, int64_t count) const {
        Tensor t = *this;
        t.cached = nullptr;
        t.offset += start * strides[0];
        t.dims[0] = count;
        return t;
    }
    void set_dims(std::initializer_list<int64_t> shape) {
        rank = 0;
        for (int64_t d : shape) dims[rank++] = d;
        int64_t s = 1;
        for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
            strides[i] = s;
            s *= dims[i];
        }
    }
};

std::vector<void*> g_buffers;  // every device buffer, freed at the end

Tensor device_tensor(std::initializer_list<int64_t> shape, aclDataType type) {
    Tensor t;
    t.type = type;
    t.set_dims(shape);
    t.storage = t.elements();
    CHECK(aclrtMalloc(&t.base, t.bytes(), ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemset(t.base, t.bytes(), 0, t.bytes()));
    g_buffers.push_back(t.base);
    return t;
}

Tensor upload(std::initializer_list<int64_t> shape, const std::vector<float>& host) {
    Tensor t = device_tensor(shape, ACL_FLOAT);
    if (host.size() != static_cast<size_t>(t.elements())) fail("upload size");
    CHECK(aclrtMemcpy(t.base, t.bytes(), host.data(), t.bytes(), ACL_MEMCPY_HOST_TO_DEVICE));
    return t;
}

// ---- operator calls (Ops + AclnnOperator.Execute + Ops.Launch) ------------------------------------------------
using Launch = aclnnStatus (*)(void*, uint64_t, aclOpExecutor*, aclrtStream);

struct Runner {
    void* workspace = nullptr;
    uint64_t workspaceBytes = 0;
    bool frozen = false;  // after setup: the workspace must not grow (no synchronisation in timed code or a capture)
    std::vector<const char*>* trace = nullptr;  // when set (checks only, never timed): the launched operators

    void* reserve(aclrtStream stream, uint64_t bytes) {
        if (bytes == 0) return nullptr;
        if (bytes > workspaceBytes) {
            if (frozen) fail("the workspace would grow after setup");
            if (workspace) {
                CHECK(aclrtSynchronizeStream(stream));
                CHECK(aclrtFree(workspace));
            }
            CHECK(aclrtMalloc(&workspace, bytes, ACL_MEM_MALLOC_HUGE_FIRST));
            workspaceBytes = bytes;
        }
        return workspace;
    }

    // Phase 2 after a phase 1 that returned (ws, ex).
    void launch(aclrtStream stream, int phase1, const char* name, uint64_t ws, aclOpExecutor* ex, Launch run) {
        if (phase1 != 0) die(name, phase1);  // (phase 1 of the operator named)
        int rc = run(reserve(stream, ws), ws, ex, stream);
        if (rc != 0) die(name, rc);
        if (trace) trace->push_back(name);
    }

#define PHASE1(stream, op, ...)                                                            \
    do {                                                                                   \
        uint64_t ws_ = 0;                                                                  \
        aclOpExecutor* ex_ = nullptr;                                                      \
        int rc_ = op##GetWorkspaceSize(__VA_ARGS__, &ws_, &ex_);                           \
        launch(stream, rc_, #op, ws_, ex_, &op);                                           \
    } while (0)

    void embedding(aclrtStream s, Tensor& weight, Tensor& indices, Tensor& out) {
        PHASE1(s, aclnnEmbedding, weight.desc(), indices.desc(), out.desc());
    }
    void rotary(aclrtStream s, Tensor& x, Tensor& cos, Tensor& sin, Tensor& out) {
        PHASE1(s, aclnnRotaryPositionEmbedding, x.desc(), cos.desc(), sin.desc(), 0 /* half */, out.desc());
    }
    void cast(aclrtStream s, Tensor& x, Tensor& out) { PHASE1(s, aclnnCast, x.desc(), out.type, out.desc()); }
    void index_copy(aclrtStream s, Tensor& cache, Tensor& slots, Tensor& source) {
        PHASE1(s, aclnnInplaceIndexCopy, cache.desc(), 0, slots.desc(), source.desc());
    }
    void mm(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) { PHASE1(s, aclnnMm, a.desc(), b.desc(), out.desc(), 0); }
    void add(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) {
        float one = 1.0f;
        aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
        if (alpha == nullptr) die("aclCreateScalar", -1);
        PHASE1(s, aclnnAdd, a.desc(), b.desc(), alpha, out.desc());
        aclDestroyScalar(alpha);
    }
    void mul(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) { PHASE1(s, aclnnMul, a.desc(), b.desc(), out.desc()); }
    void silu(aclrtStream s, Tensor& a, Tensor& out) { PHASE1(s, aclnnSilu, a.desc(), out.desc()); }
    void rms_norm(aclrtStream s, Tensor& x, Tensor& gamma, Tensor& y, Tensor& rstd) {
        PHASE1(s, aclnnRmsNorm, x.desc(), gamma.desc(), kRmsEpsilon, y.desc(), rstd.desc());
    }
    void argmax(aclrtStream s, Tensor& logits, Tensor& out) { PHASE1(s, aclnnArgMax, logits.desc(), -1, false, out.desc()); }
    // The loop's int64 bookkeeping (Ops.Add / Adds / Amax / Lt / Ne / LogicalAnd / InplaceLogicalAnd / InplaceIndexCopy).
    void add_i64(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) {
        int64_t one = 1;
        aclScalar* alpha = aclCreateScalar(&one, ACL_INT64);
        if (alpha == nullptr) die("aclCreateScalar", -1);
        PHASE1(s, aclnnAdd, a.desc(), b.desc(), alpha, out.desc());
        aclDestroyScalar(alpha);
    }
    void adds_i64(aclrtStream s, Tensor& a, int64_t value, Tensor& out) {
        int64_t one = 1;
        aclScalar* other = aclCreateScalar(&value, ACL_INT64);
        aclScalar* alpha = aclCreateScalar(&one, ACL_INT64);
        if (other == nullptr || alpha == nullptr) die("aclCreateScalar", -1);
        PHASE1(s, aclnnAdds, a.desc(), other, alpha, out.desc());
        aclDestroyScalar(other);
        aclDestroyScalar(alpha);
    }
    void amax0(aclrtStream s, Tensor& x, Tensor& out) {
        const int64_t dim0 = 0;
        aclIntArray* dims = aclCreateIntArray(&dim0, 1);
        if (dims == nullptr) die("aclCreateIntArray", -1);
        PHASE1(s, aclnnAmax, x.desc(), dims, true, out.desc());
        aclDestroyIntArray(dims);
    }
    void lt(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) { PHASE1(s, aclnnLtTensor, a.desc(), b.desc(), out.desc()); }
    void ne(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) { PHASE1(s, aclnnNeTensor, a.desc(), b.desc(), out.desc()); }
    void logical_and(aclrtStream s, Tensor& a, Tensor& b, Tensor& out) {
        PHASE1(s, aclnnLogicalAnd, a.desc(), b.desc(), out.desc());
    }
    void inplace_logical_and(aclrtStream s, Tensor& self, Tensor& other) {
        PHASE1(s, aclnnInplaceLogicalAnd, self.desc(), other.desc());
    }
    // aclnnIncreFlashAttentionV4, BSH: the key/value lists hold fresh descriptors (a list owns and destroys them);
    // mask: the window mode's device attention mask [B, S] (1 = not attended), or null.
    void attention(aclrtStream s, Tensor& query, const Tensor& keys, const Tensor& values, const int64_t* lengths,
                   Tensor* mask, Tensor& out) {
        const aclTensor* k = keys.fresh();
        const aclTensor* v = values.fresh();
        aclTensorList* keyList = aclCreateTensorList(&k, 1);
        aclTensorList* valueList = aclCreateTensorList(&v, 1);
        aclIntArray* seq = aclCreateIntArray(lengths, static_cast<uint64_t>(kBatch));
        if (!keyList || !valueList || !seq) die("aclCreateTensorList/aclCreateIntArray", -1);
        char layout[] = "BSH";
        PHASE1(s, aclnnIncreFlashAttentionV4, query.desc(), keyList, valueList, nullptr, mask ? mask->desc() : nullptr, seq,
               nullptr, nullptr,
               nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, kHeads, 1.0 / std::sqrt(double(kHeadDim)),
               layout, 0, 0, 0, out.desc());
        aclDestroyIntArray(seq);
        aclDestroyTensorList(keyList);
        aclDestroyTensorList(valueList);
    }
#undef PHASE1
};

// ---- the decoder -------------------------------------------------------------------------------------------
struct LayerWeights {
    Tensor attentionNorm, wq, wk, wv, wo, mlpNorm, wGate, wUp, wDown;
    Tensor keys, values;    // float16 [MaxBatch * Context, Hidden]
    Tensor keys3, values3;  // the same memory as [MaxBatch, Context, Hidden]
};

// The step's intermediates: LlmModel's scratch buffers and their StepScratch views (created with the model, one set
// for every layer; the layer outputs alternate between x0 and x1; normed holds both norms' outputs and the final one,
// rstd every rstd). Their descriptors are made on first use and kept, as NpuTensor caches them.
struct Scratch {
    Tensor x0, x1, cos, sin, cos4, sin4, normed, rstd, q, k, v, q4, k4, qRot, kRot, kRot2, kHalf, vHalf, attention, o,
        attended, gate, up, act, product, down;
};

struct Decoder {
    aclrtContext context = nullptr;
    aclrtStream stream = nullptr;        // the step stream (LlmModel.Stream)
    aclrtStream updateStream = nullptr;  // LlmEngine.UpdateStream
    aclrtEvent marker = nullptr;         // NpuGraph.Update: the replay stream's marker
    aclrtEvent updateDone = nullptr;     // NpuGraph.Update: recorded after each update, waited by the next replay
    Runner ops;

    Tensor embedding, cosTable, sinTable, finalNorm, lmHead;
    LayerWeights layer[kLayers];
    Tensor tokens, inputBlock, stepInputs, stepAdvance, query, attentionOut, logits;  // the static buffers
    Tensor mask, maskCells, maskZeros;  // LlmModel.AttentionMask [MaxBatch, Context] (uint8, 1 = masked), flat, zeros
    // LlmModel.RowViews for rows [0, 8): cached descriptors (keys/values lists get fresh ones per call).
    Tensor vTokens, vPositions, vSlots, vMaskSlots, vMaskZeros, vMask, vQuery4, vQuery3, vOut2, vOut3, vLogits;
    Tensor vKeys[kLayers], vValues[kLayers];
    Scratch sc;

    int64_t* pinnedInputs = nullptr;  // PinnedBuffer<long> positions, slots, mask slots, advance [6 * MaxBatch]
    int64_t* pinnedTokens = nullptr;  // PinnedBuffer<long> [MaxBatch]
    int64_t lengths[kBatch];
    int64_t captureLengths[kBatch];

    aclmdlRI graph = nullptr;
    aclrtTaskGrp groups[kLayers] = {};
    aclmdlRI windowGraph = nullptr;          // the window mode's capture (masked attention over window lengths)
    aclrtTaskGrp windowGroups[kLayers] = {};
    aclrtTaskGrp* capturing = groups;        // where a capture's task groups go
    int64_t windowHeld[kBatch];              // the lengths the window groups hold (LlmEngine's HeldLengths)
    bool windowInputsHeld = false;           // LlmEngine._windowHeldRows != 0: the device holds windowHeldPosition
    int64_t windowHeldPosition = 0;          // where the last window step advanced every row to

    // The loop mode (DecodeLoop): one int64 buffer advance [3B] | live [B] | end token | limit | counter | ring [K, B],
    // the flags [B + 3], the graph and its condition word, the pinned control block and output.
    Tensor loopState, loopControl, loopOutput, advance, live, endToken, limit, loopCounter, ring, tokenRow;
    Tensor loopFlags, notEnded, anyLive, underLimit, loopScratch, conditionWord;
    int64_t contextLengths[kBatch];
    int64_t* pinnedControl = nullptr;        // PinnedBuffer<long> [4B + 3]
    int64_t* pinnedLoopOutput = nullptr;     // PinnedBuffer<long> [1 + K B]
    aclmdlRI loopGraph = nullptr;
    aclrtStream loopBody = nullptr;          // the branch stream of the WHILE body's capture

    void setup() {
        CHECK(aclInit(nullptr));
        CHECK(aclrtSetDevice(0));
        CHECK(aclrtCreateContext(&context, 0));
        CHECK(aclrtCreateStream(&stream));
        CHECK(aclrtCreateStream(&updateStream));
        CHECK(aclrtCreateEventWithFlag(&marker, ACL_EVENT_SYNC));
        CHECK(aclrtCreateEventWithFlag(&updateDone, ACL_EVENT_SYNC));
        CHECK(aclrtMallocHost(reinterpret_cast<void**>(&pinnedInputs), 6 * kBatch * sizeof(int64_t)));
        CHECK(aclrtMallocHost(reinterpret_cast<void**>(&pinnedTokens), kBatch * sizeof(int64_t)));

        const int64_t h = kHidden, m = kIntermediate, d = kHeadDim, n = kBatch;
        uint32_t seed = 100;
        auto matrix = [&](int64_t rows, int64_t cols) {
            return upload({rows, cols}, fill(rows * cols, seed++, 2.0f / std::sqrt(float(rows))));
        };
        auto gamma = [&] { return upload({h}, fill(h, seed++, 0.2f, 1.0f)); };
        embedding = upload({kVocab, h}, fill(kVocab * h, seed++, 2.0f));
        std::vector<float> cosHost(kContext * d), sinHost(kContext * d);
        for (int64_t p = 0; p < kContext; ++p)
            for (int64_t i = 0; i < d / 2; ++i) {
                double angle = p * std::pow(kRopeTheta, -2.0 * i / d);
                cosHost[p * d + i] = cosHost[p * d + i + d / 2] = static_cast<float>(std::cos(angle));
                sinHost[p * d + i] = sinHost[p * d + i + d / 2] = static_cast<float>(std::sin(angle));
            }
        cosTable = upload({kContext, d}, cosHost);
        sinTable = upload({kContext, d}, sinHost);
        for (auto& w : layer) {
            w.attentionNorm = gamma();
            w.wq = matrix(h, h);
            w.wk = matrix(h, h);
            w.wv = matrix(h, h);
            w.wo = matrix(h, h);
            w.mlpNorm = gamma();
            w.wGate = matrix(h, m);
            w.wUp = matrix(h, m);
            w.wDown = matrix(m, h);
            w.keys = device_tensor({kBatch * kContext, h}, ACL_FLOAT16);
            w.values = device_tensor({kBatch * kContext, h}, ACL_FLOAT16);
            w.keys3 = w.keys.reshape({kBatch, kContext, h});
            w.values3 = w.values.reshape({kBatch, kContext, h});
        }
        finalNorm = gamma();
        lmHead = upload({h, kVocab}, fill(h * kVocab, seed++, 8.0f / std::sqrt(float(h))));

        tokens = device_tensor({kBatch}, ACL_INT64);
        inputBlock = device_tensor({6 * kBatch}, ACL_INT64);   // LlmModel.StepInputBlock
        stepInputs = inputBlock.rows(0, 3 * kBatch);
        stepAdvance = inputBlock.rows(3 * kBatch, 3 * kBatch);
        mask = device_tensor({kBatch, kContext}, ACL_UINT8);
        CHECK(aclrtMemset(mask.base, mask.bytes(), 1, mask.bytes()));  // every position masked until a step writes it
        maskCells = mask.reshape({kBatch * kContext});
        maskZeros = device_tensor({kBatch}, ACL_UINT8);
        query = device_tensor({kBatch, h}, ACL_FLOAT16);
        attentionOut = device_tensor({kBatch, h}, ACL_FLOAT16);
        logits = device_tensor({kBatch, kVocab}, ACL_FLOAT);
        vTokens = tokens.rows(0, n);
        vPositions = stepInputs.rows(0, n);
        vSlots = stepInputs.rows(kBatch, n);
        vMaskSlots = stepInputs.rows(2 * kBatch, n);
        vMaskZeros = maskZeros.rows(0, n);
        vMask = mask.rows(0, n);
        Tensor query2 = query.rows(0, n), out2 = attentionOut.rows(0, n);
        vQuery4 = query2.reshape({n, 1, kHeads, d});
        vQuery3 = query2.reshape({n, 1, h});
        vOut2 = out2;
        vOut3 = out2.reshape({n, 1, h});
        vLogits = logits.rows(0, n);
        for (int l = 0; l < kLayers; ++l) {
            vKeys[l] = layer[l].keys3.rows(0, n);
            vValues[l] = layer[l].values3.rows(0, n);
        }
        sc.x0 = device_tensor({n, h}, ACL_FLOAT);
        sc.x1 = device_tensor({n, h}, ACL_FLOAT);
        sc.cos = device_tensor({n, d}, ACL_FLOAT);
        sc.sin = device_tensor({n, d}, ACL_FLOAT);
        sc.cos4 = sc.cos.reshape({n, 1, 1, d});
        sc.sin4 = sc.sin.reshape({n, 1, 1, d});
        sc.normed = device_tensor({n, h}, ACL_FLOAT);
        sc.rstd = device_tensor({n, 1}, ACL_FLOAT);
        sc.q = device_tensor({n, h}, ACL_FLOAT);
        sc.k = device_tensor({n, h}, ACL_FLOAT);
        sc.v = device_tensor({n, h}, ACL_FLOAT);
        sc.q4 = sc.q.reshape({n, 1, kHeads, d});
        sc.k4 = sc.k.reshape({n, 1, kHeads, d});
        sc.qRot = device_tensor({n, 1, kHeads, d}, ACL_FLOAT);
        sc.kRot = device_tensor({n, 1, kHeads, d}, ACL_FLOAT);
        sc.kRot2 = sc.kRot.reshape({n, h});
        sc.kHalf = device_tensor({n, h}, ACL_FLOAT16);
        sc.vHalf = device_tensor({n, h}, ACL_FLOAT16);
        sc.attention = device_tensor({n, h}, ACL_FLOAT);
        sc.o = device_tensor({n, h}, ACL_FLOAT);
        sc.attended = device_tensor({n, h}, ACL_FLOAT);
        sc.gate = device_tensor({n, m}, ACL_FLOAT);
        sc.up = device_tensor({n, m}, ACL_FLOAT);
        sc.act = device_tensor({n, m}, ACL_FLOAT);
        sc.product = device_tensor({n, m}, ACL_FLOAT);
        sc.down = device_tensor({n, h}, ACL_FLOAT);
        for (int64_t i = 0; i < kBatch; ++i) captureLengths[i] = 1;
        for (int64_t i = 0; i < kBatch; ++i) windowHeld[i] = std::min(kWindow, kContext);
        for (int64_t i = 0; i < kBatch; ++i) contextLengths[i] = kContext;
        const int64_t b = kBatch;
        loopState = device_tensor({4 * b + 3 + kLoopSteps * b}, ACL_INT64);
        loopControl = loopState.rows(0, 4 * b + 3);
        loopOutput = loopState.rows(4 * b + 2, 1 + kLoopSteps * b);
        advance = loopState.rows(0, 3 * b);
        live = loopState.rows(3 * b, b);
        endToken = loopState.rows(4 * b, 1);
        limit = loopState.rows(4 * b + 1, 1);
        loopCounter = loopState.rows(4 * b + 2, 1);
        ring = loopState.rows(4 * b + 3, kLoopSteps * b).reshape({kLoopSteps, b});
        tokenRow = tokens.reshape({1, b});
        loopFlags = device_tensor({b + 3}, ACL_INT64);
        notEnded = loopFlags.rows(0, b);
        anyLive = loopFlags.rows(b, 1);
        underLimit = loopFlags.rows(b + 1, 1);
        loopScratch = loopFlags.rows(b + 2, 1);
        CHECK(aclrtMallocHost(reinterpret_cast<void**>(&pinnedControl), (4 * b + 3) * sizeof(int64_t)));
        CHECK(aclrtMallocHost(reinterpret_cast<void**>(&pinnedLoopOutput), (1 + kLoopSteps * b) * sizeof(int64_t)));
        CHECK(aclrtSynchronizeDevice());
    }

    // LlmModel.Layer: 22 operators, x in, the layer's output into out.
    void decoder_layer(int l, Tensor& x, Tensor& out, const int64_t* seqLengths, bool capturing, bool masked) {
        LayerWeights& w = layer[l];
        Scratch& s = sc;
        ops.rms_norm(stream, x, w.attentionNorm, s.normed, s.rstd);
        ops.mm(stream, s.normed, w.wq, s.q);
        ops.mm(stream, s.normed, w.wk, s.k);
        ops.mm(stream, s.normed, w.wv, s.v);
        ops.rotary(stream, s.q4, s.cos4, s.sin4, s.qRot);
        ops.rotary(stream, s.k4, s.cos4, s.sin4, s.kRot);
        ops.cast(stream, s.qRot, vQuery4);
        ops.cast(stream, s.kRot2, s.kHalf);
        ops.cast(stream, s.v, s.vHalf);
        ops.index_copy(stream, w.keys, vSlots, s.kHalf);
        ops.index_copy(stream, w.values, vSlots, s.vHalf);
        if (capturing) CHECK(aclmdlRICaptureTaskGrpBegin(stream));
        ops.attention(stream, vQuery3, vKeys[l], vValues[l], seqLengths, masked ? &vMask : nullptr, vOut3);
        if (capturing) CHECK(aclmdlRICaptureTaskGrpEnd(stream, &this->capturing[l]));
        ops.cast(stream, vOut2, s.attention);
        ops.mm(stream, s.attention, w.wo, s.o);
        ops.add(stream, x, s.o, s.attended);
        ops.rms_norm(stream, s.attended, w.mlpNorm, s.normed, s.rstd);
        ops.mm(stream, s.normed, w.wGate, s.gate);
        ops.mm(stream, s.normed, w.wUp, s.up);
        ops.silu(stream, s.gate, s.act);
        ops.mul(stream, s.act, s.up, s.product);
        ops.mm(stream, s.product, w.wDown, s.down);
        ops.add(stream, s.attended, s.down, out);
    }

    // LlmModel.Step for rows [0, 8): 95 operators (the mask write first).
    void model_step(const int64_t* seqLengths, bool capturing = false, bool masked = false) {
        ops.index_copy(stream, maskCells, vMaskSlots, vMaskZeros);
        ops.embedding(stream, embedding, vTokens, sc.x0);
        ops.embedding(stream, cosTable, vPositions, sc.cos);
        ops.embedding(stream, sinTable, vPositions, sc.sin);
        Tensor* x = &sc.x0;
        Tensor* next = &sc.x1;
        for (int l = 0; l < kLayers; ++l) {
            decoder_layer(l, *x, *next, seqLengths, capturing, masked);
            std::swap(x, next);
        }
        ops.rms_norm(stream, *x, finalNorm, sc.normed, sc.rstd);
        ops.mm(stream, sc.normed, lmHead, vLogits);
        ops.argmax(stream, vLogits, vTokens);
    }

    // LlmEngine.WriteInputs: positions, cache slots, mask slots and the advance (1 per live row) into the pinned
    // buffer, one asynchronous copy of the block. The capture's warm-up writes its keys and values at the last
    // position, unmasks only position 0 and advances nothing.
    void write_inputs(int64_t position, bool captureSlots = false) {
        for (int64_t row = 0; row < kBatch; ++row) {
            pinnedInputs[row] = captureSlots ? 0 : position;
            pinnedInputs[kBatch + row] = row * kContext + (captureSlots ? kContext - 1 : position);
            pinnedInputs[2 * kBatch + row] = row * kContext + (captureSlots ? 0 : position);
            for (int64_t part = 3; part < 6; ++part) pinnedInputs[part * kBatch + row] = captureSlots ? 0 : 1;
        }
        windowInputsHeld = false;
        CHECK(aclrtMemcpyAsync(inputBlock.data(), inputBlock.bytes(), pinnedInputs, inputBlock.bytes(),
                               ACL_MEMCPY_HOST_TO_DEVICE, stream));
    }

    void copy_tokens_out() {
        CHECK(aclrtMemcpyAsync(pinnedTokens, kBatch * sizeof(int64_t), tokens.base, kBatch * sizeof(int64_t),
                               ACL_MEMCPY_DEVICE_TO_HOST, stream));
    }

    // LlmEngine.SubmitDecodeStep, eager: input copy, 95 operators, token copy.
    void eager_step(int64_t position) {
        write_inputs(position);
        for (int64_t i = 0; i < kBatch; ++i) lengths[i] = position + 1;
        model_step(lengths);
        copy_tokens_out();
    }

    // NpuGraph.Update of every layer's attention group for one step, then the replay's ordering (the SDK's steady
    // state): one marker recorded on the step stream after the earlier replays and waited by the update stream (the
    // first group's update; the others find it), per layer TaskUpdateBegin, the re-issued attention, TaskUpdateEnd
    // (the dry pass is answered from the group's validated signature: no runtime call), and the "update done" event
    // recorded once, when the replay on the step stream needs it, and waited there.
    void update_all(aclrtTaskGrp* target, const int64_t* seqLengths, bool masked) {
        CHECK(aclrtRecordEvent(marker, stream));
        CHECK(aclrtStreamWaitEvent(updateStream, marker));
        for (int l = 0; l < kLayers; ++l) {
            CHECK(aclmdlRICaptureTaskUpdateBegin(updateStream, target[l]));
            ops.attention(updateStream, vQuery3, vKeys[l], vValues[l], seqLengths, masked ? &vMask : nullptr, vOut3);
            CHECK(aclmdlRICaptureTaskUpdateEnd(updateStream));
        }
        CHECK(aclrtRecordEvent(updateDone, updateStream));
        CHECK(aclrtStreamWaitEvent(stream, updateDone));
    }

    // LlmEngine.SubmitDecodeStep, graph: input copy, four task-group updates, the replay (after the updates), token copy.
    void graph_step(int64_t position) {
        write_inputs(position);
        for (int64_t i = 0; i < kBatch; ++i) lengths[i] = position + 1;
        update_all(groups, lengths, false);
        CHECK(aclmdlRIExecuteAsync(graph, stream));
        copy_tokens_out();
    }

    // LlmEngine.SubmitDecodeStep, window: the input copy only when the device does not hold the step's positions, the
    // lengths rounded up to the window (updates only when they differ from the held ones), the replay (which advances
    // the inputs and copies the tokens out).
    void window_step(int64_t position) {
        if (!windowInputsHeld || windowHeldPosition != position) write_inputs(position);
        bool changed = false;
        for (int64_t i = 0; i < kBatch; ++i) {
            lengths[i] = std::min((position + 1 + kWindow - 1) / kWindow * kWindow, kContext);
            changed |= lengths[i] != windowHeld[i];
        }
        if (changed) {
            update_all(windowGroups, lengths, true);
            std::memcpy(windowHeld, lengths, sizeof windowHeld);
        }
        windowInputsHeld = false;
        CHECK(aclmdlRIExecuteAsync(windowGraph, stream));
        windowInputsHeld = true;
        windowHeldPosition = position + 1;
    }

    // DecodeLoop.Condition: word = (counter < limit) AND (some row live).
    void loop_condition(aclrtStream on, Tensor& word) {
        ops.amax0(on, live, anyLive);
        ops.lt(on, loopCounter, limit, underLimit);
        ops.logical_and(on, underLimit, anyLive, word);
    }

    // DecodeLoop.Iteration on `on`: the step (masked attention over the whole context, no task group), the tokens into
    // ring[counter], counter + 1, the step inputs + advance, live &= token != end, the condition.
    void loop_iteration(aclrtStream on, Tensor& word) {
        aclrtStream saved = stream;
        stream = on;  // model_step launches on `stream`
        model_step(contextLengths, /*capturing=*/false, /*masked=*/true);
        stream = saved;
        ops.index_copy(on, ring, loopCounter, tokenRow);
        ops.adds_i64(on, loopCounter, 1, loopCounter);
        ops.add_i64(on, stepInputs, advance, stepInputs);
        ops.ne(on, tokens, endToken, notEnded);
        ops.inplace_logical_and(on, live, notEnded);
        loop_condition(on, word);
    }

    // LlmEngine.WriteLoopControl: every row live and advancing (no padding rows in the benchmark), no end token (-1),
    // the limit, the counter 0; one asynchronous copy.
    void write_loop_control(int64_t liveRows, int64_t steps) {
        const int64_t b = kBatch;
        std::memset(pinnedControl, 0, (4 * b + 3) * sizeof(int64_t));
        for (int64_t i = 0; i < liveRows; ++i) pinnedControl[i] = pinnedControl[b + i] = pinnedControl[2 * b + i] = pinnedControl[3 * b + i] = 1;
        pinnedControl[4 * b] = -1;
        pinnedControl[4 * b + 1] = steps;
        pinnedControl[4 * b + 2] = 0;
        CHECK(aclrtMemcpyAsync(loopControl.data(), loopControl.bytes(), pinnedControl, loopControl.bytes(),
                               ACL_MEMCPY_HOST_TO_DEVICE, stream));
    }

    // LlmEngine.SubmitDecodeLoop: input copy, control copy, the launch, the copy of the counter and the ring.
    void loop_launch(int64_t position) {
        write_inputs(position);
        write_loop_control(kBatch, kLoopSteps);
        CHECK(aclmdlRIExecuteAsync(loopGraph, stream));
        CHECK(aclrtMemcpyAsync(pinnedLoopOutput, loopOutput.bytes(), loopOutput.data(), loopOutput.bytes(),
                               ACL_MEMCPY_DEVICE_TO_HOST, stream));
    }

    // LlmEngine.CaptureBucket(8, Loop): inputs at the last cache slot and nothing live (the warm-up advances nothing),
    // one eager iteration, then the capture: the first condition, the WHILE node, the body on its branch stream.
    void capture_loop() {
        write_inputs(0, /*captureSlots=*/true);
        write_loop_control(0, 0);
        loop_condition(stream, loopScratch);
        loop_iteration(stream, loopScratch);
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        aclmdlRI root = nullptr;
        CHECK(aclmdlRICaptureGetInfo(stream, nullptr, &root));
        aclmdlRICondHandle cond = nullptr;
        CHECK(aclmdlRICondHandleCreate(root, 0, ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT, &cond));
        uint64_t* word = nullptr;
        CHECK(aclmdlRICondHandleGetCondPtr(cond, &word));
        // NpuGraphCondition.AsTensor: an int64 [1] tensor over the word (the graph owns the memory).
        conditionWord.base = word;
        conditionWord.storage = 1;
        conditionWord.type = ACL_INT64;
        conditionWord.set_dims({1});
        loop_condition(stream, conditionWord);
        aclmdlRI body = nullptr;
        aclmdlRICondTaskParams p{};
        p.handle = cond;
        p.type = ACL_MODEL_RI_COND_TYPE_WHILE;
        p.size = 1;
        p.modelRIArray = &body;
        CHECK(aclmdlRIAddCondTask(p, stream, 0));
        CHECK(aclrtCreateStream(&loopBody));
        CHECK(aclmdlRICaptureToModelRIBegin(loopBody, body, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        loop_iteration(loopBody, conditionWord);
        CHECK(aclmdlRICaptureEnd(loopBody, nullptr));
        CHECK(aclrtDestroyStream(loopBody));
        loopBody = nullptr;
        CHECK(aclmdlRICaptureEnd(stream, &loopGraph));
        CHECK(aclmdlRISetName(loopGraph, "decode-loop16-b8"));
        CHECK(aclrtSynchronizeStream(stream));
    }

    // DecoderBenchmarkBodies.ResetPositions: the prefill's mask again (positions 0..2 attended, the rest masked).
    void reset_mask() {
        std::vector<uint8_t> host(static_cast<size_t>(kBatch * kContext), 1);
        for (int64_t row = 0; row < kBatch; ++row) std::memset(&host[static_cast<size_t>(row * kContext)], 0, kPosition);
        CHECK(aclrtSynchronizeDevice());
        CHECK(aclrtMemcpy(mask.base, mask.bytes(), host.data(), host.size(), ACL_MEMCPY_HOST_TO_DEVICE));
    }

    // LlmEngine.CaptureBucket(8) through NpuGraphBuckets: inputs at the last cache slot, one eager warm-up, capture.
    void capture() {
        write_inputs(0, /*captureSlots=*/true);
        model_step(captureLengths);
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        model_step(captureLengths, /*capturing=*/true);
        CHECK(aclmdlRICaptureEnd(stream, &graph));
        CHECK(aclmdlRISetName(graph, "decode-b8"));
        CHECK(aclrtSynchronizeStream(stream));
    }

    // LlmEngine.CaptureBucket(8, Window): the same, with the masked attention over the window's lengths, then
    // (LlmEngine.CaptureWindowStep) the advance of the inputs and, in the capture only, the pinned token copy.
    void capture_window() {
        write_inputs(0, /*captureSlots=*/true);
        model_step(windowHeld, false, /*masked=*/true);
        ops.add_i64(stream, stepInputs, stepAdvance, stepInputs);
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        capturing = windowGroups;
        model_step(windowHeld, /*capturing=*/true, /*masked=*/true);
        capturing = groups;
        ops.add_i64(stream, stepInputs, stepAdvance, stepInputs);
        copy_tokens_out();
        CHECK(aclmdlRICaptureEnd(stream, &windowGraph));
        CHECK(aclmdlRISetName(windowGraph, "decode-window64-b8"));
        CHECK(aclrtSynchronizeStream(stream));
    }

    void teardown() {
        CHECK(aclrtSynchronizeDevice());
        CHECK(aclmdlRIDestroy(graph));
        CHECK(aclmdlRIDestroy(windowGraph));
        conditionWord.drop();  // before its graph's memory goes
        CHECK(aclmdlRIDestroy(loopGraph));
        for (Tensor* t : {&loopControl, &loopOutput, &advance, &live, &endToken, &limit, &loopCounter, &ring, &tokenRow,
                          &notEnded, &anyLive, &underLimit, &loopScratch, &tokens, &stepInputs, &stepAdvance, &inputBlock})
            t->drop();
        for (Tensor* t : {&vMaskSlots, &vMaskZeros, &vMask, &maskCells, &vTokens, &vPositions, &vSlots, &vQuery4, &vQuery3, &vOut2, &vOut3, &vLogits, &embedding,
                          &cosTable, &sinTable, &finalNorm, &lmHead})
            t->drop();
        for (Tensor* t : {&sc.x0, &sc.x1, &sc.cos, &sc.sin, &sc.cos4, &sc.sin4, &sc.normed, &sc.rstd, &sc.q, &sc.k, &sc.v,
                          &sc.q4, &sc.k4, &sc.qRot, &sc.kRot, &sc.kRot2, &sc.kHalf, &sc.vHalf, &sc.attention, &sc.o,
                          &sc.attended, &sc.gate, &sc.up, &sc.act, &sc.product, &sc.down})
            t->drop();
        for (auto& w : layer)
            for (Tensor* t : {&w.attentionNorm, &w.wq, &w.wk, &w.wv, &w.wo, &w.mlpNorm, &w.wGate, &w.wUp, &w.wDown,
                              &w.keys, &w.values})
                t->drop();
        if (ops.workspace) CHECK(aclrtFree(ops.workspace));
        for (void* p : g_buffers) CHECK(aclrtFree(p));
        CHECK(aclrtFreeHost(pinnedInputs));
        CHECK(aclrtFreeHost(pinnedTokens));
        CHECK(aclrtFreeHost(pinnedControl));
        CHECK(aclrtFreeHost(pinnedLoopOutput));
        CHECK(aclrtDestroyEvent(marker));
        CHECK(aclrtDestroyEvent(updateDone));
        CHECK(aclrtDestroyStream(updateStream));
        CHECK(aclrtDestroyStream(stream));
        CHECK(aclrtDestroyContext(context));
        CHECK(aclrtResetDevice(0));
        aclFinalize();
    }
};

Decoder g;

uint64_t counter(aclsimCounter c) {
    uint64_t v = 0;
    CHECK(aclsimGetCounter(c, &v));
    return v;
}

std::vector<float> read_logits() {
    std::vector<float> host(kBatch * kVocab);
    CHECK(aclrtMemcpy(host.data(), host.size() * sizeof(float), g.logits.base, g.logits.bytes(),
                      ACL_MEMCPY_DEVICE_TO_HOST));
    return host;
}

void set_tokens(const int64_t* values) {
    CHECK(aclrtMemcpy(g.tokens.base, g.tokens.bytes(), values, kBatch * sizeof(int64_t), ACL_MEMCPY_HOST_TO_DEVICE));
}

void check_tokens(const char* what) {
    for (int64_t i = 0; i < kBatch; ++i)
        if (g.pinnedTokens[i] < 0 || g.pinnedTokens[i] >= kVocab) {
            std::fprintf(stderr, "ascend_bench_decoder: %s: token %lld of row %lld is outside [0, %lld)\n", what,
                         static_cast<long long>(g.pinnedTokens[i]), static_cast<long long>(i),
                         static_cast<long long>(kVocab));
            std::exit(3);
        }
}

// Tasks the simulator ran for body(), with the live descriptor/executor/argument counts unchanged afterwards.
template <typename Body>
uint64_t tasks_of(const char* what, Body body) {
    CHECK(aclrtSynchronizeDevice());
    uint64_t tensors = counter(ACLSIM_LIVE_TENSORS), executors = counter(ACLSIM_LIVE_EXECUTORS);
    uint64_t objects = counter(ACLSIM_LIVE_ACLNN_OBJECTS);
    uint64_t before = counter(ACLSIM_COUNT_TASKS_EXECUTED);
    body();
    CHECK(aclrtSynchronizeDevice());
    uint64_t tasks = counter(ACLSIM_COUNT_TASKS_EXECUTED) - before;
    if (counter(ACLSIM_LIVE_TENSORS) != tensors || counter(ACLSIM_LIVE_EXECUTORS) != executors ||
        counter(ACLSIM_LIVE_ACLNN_OBJECTS) != objects) {
        std::fprintf(stderr, "ascend_bench_decoder: %s leaks descriptors, executors or aclnn objects\n", what);
        std::exit(3);
    }
    return tasks;
}

// Prefill, capture, and the checks. Returns 0 when everything holds.
void setup_and_check() {
    g.setup();
    // Prefill: three positions per row (the C# benchmark prefills 3-token prompts), then size the workspace.
    const int64_t prompt[kBatch] = {1, 3, 7, 4, 9, 12, 5, 2};
    set_tokens(prompt);
    // Each step waits for the last: the next one rewrites the pinned inputs its asynchronous copy reads (as the C#
    // prefill's synchronous token copy does). Without the wait a later step's inputs could reach an earlier step.
    for (int64_t p = 0; p < kPosition; ++p) {
        g.eager_step(p);
        CHECK(aclrtSynchronizeStream(g.stream));
    }
    check_tokens("prefill");
    g.capture();
    g.capture_window();
    g.capture_loop();
    g.ops.frozen = true;

    int64_t start[kBatch];
    std::memcpy(start, g.pinnedTokens, sizeof start);
    // Eager step at position 3.
    set_tokens(start);
    std::vector<const char*> sequence;
    g.ops.trace = &sequence;
    uint64_t eagerTasks = tasks_of("the eager step", [] { g.eager_step(kPosition); });
    g.ops.trace = nullptr;
    if (sequence.size() != static_cast<size_t>(kOperatorsPerStep)) fail("the eager step did not launch 95 operators");
    check_tokens("eager step");
    std::vector<float> eager = read_logits();
    int64_t eagerTokens[kBatch];
    std::memcpy(eagerTokens, g.pinnedTokens, sizeof eagerTokens);
    for (float v : eager)
        if (!std::isfinite(v)) fail("the eager step's logits are not finite");
    // The same step through the graph: byte for byte the same logits and tokens.
    set_tokens(start);
    CHECK(aclrtMemset(g.logits.base, g.logits.bytes(), 0, g.logits.bytes()));
    uint64_t graphTasks = tasks_of("the graph step", [] { g.graph_step(kPosition); });
    check_tokens("graph step");
    std::vector<float> replayed = read_logits();
    if (std::memcmp(eager.data(), replayed.data(), eager.size() * sizeof(float)) != 0 ||
        std::memcmp(eagerTokens, g.pinnedTokens, sizeof eagerTokens) != 0)
        fail("the graph step's logits or tokens differ from the eager step's");
    // The bare replay: the last update's lengths are in the graph, so it recomputes the same logits.
    set_tokens(start);
    CHECK(aclrtMemset(g.logits.base, g.logits.bytes(), 0, g.logits.bytes()));
    uint64_t replayTasks = tasks_of("the replay", [] { CHECK(aclmdlRIExecuteAsync(g.graph, g.stream)); });
    if (std::memcmp(eager.data(), read_logits().data(), eager.size() * sizeof(float)) != 0)
        fail("the bare replay after the updates differs from the eager step");
    // Updated back to the capture lengths (1), the replay must give other logits: the updates matter.
    for (int64_t i = 0; i < kBatch; ++i) g.lengths[i] = 1;
    g.update_all(g.groups, g.lengths, false);
    set_tokens(start);
    CHECK(aclmdlRIExecuteAsync(g.graph, g.stream));
    CHECK(aclrtSynchronizeDevice());
    if (std::memcmp(eager.data(), read_logits().data(), eager.size() * sizeof(float)) == 0)
        fail("a replay with the capture-time attention lengths gives the same logits as the updated one");
    set_tokens(start);
    // The window step (masked attention over 64 positions, no update) after the graph steps' input writes: it copies
    // the inputs in, and gives the same logits and tokens, bit for bit. The next one, at position 4, copies nothing.
    CHECK(aclrtMemset(g.logits.base, g.logits.bytes(), 0, g.logits.bytes()));
    uint64_t windowCopyTasks = tasks_of("the window step", [] { g.window_step(kPosition); });
    check_tokens("window step");
    if (std::memcmp(eager.data(), read_logits().data(), eager.size() * sizeof(float)) != 0 ||
        std::memcmp(eagerTokens, g.pinnedTokens, sizeof eagerTokens) != 0)
        fail("the window step's logits or tokens differ from the eager step's");
    uint64_t windowTasks = tasks_of("the next window step", [] { g.window_step(kPosition + 1); });
    check_tokens("next window step");
    int64_t advanced[3 * kBatch];
    CHECK(aclrtMemcpy(advanced, sizeof advanced, g.stepInputs.data(), sizeof advanced, ACL_MEMCPY_DEVICE_TO_HOST));
    for (int64_t row = 0; row < kBatch; ++row)
        if (advanced[row] != kPosition + 2 || advanced[kBatch + row] != row * kContext + kPosition + 2 ||
            advanced[2 * kBatch + row] != row * kContext + kPosition + 2)
            fail("two window steps did not advance the positions, cache slots and mask slots by two");
    g.reset_mask();
    set_tokens(start);

    // The loop: K eager steps from position 3 (over the prefill's mask) give the reference tokens; one launch of the
    // loop from the same state must emit all of them into its ring, and report K steps run.
    static int64_t expectedLoop[kLoopSteps][kBatch];
    g.reset_mask();
    set_tokens(start);
    for (int64_t k = 0; k < kLoopSteps; ++k) {
        g.eager_step(kPosition + k);
        CHECK(aclrtSynchronizeStream(g.stream));
        check_tokens("eager reference of the loop");
        std::memcpy(expectedLoop[k], g.pinnedTokens, sizeof expectedLoop[k]);
    }
    g.reset_mask();
    set_tokens(start);
    uint64_t loopTasks = tasks_of("the loop launch", [] { g.loop_launch(kPosition); });
    if (g.pinnedLoopOutput[0] != kLoopSteps) fail("the loop launch did not run K steps");
    for (int64_t k = 0; k < kLoopSteps; ++k)
        if (std::memcmp(expectedLoop[k], &g.pinnedLoopOutput[1 + k * kBatch], sizeof expectedLoop[k]) != 0)
            fail("a token of the loop launch differs from K eager steps'");
    g.reset_mask();
    set_tokens(start);

    std::fprintf(stderr,
                 "ascend_bench_decoder: %d operators per step; simulator tasks per eager step %llu, per graph step %llu "
                 "(per window step %llu), per replay %llu, per loop launch of %lld steps %llu; workspace %llu bytes\n",
                 kOperatorsPerStep, static_cast<unsigned long long>(eagerTasks),
                 static_cast<unsigned long long>(graphTasks), static_cast<unsigned long long>(windowTasks),
                 static_cast<unsigned long long>(replayTasks), static_cast<long long>(kLoopSteps),
                 static_cast<unsigned long long>(loopTasks), static_cast<unsigned long long>(g.ops.workspaceBytes));
    // For tests/Ascend.Interop.Benchmarks.Tests (DecoderBenchmarkTests): compared with the C# step's.
    std::printf("tasks eager=%llu graph=%llu window=%llu replay=%llu loop=%llu\noperators",
                static_cast<unsigned long long>(eagerTasks), static_cast<unsigned long long>(graphTasks),
                static_cast<unsigned long long>(windowTasks), static_cast<unsigned long long>(replayTasks),
                static_cast<unsigned long long>(loopTasks));
    for (const char* name : sequence) std::printf(" %s", name);
    std::printf("\n");
    std::fflush(stdout);
    if (eagerTasks != kExpectedEagerStepTasks) fail("simulator tasks per eager step differ from kExpectedEagerStepTasks");
    if (replayTasks != kExpectedReplayTasks) fail("simulator tasks per replay differ from kExpectedReplayTasks");
    if (graphTasks != kExpectedGraphStepTasks)
        fail("simulator tasks per graph step differ from kExpectedGraphStepTasks");
    if (windowTasks != kExpectedWindowStepTasks) fail("simulator tasks per window step differ from kExpectedWindowStepTasks");
    if (windowCopyTasks != kExpectedWindowStepTasks + 1)
        fail("simulator tasks of a window step with its input copy differ from kExpectedWindowStepTasks + 1");
    if (loopTasks != kExpectedLoopTasks) fail("simulator tasks per loop launch differ from kExpectedLoopTasks");
}

// Times kEnqueueBatch submissions per iteration and reports the time of one (divided by `perSubmission`: the loop
// reports per decoded token, as the C# side's OperationsPerInvoke = K); the streams are drained between batches
// outside the timed region (the C# side's InvocationCount(16) + IterationCleanup).
template <typename Enqueue>
void enqueue_batches(benchmark::State& state, Enqueue enqueue, int perSubmission = 1) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEnqueueBatch; ++i) enqueue();
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / (kEnqueueBatch * perSubmission));
        CHECK(aclrtSynchronizeDevice());
    }
}

// ---- benchmarks (names match the C# methods) -------------------------------------------------------------
void EagerDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.eager_step(kPosition); });
}
// Positions alternate 3, 4 (DecoderBenchmarkBodies does the same): each step's lengths differ from the last.
int64_t alternate() {
    static int64_t steps = 0;
    return kPosition + (steps++ & 1);
}
void GraphDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.graph_step(alternate()); });
}
// Positions 3, 4, ..., 127, then 3 again (DecoderBenchmarkBodies.WindowStepSubmit): one sequence decoding through the
// context, one input copy and two updates per cycle.
int64_t walk() {
    static int64_t steps = 0;
    int64_t position = kPosition + steps;
    steps = (steps + 1) % (kContext - kPosition);
    return position;
}
void WindowDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.window_step(walk()); });
}
// One loop launch of K steps from position 3, per decoded token.
void LoopDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.loop_launch(kPosition); }, static_cast<int>(kLoopSteps));
}
void ReplayDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { CHECK(aclmdlRIExecuteAsync(g.graph, g.stream)); });
}
void EagerDecodeStep(benchmark::State& state) {
    for (auto _ : state) {
        g.eager_step(kPosition);
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}
void GraphDecodeStep(benchmark::State& state) {
    for (auto _ : state) {
        g.graph_step(alternate());
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}
void WindowDecodeStep(benchmark::State& state) {
    for (auto _ : state) {
        g.window_step(walk());
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}
// One loop launch and the wait, per decoded token.
void LoopDecodeStep(benchmark::State& state) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        g.loop_launch(kPosition);
        CHECK(aclrtSynchronizeStream(g.stream));
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / kLoopSteps);
    }
}
// The bare replay + wait (splits GraphDecodeStep into the replay and the copies' and updates' share).
void ReplayDecodeStep(benchmark::State& state) {
    for (auto _ : state) {
        CHECK(aclmdlRIExecuteAsync(g.graph, g.stream));
        CHECK(aclrtSynchronizeStream(g.stream));
    }
}

}  // namespace

BENCHMARK(EagerDecodeEnqueue)->UseManualTime()->Iterations(10);
BENCHMARK(GraphDecodeEnqueue)->UseManualTime()->Iterations(20);
BENCHMARK(WindowDecodeEnqueue)->UseManualTime()->Iterations(20);
BENCHMARK(LoopDecodeEnqueue)->UseManualTime()->Iterations(4);
BENCHMARK(ReplayDecodeEnqueue)->UseManualTime()->Iterations(20);
BENCHMARK(EagerDecodeStep)->UseRealTime();
BENCHMARK(GraphDecodeStep)->UseRealTime();
BENCHMARK(WindowDecodeStep)->UseRealTime();
BENCHMARK(LoopDecodeStep)->UseManualTime()->Iterations(10);
BENCHMARK(ReplayDecodeStep)->UseRealTime();

int main(int argc, char** argv) { return run_bench_main(argc, argv, setup_and_check, [] { g.teardown(); }); }
