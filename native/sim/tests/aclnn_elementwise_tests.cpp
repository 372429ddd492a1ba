// GoogleTests of the element-wise aclnn operators (Neg, Exp, Sqrt, Rsqrt, Tanh, Gelu, Sigmoid,
// SwiGlu, Div, Maximum, Minimum, Adds, Muls, SWhere, InplaceMaskedFillScalar): values against
// reference formulas evaluated here in double, dtypes, strided views, broadcasting, every error
// path and a capture + replay.
#include <limits>

#include "aclnn_fixture.inc"
#include "aclnnop/aclnn_div.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_gelu.h"
#include "aclnnop/aclnn_masked_fill_scalar.h"
#include "aclnnop/aclnn_maximum.h"
#include "aclnnop/aclnn_minimum.h"
#include "aclnnop/aclnn_neg.h"
#include "aclnnop/aclnn_rsqrt.h"
#include "aclnnop/aclnn_s_where.h"
#include "aclnnop/aclnn_sigmoid.h"
#include "aclnnop/aclnn_sqrt.h"
#include "aclnnop/aclnn_swi_glu.h"
#include "aclnnop/aclnn_tanh.h"

namespace {

using UnaryWs = aclnnStatus (*)(const aclTensor*, aclTensor*, uint64_t*, aclOpExecutor**);
using BinaryWs = aclnnStatus (*)(const aclTensor*, const aclTensor*, aclTensor*, uint64_t*, aclOpExecutor**);

const double kInf = std::numeric_limits<double>::infinity();

// Reference formulas, in double.
double ref_gelu(double x) { return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))); }
double ref_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double ref_silu(double x) { return x * ref_sigmoid(x); }

// The float a double result lands on.
float f32(double v) { return static_cast<float>(v); }

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

class AclnnElementwise : public AclnnFixture {
protected:
    // Runs a unary operator on a float32 vector into a float32 out of the same shape.
    std::vector<float> unary_f32(UnaryWs ws, LaunchFn fn, const std::vector<float>& x) {
        aclTensor* s = tensor({static_cast<int64_t>(x.size())}, ACL_FLOAT, up(x));
        void* op = dev(x.size() * 4);
        aclTensor* o = tensor({static_cast<int64_t>(x.size())}, ACL_FLOAT, op);
        uint64_t w = 0;
        aclOpExecutor* ex = nullptr;
        EXPECT_EQ(ws(s, o, &w, &ex), ACLNN_SUCCESS) << last_error();
        EXPECT_EQ(w, 0u);
        run(fn, w, ex);
        return down<float>(op, x.size());
    }
};

// ---- unary ----------------------------------------------------------------------------------

TEST_F(AclnnElementwise, UnaryFloat32MatchesReferenceFormulas) {
    const std::vector<float> x = {-6.5f, -2.0f, -0.75f, -1e-3f, 0.0f, 0.3f, 1.0f, 2.5f, 9.0f, 40.0f};
    auto exp_ = unary_f32(aclnnExpGetWorkspaceSize, aclnnExp, x);
    auto tanh_ = unary_f32(aclnnTanhGetWorkspaceSize, aclnnTanh, x);
    auto gelu = unary_f32(aclnnGeluGetWorkspaceSize, aclnnGelu, x);
    auto sig = unary_f32(aclnnSigmoidGetWorkspaceSize, aclnnSigmoid, x);
    auto neg = unary_f32(aclnnNegGetWorkspaceSize, aclnnNeg, x);
    for (size_t i = 0; i < x.size(); ++i) {
        const double v = x[i];
        EXPECT_FLOAT_EQ(exp_[i], f32(std::exp(v))) << v;
        EXPECT_FLOAT_EQ(tanh_[i], f32(std::tanh(v))) << v;
        EXPECT_NEAR(gelu[i], ref_gelu(v), 1e-6 * (1 + std::fabs(v))) << v;
        EXPECT_NEAR(sig[i], ref_sigmoid(v), 1e-7) << v;
        EXPECT_EQ(neg[i], -x[i]) << v;
    }
    // Known values.
    EXPECT_FLOAT_EQ(gelu[6], 0.8411920f);  // GELU_tanh(1)
    EXPECT_FLOAT_EQ(sig[4], 0.5f);
    EXPECT_EQ(exp_[9], f32(std::exp(40.0)));

    const std::vector<float> p = {0.0f, 0.25f, 1.0f, 2.0f, 1e6f, -1.0f};
    auto sq = unary_f32(aclnnSqrtGetWorkspaceSize, aclnnSqrt, p);
    auto rs = unary_f32(aclnnRsqrtGetWorkspaceSize, aclnnRsqrt, p);
    EXPECT_EQ(sq[0], 0.0f);
    EXPECT_EQ(sq[1], 0.5f);
    EXPECT_FLOAT_EQ(sq[3], 1.41421356f);
    EXPECT_EQ(sq[4], 1000.0f);
    EXPECT_TRUE(std::isnan(sq[5])) << "sqrt of a negative number is NaN";
    EXPECT_EQ(rs[0], std::numeric_limits<float>::infinity());
    EXPECT_EQ(rs[1], 2.0f);
    EXPECT_FLOAT_EQ(rs[3], 0.70710678f);
    EXPECT_FLOAT_EQ(rs[4], 1e-3f);
    EXPECT_TRUE(std::isnan(rs[5]));
}

