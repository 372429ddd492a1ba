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
//    rounded up to 64 = the context): the pinned input copy, the replay, the pinned token copy; the attention groups
//    are updated only when the rounded lengths change, which they never do here.
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
#include "aclnnop/aclnn_argmax.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_incre_flash_attention_v4.h"
#include "aclnnop/aclnn_index_copy.h"
#include "aclnnop/aclnn_mm.h"
#include "aclnnop/aclnn_mul.h"
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
constexpr int64_t kContext = 64;
constexpr int64_t kBatch = 8;       // MaxBatch = the bucket = the sequences of a step
constexpr double kRmsEpsilon = 1e-5;
constexpr double kRopeTheta = 10000;
constexpr int64_t kPosition = 3;    // every row holds 3 prefilled positions; the benchmarked step writes position 3
constexpr int kEnqueueBatch = 16;   // steps queued per timed batch (DecoderEnqueueBenchmarks' InvocationCount)
constexpr int64_t kWindow = 64;     // LlmEngine's attention window in the window benchmarks

// What the simulator runs, counted by ACLSIM_COUNT_TASKS_EXECUTED; the C# side asserts the same numbers
// (DecoderBenchmarkBodies.EagerStepTasks, GraphStepTasks, ReplayTasks).
constexpr int kOperatorsPerStep = 4 + 22 * kLayers + 3;       // LlmModel.OperatorsPerStep: 95
constexpr uint64_t kExpectedEagerStepTasks = kOperatorsPerStep + 2;  // + input copy + token copy
constexpr uint64_t kExpectedReplayTasks = kOperatorsPerStep;
// The graph step: the replay's tasks + the two copies (the simulator counts neither event records/waits nor the
// task-group updates as executed tasks).
constexpr uint64_t kExpectedGraphStepTasks = kExpectedReplayTasks + 2;

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
    Tensor tokens, stepInputs, query, attentionOut, logits;  // the static buffers
    Tensor mask, maskCells, maskZeros;  // LlmModel.AttentionMask [MaxBatch, Context] (uint8, 1 = masked), flat, zeros
    // LlmModel.RowViews for rows [0, 8): cached descriptors (keys/values lists get fresh ones per call).
    Tensor vTokens, vPositions, vSlots, vMaskSlots, vMaskZeros, vMask, vQuery4, vQuery3, vOut2, vOut3, vLogits;
    Tensor vKeys[kLayers], vValues[kLayers];
    Scratch sc;

    int64_t* pinnedInputs = nullptr;  // PinnedBuffer<long> positions, slots, mask slots [3 * MaxBatch]
    int64_t* pinnedTokens = nullptr;  // PinnedBuffer<long> [MaxBatch]
    int64_t lengths[kBatch];
    int64_t captureLengths[kBatch];

    aclmdlRI graph = nullptr;
    aclrtTaskGrp groups[kLayers] = {};
    aclmdlRI windowGraph = nullptr;          // the window mode's capture (masked attention over window lengths)
    aclrtTaskGrp windowGroups[kLayers] = {};
    aclrtTaskGrp* capturing = groups;        // where a capture's task groups go
    int64_t windowHeld[kBatch];              // the lengths the window groups hold (LlmEngine's HeldLengths)

    void setup() {
        CHECK(aclInit(nullptr));
        CHECK(aclrtSetDevice(0));
        CHECK(aclrtCreateContext(&context, 0));
        CHECK(aclrtCreateStream(&stream));
        CHECK(aclrtCreateStream(&updateStream));
        CHECK(aclrtCreateEventWithFlag(&marker, ACL_EVENT_SYNC));
        CHECK(aclrtCreateEventWithFlag(&updateDone, ACL_EVENT_SYNC));
        CHECK(aclrtMallocHost(reinterpret_cast<void**>(&pinnedInputs), 3 * kBatch * sizeof(int64_t)));
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
        stepInputs = device_tensor({3 * kBatch}, ACL_INT64);
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

    // LlmEngine.WriteInputs: positions, cache slots and mask slots into the pinned buffer, one asynchronous copy.
    // The capture's warm-up writes its keys and values at the last position and unmasks only position 0.
    void write_inputs(int64_t position, bool captureSlots = false) {
        for (int64_t row = 0; row < kBatch; ++row) {
            pinnedInputs[row] = captureSlots ? 0 : position;
            pinnedInputs[kBatch + row] = row * kContext + (captureSlots ? kContext - 1 : position);
            pinnedInputs[2 * kBatch + row] = row * kContext + (captureSlots ? 0 : position);
        }
        CHECK(aclrtMemcpyAsync(stepInputs.base, stepInputs.bytes(), pinnedInputs, stepInputs.bytes(),
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

    // LlmEngine.SubmitDecodeStep, window: input copy, the lengths rounded up to the window (updates only when they
    // differ from the held ones), the replay, token copy.
    void window_step(int64_t position) {
        write_inputs(position);
        bool changed = false;
        for (int64_t i = 0; i < kBatch; ++i) {
            lengths[i] = std::min((position + 1 + kWindow - 1) / kWindow * kWindow, kContext);
            changed |= lengths[i] != windowHeld[i];
        }
        if (changed) {
            update_all(windowGroups, lengths, true);
            std::memcpy(windowHeld, lengths, sizeof windowHeld);
        }
        CHECK(aclmdlRIExecuteAsync(windowGraph, stream));
        copy_tokens_out();
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

    // LlmEngine.CaptureBucket(8, Window): the same, with the masked attention over the window's lengths.
    void capture_window() {
        write_inputs(0, /*captureSlots=*/true);
        model_step(windowHeld, false, /*masked=*/true);
        CHECK(aclrtSynchronizeStream(stream));
        CHECK(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
        capturing = windowGroups;
        model_step(windowHeld, /*capturing=*/true, /*masked=*/true);
        capturing = groups;
        CHECK(aclmdlRICaptureEnd(stream, &windowGraph));
        CHECK(aclmdlRISetName(windowGraph, "decode-window64-b8"));
        CHECK(aclrtSynchronizeStream(stream));
    }

    void teardown() {
        CHECK(aclrtSynchronizeDevice());
        CHECK(aclmdlRIDestroy(graph));
        CHECK(aclmdlRIDestroy(windowGraph));
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
    // The window step (masked attention over 64 positions, no update): the same logits and tokens, bit for bit.
    set_tokens(start);
    CHECK(aclrtMemset(g.logits.base, g.logits.bytes(), 0, g.logits.bytes()));
    uint64_t windowTasks = tasks_of("the window step", [] { g.window_step(kPosition); });
    check_tokens("window step");
    if (std::memcmp(eager.data(), read_logits().data(), eager.size() * sizeof(float)) != 0 ||
        std::memcmp(eagerTokens, g.pinnedTokens, sizeof eagerTokens) != 0)
        fail("the window step's logits or tokens differ from the eager step's");
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

    std::fprintf(stderr,
                 "ascend_bench_decoder: %d operators per step; simulator tasks per eager step %llu, per graph step %llu "
                 "(per window step %llu), per replay %llu; workspace %llu bytes\n",
                 kOperatorsPerStep, static_cast<unsigned long long>(eagerTasks),
                 static_cast<unsigned long long>(graphTasks), static_cast<unsigned long long>(windowTasks),
                 static_cast<unsigned long long>(replayTasks), static_cast<unsigned long long>(g.ops.workspaceBytes));
    // For tests/Ascend.Interop.Benchmarks.Tests (DecoderBenchmarkTests): compared with the C# step's.
    std::printf("tasks eager=%llu graph=%llu replay=%llu\noperators", static_cast<unsigned long long>(eagerTasks),
                static_cast<unsigned long long>(graphTasks), static_cast<unsigned long long>(replayTasks));
    for (const char* name : sequence) std::printf(" %s", name);
    std::printf("\n");
    std::fflush(stdout);
    if (eagerTasks != kExpectedEagerStepTasks) fail("simulator tasks per eager step differ from kExpectedEagerStepTasks");
    if (replayTasks != kExpectedReplayTasks) fail("simulator tasks per replay differ from kExpectedReplayTasks");
    if (graphTasks != kExpectedGraphStepTasks)
        fail("simulator tasks per graph step differ from kExpectedGraphStepTasks");
    if (windowTasks != kExpectedGraphStepTasks) fail("simulator tasks per window step differ from kExpectedGraphStepTasks");
}

// Times kEnqueueBatch submissions per iteration and reports the time of one; the streams are drained between
// batches outside the timed region (the C# side's InvocationCount(16) + IterationCleanup).
template <typename Enqueue>
void enqueue_batches(benchmark::State& state, Enqueue enqueue) {
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEnqueueBatch; ++i) enqueue();
        auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count() / kEnqueueBatch);
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
void WindowDecodeEnqueue(benchmark::State& state) {
    enqueue_batches(state, [] { g.window_step(alternate()); });
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
        g.window_step(alternate());
        CHECK(aclrtSynchronizeStream(g.stream));
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
BENCHMARK(ReplayDecodeEnqueue)->UseManualTime()->Iterations(20);
BENCHMARK(EagerDecodeStep)->UseRealTime();
BENCHMARK(GraphDecodeStep)->UseRealTime();
BENCHMARK(WindowDecodeStep)->UseRealTime();
BENCHMARK(ReplayDecodeStep)->UseRealTime();

int main(int argc, char** argv) {
    bool checkOnly = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check-only") == 0)
            checkOnly = true;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    setup_and_check();
    if (!checkOnly) benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    g.teardown();
    return 0;
}
