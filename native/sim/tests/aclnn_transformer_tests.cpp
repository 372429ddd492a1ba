// GoogleTests of the transformer operators: aclnnBatchMatMul, aclnnRotaryPositionEmbedding,
// aclnnIndexCopy / aclnnInplaceIndexCopy and aclnnIncreFlashAttentionV4, including the capture-time
// value semantics of attention's actualSeqLengths (a host aclIntArray) and its task-group update.
// Expected values come from plain double loops written here, independent of the simulator's kernels.
#include <algorithm>
#include <functional>

#include "aclnn_fixture.inc"
#include "aclnnop/aclnn_batch_matmul.h"
#include "aclnnop/aclnn_incre_flash_attention_v4.h"
#include "aclnnop/aclnn_index_copy.h"
#include "aclnnop/aclnn_rotary_position_embedding.h"

namespace {

class AclnnTransformer : public AclnnFixture {
protected:
    std::vector<aclTensorList*> lists;
    std::vector<aclIntArray*> arrays;

    void TearDown() override {
        for (aclTensorList* l : lists) EXPECT_EQ(aclDestroyTensorList(l), ACLNN_SUCCESS);
        for (aclIntArray* a : arrays) EXPECT_EQ(aclDestroyIntArray(a), ACLNN_SUCCESS);
        lists.clear();
        arrays.clear();
        AclnnFixture::TearDown();
    }
    aclTensorList* list(std::vector<aclTensor*> ts) {
        std::vector<const aclTensor*> c(ts.begin(), ts.end());
        aclTensorList* l = aclCreateTensorList(c.data(), c.size());
        EXPECT_NE(l, nullptr);
        if (l != nullptr) {
            lists.push_back(l);
            // The list owns its tensors (as on CANN): they go with it, not with the fixture's tensor list.
            for (aclTensor* t : ts) tensors.erase(std::remove(tensors.begin(), tensors.end(), t), tensors.end());
        }
        return l;
    }
    aclIntArray* ints(const std::vector<int64_t>& v) {
        aclIntArray* a = aclCreateIntArray(v.data(), v.size());
        EXPECT_NE(a, nullptr);
        if (a != nullptr) arrays.push_back(a);
        return a;
    }
    // Runs an executor and expects the stream to report a task failure naming `op`.
    void run_expect_task_failure(LaunchFn fn, uint64_t ws, aclOpExecutor* ex, const char* op, const char* text) {
        void* w = ws > 0 ? dev(ws) : nullptr;
        ASSERT_EQ(fn(w, ws, ex, stream), ACLNN_SUCCESS) << last_error();
        EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_AICORE_EXCEPTION);
        std::string m = last_error();
        EXPECT_NE(m.find(op), std::string::npos) << m;
        EXPECT_NE(m.find(text), std::string::npos) << m;
    }
};

std::vector<uint16_t> halves(const std::vector<double>& v) {
    std::vector<uint16_t> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) r[i] = ref_half_bits(v[i]);
    return r;
}
std::vector<uint16_t> bf16s(const std::vector<double>& v) {
    std::vector<uint16_t> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) r[i] = ref_bf16_bits(v[i]);
    return r;
}

// ==== BatchMatMul =============================================================================

// [B, M, K] @ [B?, K, N] in double; a and b indexed by the callers' logical layout.
std::vector<double> ref_bmm(const std::vector<double>& a, const std::vector<double>& b, int64_t B, int64_t bb,
                            int64_t M, int64_t K, int64_t N, bool bTransposedStorage) {
    std::vector<double> c(static_cast<size_t>(B * M * N), 0.0);
    for (int64_t i = 0; i < B; ++i) {
        const int64_t ib = bb == 1 ? 0 : i;
        for (int64_t m = 0; m < M; ++m) {
            for (int64_t n = 0; n < N; ++n) {
                double s = 0;
                for (int64_t k = 0; k < K; ++k) {
                    // b stored as [bb, K, N], or as [bb, N, K] when the test passes a transposed view
                    const double bv = bTransposedStorage ? b[(ib * N + n) * K + k] : b[(ib * K + k) * N + n];
                    s += a[(i * M + m) * K + k] * bv;
                }
                c[(i * M + m) * N + n] = s;
            }
        }
    }
    return c;
}