TEST_F(AclnnElementwise, UnaryHalfAndBf16RoundOnceFromFloat) {
    const std::vector<double> xs = {-3.3, -1.0, -0.1, 0.0, 0.7, 1.9, 5.5};
    const int64_t n = static_cast<int64_t>(xs.size());
    std::vector<uint16_t> h(xs.size()), b(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
        h[i] = ref_half_bits(xs[i]);
        b[i] = ref_bf16_bits(xs[i]);
    }
    struct Case {
        UnaryWs ws;
        LaunchFn fn;
        double (*ref)(double);
    };
    const Case cases[] = {{aclnnExpGetWorkspaceSize, aclnnExp, [](double v) { return std::exp(v); }},
                          {aclnnTanhGetWorkspaceSize, aclnnTanh, [](double v) { return std::tanh(v); }},
                          {aclnnGeluGetWorkspaceSize, aclnnGelu, ref_gelu},
                          {aclnnSigmoidGetWorkspaceSize, aclnnSigmoid, ref_sigmoid}};
    for (const Case& c : cases) {
        void* hop = dev(n * 2);
        void* bop = dev(n * 2);
        uint64_t ws = 0;
        aclOpExecutor* ex = nullptr;
        ASSERT_EQ(c.ws(tensor({n}, ACL_FLOAT16, up(h)), tensor({n}, ACL_FLOAT16, hop), &ws, &ex), ACLNN_SUCCESS)
            << last_error();
        run(c.fn, ws, ex);
        ASSERT_EQ(c.ws(tensor({n}, ACL_BF16, up(b)), tensor({n}, ACL_BF16, bop), &ws, &ex), ACLNN_SUCCESS)
            << last_error();
        run(c.fn, ws, ex);
        auto hr = down<uint16_t>(hop, n);
        auto br = down<uint16_t>(bop, n);
        for (int64_t i = 0; i < n; ++i) {
            // The input is what the half / bf16 storage holds; the result is rounded once.
            EXPECT_EQ(hr[i], ref_half_bits(f32(c.ref(ref_half_value(h[i]))))) << i;
            EXPECT_EQ(br[i], ref_bf16_bits(f32(c.ref(ref_bf16_value(b[i]))))) << i;
        }
    }
}

