// GoogleTests of the aclnn operators: values against reference loops, broadcasting, strided views,
// dtypes, aliasing.
#include "aclnn_fixture.inc"

namespace {

class AclnnOps : public AclnnFixture {};

// ---- Add / Sub / Mul ----------------------------------------------------------------------------

TEST_F(AclnnOps, AddFloatBroadcastWithAlpha) {
    std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {10, 20, 30};
    aclTensor* s = tensor({2, 3}, ACL_FLOAT, up(a));
    aclTensor* o = tensor({3}, ACL_FLOAT, up(b));
    void* outp = dev(6 * 4);
    aclTensor* out = tensor({2, 3}, ACL_FLOAT, outp);
    float alphaV = 2.5f;
    aclScalar* alpha = aclCreateScalar(&alphaV, ACL_FLOAT);
    ASSERT_NE(alpha, nullptr);
    uint64_t ws = 99;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(ws, 0u);
    run(aclnnAdd, ws, ex);
    auto r = down<float>(outp, 6);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(r[i * 3 + j], a[i * 3 + j] + 2.5 * b[j]) << i << "," << j;
    EXPECT_EQ(aclDestroyScalar(alpha), ACLNN_SUCCESS);
}

TEST_F(AclnnOps, AddTransposedSelfAndOffsetOther) {
    // self: storage 3x2 row-major, viewed transposed as 2x3 (strides 1,2).
    std::vector<float> st = {1, 2, 3, 4, 5, 6};
    // other: a 2x3 view starting at element 2 of a 4x4 storage, row stride 4.
    std::vector<float> ot(16);
    for (int i = 0; i < 16; ++i) ot[i] = 100.0f * i;
    aclTensor* s = tensor({2, 3}, ACL_FLOAT, up(st), {1, 2});
    aclTensor* o = tensor({2, 3}, ACL_FLOAT, up(ot), {4, 1}, 2, {16});
    // out: a strided view too (every other element of a 12-element buffer).
    void* outp = up(std::vector<float>(12, -1.0f));
    aclTensor* out = tensor({2, 3}, ACL_FLOAT, outp, {6, 2}, 0, {12});
    int64_t one = 1;
    aclScalar* alpha = aclCreateScalar(&one, ACL_INT64);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    auto r = down<float>(outp, 12);
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 3; ++j) {
            double sv = st[j * 2 + i], ov = ot[2 + i * 4 + j];
            EXPECT_FLOAT_EQ(r[i * 6 + j * 2], sv + ov);
            EXPECT_FLOAT_EQ(r[i * 6 + j * 2 + 1], -1.0f) << "gap element written";
        }
    }
    aclDestroyScalar(alpha);
}

TEST_F(AclnnOps, AddInt32WithIntAlphaWraps) {
    std::vector<int32_t> a = {1, -5, 2147483647, 7}, b = {2, 3, 1, -4};
    aclTensor* s = tensor({4}, ACL_INT32, up(a));
    aclTensor* o = tensor({4}, ACL_INT32, up(b));
    void* outp = dev(16);
    aclTensor* out = tensor({4}, ACL_INT32, outp);
    int32_t al = 3;
    aclScalar* alpha = aclCreateScalar(&al, ACL_INT32);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    auto r = down<int32_t>(outp, 4);
    EXPECT_EQ(r[0], 7);
    EXPECT_EQ(r[1], 4);
    EXPECT_EQ(r[2], static_cast<int32_t>(0x80000002u));  // 2147483647 + 3 wraps as in PyTorch
    EXPECT_EQ(r[3], -5);
    aclDestroyScalar(alpha);
}

TEST_F(AclnnOps, SubInt64AndFloatAlpha) {
    std::vector<int64_t> a = {10, 20, 30}, b = {1, 2, 3};
    aclTensor* s = tensor({3}, ACL_INT64, up(a));
    aclTensor* o = tensor({1}, ACL_INT64, up(std::vector<int64_t>{4}));
    void* outp = dev(24);
    aclTensor* out = tensor({3}, ACL_INT64, outp);
    int64_t al = 2;
    aclScalar* alpha = aclCreateScalar(&al, ACL_INT64);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSubGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSub, ws, ex);
    auto r = down<int64_t>(outp, 3);
    EXPECT_EQ(r, (std::vector<int64_t>{2, 12, 22}));
    aclDestroyScalar(alpha);

    std::vector<float> fa = {1.5f, -2.0f}, fb = {4.0f, 8.0f};
    aclTensor* fs = tensor({2}, ACL_FLOAT, up(fa));
    aclTensor* fo = tensor({2}, ACL_FLOAT, up(fb));
    void* foutp = dev(8);
    aclTensor* fout = tensor({2}, ACL_FLOAT, foutp);
    double half = 0.5;
    aclScalar* fal = aclCreateScalar(&half, ACL_DOUBLE);
    ASSERT_EQ(aclnnSubGetWorkspaceSize(fs, fo, fal, fout, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSub, ws, ex);
    auto fr = down<float>(foutp, 2);
    EXPECT_FLOAT_EQ(fr[0], 1.5 - 0.5 * 4.0);
    EXPECT_FLOAT_EQ(fr[1], -2.0 - 0.5 * 8.0);
    aclDestroyScalar(fal);
}