TEST_F(AclnnTransformer, BatchMatMulFloatBroadcastsMat2BatchAndReadsATransposedView) {
    const int64_t B = 3, M = 4, K = 5, N = 6;
    std::vector<double> a(B * M * K), b(1 * N * K);
    for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(0.3 * static_cast<double>(i)) * 2.0;
    for (size_t i = 0; i < b.size(); ++i) b[i] = std::cos(0.7 * static_cast<double>(i)) - 0.25;
    std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
    a.assign(af.begin(), af.end());
    b.assign(bf.begin(), bf.end());
    void* ap = up(af);
    void* bp = up(bf);  // storage [1, N, K]; the view [1, K, N] has strides {N*K, 1, K}
    void* cp = up(std::vector<float>(B * M * N, -1.0f));
    aclTensor* ta = tensor({B, M, K}, ACL_FLOAT, ap);
    aclTensor* tb = tensor({1, K, N}, ACL_FLOAT, bp, {N * K, 1, K});
    aclTensor* tc = tensor({B, M, N}, ACL_FLOAT, cp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnBatchMatMulGetWorkspaceSize(ta, tb, tc, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_GE(ws, static_cast<uint64_t>(M * N * 4));
    run(aclnnBatchMatMul, ws, ex);
    std::vector<double> ref = ref_bmm(a, b, B, 1, M, K, N, true);
    std::vector<float> got = down<float>(cp, ref.size());
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-5 * (1 + std::fabs(ref[i]))) << i;
}

TEST_F(AclnnTransformer, BatchMatMulBroadcastsSelfBatchOfOne) {
    const int64_t B = 2, M = 2, K = 3, N = 2;
    std::vector<float> a = {1, 2, 3, 4, 5, 6};                                 // [1, 2, 3]
    std::vector<float> b = {1, 0, 0, 1, 1, 1, 2, 0, 0, 2, -1, -1};              // [2, 3, 2]
    void* ap = up(a);
    void* bp = up(b);
    void* cp = up(std::vector<float>(B * M * N, 0.0f));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnBatchMatMulGetWorkspaceSize(tensor({1, M, K}, ACL_FLOAT, ap), tensor({B, K, N}, ACL_FLOAT, bp),
                                               tensor({B, M, N}, ACL_FLOAT, cp), 1, &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnBatchMatMul, ws, ex);
    // batch 0: [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    // batch 1: [[1,2,3],[4,5,6]] @ [[2,0],[0,2],[-1,-1]] = [[-1,1],[2,4]]
    EXPECT_EQ(down<float>(cp, 8), (std::vector<float>{4, 5, 10, 11, -1, 1, 2, 4}));
}

TEST_F(AclnnTransformer, BatchMatMulHalfAndBf16RoundOnceToNearestEven) {
    // Integer products are exact in float; the sums 2049 and 2051 are not representable in FLOAT16
    // (spacing 2 above 2048): ties-to-even gives 2048 and 2052. In BF16 (spacing 16 above 2048)
    // both round to 2048.
    const std::vector<double> a = {2048, 1, 2048, 3};  // [2, 1, 2]
    const std::vector<double> b = {1, 1, 1, 1};        // [2, 2, 1]
    for (aclDataType dt : {ACL_FLOAT16, ACL_BF16}) {
        auto conv = dt == ACL_FLOAT16 ? halves : bf16s;
        void* ap = up(conv(a));
        void* bp = up(conv(b));
        void* cp = up(std::vector<uint16_t>(2, 0));
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        ASSERT_EQ(aclnnBatchMatMulGetWorkspaceSize(tensor({2, 1, 2}, dt, ap), tensor({2, 2, 1}, dt, bp),
                                                   tensor({2, 1, 1}, dt, cp), 0, &ws, &ex),
                  ACLNN_SUCCESS)
            << last_error();
        run(aclnnBatchMatMul, ws, ex);
        std::vector<uint16_t> got = down<uint16_t>(cp, 2);
        // The bf16 inputs: 2048 and 1 and 3 are exact; the sums 2049, 2051 round once.
        EXPECT_EQ(got[0], dt == ACL_FLOAT16 ? ref_half_bits(2048) : ref_bf16_bits(2048)) << static_cast<int>(dt);
        EXPECT_EQ(got[1], dt == ACL_FLOAT16 ? ref_half_bits(2052) : ref_bf16_bits(2048)) << static_cast<int>(dt);
    }
}

TEST_F(AclnnTransformer, BatchMatMulErrorsNameTheArgumentAndRule) {
    void* p = dev(4096);
    aclTensor* a = tensor({2, 3, 4}, ACL_FLOAT, p);
    aclTensor* b = tensor({2, 4, 5}, ACL_FLOAT, p);
    aclTensor* c = tensor({2, 3, 5}, ACL_FLOAT, p);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    auto expect = [&](aclnnStatus got, aclnnStatus want, const char* text) {
        EXPECT_EQ(got, want);
        std::string m = last_error();
        EXPECT_NE(m.find("aclnnBatchMatMulGetWorkspaceSize"), std::string::npos) << m;
        EXPECT_NE(m.find(text), std::string::npos) << m;
    };
    expect(aclnnBatchMatMulGetWorkspaceSize(nullptr, b, c, 0, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "self");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, nullptr, c, 0, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "mat2");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, b, nullptr, 0, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "out");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, b, c, 0, nullptr, &ex), ACLNN_ERR_PARAM_NULLPTR, "workspaceSize");
    expect(aclnnBatchMatMulGetWorkspaceSize(tensor({2, 3, 4}, ACL_INT32, p), tensor({2, 4, 5}, ACL_INT32, p),
                                            tensor({2, 3, 5}, ACL_INT32, p), 0, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "self dtype INT32");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, tensor({2, 4, 5}, ACL_FLOAT16, p), c, 0, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "mat2 dtype");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, b, c, 4, &ws, &ex), ACLNN_ERR_PARAM_INVALID, "cubeMathType 4");
    expect(aclnnBatchMatMulGetWorkspaceSize(tensor({3, 4}, ACL_FLOAT, p), b, c, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "3-D");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, tensor({2, 3, 5}, ACL_FLOAT, p), c, 0, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "last dimension of self");
    expect(aclnnBatchMatMulGetWorkspaceSize(tensor({3, 3, 4}, ACL_FLOAT, p), b, tensor({3, 3, 5}, ACL_FLOAT, p), 0,
                                            &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "batch sizes differ");
    expect(aclnnBatchMatMulGetWorkspaceSize(a, b, tensor({2, 5, 3}, ACL_FLOAT, p), 0, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "out shape");
    std::vector<float> host(64);
    expect(aclnnBatchMatMulGetWorkspaceSize(tensor({2, 3, 4}, ACL_FLOAT, host.data()), b, c, 0, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "device allocation");
}

TEST_F(AclnnTransformer, BatchMatMulCapturedReplayEqualsEagerBitForBit) {
    const int64_t B = 2, M = 3, K = 7, N = 5;
    std::vector<float> a(B * M * K), b(B * K * N);
    for (size_t i = 0; i < a.size(); ++i) a[i] = 0.1f * static_cast<float>(i % 11) - 0.37f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = 1.0f / static_cast<float>(i + 2);
    void* ap = up(a);
    void* bp = up(b);
    void* ep = up(std::vector<float>(B * M * N, 0));
    void* gp = up(std::vector<float>(B * M * N, 0));
    aclTensor* ta = tensor({B, M, K}, ACL_FLOAT, ap);
    aclTensor* tb = tensor({B, K, N}, ACL_FLOAT, bp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnBatchMatMulGetWorkspaceSize(ta, tb, tensor({B, M, N}, ACL_FLOAT, ep), 0, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnBatchMatMul, ws, ex);
    ASSERT_EQ(aclnnBatchMatMulGetWorkspaceSize(ta, tb, tensor({B, M, N}, ACL_FLOAT, gp), 0, &ws, &ex), ACLNN_SUCCESS);
    void* w = dev(ws);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnBatchMatMul(w, ws, ex, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    EXPECT_EQ(down<float>(gp, B * M * N), std::vector<float>(B * M * N, 0.0f));  // nothing ran yet
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
    std::vector<float> eager = down<float>(ep, B * M * N), graph = down<float>(gp, B * M * N);
    EXPECT_EQ(std::memcmp(eager.data(), graph.data(), eager.size() * 4), 0);
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

// ==== RotaryPositionEmbedding =================================================================

// y = x * cos + rotate(x) * sin over the last dim; cosAt(i, d) gives the broadcast cos element.
template <typename F>
std::vector<double> ref_rope(const std::vector<double>& x, int64_t rows, int64_t D, int mode, F cosAt, F sinAt) {
    std::vector<double> y(x.size());
    for (int64_t r = 0; r < rows; ++r) {
        const double* xr = &x[r * D];
        for (int64_t i = 0; i < D; ++i) {
            double rot;
            if (mode == 0) rot = i < D / 2 ? -xr[i + D / 2] : xr[i - D / 2];
            else rot = i % 2 == 0 ? -xr[i + 1] : xr[i - 1];
            y[r * D + i] = xr[i] * cosAt(r, i) + rot * sinAt(r, i);
        }
    }
    return y;
}

TEST_F(AclnnTransformer, RotaryHalfModeBsndWithPerPositionCosSin) {
    const int64_t B = 2, S = 3, N = 2, D = 4;
    std::vector<double> x(B * S * N * D), cs(S * D), sn(S * D);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(0.25 * static_cast<double>(i % 7) - 0.6);
    for (int64_t s = 0; s < S; ++s) {
        for (int64_t d = 0; d < D; ++d) {
            const double th = static_cast<double>(s) / std::pow(10000.0, 2.0 * static_cast<double>(d % 2) / D);
            cs[s * D + d] = static_cast<float>(std::cos(th));
            sn[s * D + d] = static_cast<float>(std::sin(th));
        }
    }
    void* xp = up(std::vector<float>(x.begin(), x.end()));
    void* cp = up(std::vector<float>(cs.begin(), cs.end()));
    void* sp = up(std::vector<float>(sn.begin(), sn.end()));
    void* yp = up(std::vector<float>(x.size(), 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnRotaryPositionEmbeddingGetWorkspaceSize(
                  tensor({B, S, N, D}, ACL_FLOAT, xp), tensor({1, S, 1, D}, ACL_FLOAT, cp),
                  tensor({1, S, 1, D}, ACL_FLOAT, sp), 0, tensor({B, S, N, D}, ACL_FLOAT, yp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnRotaryPositionEmbedding, ws, ex);
    // row r = ((b * S + s) * N + n): position s = (r / N) % S
    auto at = [&](const std::vector<double>& t) {
        return [&t, N, S, D](int64_t r, int64_t i) { return t[((r / N) % S) * D + i]; };
    };
    std::function<double(int64_t, int64_t)> cosAt = at(cs), sinAt = at(sn);
    std::vector<double> ref = ref_rope(x, B * S * N, D, 0, cosAt, sinAt);
    std::vector<float> got = down<float>(yp, x.size());
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-6) << i;
}

TEST_F(AclnnTransformer, RotaryInterleaveModeBnsdAndTransposedInput) {
    const int64_t B = 1, N = 2, S = 3, D = 4;
    // x logical [B, N, S, D] stored as [B, S, N, D] (a transposed view of dims 1 and 2).
    std::vector<double> xs(B * S * N * D);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(static_cast<int>(i % 9) - 4) * 0.5;
    std::vector<double> cs(S * D), sn(S * D);
    for (size_t i = 0; i < cs.size(); ++i) {
        cs[i] = 0.25 * static_cast<double>(i % 5);
        sn[i] = -0.5 + 0.125 * static_cast<double>(i % 3);
    }
    void* xp = up(std::vector<float>(xs.begin(), xs.end()));
    void* cp = up(std::vector<float>(cs.begin(), cs.end()));
    void* sp = up(std::vector<float>(sn.begin(), sn.end()));
    void* yp = up(std::vector<float>(xs.size(), 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnRotaryPositionEmbeddingGetWorkspaceSize(
                  tensor({B, N, S, D}, ACL_FLOAT, xp, {S * N * D, D, N * D, 1}), tensor({1, 1, S, D}, ACL_FLOAT, cp),
                  tensor({1, 1, S, D}, ACL_FLOAT, sp), 1, tensor({B, N, S, D}, ACL_FLOAT, yp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnRotaryPositionEmbedding, ws, ex);
    std::vector<double> xl(xs.size());  // logical BNSD order
    for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s)
            for (int64_t d = 0; d < D; ++d) xl[(n * S + s) * D + d] = xs[(s * N + n) * D + d];
    std::function<double(int64_t, int64_t)> cosAt = [&](int64_t r, int64_t i) { return cs[(r % S) * D + i]; };
    std::function<double(int64_t, int64_t)> sinAt = [&](int64_t r, int64_t i) { return sn[(r % S) * D + i]; };
    std::vector<double> ref = ref_rope(xl, N * S, D, 1, cosAt, sinAt);
    std::vector<float> got = down<float>(yp, xs.size());
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(got[i], static_cast<float>(ref[i])) << i;  // exact dyadics
}

TEST_F(AclnnTransformer, RotaryHalfPrecisionRoundsOnce) {
    // x*cos + rot*sin = 1 * 1 + 1 * 2^-11 = 1 + 2^-11: a tie in FLOAT16 (spacing 2^-10 at 1) that
    // rounds to even (1.0); rounding the product terms separately would give the same, so the
    // second element checks 1 + 3 * 2^-11 -> 1 + 2^-9 (ties to even upwards).
    const std::vector<double> x = {1.0, -1.0};  // D = 2: rot = {-x[1], x[0]} = {1, 1}
    const std::vector<double> cs = {1.0, 1.0 - 1.0 / 1024.0}, sn = {1.0 / 2048.0, 3.0 / 2048.0};
    void* xp = up(halves(x));
    void* cp = up(halves(cs));
    void* sp = up(halves(sn));
    void* yp = up(std::vector<uint16_t>(2, 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnRotaryPositionEmbeddingGetWorkspaceSize(
                  tensor({1, 1, 1, 2}, ACL_FLOAT16, xp), tensor({1, 1, 1, 2}, ACL_FLOAT16, cp),
                  tensor({1, 1, 1, 2}, ACL_FLOAT16, sp), 0, tensor({1, 1, 1, 2}, ACL_FLOAT16, yp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnRotaryPositionEmbedding, ws, ex);
    std::vector<uint16_t> got = down<uint16_t>(yp, 2);
    // y0 = 1*1 + 1*2^-11 (tie -> 1.0); y1 = -1*(1-2^-10) + 1*3*2^-11 = -1 + 2^-10 + 3*2^-11 = -1 + 5*2^-11
    EXPECT_EQ(got[0], ref_half_bits(1.0));
    EXPECT_EQ(ref_half_value(got[1]), ref_half_value(ref_half_bits(-1.0 + 5.0 / 2048.0)));
}

TEST_F(AclnnTransformer, RotaryErrorsNameTheArgumentAndRule) {
    void* p = dev(4096);
    aclTensor* x = tensor({1, 2, 2, 4}, ACL_FLOAT, p);
    aclTensor* c = tensor({1, 2, 1, 4}, ACL_FLOAT, p);
    aclTensor* y = tensor({1, 2, 2, 4}, ACL_FLOAT, p);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    auto expect = [&](aclnnStatus got, aclnnStatus want, const char* text) {
        EXPECT_EQ(got, want) << text;
        std::string m = last_error();
        EXPECT_NE(m.find("aclnnRotaryPositionEmbeddingGetWorkspaceSize"), std::string::npos) << m;
        EXPECT_NE(m.find(text), std::string::npos) << m;
    };
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(nullptr, c, c, 0, y, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "x");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, nullptr, c, 0, y, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "cos");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, nullptr, 0, y, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "sin");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, c, 0, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "out");
    aclTensor* xi = tensor({1, 2, 2, 4}, ACL_INT32, p);
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(xi, tensor({1, 2, 1, 4}, ACL_INT32, p),
                                                        tensor({1, 2, 1, 4}, ACL_INT32, p), 0, xi, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "x dtype INT32");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, tensor({1, 2, 1, 4}, ACL_FLOAT16, p), c, 0, y, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "cos dtype");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, c, 7, y, &ws, &ex), ACLNN_ERR_INNER_TILING_ERROR,
           "mode 7");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, c, 2, y, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "mode 2 (quarter)");
    aclTensor* x3 = tensor({1, 2, 2, 3}, ACL_FLOAT, p);
    aclTensor* c3 = tensor({1, 2, 1, 3}, ACL_FLOAT, p);
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x3, c3, c3, 0, x3, &ws, &ex), ACLNN_ERR_INNER_TILING_ERROR,
           "must be even");
    aclTensor* cb = tensor({1, 3, 1, 4}, ACL_FLOAT, p);
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, cb, cb, 0, y, &ws, &ex), ACLNN_ERR_INNER_TILING_ERROR,
           "does not broadcast");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, tensor({1, 2, 2, 4}, ACL_FLOAT, p), 0, y, &ws, &ex),
           ACLNN_ERR_INNER_TILING_ERROR, "must be equal");
    aclTensor* cn = tensor({1, 2, 2, 4}, ACL_FLOAT, p);  // varies along two axes
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, cn, cn, 1, y, &ws, &ex), ACLNN_ERR_INNER_TILING_ERROR,
           "interleave mode");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(tensor({2, 4}, ACL_FLOAT, p), tensor({2, 4}, ACL_FLOAT, p),
                                                        tensor({2, 4}, ACL_FLOAT, p), 0, tensor({2, 4}, ACL_FLOAT, p),
                                                        &ws, &ex),
           ACLNN_ERR_INNER_TILING_ERROR, "3-D");
    expect(aclnnRotaryPositionEmbeddingGetWorkspaceSize(x, c, c, 0, tensor({1, 2, 2, 4}, ACL_FLOAT, p, {16, 4, 8, 1}),
                                                        &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "contiguous");
}

