// GoogleTests of the reduction, indexing and LayerNorm operators: ReduceSum, Mean, Amax, ArgMax,
// Topk, Cat, IndexSelect, Embedding, LayerNorm. Expected values are hand-computed constants or plain
// double loops written here, independently of the simulator's kernels.
#include "aclnn_fixture.inc"

#include <algorithm>
#include <limits>

#include "aclnnop/aclnn_amax.h"
#include "aclnnop/aclnn_argmax.h"
#include "aclnnop/aclnn_cat.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_index_select.h"
#include "aclnnop/aclnn_layer_norm.h"
#include "aclnnop/aclnn_mean.h"
#include "aclnnop/aclnn_reduce_sum.h"
#include "aclnnop/aclnn_topk.h"

namespace {

class AclnnReduce : public AclnnFixture {
protected:
    std::vector<aclIntArray*> arrays;
    std::vector<aclTensorList*> lists;

    void TearDown() override {
        for (aclIntArray* a : arrays) EXPECT_EQ(aclDestroyIntArray(a), ACLNN_SUCCESS);
        for (aclTensorList* l : lists) EXPECT_EQ(aclDestroyTensorList(l), ACLNN_SUCCESS);
        arrays.clear();
        lists.clear();
        AclnnFixture::TearDown();
    }
    aclIntArray* ints(const std::vector<int64_t>& v) {
        aclIntArray* a = aclCreateIntArray(v.data(), v.size());
        EXPECT_NE(a, nullptr);
        arrays.push_back(a);
        return a;
    }
    // The list owns its tensors (as on CANN): they leave the fixture's list, and each tensor may
    // be given to one list only.
    aclTensorList* list(const std::vector<aclTensor*>& v) {
        aclTensorList* l = aclCreateTensorList(v.data(), v.size());
        EXPECT_NE(l, nullptr);
        lists.push_back(l);
        for (aclTensor* t : v) tensors.erase(std::remove(tensors.begin(), tensors.end(), t), tensors.end());
        return l;
    }
};

std::vector<float> iota_f(size_t n, float start = 0.0f, float step = 1.0f) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
    return v;
}

// ---- ReduceSum ----------------------------------------------------------------------------------

TEST_F(AclnnReduce, ReduceSumDimsKeepDimsAndAll) {
    // x[2,3,4] = 0..23
    std::vector<float> x = iota_f(24);
    aclTensor* tx = tensor({2, 3, 4}, ACL_FLOAT, up(x));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    // dims {0, -1} keepDims: out [1,3,1]; out[j] = sum_{i,k} (12i + 4j + k) = 2*4*4j + 4*(0+12) + 2*(0+1+2+3) = 32j + 60
    void* op = dev(12);
    aclTensor* to = tensor({1, 3, 1}, ACL_FLOAT, op);
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({0, -1}), true, ACL_FLOAT, to, &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<float>(op, 3), (std::vector<float>{60, 92, 124}));
    // empty dims: every dimension, no keepDims -> 0-dim result 276
    void* sp = dev(4);
    aclTensor* ts = tensor({}, ACL_FLOAT, sp);
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({}), false, ACL_FLOAT, ts, &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<float>(sp, 1)[0], 276.0f);
}