TEST_F(AclnnOps, AddInPlaceAliasesSelf) {
    std::vector<float> a = {1, 2, 3, 4}, b = {10, 20, 30, 40};
    void* ap = up(a);
    aclTensor* s = tensor({4}, ACL_FLOAT, ap);
    aclTensor* o = tensor({4}, ACL_FLOAT, up(b));
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, s, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    EXPECT_EQ(down<float>(ap, 4), (std::vector<float>{11, 22, 33, 44}));
    // Overlapping but shifted alias: out = view [1..3], self = view [0..2] of the same buffer.
    aclTensor* s2 = tensor({3}, ACL_FLOAT, ap, {1}, 0, {4});
    aclTensor* o2 = tensor({3}, ACL_FLOAT, ap, {1}, 1, {4});
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s2, s2, alpha, o2, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    // Results computed from the values before the launch: [11, 22, 44, 66].
    EXPECT_EQ(down<float>(ap, 4), (std::vector<float>{11, 22, 44, 66}));
    aclDestroyScalar(alpha);
}

TEST_F(AclnnOps, MulBroadcastsBothSides) {
    // [2,1,3] * [4,1] -> [2,4,3]
    std::vector<float> a(6), b(4);
    for (int i = 0; i < 6; ++i) a[i] = 0.5f + i;
    for (int i = 0; i < 4; ++i) b[i] = -1.0f + 2 * i;
    aclTensor* s = tensor({2, 1, 3}, ACL_FLOAT, up(a));
    aclTensor* o = tensor({4, 1}, ACL_FLOAT, up(b));
    void* outp = dev(24 * 4);
    aclTensor* out = tensor({2, 4, 3}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMulGetWorkspaceSize(s, o, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMul, ws, ex);
    auto r = down<float>(outp, 24);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 3; ++k) EXPECT_FLOAT_EQ(r[(i * 4 + j) * 3 + k], double(a[i * 3 + k]) * b[j]);
}