// ==== IndexCopy (KV-cache write) =============================================================

TEST_F(AclnnTransformer, InplaceIndexCopyWritesRowsAtDevicePositions) {
    const int64_t B = 2, S = 5, H = 3;
    std::vector<float> cache(B * S * H, 0.0f), src(B * 2 * H);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<float>(i + 1);
    void* cp = up(cache);
    void* ip = up(std::vector<int64_t>{4, 1});
    void* sp = up(src);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceIndexCopyGetWorkspaceSize(tensor({B, S, H}, ACL_FLOAT, cp), 1, tensor({2}, ACL_INT64, ip),
                                                    tensor({B, 2, H}, ACL_FLOAT, sp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    EXPECT_EQ(ws, 0u);
    run(aclnnInplaceIndexCopy, ws, ex);
    std::vector<float> want(B * S * H, 0.0f);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < 2; ++i)
            for (int64_t h = 0; h < H; ++h) want[(b * S + (i == 0 ? 4 : 1)) * H + h] = src[(b * 2 + i) * H + h];
    EXPECT_EQ(down<float>(cp, want.size()), want);
}

TEST_F(AclnnTransformer, IndexCopyOutOfPlaceInt32IndexNegativeDimHalfAndStridedSelf) {
    // self logical [3, 2] = transposed view of storage [2, 3]; dim -1 (columns); out is separate.
    const std::vector<uint16_t> selfStore = halves({1, 2, 3, 4, 5, 6});  // storage [[1,2,3],[4,5,6]]
    void* selfp = up(selfStore);
    void* ip = up(std::vector<int32_t>{1});
    void* sp = up(halves({-7, -8, -9}));  // source [3, 1]
    void* op = up(std::vector<uint16_t>(6, 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnIndexCopyGetWorkspaceSize(tensor({3, 2}, ACL_FLOAT16, selfp, {1, 3}), -1,
                                             tensor({1}, ACL_INT32, ip), tensor({3, 1}, ACL_FLOAT16, sp),
                                             tensor({3, 2}, ACL_FLOAT16, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnIndexCopy, ws, ex);
    // self logical = [[1,4],[2,5],[3,6]]; column 1 replaced by source.
    EXPECT_EQ(down<uint16_t>(op, 6), halves({1, -7, 2, -8, 3, -9}));
    EXPECT_EQ(down<uint16_t>(selfp, 6), selfStore);  // self untouched
}

TEST_F(AclnnTransformer, InplaceIndexCopyCapturedWritesWhereTheDeviceIndexPointsAtReplay) {
    const int64_t S = 4, H = 2;
    void* cp = up(std::vector<float>(S * H, 0.0f));
    void* ip = up(std::vector<int64_t>{0});
    void* sp = up(std::vector<float>{0, 0});
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceIndexCopyGetWorkspaceSize(tensor({1, S, H}, ACL_FLOAT, cp), 1, tensor({1}, ACL_INT64, ip),
                                                    tensor({1, 1, H}, ACL_FLOAT, sp), &ws, &ex),
              ACLNN_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnInplaceIndexCopy(nullptr, 0, ex, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    for (int64_t pos = 0; pos < S; ++pos) {
        std::vector<int64_t> idx = {pos};
        std::vector<float> row = {static_cast<float>(10 * pos + 1), static_cast<float>(10 * pos + 2)};
        ASSERT_EQ(aclrtMemcpy(ip, 8, idx.data(), 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemcpy(sp, 8, row.data(), 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
    }
    EXPECT_EQ(down<float>(cp, S * H), (std::vector<float>{1, 2, 11, 12, 21, 22, 31, 32}));
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

TEST_F(AclnnTransformer, IndexCopyOutOfRangeIndexFailsTheTaskAndWritesNothing) {
    void* cp = up(std::vector<float>(6, 5.0f));
    void* ip = up(std::vector<int64_t>{1, 3});  // 3 is outside [0, 3)
    void* sp = up(std::vector<float>(4, -1.0f));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceIndexCopyGetWorkspaceSize(tensor({3, 2}, ACL_FLOAT, cp), 0, tensor({2}, ACL_INT64, ip),
                                                    tensor({2, 2}, ACL_FLOAT, sp), &ws, &ex),
              ACLNN_SUCCESS);
    run_expect_task_failure(aclnnInplaceIndexCopy, ws, ex, "aclnnInplaceIndexCopy", "index[1] = 3 is out of range");
    EXPECT_EQ(down<float>(cp, 6), std::vector<float>(6, 5.0f));
}

TEST_F(AclnnTransformer, IndexCopyErrorsNameTheArgumentAndRule) {
    void* p = dev(4096);
    aclTensor* self = tensor({4, 3}, ACL_FLOAT, p);
    aclTensor* idx = tensor({2}, ACL_INT64, p);
    aclTensor* src = tensor({2, 3}, ACL_FLOAT, p);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    auto expect = [&](aclnnStatus got, aclnnStatus want, const char* fn, const char* text) {
        EXPECT_EQ(got, want) << text;
        std::string m = last_error();
        EXPECT_NE(m.find(fn), std::string::npos) << m;
        EXPECT_NE(m.find(text), std::string::npos) << m;
    };
    const char* ip = "aclnnInplaceIndexCopyGetWorkspaceSize";
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(nullptr, 0, idx, src, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, ip,
           "selfRef");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, nullptr, src, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, ip,
           "index");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, idx, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, ip,
           "source");
    expect(aclnnIndexCopyGetWorkspaceSize(self, 0, idx, src, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR,
           "aclnnIndexCopyGetWorkspaceSize", "outRef");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, tensor({2}, ACL_FLOAT, p), src, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "index dtype FLOAT");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, tensor({1, 2}, ACL_INT64, p), src, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "0-D or 1-D");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, idx, tensor({2, 3}, ACL_FLOAT16, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "source dtype");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, idx, tensor({2, 4}, ACL_FLOAT, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "differ in dimension 1");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, idx, tensor({3, 3}, ACL_FLOAT, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "but index has 2");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 2, idx, src, &ws, &ex), ACLNN_ERR_PARAM_INVALID, ip,
           "dim 2 is out of range");
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(self, 0, idx, tensor({2, 3, 1}, ACL_FLOAT, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "rank");
    expect(aclnnIndexCopyGetWorkspaceSize(self, 0, idx, src, tensor({4, 2}, ACL_FLOAT, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "aclnnIndexCopyGetWorkspaceSize", "outRef shape");
    std::vector<float> host(12);
    expect(aclnnInplaceIndexCopyGetWorkspaceSize(tensor({4, 3}, ACL_FLOAT, host.data()), 0, idx, src, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, ip, "device allocation");
}

// ==== IncreFlashAttentionV4 ===================================================================

struct AttnCase {
    int64_t B = 2, H = 4, NKV = 2, D = 8, S = 6;
    std::vector<double> q;  // [B, H, D], values already rounded to the input dtype
    std::vector<double> k;  // logical [B, S, NKV, D]
    std::vector<double> v;
};

AttnCase make_case(int64_t B, int64_t H, int64_t NKV, int64_t D, int64_t S, aclDataType dt) {
    AttnCase c;
    c.B = B, c.H = H, c.NKV = NKV, c.D = D, c.S = S;
    auto rnd = [dt](double x) { return dt == ACL_FLOAT16 ? ref_half_value(ref_half_bits(x)) : ref_bf16_round(x); };
    for (int64_t i = 0; i < B * H * D; ++i) c.q.push_back(rnd(std::sin(1.3 * static_cast<double>(i) + 0.2)));
    for (int64_t i = 0; i < B * S * NKV * D; ++i) {
        c.k.push_back(rnd(std::cos(0.71 * static_cast<double>(i)) * 1.5));
        c.v.push_back(rnd(std::sin(0.37 * static_cast<double>(i) - 1.0) * 2.0));
    }
    return c;
}

// out[b, h, :] in double: softmax over s < lens[b] (not masked) of scale * q.k, times v.
std::vector<double> ref_attention(const AttnCase& c, const std::vector<int64_t>& lens, double scale,
                                  const std::vector<uint8_t>* mask) {
    std::vector<double> out(c.B * c.H * c.D, 0.0);
    const int64_t group = c.H / c.NKV;
    for (int64_t b = 0; b < c.B; ++b) {
        for (int64_t h = 0; h < c.H; ++h) {
            const int64_t g = h / group;
            std::vector<double> sc;
            std::vector<int64_t> pos;
            for (int64_t s = 0; s < lens[b]; ++s) {
                if (mask != nullptr && (*mask)[b * c.S + s] != 0) continue;
                double dot = 0;
                for (int64_t d = 0; d < c.D; ++d)
                    dot += c.q[(b * c.H + h) * c.D + d] * c.k[((b * c.S + s) * c.NKV + g) * c.D + d];
                sc.push_back(dot * scale);
                pos.push_back(s);
            }
            if (sc.empty()) continue;
            double mx = *std::max_element(sc.begin(), sc.end()), sum = 0;
            for (double& x : sc) sum += (x = std::exp(x - mx));
            for (size_t i = 0; i < sc.size(); ++i)
                for (int64_t d = 0; d < c.D; ++d)
                    out[(b * c.H + h) * c.D + d] += sc[i] / sum * c.v[((b * c.S + pos[i]) * c.NKV + g) * c.D + d];
        }
    }
    return out;
}

// Packs logical [B, S, NKV, D] into BNSD storage [B, NKV, S, D].
std::vector<double> to_bnsd(const std::vector<double>& x, int64_t B, int64_t S, int64_t N, int64_t D) {
    std::vector<double> r(x.size());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t s = 0; s < S; ++s)
            for (int64_t n = 0; n < N; ++n)
                for (int64_t d = 0; d < D; ++d) r[((b * N + n) * S + s) * D + d] = x[((b * S + s) * N + n) * D + d];
    return r;
}

class AclnnAttention : public AclnnTransformer {
protected:
    // Calls aclnnIncreFlashAttentionV4GetWorkspaceSize with the unsupported optional inputs NULL
    // except the one at `extraIndex` (0 = pseShift, 1..9 = dequantScale1 .. kvPaddingSize).
    aclnnStatus ifa(const aclTensor* q, const aclTensorList* k, const aclTensorList* v, const aclTensor* mask,
                    const aclIntArray* lens, int64_t numHeads, double scale, const char* layout, int64_t nkv,
                    const aclTensor* out, uint64_t* ws, aclOpExecutor** ex, int extraIndex = -1,
                    const aclTensor* extra = nullptr, int64_t blockSize = 0, int64_t innerPrecise = 1) {
        const aclTensor* e[10] = {};
        if (extraIndex >= 0) e[extraIndex] = extra;
        char lay[16] = {};
        if (layout != nullptr) std::strncpy(lay, layout, sizeof lay - 1);
        return aclnnIncreFlashAttentionV4GetWorkspaceSize(q, k, v, e[0], mask, lens, e[1], e[2], e[3], e[4], e[5],
                                                          e[6], e[7], e[8], e[9], numHeads, scale,
                                                          layout != nullptr ? lay : nullptr, nkv, blockSize,
                                                          innerPrecise, out, ws, ex);
    }
    static void expect_close(const std::vector<uint16_t>& got, const std::vector<double>& ref, aclDataType dt) {
        ASSERT_EQ(got.size(), ref.size());
        const double rel = dt == ACL_FLOAT16 ? 1.0 / 1024 : 1.0 / 128;  // one output rounding + float error
        for (size_t i = 0; i < ref.size(); ++i) {
            const double g = dt == ACL_FLOAT16 ? ref_half_value(got[i]) : ref_bf16_value(got[i]);
            EXPECT_NEAR(g, ref[i], rel * std::fabs(ref[i]) + 1e-5) << i;
        }
    }
};

TEST_F(AclnnAttention, BshFloat16GqaWithPerBatchLengthsMatchesDoubleReference) {
    const AttnCase c = make_case(2, 4, 2, 8, 6, ACL_FLOAT16);
    const double scale = 1.0 / std::sqrt(8.0);
    void* qp = up(halves(c.q));
    void* kp = up(halves(c.k));  // BSH storage = logical [B, S, NKV*D]
    void* vp = up(halves(c.v));
    void* op = up(std::vector<uint16_t>(c.q.size(), 0));
    aclTensor* q = tensor({2, 1, 32}, ACL_FLOAT16, qp);
    aclTensorList* kl = list({tensor({2, 6, 16}, ACL_FLOAT16, kp)});
    aclTensorList* vl = list({tensor({2, 6, 16}, ACL_FLOAT16, vp)});
    aclTensor* o = tensor({2, 1, 32}, ACL_FLOAT16, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(ifa(q, kl, vl, nullptr, ints({4, 6}), 4, scale, "BSH", 2, o, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_GT(ws, 0u);
    run(aclnnIncreFlashAttentionV4, ws, ex);
    expect_close(down<uint16_t>(op, c.q.size()), ref_attention(c, {4, 6}, scale, nullptr), ACL_FLOAT16);
}

TEST_F(AclnnAttention, BsndEqualsBshAndPaddingBeyondTheLengthIsIgnored) {
    AttnCase c = make_case(1, 2, 2, 4, 5, ACL_FLOAT16);
    void* qp = up(halves(c.q));
    void* kp = up(halves(c.k));
    void* vp = up(halves(c.v));
    void* o1 = up(std::vector<uint16_t>(c.q.size(), 0));
    void* o2 = up(std::vector<uint16_t>(c.q.size(), 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(ifa(tensor({1, 1, 8}, ACL_FLOAT16, qp), list({tensor({1, 5, 8}, ACL_FLOAT16, kp)}),
                  list({tensor({1, 5, 8}, ACL_FLOAT16, vp)}), nullptr, ints({3}), 2, 0.5, "BSH", 0,
                  tensor({1, 1, 8}, ACL_FLOAT16, o1), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnIncreFlashAttentionV4, ws, ex);
    // Garbage in cache rows 3 and 4 (beyond the length 3) must not matter.
    std::vector<double> k2 = c.k, v2 = c.v;
    for (size_t i = 3 * 8; i < k2.size(); ++i) k2[i] = v2[i] = 1000.0;
    void* kp2 = up(halves(k2));
    void* vp2 = up(halves(v2));
    ASSERT_EQ(ifa(tensor({1, 1, 2, 4}, ACL_FLOAT16, qp), list({tensor({1, 5, 2, 4}, ACL_FLOAT16, kp2)}),
                  list({tensor({1, 5, 2, 4}, ACL_FLOAT16, vp2)}), nullptr, ints({3}), 2, 0.5, "BSND", 0,
                  tensor({1, 1, 2, 4}, ACL_FLOAT16, o2), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnIncreFlashAttentionV4, ws, ex);
    std::vector<uint16_t> a = down<uint16_t>(o1, c.q.size()), b = down<uint16_t>(o2, c.q.size());
    EXPECT_EQ(a, b);
    expect_close(a, ref_attention(c, {3}, 0.5, nullptr), ACL_FLOAT16);
}

TEST_F(AclnnAttention, BnsdBf16TensorListPerBatchWithMask) {
    // B = 2 tensors of batch 1 with different S (4 and 6); a [B, 1, 1, Smax] UINT8 mask.
    const int64_t H = 2, D = 4, Smax = 6;
    AttnCase c = make_case(2, H, H, D, Smax, ACL_BF16);
    const std::vector<int64_t> S = {4, 6};
    std::vector<uint8_t> mask = {0, 1, 0, 0, 0, 0, /**/ 1, 0, 0, 1, 0, 0};
    void* qp = up(bf16s(c.q));
    std::vector<aclTensor*> ks, vs;
    for (int64_t b = 0; b < 2; ++b) {
        std::vector<double> kb(c.k.begin() + b * Smax * H * D, c.k.begin() + (b * Smax + S[b]) * H * D);
        std::vector<double> vb(c.v.begin() + b * Smax * H * D, c.v.begin() + (b * Smax + S[b]) * H * D);
        ks.push_back(tensor({1, H, S[b], D}, ACL_BF16, up(bf16s(to_bnsd(kb, 1, S[b], H, D)))));
        vs.push_back(tensor({1, H, S[b], D}, ACL_BF16, up(bf16s(to_bnsd(vb, 1, S[b], H, D)))));
    }
    void* mp = up(mask);
    void* op = up(std::vector<uint16_t>(c.q.size(), 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(ifa(tensor({2, H, 1, D}, ACL_BF16, qp), list(ks), list(vs), tensor({2, 1, 1, Smax}, ACL_UINT8, mp),
                  ints({4, 5}), H, 0.7, "BNSD", H, tensor({2, H, 1, D}, ACL_BF16, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnIncreFlashAttentionV4, ws, ex);
    expect_close(down<uint16_t>(op, c.q.size()), ref_attention(c, {4, 5}, 0.7, &mask), ACL_BF16);
}

TEST_F(AclnnAttention, NoAttendedPositionGivesZeros) {
    AttnCase c = make_case(2, 1, 1, 4, 3, ACL_FLOAT16);
    void* qp = up(halves(c.q));
    void* kp = up(halves(c.k));
    void* vp = up(halves(c.v));
    void* mp = up(std::vector<uint8_t>{1, 1, 0, 0, 0, 0});  // batch 0: both attended positions masked
    void* op = up(std::vector<uint16_t>(c.q.size(), 0x3C00));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(ifa(tensor({2, 1, 4}, ACL_FLOAT16, qp), list({tensor({2, 3, 4}, ACL_FLOAT16, kp)}),
                  list({tensor({2, 3, 4}, ACL_FLOAT16, vp)}), tensor({2, 3}, ACL_BOOL, mp), ints({2, 0}), 1, 1.0,
                  "BSH", 0, tensor({2, 1, 4}, ACL_FLOAT16, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnIncreFlashAttentionV4, ws, ex);
    EXPECT_EQ(down<uint16_t>(op, 8), std::vector<uint16_t>(8, 0));
}

TEST_F(AclnnAttention, MaskValueOtherThanZeroOrOneFailsTheTask) {
    AttnCase c = make_case(1, 1, 1, 4, 2, ACL_FLOAT16);
    void* qp = up(halves(c.q));
    void* kp = up(halves(c.k));
    void* vp = up(halves(c.v));
    void* mp = up(std::vector<int8_t>{0, 2});
    void* op = up(std::vector<uint16_t>(4, 0));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(ifa(tensor({1, 1, 4}, ACL_FLOAT16, qp), list({tensor({1, 2, 4}, ACL_FLOAT16, kp)}),
                  list({tensor({1, 2, 4}, ACL_FLOAT16, vp)}), tensor({1, 2}, ACL_INT8, mp), nullptr, 1, 1.0, "BSH", 0,
                  tensor({1, 1, 4}, ACL_FLOAT16, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run_expect_task_failure(aclnnIncreFlashAttentionV4, ws, ex, "aclnnIncreFlashAttentionV4", "must be 0 or 1");
}

TEST_F(AclnnAttention, ErrorsNameTheArgumentAndRule) {
    void* p = dev(1 << 16);
    aclTensor* q = tensor({1, 1, 8}, ACL_FLOAT16, p);
    aclTensor* o = tensor({1, 1, 8}, ACL_FLOAT16, p);
    aclTensor* kt = tensor({1, 4, 8}, ACL_FLOAT16, p);
    aclTensorList* kl = list({kt});
    aclTensorList* vl = list({tensor({1, 4, 8}, ACL_FLOAT16, p)});
    aclIntArray* lens = ints({4});
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    const char* fn = "aclnnIncreFlashAttentionV4GetWorkspaceSize";
    auto expect = [&](aclnnStatus got, aclnnStatus want, const char* text) {
        EXPECT_EQ(got, want) << text;
        std::string m = last_error();
        EXPECT_NE(m.find(fn), std::string::npos) << m;
        EXPECT_NE(m.find(text), std::string::npos) << m;
    };
    ASSERT_EQ(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);

    expect(ifa(nullptr, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "query");
    expect(ifa(q, nullptr, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "key");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, nullptr, 0, o, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR, "inputLayout");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR,
           "attentionOut");
    const char* names[10] = {"pseShift",    "dequantScale1",  "quantScale1",     "dequantScale2", "quantScale2",
                             "quantOffset2", "antiquantScale", "antiquantOffset", "blocktable",    "kvPaddingSize"};
    aclTensor* one = tensor({1}, ACL_FLOAT, p);
    for (int i = 0; i < 10; ++i) {
        std::string want = std::string(names[i]) + " (";
        EXPECT_EQ(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex, i, one), ACLNN_ERR_PARAM_INVALID);
        std::string m = last_error();
        EXPECT_NE(m.find(want), std::string::npos) << m;
        EXPECT_NE(m.find("not simulated"), std::string::npos) << m;
    }
    // An empty optional tensor counts as absent.
    ASSERT_EQ(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex, 0, tensor({0}, ACL_FLOAT16, p)),
              ACLNN_SUCCESS);
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "SBH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID, "inputLayout \"SBH\"");
    aclTensor* qf = tensor({1, 1, 8}, ACL_FLOAT, p);
    expect(ifa(qf, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, tensor({1, 1, 8}, ACL_FLOAT, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "query dtype FLOAT");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, tensor({1, 1, 8}, ACL_BF16, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "attentionOut dtype");
    expect(ifa(q, kl, vl, nullptr, lens, 0, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID, "numHeads 0");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 3, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "numKeyValueHeads 3");
    expect(ifa(q, kl, vl, nullptr, lens, 3, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "not a multiple of numHeads");
    expect(ifa(tensor({1, 2, 8}, ACL_FLOAT16, p), kl, vl, nullptr, lens, 2, 0.5, "BSH", 0,
               tensor({1, 2, 8}, ACL_FLOAT16, p), &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "S axis of query must be 1");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BNSD", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID, "4-D");
    expect(ifa(q, kl, list({tensor({1, 3, 8}, ACL_FLOAT16, p)}), nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "differs from value[0] shape");
    expect(ifa(q, kl, list({tensor({1, 4, 8}, ACL_FLOAT16, p), tensor({1, 4, 8}, ACL_FLOAT16, p)}), nullptr, lens, 2,
               0.5, "BSH", 0, o, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "key holds 1 tensors but value holds 2");
    expect(ifa(q, list({tensor({1, 4, 4}, ACL_FLOAT16, p)}), list({tensor({1, 4, 4}, ACL_FLOAT16, p)}), nullptr, lens,
               2, 0.5, "BSH", 0, o, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "key[0] shape");
    expect(ifa(q, list({tensor({1, 4, 8}, ACL_INT8, p)}), list({tensor({1, 4, 8}, ACL_INT8, p)}), nullptr, lens, 2,
               0.5, "BSH", 0, o, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "INT8 (antiquantised KV cache) is not simulated");
    expect(ifa(q, list({tensor({1, 4, 8}, ACL_FLOAT16, p, {32, 1, 4})}), vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws,
               &ex),
           ACLNN_ERR_PARAM_INVALID, "contiguous");
    expect(ifa(q, kl, vl, nullptr, ints({4, 4}), 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "actualSeqLengths holds 2 values");
    expect(ifa(q, kl, vl, nullptr, ints({5}), 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "actualSeqLengths[0] = 5");
    expect(ifa(q, kl, vl, tensor({1, 4}, ACL_FLOAT16, p), lens, 2, 0.5, "BSH", 0, o, &ws, &ex),
           ACLNN_ERR_PARAM_INVALID, "attenMask dtype");
    expect(ifa(q, kl, vl, tensor({1, 3}, ACL_BOOL, p), lens, 2, 0.5, "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "attenMask shape");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex, -1, nullptr, 0, 2), ACLNN_ERR_PARAM_INVALID,
           "innerPrecise 2");
    expect(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws, &ex, -1, nullptr, -1, 1), ACLNN_ERR_PARAM_INVALID,
           "blockSize -1");
    expect(ifa(q, kl, vl, nullptr, lens, 2, std::nan(""), "BSH", 0, o, &ws, &ex), ACLNN_ERR_PARAM_INVALID,
           "scaleValue");
    std::vector<uint16_t> host(64);
    expect(ifa(q, list({tensor({1, 4, 8}, ACL_FLOAT16, host.data())}), vl, nullptr, lens, 2, 0.5, "BSH", 0, o, &ws,
               &ex),
           ACLNN_ERR_PARAM_INVALID, "key[0] data");
}

// Item 3 of issue 14: actualSeqLengths is a host array read at GetWorkspaceSize time. A captured
// launch keeps the capture-time lengths on every replay; only a task-group update changes them.
TEST_F(AclnnAttention, CapturedLengthsAreFixedUntilATaskGroupUpdate) {
    AttnCase c = make_case(1, 2, 2, 4, 8, ACL_FLOAT16);
    void* qp = up(halves(c.q));
    void* kp = up(halves(c.k));
    void* vp = up(halves(c.v));
    void* eager3 = up(std::vector<uint16_t>(8, 0));
    void* eager6 = up(std::vector<uint16_t>(8, 0));
    void* graph = up(std::vector<uint16_t>(8, 0));
    aclTensor* q = tensor({1, 1, 8}, ACL_FLOAT16, qp);
    aclTensorList* kl = list({tensor({1, 8, 8}, ACL_FLOAT16, kp)});
    aclTensorList* vl = list({tensor({1, 8, 8}, ACL_FLOAT16, vp)});
    aclTensor* og = tensor({1, 1, 8}, ACL_FLOAT16, graph);
    auto eager = [&](int64_t len, void* outp) {
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        ASSERT_EQ(ifa(q, kl, vl, nullptr, ints({len}), 2, 0.5, "BSH", 0, tensor({1, 1, 8}, ACL_FLOAT16, outp), &ws,
                      &ex),
                  ACLNN_SUCCESS);
        run(aclnnIncreFlashAttentionV4, ws, ex);
    };
    eager(3, eager3);
    eager(6, eager6);
    const std::vector<uint16_t> e3 = down<uint16_t>(eager3, 8), e6 = down<uint16_t>(eager6, 8);
    ASSERT_NE(e3, e6);

    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclIntArray* lens = ints({3});
    ASSERT_EQ(ifa(q, kl, vl, nullptr, lens, 2, 0.5, "BSH", 0, og, &ws, &ex), ACLNN_SUCCESS);
    void* w = dev(ws);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureTaskGrpBegin(stream), ACL_SUCCESS);
    EXPECT_EQ(aclnnIncreFlashAttentionV4(w, ws, ex, stream), ACLNN_SUCCESS) << last_error();
    aclrtTaskGrp grp = nullptr;
    ASSERT_EQ(aclmdlRICaptureTaskGrpEnd(stream, &grp), ACL_SUCCESS);
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);

    // (a) The host array is gone and the caller "moved on" to length 6: the replay still uses 3.
    EXPECT_EQ(aclDestroyIntArray(lens), ACLNN_SUCCESS);
    arrays.erase(std::find(arrays.begin(), arrays.end(), lens));
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
    std::vector<uint16_t> replayed = down<uint16_t>(graph, 8);
    EXPECT_EQ(replayed, e3);
    EXPECT_NE(replayed, e6);

    // (b) Re-issue the launch with length 6 inside a task update: replays now equal eager(6).
    aclrtStream upd = nullptr;
    ASSERT_EQ(aclrtCreateStream(&upd), ACL_SUCCESS);
    ASSERT_EQ(ifa(q, kl, vl, nullptr, ints({6}), 2, 0.5, "BSH", 0, og, &ws, &ex), ACLNN_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureTaskUpdateBegin(upd, grp), ACL_SUCCESS);
    EXPECT_EQ(aclnnIncreFlashAttentionV4(w, ws, ex, upd), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclmdlRICaptureTaskUpdateEnd(upd), ACL_SUCCESS) << last_error();
    ASSERT_EQ(aclrtSynchronizeStream(upd), ACL_SUCCESS);
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        EXPECT_EQ(down<uint16_t>(graph, 8), e6) << i;
    }
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(upd), ACL_SUCCESS);
}

}  // namespace