TEST_F(AclnnReduce, ReduceSumStridedViewAndHalfRoundsOnce) {
    // A transposed view of a [3,2] storage: view [2,3] with strides {1,2}; sum over dim 1.
    std::vector<float> s = {1, 2, 3, 4, 5, 6};  // storage rows (1,2),(3,4),(5,6)
    aclTensor* tv = tensor({2, 3}, ACL_FLOAT, up(s), {1, 2});
    void* op = dev(8);
    aclTensor* to = tensor({2}, ACL_FLOAT, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(tv, ints({1}), false, ACL_FLOAT, to, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<float>(op, 2), (std::vector<float>{9, 12}));  // 1+3+5, 2+4+6

    // FLOAT16: 2048 + 1 + 1 summed in fp16 step by step would stay 2048 (ties to even); a float
    // accumulator rounded once gives 2050 (exactly representable).
    std::vector<uint16_t> h = {ref_half_bits(2048.0), ref_half_bits(1.0), ref_half_bits(1.0)};
    aclTensor* th = tensor({3}, ACL_FLOAT16, up(h));
    void* hp = dev(2);
    aclTensor* tho = tensor({}, ACL_FLOAT16, hp);
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(th, ints({0}), false, ACL_FLOAT16, tho, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(ref_half_value(down<uint16_t>(hp, 1)[0]), 2050.0);

    // BF16 (8 significant bits): 1 + 2^-8 + 2^-8 summed in bf16 step by step stays 1 (each step is a
    // tie to even); converted to BF16 element-wise, accumulated in float and rounded once: 1 + 2^-7.
    std::vector<float> f = {1.0f, 0.00390625f, 0.00390625f};
    aclTensor* tf = tensor({3}, ACL_FLOAT, up(f));
    void* bp = dev(2);
    aclTensor* tb = tensor({}, ACL_BF16, bp);
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(tf, ints({0}), false, ACL_BF16, tb, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(ref_bf16_value(down<uint16_t>(bp, 1)[0]), 1.0078125);
}

TEST_F(AclnnReduce, ReduceSumIntegerWrapsAndFloatToIntTruncates) {
    std::vector<int32_t> a = {2147483647, 1, 5, -7};
    aclTensor* ta = tensor({2, 2}, ACL_INT32, up(a));
    void* o32 = dev(8);
    void* o64 = dev(16);
    aclTensor* t32 = tensor({2}, ACL_INT32, o32);
    aclTensor* t64 = tensor({2}, ACL_INT64, o64);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(ta, ints({1}), false, ACL_INT32, t32, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<int32_t>(o32, 2), (std::vector<int32_t>{INT32_MIN, -2}));
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(ta, ints({1}), false, ACL_INT64, t64, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<int64_t>(o64, 2), (std::vector<int64_t>{2147483648LL, -2}));
    // float self, INT64 dtype: each element truncated toward zero first (1.9 -> 1, -1.9 -> -1).
    aclTensor* tf = tensor({2, 2}, ACL_FLOAT, up(std::vector<float>{1.9f, 1.9f, -1.9f, 0.5f}));
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(tf, ints({1}), false, ACL_INT64, t64, &ws, &ex), ACLNN_SUCCESS);
    run(aclnnReduceSum, ws, ex);
    EXPECT_EQ(down<int64_t>(o64, 2), (std::vector<int64_t>{2, -1}));
}

TEST_F(AclnnReduce, ReduceSumErrors) {
    aclTensor* tx = tensor({2, 3}, ACL_FLOAT, dev(24));
    aclTensor* to = tensor({2}, ACL_FLOAT, dev(8));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(nullptr, ints({1}), false, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("self"), std::string::npos);
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, nullptr, false, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("dims"), std::string::npos);
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({1}), false, ACL_FLOAT, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    // dim out of range, repeated, dtype differs from out, unsupported dtype, wrong out shape
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({2}), false, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    std::string m = last_error();
    EXPECT_NE(m.find("aclnnReduceSumGetWorkspaceSize"), std::string::npos) << m;
    EXPECT_NE(m.find("dims holds 2"), std::string::npos) << m;
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({1, -1}), false, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("more than once"), std::string::npos);
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({1}), false, ACL_FLOAT16, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("out dtype"), std::string::npos);
    aclTensor* tu = tensor({2}, ACL_UINT8, dev(2));
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({1}), false, ACL_UINT8, tu, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* tk = tensor({2, 1}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(tx, ints({1}), false, ACL_FLOAT, tk, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("out shape [2,1]"), std::string::npos) << last_error();
    // host memory is refused
    std::vector<float> host(6);
    aclTensor* th = tensor({2, 3}, ACL_FLOAT, host.data());
    EXPECT_EQ(aclnnReduceSumGetWorkspaceSize(th, ints({1}), false, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// ---- Mean ---------------------------------------------------------------------------------------

TEST_F(AclnnReduce, MeanFloatIntInputAndEmpty) {
    std::vector<float> x = {1, 2, 3, 4, 5, 6};
    aclTensor* tx = tensor({2, 3}, ACL_FLOAT, up(x));
    void* op = dev(8);
    aclTensor* to = tensor({2, 1}, ACL_FLOAT, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnMeanGetWorkspaceSize(tx, ints({1}), true, ACL_FLOAT, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMean, ws, ex);
    EXPECT_EQ(down<float>(op, 2), (std::vector<float>{2, 5}));
    // INT64 input averaged in FLOAT16
    aclTensor* ti = tensor({4}, ACL_INT64, up(std::vector<int64_t>{1, 2, 3, 5}));
    void* hp = dev(2);
    aclTensor* th = tensor({}, ACL_FLOAT16, hp);
    ASSERT_EQ(aclnnMeanGetWorkspaceSize(ti, ints({}), false, ACL_FLOAT16, th, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMean, ws, ex);
    EXPECT_EQ(ref_half_value(down<uint16_t>(hp, 1)[0]), 2.75);
    // mean over a zero-size dimension is NaN (torch.mean of an empty slice)
    aclTensor* te = tensor({0, 2}, ACL_FLOAT, dev(4));
    void* ep = up(std::vector<float>{7, 7});
    aclTensor* teo = tensor({2}, ACL_FLOAT, ep);
    ASSERT_EQ(aclnnMeanGetWorkspaceSize(te, ints({0}), false, ACL_FLOAT, teo, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnMean, ws, ex);
    auto e = down<float>(ep, 2);
    EXPECT_TRUE(std::isnan(e[0]) && std::isnan(e[1]));
    // an integer dtype is refused for a mean
    aclTensor* tio = tensor({2, 1}, ACL_INT32, dev(8));
    EXPECT_EQ(aclnnMeanGetWorkspaceSize(tx, ints({1}), true, ACL_INT32, tio, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("aclnnMeanGetWorkspaceSize"), std::string::npos);
    EXPECT_EQ(aclnnMeanGetWorkspaceSize(tx, nullptr, true, ACL_FLOAT, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("dim"), std::string::npos);
}

// ---- Amax ---------------------------------------------------------------------------------------

TEST_F(AclnnReduce, AmaxValuesNanIntAndErrors) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> x = {1, 7, -3, 2, nan, 5, -1, -2, -9};
    aclTensor* tx = tensor({3, 3}, ACL_FLOAT, up(x));
    void* op = dev(12);
    aclTensor* to = tensor({3}, ACL_FLOAT, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnAmaxGetWorkspaceSize(tx, ints({1}), false, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAmax, ws, ex);
    auto r = down<float>(op, 3);
    EXPECT_EQ(r[0], 7.0f);
    EXPECT_TRUE(std::isnan(r[1]));  // NaN propagates
    EXPECT_EQ(r[2], -1.0f);
    // columns of a strided (every other row) INT32 view
    std::vector<int32_t> iv = {1, -5, 100, 100, 3, 9};  // storage [3,2]
    aclTensor* ti = tensor({2, 2}, ACL_INT32, up(iv), {4, 1});  // rows 0 and 2
    void* ip = dev(8);
    aclTensor* tio = tensor({1, 2}, ACL_INT32, ip);
    ASSERT_EQ(aclnnAmaxGetWorkspaceSize(ti, ints({0}), true, tio, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnAmax, ws, ex);
    EXPECT_EQ(down<int32_t>(ip, 2), (std::vector<int32_t>{3, 9}));
    // errors: dtype mismatch, empty reduced dimension
    aclTensor* th = tensor({3}, ACL_FLOAT16, dev(6));
    EXPECT_EQ(aclnnAmaxGetWorkspaceSize(tx, ints({1}), false, th, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* te = tensor({0, 3}, ACL_FLOAT, dev(4));
    EXPECT_EQ(aclnnAmaxGetWorkspaceSize(te, ints({0}), false, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("size 0"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnAmaxGetWorkspaceSize(tx, ints({1}), false, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
}

// ---- ArgMax -------------------------------------------------------------------------------------

TEST_F(AclnnReduce, ArgMaxFirstMaximumNanKeepdimAndErrors) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> x = {3, 1, 3, 0, 2, nan, 5, nan, -1, -1, -1, -1};  // [3,4]
    aclTensor* tx = tensor({3, 4}, ACL_FLOAT, up(x));
    void* op = dev(24);
    aclTensor* to = tensor({3}, ACL_INT64, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnArgMaxGetWorkspaceSize(tx, -1, false, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnArgMax, ws, ex);
    EXPECT_EQ(down<int64_t>(op, 3), (std::vector<int64_t>{0, 1, 0}));  // first max; first NaN; all equal
    void* kp = dev(32);
    aclTensor* tk = tensor({1, 4}, ACL_INT64, kp);
    ASSERT_EQ(aclnnArgMaxGetWorkspaceSize(tx, 0, true, tk, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnArgMax, ws, ex);
    EXPECT_EQ(down<int64_t>(kp, 4), (std::vector<int64_t>{0, 1, 1, 1}));  // NaN wins its column
    // BF16 over a transposed view: view [2,3] of storage [3,2]
    std::vector<uint16_t> b = {ref_bf16_bits(1), ref_bf16_bits(4), ref_bf16_bits(6), ref_bf16_bits(2),
                               ref_bf16_bits(5), ref_bf16_bits(3)};
    aclTensor* tb = tensor({2, 3}, ACL_BF16, up(b), {1, 2});  // rows (1,6,5), (4,2,3)
    void* bp = dev(16);
    aclTensor* tbo = tensor({2}, ACL_INT64, bp);
    ASSERT_EQ(aclnnArgMaxGetWorkspaceSize(tb, 1, false, tbo, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnArgMax, ws, ex);
    EXPECT_EQ(down<int64_t>(bp, 2), (std::vector<int64_t>{1, 0}));
    // errors
    aclTensor* t32 = tensor({3}, ACL_INT32, dev(12));
    EXPECT_EQ(aclnnArgMaxGetWorkspaceSize(tx, 1, false, t32, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("INT64"), std::string::npos);
    EXPECT_EQ(aclnnArgMaxGetWorkspaceSize(tx, 2, false, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("dim 2"), std::string::npos);
    EXPECT_EQ(aclnnArgMaxGetWorkspaceSize(tx, 1, true, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);  // out must be [3,1]
    EXPECT_EQ(aclnnArgMaxGetWorkspaceSize(nullptr, 1, true, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
}

// ---- Topk ---------------------------------------------------------------------------------------

TEST_F(AclnnReduce, TopkLargestSmallestTiesAndNan) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> x = {5, 1, 5, 3, nan, 2,     // row 0
                            0, 0, 0, 9, -1, 0};     // row 1
    aclTensor* tx = tensor({2, 6}, ACL_FLOAT, up(x));
    void* vp = dev(2 * 3 * 4);
    void* ip = dev(2 * 3 * 8);
    aclTensor* tv = tensor({2, 3}, ACL_FLOAT, vp);
    aclTensor* ti = tensor({2, 3}, ACL_INT64, ip);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnTopkGetWorkspaceSize(tx, 3, 1, true, true, tv, ti, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnTopk, ws, ex);
    auto v = down<float>(vp, 6);
    auto i = down<int64_t>(ip, 6);
    EXPECT_TRUE(std::isnan(v[0]));  // NaN ranks above every number
    EXPECT_EQ(v[1], 5.0f);
    EXPECT_EQ(v[2], 5.0f);
    EXPECT_EQ(v[3], 9.0f);
    EXPECT_EQ(v[4], 0.0f);
    EXPECT_EQ(v[5], 0.0f);
    EXPECT_EQ(i, (std::vector<int64_t>{4, 0, 2, 3, 0, 1}));  // ties: lower index first
    ASSERT_EQ(aclnnTopkGetWorkspaceSize(tx, 3, -1, false, true, tv, ti, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnTopk, ws, ex);
    EXPECT_EQ(down<float>(vp, 6), (std::vector<float>{1, 2, 3, -1, 0, 0}));
    EXPECT_EQ(down<int64_t>(ip, 6), (std::vector<int64_t>{1, 5, 3, 4, 0, 1}));
}

TEST_F(AclnnReduce, TopkDim0Int64StridedAndErrors) {
    // view [3,2] of storage [2,3] transposed: columns become rows
    std::vector<int64_t> s = {4, -2, 7, 1, 8, 7};  // storage rows (4,-2,7), (1,8,7)
    aclTensor* tx = tensor({3, 2}, ACL_INT64, up(s), {1, 3});  // view rows (4,1), (-2,8), (7,7)
    void* vp = dev(2 * 2 * 8);
    void* ip = dev(2 * 2 * 8);
    aclTensor* tv = tensor({2, 2}, ACL_INT64, vp);
    aclTensor* ti = tensor({2, 2}, ACL_INT64, ip);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 0, true, true, tv, ti, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnTopk, ws, ex);
    EXPECT_EQ(down<int64_t>(vp, 4), (std::vector<int64_t>{7, 8, 4, 7}));
    EXPECT_EQ(down<int64_t>(ip, 4), (std::vector<int64_t>{2, 1, 0, 2}));
    // errors: k out of range, sorted=false, dim, indices dtype, values dtype, shape, 0-dim self, nulls
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 4, 0, true, true, tv, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("k 4"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, -1, 0, true, true, tv, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 0, true, false, tv, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("sorted"), std::string::npos);
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 2, true, true, tv, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* ti32 = tensor({2, 2}, ACL_INT32, dev(16));
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 0, true, true, tv, ti32, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("indicesOut"), std::string::npos);
    aclTensor* tvf = tensor({2, 2}, ACL_FLOAT, dev(16));
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 0, true, true, tvf, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 1, 0, true, true, tv, ti, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* t0 = tensor({}, ACL_INT64, dev(8));
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(t0, 1, 0, true, true, t0, t0, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnTopkGetWorkspaceSize(tx, 2, 0, true, true, tv, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("indicesOut"), std::string::npos);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// ---- Cat ----------------------------------------------------------------------------------------

TEST_F(AclnnReduce, CatDim1PromotesAndReadsViews) {
    // a: FLOAT [2,1]; b: FLOAT16 [2,2] transposed view; c: FLOAT [2,0] (empty along dim)
    aclTensor* ta = tensor({2, 1}, ACL_FLOAT, up(std::vector<float>{1, 2}));
    std::vector<uint16_t> bs = {ref_half_bits(10), ref_half_bits(20), ref_half_bits(30), ref_half_bits(40)};
    aclTensor* tb = tensor({2, 2}, ACL_FLOAT16, up(bs), {1, 2});  // rows (10,30), (20,40)
    aclTensor* tc = tensor({2, 0}, ACL_FLOAT, dev(4));
    void* op = dev(24);
    aclTensor* to = tensor({2, 3}, ACL_FLOAT, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnCatGetWorkspaceSize(list({ta, tb, tc}), -1, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCat, ws, ex);
    EXPECT_EQ(down<float>(op, 6), (std::vector<float>{1, 10, 30, 2, 20, 40}));
}

TEST_F(AclnnReduce, CatDim0IntAndErrors) {
    void* ap = up(std::vector<int32_t>{1, 2});
    void* bp = up(std::vector<int64_t>{3, 4, 5, 6});
    auto a = [&] { return tensor({1, 2}, ACL_INT32, ap); };
    auto b = [&] { return tensor({2, 2}, ACL_INT64, bp); };
    void* op = dev(48);
    aclTensor* to = tensor({3, 2}, ACL_INT64, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnCatGetWorkspaceSize(list({a(), b()}), 0, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnCat, ws, ex);
    EXPECT_EQ(down<int64_t>(op, 6), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
    // float into an integer out is refused; mismatched non-cat dims; bad dim; empty list; null
    aclTensor* tf = tensor({1, 2}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnCatGetWorkspaceSize(list({a(), tf}), 0, tensor({2, 2}, ACL_INT32, dev(16)), &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("cannot be cast"), std::string::npos);
    aclTensor* t3 = tensor({1, 3}, ACL_INT32, dev(12));
    EXPECT_EQ(aclnnCatGetWorkspaceSize(list({a(), t3}), 0, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("tensors[1]"), std::string::npos) << last_error();
    EXPECT_EQ(aclnnCatGetWorkspaceSize(list({a(), b()}), 2, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnCatGetWorkspaceSize(list({}), 0, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("empty"), std::string::npos);
    EXPECT_EQ(aclnnCatGetWorkspaceSize(list({a(), b()}), 1, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);  // dims differ on 0
    EXPECT_EQ(aclnnCatGetWorkspaceSize(nullptr, 0, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("tensors"), std::string::npos);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// ---- IndexSelect --------------------------------------------------------------------------------

TEST_F(AclnnReduce, IndexSelectBothDimsInt32IndexAndView) {
    std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    aclTensor* tx = tensor({3, 3}, ACL_FLOAT, up(x));
    aclTensor* idx = tensor({2}, ACL_INT64, up(std::vector<int64_t>{1, 0}));
    void* op = dev(24);
    aclTensor* to = tensor({2, 3}, ACL_FLOAT, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, idx, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnIndexSelect, ws, ex);
    EXPECT_EQ(down<float>(op, 6), (std::vector<float>{4, 5, 6, 1, 2, 3}));
    // dim 1 with an INT32 index holding a repeat, into a transposed out view
    aclTensor* idx32 = tensor({3}, ACL_INT32, up(std::vector<int32_t>{2, 2, 0}));
    void* op2 = dev(36);
    aclTensor* to2 = tensor({3, 3}, ACL_FLOAT, op2, {1, 3});  // out[i][j] stored at j*3 + i
    ASSERT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, -1, idx32, to2, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnIndexSelect, ws, ex);
    // logical out rows: (3,3,1), (6,6,4), (9,9,7); storage is column-major
    EXPECT_EQ(down<float>(op2, 9), (std::vector<float>{3, 6, 9, 3, 6, 9, 1, 4, 7}));
}

TEST_F(AclnnReduce, IndexSelectErrorsAndOutOfRangeFailsAtSynchronize) {
    aclTensor* tx = tensor({3, 2}, ACL_INT32, up(std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
    void* op = up(std::vector<int32_t>{-7, -7, -7, -7});
    aclTensor* to = tensor({2, 2}, ACL_INT32, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclTensor* bad = tensor({2}, ACL_INT64, up(std::vector<int64_t>{0, 3}));
    // Phase 1 cannot see device values: it succeeds; the kernel refuses at run time.
    ASSERT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, bad, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnIndexSelect(nullptr, ws, ex, stream), ACLNN_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_AICORE_EXCEPTION);
    std::string m = last_error();
    EXPECT_NE(m.find("aclnnIndexSelect"), std::string::npos) << m;
    EXPECT_NE(m.find("index element 1 is 3"), std::string::npos) << m;
    EXPECT_NE(m.find("[0, 3)"), std::string::npos) << m;
    EXPECT_EQ(down<int32_t>(op, 4), (std::vector<int32_t>(4, -7)));  // nothing written
    // A negative index is out of range too; the stream is usable after the error was reported.
    aclTensor* neg = tensor({2}, ACL_INT32, up(std::vector<int32_t>{-1, 0}));
    ASSERT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, neg, to, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnIndexSelect(nullptr, ws, ex, stream), ACLNN_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_AICORE_EXCEPTION);
    EXPECT_NE(last_error().find("is -1"), std::string::npos);
    // phase-1 errors
    aclTensor* fidx = tensor({2}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, fidx, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("index dtype"), std::string::npos);
    aclTensor* idx2 = tensor({1, 2}, ACL_INT64, dev(16));
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, idx2, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* ok = tensor({2}, ACL_INT64, dev(16));
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 2, ok, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 1, ok, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);  // out must be [3,2]
    aclTensor* tof = tensor({2, 2}, ACL_FLOAT, dev(16));
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, ok, tof, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnIndexSelectGetWorkspaceSize(tx, 0, nullptr, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("index"), std::string::npos);
}

// ---- Embedding ----------------------------------------------------------------------------------

TEST_F(AclnnReduce, EmbeddingRowsHalfAnd2DIndices) {
    std::vector<uint16_t> w;
    for (int i = 0; i < 8; ++i) w.push_back(ref_half_bits(0.5 * i));  // weight [4,2]
    aclTensor* tw = tensor({4, 2}, ACL_FLOAT16, up(w));
    aclTensor* ti = tensor({2, 2}, ACL_INT32, up(std::vector<int32_t>{3, 0, 3, 1}));
    void* op = dev(16);
    aclTensor* to = tensor({2, 2, 2}, ACL_FLOAT16, op);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnEmbedding, ws, ex);
    std::vector<uint16_t> want = {w[6], w[7], w[0], w[1], w[6], w[7], w[2], w[3]};
    EXPECT_EQ(down<uint16_t>(op, 8), want);
    // a transposed weight view (columns of a [2,4] storage are the rows)
    std::vector<float> s = {1, 2, 3, 4, 10, 20, 30, 40};
    aclTensor* twt = tensor({4, 2}, ACL_FLOAT, up(s), {1, 4});  // rows (1,10),(2,20),(3,30),(4,40)
    aclTensor* ti64 = tensor({3}, ACL_INT64, up(std::vector<int64_t>{2, 2, 0}));
    void* op2 = dev(24);
    aclTensor* to2 = tensor({3, 2}, ACL_FLOAT, op2);
    ASSERT_EQ(aclnnEmbeddingGetWorkspaceSize(twt, ti64, to2, &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnEmbedding, ws, ex);
    EXPECT_EQ(down<float>(op2, 6), (std::vector<float>{3, 30, 3, 30, 1, 10}));
}

TEST_F(AclnnReduce, EmbeddingErrorsAndOutOfRangeIndex) {
    aclTensor* tw = tensor({4, 2}, ACL_FLOAT, up(iota_f(8)));
    void* op = up(std::vector<float>(6, -1.0f));
    aclTensor* to = tensor({3, 2}, ACL_FLOAT, op);
    aclTensor* ti = tensor({3}, ACL_INT64, up(std::vector<int64_t>{0, 4, 1}));
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, to, &ws, &ex), ACLNN_SUCCESS) << last_error();
    EXPECT_EQ(aclnnEmbedding(nullptr, ws, ex, stream), ACLNN_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_AICORE_EXCEPTION);
    std::string m = last_error();
    EXPECT_NE(m.find("aclnnEmbedding"), std::string::npos) << m;
    EXPECT_NE(m.find("indices element 1 is 4"), std::string::npos) << m;
    EXPECT_NE(m.find("rows of weight"), std::string::npos) << m;
    EXPECT_EQ(down<float>(op, 6), std::vector<float>(6, -1.0f));
    // phase-1 errors: 3-D weight, float indices, out dtype, out shape, nulls
    aclTensor* w3 = tensor({2, 2, 2}, ACL_FLOAT, dev(32));
    EXPECT_EQ(aclnnEmbeddingGetWorkspaceSize(w3, ti, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("2-D"), std::string::npos);
    aclTensor* tif = tensor({3}, ACL_FLOAT, dev(12));
    EXPECT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, tif, to, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* toh = tensor({3, 2}, ACL_FLOAT16, dev(12));
    EXPECT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, toh, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    aclTensor* tos = tensor({3, 3}, ACL_FLOAT, dev(36));
    EXPECT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, tos, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnEmbeddingGetWorkspaceSize(nullptr, ti, to, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("weight"), std::string::npos);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// ---- LayerNorm ----------------------------------------------------------------------------------

TEST_F(AclnnReduce, LayerNormAllOutputsAgainstDoubleReference) {
    const int64_t rows = 3, n = 4;
    std::vector<float> x = {1, 2, 3, 4, -1, 0.5f, 8, 2, 0, 0, 0, 1};
    std::vector<float> g = {1, 0.5f, -2, 3}, b = {0, 1, 0.25f, -1};
    aclTensor* tx = tensor({rows, n}, ACL_FLOAT, up(x));
    aclTensor* tg = tensor({n}, ACL_FLOAT, up(g));
    aclTensor* tb = tensor({n}, ACL_FLOAT, up(b));
    void* yp = dev(rows * n * 4);
    void* mp = dev(rows * 4);
    void* rp = dev(rows * 4);
    aclTensor* ty = tensor({rows, n}, ACL_FLOAT, yp);
    aclTensor* tm = tensor({rows, 1}, ACL_FLOAT, mp);
    aclTensor* tr = tensor({rows, 1}, ACL_FLOAT, rp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    const double eps = 1e-5;
    ASSERT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({n}), tg, tb, eps, ty, tm, tr, &ws, &ex), ACLNN_SUCCESS)
        << last_error();
    EXPECT_GE(ws, 32u);
    run(aclnnLayerNorm, ws, ex);
    auto y = down<float>(yp, rows * n);
    auto mean = down<float>(mp, rows);
    auto rstd = down<float>(rp, rows);
    for (int64_t r = 0; r < rows; ++r) {
        double m = 0, v = 0;
        for (int64_t j = 0; j < n; ++j) m += x[r * n + j];
        m /= n;
        for (int64_t j = 0; j < n; ++j) v += (x[r * n + j] - m) * (x[r * n + j] - m);
        v /= n;
        const double rs = 1.0 / std::sqrt(v + eps);
        EXPECT_NEAR(mean[r], m, 1e-6);
        EXPECT_NEAR(rstd[r], rs, 1e-5 * rs);
        for (int64_t j = 0; j < n; ++j)
            EXPECT_NEAR(y[r * n + j], (x[r * n + j] - m) * rs * g[j] + b[j], 1e-5) << r << "," << j;
    }
}

TEST_F(AclnnReduce, LayerNormOptionalNullsHalfTwoDimsAndErrors) {
    // FLOAT16 input [2, 2, 2], normalizedShape [2, 2], no weight/bias/mean/rstd.
    std::vector<double> xv = {1, 3, 5, 7, -2, -2, 2, 2};
    std::vector<uint16_t> x;
    for (double v : xv) x.push_back(ref_half_bits(v));
    aclTensor* tx = tensor({2, 2, 2}, ACL_FLOAT16, up(x));
    void* yp = dev(16);
    aclTensor* ty = tensor({2, 2, 2}, ACL_FLOAT16, yp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), nullptr, nullptr, 0.0, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_SUCCESS) << last_error();
    run(aclnnLayerNorm, ws, ex);
    auto y = down<uint16_t>(yp, 8);
    // row 0: mean 4, var 5 -> (x-4)/sqrt(5); row 1: mean 0, var 4 -> x/2
    const double s5 = std::sqrt(5.0);
    std::vector<double> want = {-3 / s5, -1 / s5, 1 / s5, 3 / s5, -1, -1, 1, 1};
    for (size_t i = 0; i < 8; ++i) EXPECT_EQ(y[i], ref_half_bits(want[i])) << i;
    // FLOAT weight with FLOAT16 input is allowed; weight and bias dtypes must then match
    aclTensor* wf = tensor({2, 2}, ACL_FLOAT, up(std::vector<float>{1, 1, 1, 1}));
    aclTensor* bh = tensor({2, 2}, ACL_FLOAT16, up(std::vector<uint16_t>(4, 0)));
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), wf, bh, 1e-5, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("biasOptional"), std::string::npos) << last_error();
    // normalizedShape not the trailing dims; empty; weight shape; mean dtype; eps; nulls
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({4}), nullptr, nullptr, 1e-5, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("normalizedShape"), std::string::npos);
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({}), nullptr, nullptr, 1e-5, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    aclTensor* w4 = tensor({4}, ACL_FLOAT16, dev(8));
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), w4, nullptr, 1e-5, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("weightOptional"), std::string::npos);
    aclTensor* mf = tensor({2, 1, 1}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), nullptr, nullptr, 1e-5, ty, mf, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_NE(last_error().find("meanOutOptional"), std::string::npos);
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), nullptr, nullptr, -1.0, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, nullptr, nullptr, nullptr, 1e-5, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), nullptr, nullptr, 1e-5, nullptr, nullptr, nullptr, &ws,
                                             &ex),
              ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_NE(last_error().find("out"), std::string::npos);
    // the launch refuses a workspace smaller than asked (and consumes the executor)
    ASSERT_EQ(aclnnLayerNormGetWorkspaceSize(tx, ints({2, 2}), nullptr, nullptr, 0.0, ty, nullptr, nullptr, &ws, &ex),
              ACLNN_SUCCESS);
    EXPECT_EQ(aclnnLayerNorm(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
}

// ---- capture + replay ---------------------------------------------------------------------------

TEST_F(AclnnReduce, CapturedReductionsAndEmbeddingReplayWithNewInputs) {
    std::vector<float> w = iota_f(12, 0.0f, 0.5f);  // weight [4,3]
    void* wp = up(w);
    void* ip = up(std::vector<int64_t>{2, 0});
    void* ep = dev(24);
    void* sp = dev(8);
    void* ap = dev(16);
    aclTensor* tw = tensor({4, 3}, ACL_FLOAT, wp);
    aclTensor* ti = tensor({2}, ACL_INT64, ip);
    aclTensor* te = tensor({2, 3}, ACL_FLOAT, ep);
    aclTensor* ts = tensor({2}, ACL_FLOAT, sp);
    aclTensor* ta = tensor({2}, ACL_INT64, ap);
    uint64_t ws = 0;
    aclOpExecutor *e1 = nullptr, *e2 = nullptr, *e3 = nullptr;
    ASSERT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, te, &ws, &e1), ACLNN_SUCCESS) << last_error();
    ASSERT_EQ(aclnnReduceSumGetWorkspaceSize(te, ints({1}), false, ACL_FLOAT, ts, &ws, &e2), ACLNN_SUCCESS);
    ASSERT_EQ(aclnnArgMaxGetWorkspaceSize(te, 1, false, ta, &ws, &e3), ACLNN_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnEmbedding(nullptr, 0, e1, stream), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnReduceSum(nullptr, 0, e2, stream), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnArgMax(nullptr, 0, e3, stream), ACLNN_SUCCESS);
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    for (int round = 0; round < 2; ++round) {
        std::vector<int64_t> ids = round == 0 ? std::vector<int64_t>{2, 0} : std::vector<int64_t>{3, 1};
        ASSERT_EQ(aclrtMemcpy(ip, 16, ids.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        auto s = down<float>(sp, 2);
        auto a = down<int64_t>(ap, 2);
        for (int r = 0; r < 2; ++r) {
            double ref = 0;
            for (int j = 0; j < 3; ++j) ref += w[ids[r] * 3 + j];
            EXPECT_EQ(s[r], static_cast<float>(ref)) << round;
            EXPECT_EQ(a[r], 2) << round;  // rows of an increasing weight: the last column is largest
        }
    }
    // A replay with an out-of-range index fails at synchronize and names the replayed operator.
    std::vector<int64_t> bad = {0, 9};
    ASSERT_EQ(aclrtMemcpy(ip, 16, bad.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_AICORE_EXCEPTION);
    std::string m = last_error();
    EXPECT_NE(m.find("replay"), std::string::npos) << m;
    EXPECT_NE(m.find("aclnnEmbedding"), std::string::npos) << m;
    EXPECT_NE(m.find("is 9"), std::string::npos) << m;
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

}  // namespace