TEST_F(AclnnOps, MulFloat16RoundsToNearestEven) {
    // (1+2^-10) * 1.5 = 1.5 + 2^-10 + 2^-11 lies halfway between two halves (spacing 2^-10 in
    // [1,2)); ties-to-even must pick 1.5 + 2^-9 (even mantissa) over 1.5 + 2^-10.
    std::vector<uint16_t> a = {ref_half_bits(1.0 + std::ldexp(1.0, -10)), ref_half_bits(3.0), ref_half_bits(-0.1),
                               ref_half_bits(300.0)};
    std::vector<uint16_t> b = {ref_half_bits(1.5), ref_half_bits(0.3333), ref_half_bits(7.7), ref_half_bits(300.0)};
    aclTensor* s = tensor({4}, ACL_FLOAT16, up(a));
    aclTensor* o = tensor({4}, ACL_FLOAT16, up(b));
    void* outp = dev(8);
    aclTensor* out = tensor({4}, ACL_FLOAT16, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMulGetWorkspaceSize(s, o, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMul, ws, ex);
    auto r = down<uint16_t>(outp, 4);
    for (int i = 0; i < 4; ++i) {
        double ref = ref_half_value(a[i]) * ref_half_value(b[i]);
        EXPECT_EQ(r[i], ref_half_bits(ref)) << i;
    }
    EXPECT_EQ(r[0], ref_half_bits(1.5 + std::ldexp(1.0, -9)));
    EXPECT_EQ(r[3], 0x7c00u) << "90000 overflows half to +inf";
}

TEST_F(AclnnOps, AddBf16RoundsToNearestEven) {
    // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1+2^-7: ties to even gives 1.0 (0x3F80).
    std::vector<uint16_t> a = {ref_bf16_bits(1.0), ref_bf16_bits(1.0), ref_bf16_bits(2.5), ref_bf16_bits(-3.0)};
    std::vector<uint16_t> b = {ref_bf16_bits(std::ldexp(1.0, -8)), ref_bf16_bits(3 * std::ldexp(1.0, -8)),
                               ref_bf16_bits(0.1), ref_bf16_bits(1e-3)};
    aclTensor* s = tensor({4}, ACL_BF16, up(a));
    aclTensor* o = tensor({4}, ACL_BF16, up(b));
    void* outp = dev(8);
    aclTensor* out = tensor({4}, ACL_BF16, outp);
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddGetWorkspaceSize(s, o, alpha, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    auto r = down<uint16_t>(outp, 4);
    EXPECT_EQ(r[0], 0x3F80u);
    EXPECT_EQ(r[1], 0x3F82u);  // 1 + 3*2^-8 -> 1 + 2^-6
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r[i], ref_bf16_bits(ref_bf16_value(a[i]) + ref_bf16_value(b[i]))) << i;
    aclDestroyScalar(alpha);
}

TEST_F(AclnnOps, AddPromotesMixedDtypesLikePyTorch) {
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    float one = 1.0f;
    aclScalar* alpha = aclCreateScalar(&one, ACL_FLOAT);
    int32_t two = 2;
    aclScalar* ialpha = aclCreateScalar(&two, ACL_INT32);
    // FLOAT16 + FLOAT -> FLOAT: 1 + 2^-11 is kept exactly (no rounding to half).
    const double tiny = std::ldexp(1.0, -11);
    aclTensor* h = tensor({2}, ACL_FLOAT16, up(std::vector<uint16_t>{ref_half_bits(1.0), ref_half_bits(-3.0)}));
    aclTensor* f = tensor({2}, ACL_FLOAT, up(std::vector<float>{float(tiny), 0.25f}));
    void* p1 = dev(8);
    aclTensor* o1 = tensor({2}, ACL_FLOAT, p1);
    ASSERT_EQ(aclnnAddGetWorkspaceSize(h, f, alpha, o1, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    auto r1 = down<float>(p1, 2);
    EXPECT_EQ(r1[0], float(1.0 + tiny));
    EXPECT_EQ(r1[1], -2.75f);
    // FLOAT16 + FLOAT16 into a FLOAT out: computed as FLOAT16 (rounded) and then cast, so 1 + 2^-11 -> 1.
    aclTensor* h2 = tensor({2}, ACL_FLOAT16, up(std::vector<uint16_t>{ref_half_bits(tiny), ref_half_bits(0.5)}));
    void* p2 = dev(8);
    aclTensor* o2 = tensor({2}, ACL_FLOAT, p2);
    ASSERT_EQ(aclnnAddGetWorkspaceSize(h, h2, alpha, o2, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAdd, ws, ex);
    auto r2 = down<float>(p2, 2);
    EXPECT_EQ(r2[0], 1.0f);
    EXPECT_EQ(r2[1], -2.5f);
    // INT32 - 2 * INT64 -> INT64, stored into an INT64 out; then INT32 * FLOAT -> FLOAT.
    aclTensor* i32 = tensor({3}, ACL_INT32, up(std::vector<int32_t>{2147483647, -4, 5}));
    aclTensor* i64 = tensor({3}, ACL_INT64, up(std::vector<int64_t>{-1, 3, 10000000000LL}));
    void* p3 = dev(24);
    aclTensor* o3 = tensor({3}, ACL_INT64, p3);
    ASSERT_EQ(aclnnSubGetWorkspaceSize(i32, i64, ialpha, o3, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSub, ws, ex);
    EXPECT_EQ(down<int64_t>(p3, 3), (std::vector<int64_t>{2147483649LL, -10, 5 - 20000000000LL}));
    aclTensor* f3 = tensor({3}, ACL_FLOAT, up(std::vector<float>{0.5f, 0.25f, -1.0f}));
    void* p4 = dev(12);
    aclTensor* o4 = tensor({3}, ACL_FLOAT, p4);
    ASSERT_EQ(aclnnMulGetWorkspaceSize(i32, f3, o4, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMul, ws, ex);
    auto r4 = down<float>(p4, 3);
    EXPECT_EQ(r4[0], float(2147483647.0 * 0.5));
    EXPECT_EQ(r4[1], -1.0f);
    EXPECT_EQ(r4[2], -5.0f);
    // A float alpha is refused when the result type is integral.
    EXPECT_EQ(aclnnAddGetWorkspaceSize(i32, i64, alpha, o3, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclDestroyScalar(alpha);
    aclDestroyScalar(ialpha);
}

// ---- Relu / Silu --------------------------------------------------------------------------------

TEST_F(AclnnOps, ReluFloatAndInt) {
    std::vector<float> a = {-2.0f, -0.0f, 0.5f, 3.0f, NAN, -INFINITY};
    aclTensor* s = tensor({6}, ACL_FLOAT, up(a));
    void* outp = dev(24);
    aclTensor* out = tensor({6}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReluGetWorkspaceSize(s, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnRelu, ws, ex);
    auto r = down<float>(outp, 6);
    EXPECT_EQ(r[0], 0.0f);
    EXPECT_EQ(r[1], 0.0f);
    EXPECT_EQ(r[2], 0.5f);
    EXPECT_EQ(r[3], 3.0f);
    EXPECT_TRUE(std::isnan(r[4])) << "relu propagates NaN like PyTorch";
    EXPECT_EQ(r[5], 0.0f);

    std::vector<int32_t> ia = {-7, 0, 9};
    aclTensor* is = tensor({3}, ACL_INT32, up(ia));
    void* ioutp = dev(12);
    aclTensor* iout = tensor({3}, ACL_INT32, ioutp);
    ASSERT_EQ(aclnnReluGetWorkspaceSize(is, iout, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnRelu, ws, ex);
    EXPECT_EQ(down<int32_t>(ioutp, 3), (std::vector<int32_t>{0, 0, 9}));
}

TEST_F(AclnnOps, SiluFloatStridedAndHalf) {
    std::vector<float> st(8);
    for (int i = 0; i < 8; ++i) st[i] = -4.0f + 1.1f * i;
    // 2x2 view taking columns 1 and 3 of a 2x4 storage.
    aclTensor* s = tensor({2, 2}, ACL_FLOAT, up(st), {4, 2}, 1, {8});
    void* outp = dev(16);
    aclTensor* out = tensor({2, 2}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSiluGetWorkspaceSize(s, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSilu, ws, ex);
    auto r = down<float>(outp, 4);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            double x = st[1 + i * 4 + j * 2];
            EXPECT_NEAR(r[i * 2 + j], x / (1.0 + std::exp(-x)), 1e-6 * (1 + std::fabs(x)));
        }

    std::vector<uint16_t> h = {ref_half_bits(-1.0), ref_half_bits(0.0), ref_half_bits(2.0)};
    aclTensor* hs = tensor({3}, ACL_FLOAT16, up(h));
    void* houtp = dev(6);
    aclTensor* hout = tensor({3}, ACL_FLOAT16, houtp);
    ASSERT_EQ(aclnnSiluGetWorkspaceSize(hs, hout, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSilu, ws, ex);
    auto hr = down<uint16_t>(houtp, 3);
    for (int i = 0; i < 3; ++i) {
        double x = ref_half_value(h[i]);
        EXPECT_NEAR(ref_half_value(hr[i]), x / (1.0 + std::exp(-x)), 1e-3) << i;
    }
}

// ---- Softmax ------------------------------------------------------------------------------------

void ref_softmax(const std::vector<double>& x, int rows, int cols, bool alongRows, std::vector<double>* y) {
    y->assign(x.size(), 0.0);
    if (alongRows) {  // softmax over the last dim
        for (int i = 0; i < rows; ++i) {
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < cols; ++j) mx = std::max(mx, x[i * cols + j]);
            for (int j = 0; j < cols; ++j) sum += std::exp(x[i * cols + j] - mx);
            for (int j = 0; j < cols; ++j) (*y)[i * cols + j] = std::exp(x[i * cols + j] - mx) / sum;
        }
    } else {
        for (int j = 0; j < cols; ++j) {
            double mx = -INFINITY, sum = 0;
            for (int i = 0; i < rows; ++i) mx = std::max(mx, x[i * cols + j]);
            for (int i = 0; i < rows; ++i) sum += std::exp(x[i * cols + j] - mx);
            for (int i = 0; i < rows; ++i) (*y)[i * cols + j] = std::exp(x[i * cols + j] - mx) / sum;
        }
    }
}

TEST_F(AclnnOps, SoftmaxBothDimsNegativeDimAndStable) {
    // 3x4 values incl. large ones (naive exp would overflow float).
    std::vector<float> a = {1, 2, 3, 4, 1000, 1001, 1002, 999, -5, 0, 5, 0.25f};
    std::vector<double> ad(a.begin(), a.end()), y0, y1;
    ref_softmax(ad, 3, 4, true, &y1);
    ref_softmax(ad, 3, 4, false, &y0);
    for (int64_t dim : {int64_t(-1), int64_t(1), int64_t(0), int64_t(-2)}) {
        aclTensor* s = tensor({3, 4}, ACL_FLOAT, up(a));
        void* outp = dev(48);
        aclTensor* out = tensor({3, 4}, ACL_FLOAT, outp);
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        ASSERT_EQ(aclnnSoftmaxGetWorkspaceSize(s, dim, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
        EXPECT_GT(ws, 0u);
        EXPECT_EQ(ws % 32, 0u);
        run(aclnnSoftmax, ws, ex);
        auto r = down<float>(outp, 12);
        const auto& ref = (dim == 1 || dim == -1) ? y1 : y0;
        for (int i = 0; i < 12; ++i) EXPECT_NEAR(r[i], ref[i], 1e-6) << "dim " << dim << " element " << i;
    }
}

TEST_F(AclnnOps, SoftmaxTransposedInputAndBf16) {
    // self: 2x3 view, transpose of a 3x2 storage.
    std::vector<float> st = {0.1f, -1.0f, 2.0f, 0.5f, 3.0f, 0.0f};
    aclTensor* s = tensor({2, 3}, ACL_FLOAT, up(st), {1, 2});
    void* outp = dev(24);
    aclTensor* out = tensor({2, 3}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSoftmaxGetWorkspaceSize(s, 1, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSoftmax, ws, ex);
    std::vector<double> x(6), y;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) x[i * 3 + j] = st[j * 2 + i];
    ref_softmax(x, 2, 3, true, &y);
    auto r = down<float>(outp, 6);
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(r[i], y[i], 1e-6);

    std::vector<uint16_t> b = {ref_bf16_bits(1.0), ref_bf16_bits(2.0), ref_bf16_bits(3.0), ref_bf16_bits(4.0)};
    aclTensor* bs = tensor({4}, ACL_BF16, up(b));
    void* boutp = dev(8);
    aclTensor* bout = tensor({4}, ACL_BF16, boutp);
    ASSERT_EQ(aclnnSoftmaxGetWorkspaceSize(bs, 0, bout, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSoftmax, ws, ex);
    auto br = down<uint16_t>(boutp, 4);
    std::vector<double> bx = {1, 2, 3, 4}, by;
    ref_softmax(bx, 1, 4, true, &by);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(ref_bf16_value(br[i]), by[i], 4e-3) << i;
}

// ---- Cast / InplaceCopy -------------------------------------------------------------------------

TEST_F(AclnnOps, CastFloatToIntTruncatesAndToBool) {
    std::vector<float> a = {2.7f, -2.7f, 0.0f, -0.4f, 100.5f};
    aclTensor* s = tensor({5}, ACL_FLOAT, up(a));
    void* ip = dev(20);
    aclTensor* io = tensor({5}, ACL_INT32, ip);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_INT32, io, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    EXPECT_EQ(down<int32_t>(ip, 5), (std::vector<int32_t>{2, -2, 0, 0, 100}));

    void* bp = dev(5);
    aclTensor* bo = tensor({5}, ACL_BOOL, bp);
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_BOOL, bo, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    EXPECT_EQ(down<uint8_t>(bp, 5), (std::vector<uint8_t>{1, 1, 0, 1, 1}));
}

TEST_F(AclnnOps, CastIntegerWrapsAndToFloatTypes) {
    std::vector<int64_t> a = {300, -1, 5, 1 << 24 | 1};
    aclTensor* s = tensor({4}, ACL_INT64, up(a));
    void* p8 = dev(4);
    aclTensor* o8 = tensor({4}, ACL_INT8, p8);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_INT8, o8, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    auto r8 = down<int8_t>(p8, 4);
    EXPECT_EQ(r8[0], 44);  // 300 mod 256
    EXPECT_EQ(r8[1], -1);
    EXPECT_EQ(r8[2], 5);
    EXPECT_EQ(r8[3], 1);

    void* pf = dev(16);
    aclTensor* of = tensor({4}, ACL_FLOAT, pf);
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_FLOAT, of, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    auto rf = down<float>(pf, 4);
    EXPECT_EQ(rf[0], 300.0f);
    EXPECT_EQ(rf[1], -1.0f);
    EXPECT_EQ(rf[3], 16777216.0f);  // 2^24+1 rounds to even

    std::vector<uint8_t> bools = {0, 1, 2};
    aclTensor* bs = tensor({3}, ACL_BOOL, up(bools));
    void* pd = dev(24);
    aclTensor* od = tensor({3}, ACL_DOUBLE, pd);
    ASSERT_EQ(aclnnCastGetWorkspaceSize(bs, ACL_DOUBLE, od, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    EXPECT_EQ(down<double>(pd, 3), (std::vector<double>{0.0, 1.0, 1.0}));
}

TEST_F(AclnnOps, CastFloatToHalfAndBf16KnownRoundings) {
    const double u10 = std::ldexp(1.0, -10), u7 = std::ldexp(1.0, -7);
    std::vector<float> a = {float(1 + u10 / 2), float(1 + 3 * u10 / 2), 65504.0f, 65520.0f, float(std::ldexp(1.0, -24)),
                            float(1 + u7 / 2), float(1 + 3 * u7 / 2), 0.1f};
    aclTensor* s = tensor({8}, ACL_FLOAT, up(a));
    void* ph = dev(16);
    aclTensor* oh = tensor({8}, ACL_FLOAT16, ph);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_FLOAT16, oh, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    auto rh = down<uint16_t>(ph, 8);
    EXPECT_EQ(rh[0], 0x3C00u);  // tie -> even (1.0)
    EXPECT_EQ(rh[1], 0x3C02u);  // tie -> even (1 + 2^-9)
    EXPECT_EQ(rh[2], 0x7BFFu);  // max half
    EXPECT_EQ(rh[3], 0x7C00u);  // 65520 rounds to inf
    EXPECT_EQ(rh[4], 0x0001u);  // smallest subnormal
    for (int i = 0; i < 8; ++i) EXPECT_EQ(rh[i], ref_half_bits(a[i])) << i;

    void* pb = dev(16);
    aclTensor* ob = tensor({8}, ACL_BF16, pb);
    ASSERT_EQ(aclnnCastGetWorkspaceSize(s, ACL_BF16, ob, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCast, ws, ex);
    auto rb = down<uint16_t>(pb, 8);
    EXPECT_EQ(rb[5], 0x3F80u);
    EXPECT_EQ(rb[6], 0x3F82u);
    EXPECT_EQ(rb[7], 0x3DCDu);  // 0.1f = 0x3DCCCCCD rounds up
    for (int i = 0; i < 8; ++i) EXPECT_EQ(rb[i], ref_bf16_bits(a[i])) << i;
}

TEST_F(AclnnOps, InplaceCopyBroadcastsAndConverts) {
    // selfRef: a 2x3 float view with row stride 4 at offset 1; src: int32 [3].
    void* sp = up(std::vector<float>(9, 7.0f));
    aclTensor* self = tensor({2, 3}, ACL_FLOAT, sp, {4, 1}, 1, {9});
    aclTensor* src = tensor({3}, ACL_INT32, up(std::vector<int32_t>{-1, 0, 42}));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceCopyGetWorkspaceSize(self, src, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(ws, 0u);
    run(aclnnInplaceCopy, ws, ex);
    EXPECT_EQ(down<float>(sp, 9), (std::vector<float>{7, -1, 0, 42, 7, -1, 0, 42, 7}));

    // src that does not broadcast to selfRef (it would broadcast *with* it) is refused.
    aclTensor* src2 = tensor({2, 1, 3}, ACL_FLOAT, up(std::vector<float>(6)));
    EXPECT_EQ(aclnnInplaceCopyGetWorkspaceSize(self, src2, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
}

// ---- Matmul / Mm --------------------------------------------------------------------------------

// Reference: C[b][i][j] = sum_k A(b,i,k) B(b,k,j) with accessor lambdas.
template <typename FA, typename FB>
std::vector<double> ref_mm(int64_t nb, int64_t m, int64_t n, int64_t k, FA a, FB b) {
    std::vector<double> c(static_cast<size_t>(nb * m * n), 0.0);
    for (int64_t bb = 0; bb < nb; ++bb)
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double s = 0;
                for (int64_t kk = 0; kk < k; ++kk) s += a(bb, i, kk) * b(bb, kk, j);
                c[static_cast<size_t>((bb * m + i) * n + j)] = s;
            }
    return c;
}

TEST_F(AclnnOps, Matmul2DWithTransposedMat2) {
    const int64_t m = 5, k = 7, n = 3;
    std::vector<float> a(m * k), bt(n * k);
    for (int64_t i = 0; i < m * k; ++i) a[i] = std::sin(0.3 * i);
    for (int64_t i = 0; i < n * k; ++i) bt[i] = std::cos(0.7 * i);
    aclTensor* s = tensor({m, k}, ACL_FLOAT, up(a));
    aclTensor* b = tensor({k, n}, ACL_FLOAT, up(bt), {1, k});  // transpose of an n x k storage
    void* outp = dev(m * n * 4);
    aclTensor* out = tensor({m, n}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(s, b, out, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_GT(ws, 0u);
    EXPECT_EQ(ws % 32, 0u);
    run(aclnnMatmul, ws, ex);
    auto ref = ref_mm(1, m, n, k, [&](int64_t, int64_t i, int64_t kk) { return double(a[i * k + kk]); },
                      [&](int64_t, int64_t kk, int64_t j) { return double(bt[j * k + kk]); });
    auto r = down<float>(outp, m * n);
    for (int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(r[i], ref[i], 1e-5) << i;
}

TEST_F(AclnnOps, MatmulBatchBroadcast) {
    // [2,1,3,4] x [3,4,5] -> [2,3,3,5]
    std::vector<float> a(2 * 3 * 4), b(3 * 4 * 5);
    for (size_t i = 0; i < a.size(); ++i) a[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = 0.125f * static_cast<float>(i % 5) + 0.1f;
    aclTensor* s = tensor({2, 1, 3, 4}, ACL_FLOAT, up(a));
    aclTensor* m2 = tensor({3, 4, 5}, ACL_FLOAT, up(b));
    void* outp = dev(2 * 3 * 3 * 5 * 4);
    aclTensor* out = tensor({2, 3, 3, 5}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(s, m2, out, 1, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMatmul, ws, ex);
    // batch index bb = p*3 + q: self batch p (broadcast over q), mat2 batch q (broadcast over p).
    auto ref = ref_mm(6, 3, 5, 4, [&](int64_t bb, int64_t i, int64_t kk) { return double(a[(bb / 3) * 12 + i * 4 + kk]); },
                      [&](int64_t bb, int64_t kk, int64_t j) { return double(b[(bb % 3) * 20 + kk * 5 + j]); });
    auto r = down<float>(outp, 90);
    for (int i = 0; i < 90; ++i) EXPECT_NEAR(r[i], ref[i], 1e-5) << i;

    // A wrong output shape is refused.
    aclTensor* bad = tensor({3, 3, 5}, ACL_FLOAT, dev(45 * 4));
    EXPECT_EQ(aclnnMatmulGetWorkspaceSize(s, m2, bad, 1, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("out shape"), std::string::npos) << last_error();
}

TEST_F(AclnnOps, MatmulVectorOperands) {
    std::vector<float> v = {1, 2, 3}, w = {4, -5, 6};
    std::vector<float> mtx = {1, 2, 3, 4, 5, 6};  // 3x2 (for v@M) and viewed as 2x3 (for M@w)
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    // 1-D x 1-D -> 0-d
    aclTensor* tv = tensor({3}, ACL_FLOAT, up(v));
    aclTensor* tw = tensor({3}, ACL_FLOAT, up(w));
    void* p0 = dev(4);
    aclTensor* o0 = tensor({}, ACL_FLOAT, p0);
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(tv, tw, o0, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMatmul, ws, ex);
    EXPECT_FLOAT_EQ(down<float>(p0, 1)[0], 1 * 4 - 2 * 5 + 3 * 6);
    // 1-D x 2-D [3] x [3,2] -> [2]
    aclTensor* tm = tensor({3, 2}, ACL_FLOAT, up(mtx));
    void* p1 = dev(8);
    aclTensor* o1 = tensor({2}, ACL_FLOAT, p1);
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(tv, tm, o1, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMatmul, ws, ex);
    auto r1 = down<float>(p1, 2);
    EXPECT_FLOAT_EQ(r1[0], 1 * 1 + 2 * 3 + 3 * 5);
    EXPECT_FLOAT_EQ(r1[1], 1 * 2 + 2 * 4 + 3 * 6);
    // 2-D x 1-D [2,3] x [3] -> [2]
    aclTensor* tm2 = tensor({2, 3}, ACL_FLOAT, up(mtx));
    void* p2 = dev(8);
    aclTensor* o2 = tensor({2}, ACL_FLOAT, p2);
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(tm2, tw, o2, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMatmul, ws, ex);
    auto r2 = down<float>(p2, 2);
    EXPECT_FLOAT_EQ(r2[0], 1 * 4 - 2 * 5 + 3 * 6);
    EXPECT_FLOAT_EQ(r2[1], 4 * 4 - 5 * 5 + 6 * 6);
    // A [2] out where [1,2] would be wrong: [2] x ... shapes must match exactly.
    aclTensor* o3 = tensor({1, 2}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnMatmulGetWorkspaceSize(tv, tm, o3, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
}

TEST_F(AclnnOps, MmFloat16AndStrict2D) {
    const int64_t m = 4, k = 6, n = 5;
    std::vector<uint16_t> a(m * k), b(k * n);
    for (int64_t i = 0; i < m * k; ++i) a[i] = ref_half_bits(0.1 * (i % 9) - 0.3);
    for (int64_t i = 0; i < k * n; ++i) b[i] = ref_half_bits(0.2 * (i % 4) + 0.05);
    aclTensor* s = tensor({m, k}, ACL_FLOAT16, up(a));
    aclTensor* t = tensor({k, n}, ACL_FLOAT16, up(b));
    void* outp = dev(m * n * 2);
    aclTensor* out = tensor({m, n}, ACL_FLOAT16, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMmGetWorkspaceSize(s, t, out, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_GT(ws, 0u);
    run(aclnnMm, ws, ex);
    auto ref = ref_mm(1, m, n, k, [&](int64_t, int64_t i, int64_t kk) { return ref_half_value(a[i * k + kk]); },
                      [&](int64_t, int64_t kk, int64_t j) { return ref_half_value(b[kk * n + j]); });
    auto r = down<uint16_t>(outp, m * n);
    for (int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(ref_half_value(r[i]), ref[i], 2e-3 * (1 + std::fabs(ref[i]))) << i;

    aclTensor* s3 = tensor({1, m, k}, ACL_FLOAT16, up(a));
    EXPECT_EQ(aclnnMmGetWorkspaceSize(s3, t, out, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("aclnnMmGetWorkspaceSize"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnMmGetWorkspaceSize(s, t, out, 7, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "cubeMathType 7";
    aclTensor* tk = tensor({k + 1, n}, ACL_FLOAT16, up(std::vector<uint16_t>((k + 1) * n)));
    EXPECT_EQ(aclnnMmGetWorkspaceSize(s, tk, out, 0, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "inner dims differ";
}

TEST_F(AclnnOps, Matmul512Cube) {
    const int64_t N = 512;
    std::vector<float> a(N * N), b(N * N);
    for (int64_t i = 0; i < N * N; ++i) {
        a[i] = static_cast<float>((i * 7 % 13) - 6) * 0.125f;
        b[i] = static_cast<float>((i * 5 % 11) - 5) * 0.25f;
    }
    aclTensor* s = tensor({N, N}, ACL_FLOAT, up(a));
    aclTensor* t = tensor({N, N}, ACL_FLOAT, up(b));
    void* outp = dev(N * N * 4);
    aclTensor* out = tensor({N, N}, ACL_FLOAT, outp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMatmulGetWorkspaceSize(s, t, out, 0, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_GE(ws, static_cast<uint64_t>(N * N * 4));
    run(aclnnMatmul, ws, ex);
    auto r = down<float>(outp, N * N);
    for (int64_t idx : {int64_t(0), int64_t(1), int64_t(513), int64_t(100 * N + 377), N * N - 1}) {
        int64_t i = idx / N, j = idx % N;
        double ref = 0;
        for (int64_t kk = 0; kk < N; ++kk) ref += double(a[i * N + kk]) * b[kk * N + j];
        EXPECT_NEAR(r[idx], ref, 1e-3) << idx;  // inputs are exact in float; sums of eighths stay exact
    }
}

// ---- RmsNorm ------------------------------------------------------------------------------------

TEST_F(AclnnOps, RmsNormOneAndTwoTrailingDims) {
    const double eps = 1e-5;
    std::vector<float> x(2 * 3 * 4);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(1.3 * i) * 3.0f;
    std::vector<float> g4 = {0.5f, 1.0f, 1.5f, 2.0f};
    std::vector<float> g12(12);
    for (int i = 0; i < 12; ++i) g12[i] = 0.1f * (i + 1);
    for (int variant = 0; variant < 2; ++variant) {
        const int64_t n = variant == 0 ? 4 : 12, rows = 24 / n;
        aclTensor* tx = tensor({2, 3, 4}, ACL_FLOAT, up(x));
        aclTensor* tg = variant == 0 ? tensor({4}, ACL_FLOAT, up(g4)) : tensor({3, 4}, ACL_FLOAT, up(g12));
        void* yp = dev(24 * 4);
        void* rp = dev(rows * 4);
        aclTensor* ty = tensor({2, 3, 4}, ACL_FLOAT, yp);
        aclTensor* tr = variant == 0 ? tensor({2, 3, 1}, ACL_FLOAT, rp) : tensor({2, 1, 1}, ACL_FLOAT, rp);
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        ASSERT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg, eps, ty, tr, &ws, &ex), ACLNN_SUCCESS) << last_error();
        EXPECT_GT(ws, 0u);
        run(aclnnRmsNorm, ws, ex);
        auto y = down<float>(yp, 24);
        auto rs = down<float>(rp, rows);
        const std::vector<float>& g = variant == 0 ? g4 : g12;
        for (int64_t r = 0; r < rows; ++r) {
            double ss = 0;
            for (int64_t j = 0; j < n; ++j) ss += double(x[r * n + j]) * x[r * n + j];
            double rstd = 1.0 / std::sqrt(ss / n + eps);
            EXPECT_NEAR(rs[r], rstd, 1e-5 * rstd) << r;
            for (int64_t j = 0; j < n; ++j) EXPECT_NEAR(y[r * n + j], x[r * n + j] * rstd * g[j], 1e-5) << r << "," << j;
        }
    }
}

TEST_F(AclnnOps, RmsNormHalfAndShapeErrors) {
    std::vector<uint16_t> x = {ref_half_bits(1.0), ref_half_bits(-2.0), ref_half_bits(3.0), ref_half_bits(0.5)};
    std::vector<uint16_t> g = {ref_half_bits(1.0), ref_half_bits(0.5)};
    aclTensor* tx = tensor({2, 2}, ACL_FLOAT16, up(x));
    aclTensor* tg = tensor({2}, ACL_FLOAT16, up(g));
    void* yp = dev(8);
    void* rp = dev(8);
    aclTensor* ty = tensor({2, 2}, ACL_FLOAT16, yp);
    aclTensor* tr = tensor({2, 1}, ACL_FLOAT, rp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg, 1e-6, ty, tr, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnRmsNorm, ws, ex);
    auto y = down<uint16_t>(yp, 4);
    for (int r = 0; r < 2; ++r) {
        double a = ref_half_value(x[r * 2]), b = ref_half_value(x[r * 2 + 1]);
        double rstd = 1.0 / std::sqrt((a * a + b * b) / 2 + 1e-6);
        EXPECT_NEAR(ref_half_value(y[r * 2]), a * rstd * 1.0, 2e-3);
        EXPECT_NEAR(ref_half_value(y[r * 2 + 1]), b * rstd * 0.5, 2e-3);
    }
    // rstd must be FLOAT with the normalized dims set to 1.
    aclTensor* trHalf = tensor({2, 1}, ACL_FLOAT16, dev(4));
    EXPECT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg, 1e-6, ty, trHalf, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* trWrong = tensor({2}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg, 1e-6, ty, trWrong, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* tg3 = tensor({3}, ACL_FLOAT16, up(std::vector<uint16_t>(3)));
    EXPECT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg3, 1e-6, ty, tr, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("gamma"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnRmsNormGetWorkspaceSize(tx, tg, 1e-6, ty, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("rstdOut"), std::string::npos) << last_error();
}

}  // namespace