TEST_F(AclnnElementwise, UnaryIntegerSelfComputesInFloat) {
    // Sqrt of INT32 into FLOAT.
    std::vector<int32_t> a = {0, 1, 4, 9, 2};
    void* op = dev(5 * 4);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSqrtGetWorkspaceSize(tensor({5}, ACL_INT32, up(a)), tensor({5}, ACL_FLOAT, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnSqrt, ws, ex);
    auto r = down<float>(op, 5);
    EXPECT_EQ(r, (std::vector<float>{0, 1, 2, 3, f32(std::sqrt(2.0))}));

    // Exp of INT64 into FLOAT16: computed in FLOAT, then cast.
    std::vector<int64_t> e = {0, 1, 2, 12};
    void* hp = dev(4 * 2);
    ASSERT_EQ(aclnnExpGetWorkspaceSize(tensor({4}, ACL_INT64, up(e)), tensor({4}, ACL_FLOAT16, hp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnExp, ws, ex);
    auto hr = down<uint16_t>(hp, 4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(hr[i], ref_half_bits(f32(std::exp(double(e[i]))))) << i;
    EXPECT_EQ(ref_half_value(hr[3]), kInf) << "e^12 overflows FLOAT16";

    // Tanh of BOOL into BF16.
    std::vector<uint8_t> bo = {0, 1};
    void* bp = dev(4);
    ASSERT_EQ(aclnnTanhGetWorkspaceSize(tensor({2}, ACL_BOOL, up(bo)), tensor({2}, ACL_BF16, bp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnTanh, ws, ex);
    auto br = down<uint16_t>(bp, 2);
    EXPECT_EQ(ref_bf16_value(br[0]), 0.0);
    EXPECT_EQ(br[1], ref_bf16_bits(f32(std::tanh(1.0))));

    // Errors: INT32 is not in aclnnExp's list; a floating result cannot go to an integer out.
    aclTensor* i32 = tensor({5}, ACL_INT32, up(a));
    aclTensor* o32 = tensor({5}, ACL_INT32, dev(20));
    aclTensor* of = tensor({5}, ACL_FLOAT, dev(20));
    EXPECT_EQ(aclnnExpGetWorkspaceSize(i32, of, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    std::string msg = last_error();  // aclGetRecentErrMsg clears the message it returns
    EXPECT_TRUE(contains(msg, "aclnnExpGetWorkspaceSize") && contains(msg, "self dtype INT32")) << msg;
    EXPECT_EQ(aclnnSqrtGetWorkspaceSize(i32, o32, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out dtype")) << last_error();
    EXPECT_EQ(aclnnRsqrtGetWorkspaceSize(of, o32, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Gelu and Sigmoid are floating only, out of the same dtype.
    EXPECT_EQ(aclnnGeluGetWorkspaceSize(i32, of, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnSigmoidGetWorkspaceSize(of, tensor({5}, ACL_FLOAT16, dev(10)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out dtype FLOAT16 differs from self dtype FLOAT")) << last_error();
}

TEST_F(AclnnElementwise, NegIntegersWrapAndCastRules) {
    std::vector<int32_t> a = {5, -7, 0, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    void* op = dev(20);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclTensor* s = tensor({5}, ACL_INT32, up(a));
    ASSERT_EQ(aclnnNegGetWorkspaceSize(s, tensor({5}, ACL_INT32, op), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnNeg, ws, ex);
    EXPECT_EQ(down<int32_t>(op, 5), (std::vector<int32_t>{-5, 7, 0, std::numeric_limits<int32_t>::min(),
                                                          -std::numeric_limits<int32_t>::max()}));
    // INT32 into an INT64 out and into a FLOAT out (both castable).
    void* op64 = dev(40);
    ASSERT_EQ(aclnnNegGetWorkspaceSize(s, tensor({5}, ACL_INT64, op64), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnNeg, ws, ex);
    auto r64 = down<int64_t>(op64, 5);
    EXPECT_EQ(r64[3], static_cast<int64_t>(std::numeric_limits<int32_t>::min())) << "wraps in INT32 before the cast";
    void* opf = dev(20);
    ASSERT_EQ(aclnnNegGetWorkspaceSize(s, tensor({5}, ACL_FLOAT, opf), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnNeg, ws, ex);
    EXPECT_EQ(down<float>(opf, 5)[1], 7.0f);
    // INT64.
    std::vector<int64_t> b = {std::numeric_limits<int64_t>::min(), 3};
    void* ob = dev(16);
    ASSERT_EQ(aclnnNegGetWorkspaceSize(tensor({2}, ACL_INT64, up(b)), tensor({2}, ACL_INT64, ob), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnNeg, ws, ex);
    EXPECT_EQ(down<int64_t>(ob, 2), (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -3}));
    // FLOAT into INT32 is refused; BOOL self is not supported; shape must match.
    EXPECT_EQ(aclnnNegGetWorkspaceSize(tensor({5}, ACL_FLOAT, dev(20)), tensor({5}, ACL_INT32, dev(20)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "aclnnNegGetWorkspaceSize")) << last_error();
    EXPECT_EQ(aclnnNegGetWorkspaceSize(tensor({2}, ACL_BOOL, dev(2)), tensor({2}, ACL_BOOL, dev(2)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnNegGetWorkspaceSize(s, tensor({4}, ACL_INT32, dev(16)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out shape [4] must be [5]")) << last_error();
}

TEST_F(AclnnElementwise, UnaryStridedSelfAndOut) {
    // self: a 3x2 storage viewed transposed as 2x3; out: every other element of a 12-element buffer.
    std::vector<float> st = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};
    aclTensor* s = tensor({2, 3}, ACL_FLOAT, up(st), {1, 2});
    void* outp = up(std::vector<float>(12, 42.0f));
    aclTensor* out = tensor({2, 3}, ACL_FLOAT, outp, {6, 2}, 0, {12});
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnTanhGetWorkspaceSize(s, out, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnTanh, ws, ex);
    auto r = down<float>(outp, 12);
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 3; ++j) {
            EXPECT_FLOAT_EQ(r[i * 6 + j * 2], f32(std::tanh(double(st[j * 2 + i])))) << i << "," << j;
            EXPECT_EQ(r[i * 6 + j * 2 + 1], 42.0f) << "gap element written";
        }
    }
}

TEST_F(AclnnElementwise, UnaryNullPointersAndEmptyTensor) {
    aclTensor* t = tensor({2}, ACL_FLOAT, dev(8));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    const UnaryWs all[] = {aclnnNegGetWorkspaceSize,  aclnnExpGetWorkspaceSize,  aclnnSqrtGetWorkspaceSize,
                           aclnnRsqrtGetWorkspaceSize, aclnnTanhGetWorkspaceSize, aclnnGeluGetWorkspaceSize,
                           aclnnSigmoidGetWorkspaceSize};
    for (UnaryWs f : all) {
        EXPECT_EQ(f(nullptr, t, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_TRUE(contains(last_error(), "self is a null pointer")) << last_error();
        EXPECT_EQ(f(t, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_TRUE(contains(last_error(), "out is a null pointer")) << last_error();
        EXPECT_EQ(f(t, t, nullptr, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_EQ(f(t, t, &ws, nullptr), ACLNN_ERR_PARAM_NULLPTR);
    }
    // Host memory is not device memory.
    std::vector<float> host(2, 1.0f);
    aclTensor* h = tensor({2}, ACL_FLOAT, host.data());
    EXPECT_EQ(aclnnExpGetWorkspaceSize(h, t, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // An empty tensor launches and writes nothing.
    aclTensor* e = tensor({0, 3}, ACL_FLOAT, dev(4), {3, 1}, 0, {1});
    ASSERT_EQ(aclnnSigmoidGetWorkspaceSize(e, e, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnSigmoid, ws, ex);
}

// ---- Div / Maximum / Minimum ----------------------------------------------------------------

TEST_F(AclnnElementwise, DivFloatBroadcastAndSpecialValues) {
    // [2,3] / [3]
    std::vector<float> a = {1, -2, 3, 0, 5, -6}, b = {4, 0, -3};
    void* op = dev(24);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnDivGetWorkspaceSize(tensor({2, 3}, ACL_FLOAT, up(a)), tensor({3}, ACL_FLOAT, up(b)),
                                       tensor({2, 3}, ACL_FLOAT, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnDiv, ws, ex);
    auto r = down<float>(op, 6);
    EXPECT_EQ(r[0], 0.25f);
    EXPECT_EQ(r[1], -kInf) << "-2 / 0";
    EXPECT_EQ(r[2], -1.0f);
    EXPECT_EQ(r[3], 0.0f);
    EXPECT_EQ(r[4], kInf) << "5 / 0";
    EXPECT_EQ(r[5], 2.0f);
    std::vector<float> z = {0.0f};
    void* zp = dev(4);
    ASSERT_EQ(aclnnDivGetWorkspaceSize(tensor({1}, ACL_FLOAT, up(z)), tensor({1}, ACL_FLOAT, up(z)),
                                       tensor({1}, ACL_FLOAT, zp), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnDiv, ws, ex);
    EXPECT_TRUE(std::isnan(down<float>(zp, 1)[0])) << "0 / 0";
}

TEST_F(AclnnElementwise, DivIntegersIsTrueDivisionInFloat) {
    std::vector<int32_t> a = {7, -7, 1, 6};
    std::vector<int64_t> b = {2, 2, 3, -4};
    void* op = dev(16);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclTensor* ta = tensor({4}, ACL_INT32, up(a));
    aclTensor* tb = tensor({4}, ACL_INT64, up(b));
    ASSERT_EQ(aclnnDivGetWorkspaceSize(ta, tb, tensor({4}, ACL_FLOAT, op), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnDiv, ws, ex);
    auto r = down<float>(op, 4);
    EXPECT_EQ(r[0], 3.5f);
    EXPECT_EQ(r[1], -3.5f);
    EXPECT_EQ(r[2], f32(1.0 / 3.0));
    EXPECT_EQ(r[3], -1.5f);
    // The FLOAT result cannot be stored into an integer out.
    EXPECT_EQ(aclnnDivGetWorkspaceSize(ta, tb, tensor({4}, ACL_INT64, dev(32)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out dtype INT64 cannot hold the result type FLOAT")) << last_error();
    // INT32 / FLOAT16 computes in FLOAT16 and rounds once.
    std::vector<uint16_t> h = {ref_half_bits(3.0), ref_half_bits(3.0), ref_half_bits(7.0), ref_half_bits(0.1)};
    void* hp = dev(8);
    ASSERT_EQ(aclnnDivGetWorkspaceSize(ta, tensor({4}, ACL_FLOAT16, up(h)), tensor({4}, ACL_FLOAT16, hp), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnDiv, ws, ex);
    auto hr = down<uint16_t>(hp, 4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(hr[i], ref_half_bits(f32(double(f32(a[i])) / ref_half_value(h[i])))) << i;
}

TEST_F(AclnnElementwise, MaximumMinimumPromoteBroadcastAndPropagateNaN) {
    // [2,1,3] vs [4,1] -> [2,4,3], FLOAT with a NaN.
    std::vector<float> a(6), b(4);
    for (int i = 0; i < 6; ++i) a[i] = -2.5f + i;
    b = {0.0f, -1.0f, 1.0f, std::nanf("")};
    void* mx = dev(24 * 4);
    void* mn = dev(24 * 4);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclTensor* ta = tensor({2, 1, 3}, ACL_FLOAT, up(a));
    aclTensor* tb = tensor({4, 1}, ACL_FLOAT, up(b));
    ASSERT_EQ(aclnnMaximumGetWorkspaceSize(ta, tb, tensor({2, 4, 3}, ACL_FLOAT, mx), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnMaximum, ws, ex);
    ASSERT_EQ(aclnnMinimumGetWorkspaceSize(ta, tb, tensor({2, 4, 3}, ACL_FLOAT, mn), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnMinimum, ws, ex);
    auto rx = down<float>(mx, 24), rn = down<float>(mn, 24);
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 4; ++j) {
            for (int k = 0; k < 3; ++k) {
                const int e = (i * 4 + j) * 3 + k;
                const double x = a[i * 3 + k], y = b[j];
                if (j == 3) {
                    EXPECT_TRUE(std::isnan(rx[e]) && std::isnan(rn[e])) << e;
                } else {
                    EXPECT_EQ(rx[e], x > y ? x : y) << e;
                    EXPECT_EQ(rn[e], x < y ? x : y) << e;
                }
            }
        }
    }
    // INT32 x INT64 promotes to INT64 (values beyond INT32).
    std::vector<int32_t> i32 = {-5, 7, 0};
    std::vector<int64_t> i64 = {int64_t(1) << 40, -(int64_t(1) << 40), 0};
    void* io = dev(24);
    ASSERT_EQ(aclnnMaximumGetWorkspaceSize(tensor({3}, ACL_INT32, up(i32)), tensor({3}, ACL_INT64, up(i64)),
                                           tensor({3}, ACL_INT64, io), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnMaximum, ws, ex);
    EXPECT_EQ(down<int64_t>(io, 3), (std::vector<int64_t>{int64_t(1) << 40, 7, 0}));
    // BF16 x BF16 stays BF16.
    std::vector<uint16_t> p = {ref_bf16_bits(1.5), ref_bf16_bits(-3.0)}, q = {ref_bf16_bits(-1.0), ref_bf16_bits(2.0)};
    void* bo = dev(4);
    ASSERT_EQ(aclnnMinimumGetWorkspaceSize(tensor({2}, ACL_BF16, up(p)), tensor({2}, ACL_BF16, up(q)),
                                           tensor({2}, ACL_BF16, bo), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnMinimum, ws, ex);
    EXPECT_EQ(down<uint16_t>(bo, 2), (std::vector<uint16_t>{q[0], p[1]}));
}

TEST_F(AclnnElementwise, BinaryErrors) {
    aclTensor* f3 = tensor({3}, ACL_FLOAT, dev(12));
    aclTensor* f4 = tensor({4}, ACL_FLOAT, dev(16));
    aclTensor* i3 = tensor({3}, ACL_INT32, dev(12));
    aclTensor* b3 = tensor({3}, ACL_BOOL, dev(3));
    aclTensor* f23 = tensor({2, 3}, ACL_FLOAT, dev(24));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    const BinaryWs all[] = {aclnnDivGetWorkspaceSize, aclnnMaximumGetWorkspaceSize, aclnnMinimumGetWorkspaceSize};
    for (BinaryWs f : all) {
        EXPECT_EQ(f(nullptr, f3, f3, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_EQ(f(f3, nullptr, f3, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_TRUE(contains(last_error(), "other is a null pointer")) << last_error();
        EXPECT_EQ(f(f3, f3, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_EQ(f(f3, f3, f3, nullptr, &ex), ACLNN_ERR_PARAM_NULLPTR);
        EXPECT_EQ(f(f3, f4, f4, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "cannot broadcast";
        EXPECT_TRUE(contains(last_error(), "cannot broadcast")) << last_error();
        EXPECT_EQ(f(f3, f3, f23, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "out shape";
        EXPECT_EQ(f(f3, b3, f3, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "BOOL other";
        EXPECT_EQ(f(f3, i3, i3, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "FLOAT result into INT32";
    }
    EXPECT_TRUE(contains(last_error(), "aclnnMinimumGetWorkspaceSize")) << last_error();
}

// ---- Adds / Muls ----------------------------------------------------------------------------

TEST_F(AclnnElementwise, AddsMulsFloatAndHalf) {
    std::vector<float> a = {1.0f, -2.5f, 3.25f, 0.0f};
    aclTensor* s = tensor({2, 2}, ACL_FLOAT, up(a), {1, 2});  // transposed view
    float other = 1.5f;
    double alphaV = -2.0;
    aclScalar* o = aclCreateScalar(&other, ACL_FLOAT);
    aclScalar* al = aclCreateScalar(&alphaV, ACL_DOUBLE);
    void* ap = dev(16);
    void* mp = dev(16);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddsGetWorkspaceSize(s, o, al, tensor({2, 2}, ACL_FLOAT, ap), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnAdds, ws, ex);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(s, o, tensor({2, 2}, ACL_FLOAT, mp), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMuls, ws, ex);
    auto ra = down<float>(ap, 4), rm = down<float>(mp, 4);
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
            const double x = a[j * 2 + i];
            EXPECT_EQ(ra[i * 2 + j], f32(x - 2.0 * 1.5)) << i << "," << j;
            EXPECT_EQ(rm[i * 2 + j], f32(x * 1.5)) << i << "," << j;
        }
    }
    // FLOAT16 self with a DOUBLE scalar stays FLOAT16 (the scalar does not promote) and rounds once.
    std::vector<uint16_t> h = {ref_half_bits(1000.0), ref_half_bits(0.3), ref_half_bits(-7.0)};
    double third = 1.0 / 3.0;
    aclScalar* t = aclCreateScalar(&third, ACL_DOUBLE);
    void* hp = dev(6);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(tensor({3}, ACL_FLOAT16, up(h)), t, tensor({3}, ACL_FLOAT16, hp), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnMuls, ws, ex);
    auto hr = down<uint16_t>(hp, 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(hr[i], ref_half_bits(f32(ref_half_value(h[i]) * f32(third)))) << i;
    // A FLOAT16 self with a FLOAT out: computed in FLOAT16, then cast.
    void* fp = dev(12);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(tensor({3}, ACL_FLOAT16, up(h)), t, tensor({3}, ACL_FLOAT, fp), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnMuls, ws, ex);
    EXPECT_EQ(down<float>(fp, 3)[1], ref_half_value(hr[1]));
    aclDestroyScalar(o);
    aclDestroyScalar(al);
    aclDestroyScalar(t);
}

TEST_F(AclnnElementwise, AddsMulsIntegersAndPromotion) {
    std::vector<int32_t> a = {1, -5, std::numeric_limits<int32_t>::max()};
    aclTensor* s = tensor({3}, ACL_INT32, up(a));
    int64_t three = 3;
    int32_t two = 2;
    float half = 0.5f;
    aclScalar* s3 = aclCreateScalar(&three, ACL_INT64);
    aclScalar* s2 = aclCreateScalar(&two, ACL_INT32);
    aclScalar* sh = aclCreateScalar(&half, ACL_FLOAT);
    void* ap = dev(12);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAddsGetWorkspaceSize(s, s3, s2, tensor({3}, ACL_INT32, ap), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnAdds, ws, ex);
    EXPECT_EQ(down<int32_t>(ap, 3), (std::vector<int32_t>{7, 1, static_cast<int32_t>(0x80000005u)})) << "wraps in INT32";
    // INT32 * INT64 scalar stays INT32 (wrapping), INT32 * FLOAT scalar gives FLOAT.
    void* mp = dev(12);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(s, s3, tensor({3}, ACL_INT32, mp), &ws, &ex), ACLNN_SUCCESS);
    run(aclnnMuls, ws, ex);
    EXPECT_EQ(down<int32_t>(mp, 3), (std::vector<int32_t>{3, -15, static_cast<int32_t>(0x7FFFFFFDu)}));
    void* fp = dev(12);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(s, sh, tensor({3}, ACL_FLOAT, fp), &ws, &ex), ACLNN_SUCCESS);
    run(aclnnMuls, ws, ex);
    EXPECT_EQ(down<float>(fp, 3), (std::vector<float>{0.5f, -2.5f, f32(f32(2147483647.0) * 0.5)}));
    // ... and FLOAT cannot go into INT32; a floating alpha is refused for an integer result.
    EXPECT_EQ(aclnnMulsGetWorkspaceSize(s, sh, tensor({3}, ACL_INT32, dev(12)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "aclnnMulsGetWorkspaceSize")) << last_error();
    EXPECT_EQ(aclnnAddsGetWorkspaceSize(s, s3, sh, tensor({3}, ACL_INT32, dev(12)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "alpha dtype FLOAT")) << last_error();
    // Null pointers and shape.
    EXPECT_EQ(aclnnAddsGetWorkspaceSize(s, nullptr, s2, tensor({3}, ACL_INT32, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "other is a null pointer")) << last_error();
    EXPECT_EQ(aclnnAddsGetWorkspaceSize(s, s3, nullptr, tensor({3}, ACL_INT32, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnMulsGetWorkspaceSize(nullptr, s3, tensor({3}, ACL_INT32, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnMulsGetWorkspaceSize(s, s3, tensor({1, 3}, ACL_INT32, dev(12)), &ws, &ex), ACLNN_ERR_PARAM_INVALID)
        << "out shape must equal self shape (no broadcast)";
    EXPECT_EQ(aclnnMulsGetWorkspaceSize(tensor({3}, ACL_BOOL, dev(3)), s3, tensor({3}, ACL_INT32, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    aclDestroyScalar(s3);
    aclDestroyScalar(s2);
    aclDestroyScalar(sh);
}

// ---- SwiGlu ---------------------------------------------------------------------------------

TEST_F(AclnnElementwise, SwiGluLastAndFirstDim) {
    // x [2,3,4]; dim -1 -> [2,3,2]; dim 0 -> [1,3,4].
    std::vector<float> x(24);
    for (int i = 0; i < 24; ++i) x[i] = -3.0f + 0.27f * i;
    aclTensor* tx = tensor({2, 3, 4}, ACL_FLOAT, up(x));
    void* o1 = dev(12 * 4);
    void* o0 = dev(12 * 4);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSwiGluGetWorkspaceSize(tx, -1, tensor({2, 3, 2}, ACL_FLOAT, o1), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    EXPECT_EQ(ws, 0u);
    run(aclnnSwiGlu, ws, ex);
    ASSERT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 0, tensor({1, 3, 4}, ACL_FLOAT, o0), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnSwiGlu, ws, ex);
    auto r1 = down<float>(o1, 12), r0 = down<float>(o0, 12);
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 3; ++b)
            for (int j = 0; j < 2; ++j) {
                const double g = x[(a * 3 + b) * 4 + j], u = x[(a * 3 + b) * 4 + j + 2];
                EXPECT_NEAR(r1[(a * 3 + b) * 2 + j], ref_silu(g) * u, 1e-6) << a << b << j;
            }
    for (int e = 0; e < 12; ++e) EXPECT_NEAR(r0[e], ref_silu(x[e]) * x[e + 12], 1e-6) << e;
}

TEST_F(AclnnElementwise, SwiGluHalfAndErrors) {
    std::vector<double> xs = {-1.5, 0.25, 2.0, 3.0, 0.5, -2.0};
    std::vector<uint16_t> h(6);
    for (int i = 0; i < 6; ++i) h[i] = ref_half_bits(xs[i]);
    aclTensor* tx = tensor({3, 2}, ACL_FLOAT16, up(h));
    void* op = dev(6);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 1, tensor({3, 1}, ACL_FLOAT16, op), &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnSwiGlu, ws, ex);
    auto r = down<uint16_t>(op, 3);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(r[i], ref_half_bits(f32(ref_silu(ref_half_value(h[2 * i])) * ref_half_value(h[2 * i + 1])))) << i;
    }
    aclTensor* out31 = tensor({3, 1}, ACL_FLOAT16, dev(6));
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(nullptr, 1, out31, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "x is a null pointer")) << last_error();
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 1, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 2, out31, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "dim 2 is out of range")) << last_error();
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, -3, out31, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 0, out31, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "3 is odd";
    EXPECT_TRUE(contains(last_error(), "must be even")) << last_error();
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 1, tensor({3, 2}, ACL_FLOAT16, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID)
        << "out shape";
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tx, 1, tensor({3, 1}, ACL_FLOAT, dev(12)), &ws, &ex), ACLNN_ERR_PARAM_INVALID)
        << "out dtype";
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tensor({3, 2}, ACL_INT32, dev(24)), 1, tensor({3, 1}, ACL_INT32, dev(12)),
                                          &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    // A transposed (non-contiguous) x is refused, as CANN documents.
    aclTensor* tt = tensor({3, 2}, ACL_FLOAT16, up(h), {1, 3});
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(tt, 1, out31, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "x must be contiguous")) << last_error();
    aclTensor* scalar = tensor({}, ACL_FLOAT16, dev(2));
    EXPECT_EQ(aclnnSwiGluGetWorkspaceSize(scalar, 0, scalar, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
}

// ---- SWhere ---------------------------------------------------------------------------------

TEST_F(AclnnElementwise, SWhereBroadcastsAllThree) {
    // condition [2,1], self [1,3], other [] -> [2,3]
    std::vector<uint8_t> cond = {1, 0};
    std::vector<float> self = {1.5f, -2.0f, 3.0f};
    std::vector<float> other = {-9.0f};
    void* op = dev(24);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnSWhereGetWorkspaceSize(tensor({2, 1}, ACL_BOOL, up(cond)), tensor({1, 3}, ACL_FLOAT, up(self)),
                                          tensor({}, ACL_FLOAT, up(other)), tensor({2, 3}, ACL_FLOAT, op), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnSWhere, ws, ex);
    EXPECT_EQ(down<float>(op, 6), (std::vector<float>{1.5f, -2.0f, 3.0f, -9.0f, -9.0f, -9.0f}));

    // UINT8 condition; INT32 self and INT64 other promote to INT64.
    std::vector<uint8_t> c8 = {0, 7, 1};
    std::vector<int32_t> i32 = {1, 2, 3};
    std::vector<int64_t> i64 = {int64_t(1) << 40, -4, -5};
    void* io = dev(24);
    ASSERT_EQ(aclnnSWhereGetWorkspaceSize(tensor({3}, ACL_UINT8, up(c8)), tensor({3}, ACL_INT32, up(i32)),
                                          tensor({3}, ACL_INT64, up(i64)), tensor({3}, ACL_INT64, io), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnSWhere, ws, ex);
    EXPECT_EQ(down<int64_t>(io, 3), (std::vector<int64_t>{int64_t(1) << 40, 2, 3}));

    // FLOAT16 self with FLOAT other gives FLOAT.
    std::vector<uint16_t> h = {ref_half_bits(0.1), ref_half_bits(0.2)};
    void* fo = dev(8);
    ASSERT_EQ(aclnnSWhereGetWorkspaceSize(tensor({2}, ACL_BOOL, up(std::vector<uint8_t>{1, 0})),
                                          tensor({2}, ACL_FLOAT16, up(h)), tensor({2}, ACL_FLOAT, up(self)),
                                          tensor({2}, ACL_FLOAT, fo), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnSWhere, ws, ex);
    EXPECT_EQ(down<float>(fo, 2), (std::vector<float>{f32(ref_half_value(h[0])), -2.0f}));
}

TEST_F(AclnnElementwise, SWhereErrors) {
    aclTensor* c = tensor({3}, ACL_BOOL, dev(3));
    aclTensor* f = tensor({3}, ACL_FLOAT, dev(12));
    aclTensor* i = tensor({3}, ACL_INT32, dev(12));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(nullptr, f, f, f, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    const std::string msg = last_error();  // aclGetRecentErrMsg clears the message it returns
    EXPECT_TRUE(contains(msg, "aclnnSWhereGetWorkspaceSize") && contains(msg, "condition is a null pointer")) << msg;
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(c, nullptr, f, f, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(c, f, nullptr, f, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(c, f, f, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(f, f, f, f, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "FLOAT condition";
    EXPECT_TRUE(contains(last_error(), "condition dtype FLOAT")) << last_error();
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(c, f, i, i, &ws, &ex), ACLNN_ERR_PARAM_INVALID) << "FLOAT into INT32";
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(tensor({2}, ACL_BOOL, dev(2)), f, f, f, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "cannot broadcast")) << last_error();
    EXPECT_EQ(aclnnSWhereGetWorkspaceSize(c, f, f, tensor({1, 3}, ACL_FLOAT, dev(12)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID)
        << "out shape";
}

// ---- InplaceMaskedFillScalar ----------------------------------------------------------------

TEST_F(AclnnElementwise, MaskedFillCausalMaskBroadcastOverBatch) {
    // scores [2,3,3]; mask [3,3] true above the diagonal; fill -inf.
    const int64_t b = 2, n = 3;
    std::vector<float> s(b * n * n);
    for (size_t i = 0; i < s.size(); ++i) s[i] = 0.5f * static_cast<float>(i);
    std::vector<uint8_t> m(n * n);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) m[i * n + j] = j > i ? 1 : 0;
    void* sp = up(s);
    float ninf = -std::numeric_limits<float>::infinity();
    aclScalar* v = aclCreateScalar(&ninf, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tensor({b, n, n}, ACL_FLOAT, sp),
                                                           tensor({n, n}, ACL_BOOL, up(m)), v, &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    EXPECT_EQ(ws, 0u);
    run(aclnnInplaceMaskedFillScalar, ws, ex);
    auto r = down<float>(sp, s.size());
    for (int64_t k = 0; k < b; ++k)
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j) {
                const size_t e = static_cast<size_t>((k * n + i) * n + j);
                if (j > i) EXPECT_EQ(r[e], -kInf) << e;
                else EXPECT_EQ(r[e], s[e]) << e;
            }
    aclDestroyScalar(v);
}

TEST_F(AclnnElementwise, MaskedFillDtypesAndStridedSelf) {
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    // FLOAT16 self with a FLOAT value that rounds.
    std::vector<uint16_t> h = {ref_half_bits(1.0), ref_half_bits(2.0), ref_half_bits(3.0)};
    void* hp = up(h);
    float tenth = 0.1f;
    aclScalar* vt = aclCreateScalar(&tenth, ACL_FLOAT);
    ASSERT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tensor({3}, ACL_FLOAT16, hp),
                                                           tensor({3}, ACL_BOOL, up(std::vector<uint8_t>{0, 1, 0})),
                                                           vt, &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnInplaceMaskedFillScalar, ws, ex);
    EXPECT_EQ(down<uint16_t>(hp, 3), (std::vector<uint16_t>{h[0], ref_half_bits(0.1f), h[2]}));
    // INT32 self with an INT64 value; a strided (every other element) view.
    std::vector<int32_t> iv = {1, 2, 3, 4, 5, 6};
    void* ip = up(iv);
    int64_t big = (int64_t(1) << 32) + 9;  // wraps to 9 in INT32
    aclScalar* vb = aclCreateScalar(&big, ACL_INT64);
    ASSERT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tensor({3}, ACL_INT32, ip, {2}, 0, {6}),
                                                           tensor({1}, ACL_BOOL, up(std::vector<uint8_t>{1})), vb, &ws,
                                                           &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnInplaceMaskedFillScalar, ws, ex);
    EXPECT_EQ(down<int32_t>(ip, 6), (std::vector<int32_t>{9, 2, 9, 4, 9, 6}));
    // Errors: floating value into INT32; BOOL self needs a BOOL value; mask must be BOOL and
    // broadcast to selfRef's shape (not the other way round); nulls.
    aclTensor* i3 = tensor({3}, ACL_INT32, dev(12));
    aclTensor* m3 = tensor({3}, ACL_BOOL, dev(3));
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(i3, m3, vt, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "value dtype FLOAT cannot be cast to selfRef dtype INT32")) << last_error();
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tensor({3}, ACL_BOOL, dev(3)), m3, vb, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(i3, tensor({3}, ACL_UINT8, dev(3)), vb, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "mask dtype UINT8")) << last_error();
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(i3, tensor({2, 3}, ACL_BOOL, dev(6)), vb, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "cannot broadcast to selfRef shape [3]")) << last_error();
    double dv = 1.0;
    aclScalar* vd = aclCreateScalar(&dv, ACL_DOUBLE);
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tensor({3}, ACL_FLOAT, dev(12)), m3, vd, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID)
        << "DOUBLE is not in CANN's value list";
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(nullptr, m3, vb, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(i3, nullptr, vb, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(i3, m3, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "value is a null pointer")) << last_error();
    aclDestroyScalar(vt);
    aclDestroyScalar(vb);
    aclDestroyScalar(vd);
}

// ---- capture + replay -----------------------------------------------------------------------

TEST_F(AclnnElementwise, CapturedChainReplaysWithNewInputs) {
    // y = where(mask, -1, sigmoid(x) * 2) ... built from Sigmoid, Muls, SWhere, then a masked fill of x.
    const int64_t n = 6;
    std::vector<float> x = {-2, -1, 0, 1, 2, 3};
    std::vector<uint8_t> mask = {0, 1, 0, 0, 1, 0};
    void* xp = up(x);
    void* sp = dev(n * 4);
    void* mp = dev(n * 4);
    void* yp = dev(n * 4);
    void* maskp = up(mask);
    void* minus1 = up(std::vector<float>{-1.0f});
    aclTensor* tx = tensor({n}, ACL_FLOAT, xp);
    aclTensor* ts = tensor({n}, ACL_FLOAT, sp);
    aclTensor* tm = tensor({n}, ACL_FLOAT, mp);
    aclTensor* ty = tensor({n}, ACL_FLOAT, yp);
    aclTensor* tmask = tensor({n}, ACL_BOOL, maskp);
    float two = 2.0f, hundred = 100.0f;
    aclScalar* s2 = aclCreateScalar(&two, ACL_FLOAT);
    aclScalar* s100 = aclCreateScalar(&hundred, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor *e1 = nullptr, *e2 = nullptr, *e3 = nullptr, *e4 = nullptr;
    ASSERT_EQ(aclnnSigmoidGetWorkspaceSize(tx, ts, &ws, &e1), ACLNN_SUCCESS);
    ASSERT_EQ(aclnnMulsGetWorkspaceSize(ts, s2, tm, &ws, &e2), ACLNN_SUCCESS);
    ASSERT_EQ(aclnnSWhereGetWorkspaceSize(tmask, tensor({}, ACL_FLOAT, minus1), tm, ty, &ws, &e3), ACLNN_SUCCESS);
    ASSERT_EQ(aclnnInplaceMaskedFillScalarGetWorkspaceSize(tm, tmask, s100, &ws, &e4), ACLNN_SUCCESS);

    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnSigmoid(nullptr, 0, e1, stream), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnMuls(nullptr, 0, e2, stream), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnSWhere(nullptr, 0, e3, stream), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnInplaceMaskedFillScalar(nullptr, 0, e4, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    aclDestroyScalar(s2);
    aclDestroyScalar(s100);
    for (aclTensor* t : tensors) EXPECT_EQ(aclDestroyTensor(t), ACLNN_SUCCESS);
    tensors.clear();

    for (int round = 0; round < 2; ++round) {
        if (round == 1) {
            for (auto& v : x) v = v * -0.5f + 0.25f;
            ASSERT_EQ(aclrtMemcpy(xp, n * 4, x.data(), n * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        }
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
        auto y = down<float>(yp, n), m = down<float>(mp, n);
        for (int64_t i = 0; i < n; ++i) {
            const double twice = f32(f32(ref_sigmoid(x[i])) * 2.0);
            EXPECT_EQ(y[i], mask[i] ? -1.0f : f32(twice)) << round << ":" << i;
            EXPECT_EQ(m[i], mask[i] ? 100.0f : f32(twice)) << round << ":" << i;
        }
    }
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

}  // namespace
