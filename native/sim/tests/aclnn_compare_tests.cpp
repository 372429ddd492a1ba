// GoogleTests of the comparison and logical operators (aclnn_elementwise_compare.cpp): values against
// references computed here, the per-operator tensor-scalar compute dtypes of CANN's Atlas A2/A3 rules, out
// dtypes other than BOOL (the INT64 condition word), in-place forms, broadcasting, strided views, capture and
// replay, and every refusal with its code and message.
#include <cmath>
#include <limits>

#include "aclnn_fixture.inc"
#include "aclnnop/aclnn_eq_scalar.h"
#include "aclnnop/aclnn_eq_tensor.h"
#include "aclnnop/aclnn_ge_scalar.h"
#include "aclnnop/aclnn_ge_tensor.h"
#include "aclnnop/aclnn_gt_scalar.h"
#include "aclnnop/aclnn_gt_tensor.h"
#include "aclnnop/aclnn_le_scalar.h"
#include "aclnnop/aclnn_le_tensor.h"
#include "aclnnop/aclnn_logical_and.h"
#include "aclnnop/aclnn_logical_not.h"
#include "aclnnop/aclnn_logical_or.h"
#include "aclnnop/aclnn_lt_scalar.h"
#include "aclnnop/aclnn_lt_tensor.h"
#include "aclnnop/aclnn_ne_scalar.h"
#include "aclnnop/aclnn_ne_tensor.h"

namespace {

using ScalarPhase1 = aclnnStatus (*)(const aclTensor*, const aclScalar*, aclTensor*, uint64_t*, aclOpExecutor**);
using TensorPhase1 = aclnnStatus (*)(const aclTensor*, const aclTensor*, aclTensor*, uint64_t*, aclOpExecutor**);

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

class AclnnCompare : public AclnnFixture {
protected:
    std::vector<aclScalar*> scalars;

    void TearDown() override {
        for (aclScalar* s : scalars) EXPECT_EQ(aclDestroyScalar(s), ACLNN_SUCCESS);
        AclnnFixture::TearDown();
    }
    template <typename T>
    aclScalar* scalar(T v, aclDataType dt) {
        aclScalar* s = aclCreateScalar(&v, dt);
        EXPECT_NE(s, nullptr) << last_error();
        scalars.push_back(s);
        return s;
    }
    // Runs a scalar comparison of `self` into a new out of dtype `outType` and returns out as int64 values.
    std::vector<int64_t> scalarOp(ScalarPhase1 phase1, LaunchFn launch, aclTensor* self, const Dims& dims,
                                  const aclScalar* other, aclDataType outType = ACL_BOOL) {
        const size_t n = static_cast<size_t>(numel(dims));
        void* op = dev(n * 8);
        uint64_t ws = 7;
        aclOpExecutor* ex = nullptr;
        EXPECT_EQ(phase1(self, other, tensor(dims, outType, op), &ws, &ex), ACLNN_SUCCESS) << last_error();
        EXPECT_EQ(ws, 0u);
        if (ex == nullptr) return {};
        run(launch, ws, ex);
        return read(op, n, outType);
    }
    std::vector<int64_t> tensorOp(TensorPhase1 phase1, LaunchFn launch, aclTensor* self, aclTensor* other,
                                  const Dims& outDims, aclDataType outType = ACL_BOOL) {
        const size_t n = static_cast<size_t>(numel(outDims));
        void* op = dev(n * 8);
        uint64_t ws = 7;
        aclOpExecutor* ex = nullptr;
        EXPECT_EQ(phase1(self, other, tensor(outDims, outType, op), &ws, &ex), ACLNN_SUCCESS) << last_error();
        if (ex == nullptr) return {};
        run(launch, ws, ex);
        return read(op, n, outType);
    }
    // `n` elements of dtype dt at p, as int64 (floating values must be whole).
    std::vector<int64_t> read(const void* p, size_t n, aclDataType dt) {
        std::vector<int64_t> r(n);
        switch (dt) {
            case ACL_BOOL: case ACL_UINT8: { auto v = down<uint8_t>(p, n); r.assign(v.begin(), v.end()); break; }
            case ACL_INT32: { auto v = down<int32_t>(p, n); r.assign(v.begin(), v.end()); break; }
            case ACL_INT64: { auto v = down<int64_t>(p, n); r.assign(v.begin(), v.end()); break; }
            case ACL_FLOAT: { auto v = down<float>(p, n); for (size_t i = 0; i < n; ++i) r[i] = static_cast<int64_t>(v[i]); break; }
            case ACL_FLOAT16: { auto v = down<uint16_t>(p, n); for (size_t i = 0; i < n; ++i) r[i] = static_cast<int64_t>(ref_half_value(v[i])); break; }
            default: ADD_FAILURE() << "read: dtype " << dt; break;
        }
        return r;
    }
    static int64_t numel(const Dims& d) {
        int64_t n = 1;
        for (int64_t x : d) n *= x;
        return n;
    }
};

using I = std::vector<int64_t>;
const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST_F(AclnnCompare, ScalarComparisonsOfFloatsWithNaN) {
    aclTensor* x = tensor({5}, ACL_FLOAT, up(std::vector<float>{-1.5f, 0.0f, 2.0f, kNaN, 3.0f}));
    aclScalar* two = scalar(2.0f, ACL_FLOAT);
    EXPECT_EQ(scalarOp(aclnnEqScalarGetWorkspaceSize, aclnnEqScalar, x, {5}, two), (I{0, 0, 1, 0, 0}));
    EXPECT_EQ(scalarOp(aclnnNeScalarGetWorkspaceSize, aclnnNeScalar, x, {5}, two), (I{1, 1, 0, 1, 1}));
    EXPECT_EQ(scalarOp(aclnnGtScalarGetWorkspaceSize, aclnnGtScalar, x, {5}, two), (I{0, 0, 0, 0, 1}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, x, {5}, two), (I{0, 0, 1, 0, 1}));
    EXPECT_EQ(scalarOp(aclnnLtScalarGetWorkspaceSize, aclnnLtScalar, x, {5}, two), (I{1, 1, 0, 0, 0}));
    EXPECT_EQ(scalarOp(aclnnLeScalarGetWorkspaceSize, aclnnLeScalar, x, {5}, two), (I{1, 1, 1, 0, 0}));
}

TEST_F(AclnnCompare, ResultConvertsToAnyOutDtypeTheInt64ConditionWordIncluded) {
    aclTensor* counter = tensor({1}, ACL_INT64, up(std::vector<int64_t>{7}));
    aclScalar* limit = scalar(int64_t{8}, ACL_INT64);
    EXPECT_EQ(scalarOp(aclnnLtScalarGetWorkspaceSize, aclnnLtScalar, counter, {1}, limit, ACL_INT64), (I{1}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, counter, {1}, limit, ACL_INT64), (I{0}));
    aclTensor* x = tensor({3}, ACL_INT32, up(std::vector<int32_t>{1, 8, 9}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, x, {3}, limit, ACL_FLOAT), (I{0, 1, 1}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, x, {3}, limit, ACL_FLOAT16), (I{0, 1, 1}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, x, {3}, limit, ACL_INT32), (I{0, 1, 1}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, x, {3}, limit, ACL_UINT8), (I{0, 1, 1}));
}

// CANN's A2 rules differ per operator when an integer scalar meets a narrower integer tensor or a DOUBLE scalar
// meets a floating tensor (aclnn_elementwise_compare.cpp's file comment).
TEST_F(AclnnCompare, TensorScalarComputeDtypesFollowEachOperatorsRule) {
    // Eq/Ne keep an integer self's dtype: the INT64 scalar 2^32 + 5 becomes the INT32 5.
    aclTensor* i32 = tensor({2}, ACL_INT32, up(std::vector<int32_t>{5, 6}));
    aclScalar* wide = scalar(int64_t{(int64_t{1} << 32) + 5}, ACL_INT64);
    EXPECT_EQ(scalarOp(aclnnEqScalarGetWorkspaceSize, aclnnEqScalar, i32, {2}, wide), (I{1, 0}));
    EXPECT_EQ(scalarOp(aclnnNeScalarGetWorkspaceSize, aclnnNeScalar, i32, {2}, wide), (I{0, 1}));
    // Gt/Ge/Lt promote to INT64: 5 < 2^32 + 5.
    EXPECT_EQ(scalarOp(aclnnLtScalarGetWorkspaceSize, aclnnLtScalar, i32, {2}, wide), (I{1, 1}));
    EXPECT_EQ(scalarOp(aclnnGtScalarGetWorkspaceSize, aclnnGtScalar, i32, {2}, wide), (I{0, 0}));
    // Eq keeps a floating self's dtype: FLOAT16(0.1) equals the DOUBLE 0.1 rounded to FLOAT16.
    aclTensor* h = tensor({1}, ACL_FLOAT16, up(std::vector<uint16_t>{ref_half_bits(0.1)}));
    aclScalar* tenth = scalar(0.1, ACL_DOUBLE);
    EXPECT_EQ(scalarOp(aclnnEqScalarGetWorkspaceSize, aclnnEqScalar, h, {1}, tenth), (I{1}));
    // Ge compares in DOUBLE when 0.1 is not a FLOAT16 (0.0999755... < 0.1) ...
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, h, {1}, tenth), (I{0}));
    // ... and in FLOAT16 when the scalar is one: 0.5 >= 0.5.
    aclTensor* half = tensor({1}, ACL_FLOAT16, up(std::vector<uint16_t>{ref_half_bits(0.5)}));
    EXPECT_EQ(scalarOp(aclnnGeScalarGetWorkspaceSize, aclnnGeScalar, half, {1}, scalar(0.5, ACL_DOUBLE)), (I{1}));
    // Le and Lt compare an integer self with a DOUBLE scalar in FLOAT: 16777217 and 16777216.5 both become
    // 16777216 (Le holds); 16777219 and 16777219.5 both become 16777220 (Lt does not).
    aclTensor* big = tensor({1}, ACL_INT32, up(std::vector<int32_t>{16777217}));
    aclScalar* limit = scalar(16777216.5, ACL_DOUBLE);
    EXPECT_EQ(scalarOp(aclnnLeScalarGetWorkspaceSize, aclnnLeScalar, big, {1}, limit), (I{1}));
    aclTensor* bigger = tensor({1}, ACL_INT32, up(std::vector<int32_t>{16777219}));
    EXPECT_EQ(scalarOp(aclnnLtScalarGetWorkspaceSize, aclnnLtScalar, bigger, {1}, scalar(16777219.5, ACL_DOUBLE)), (I{0}));
    // Gt promotes to DOUBLE instead: 16777217 > 16777216.5.
    EXPECT_EQ(scalarOp(aclnnGtScalarGetWorkspaceSize, aclnnGtScalar, big, {1}, limit), (I{1}));
    // A floating scalar on an integer tensor compares in a floating type for Eq: 2 == 2.5 is false.
    aclTensor* twos = tensor({1}, ACL_INT64, up(std::vector<int64_t>{2}));
    EXPECT_EQ(scalarOp(aclnnEqScalarGetWorkspaceSize, aclnnEqScalar, twos, {1}, scalar(2.5f, ACL_FLOAT)), (I{0}));
    // BOOL tensors against integer scalars compare the values 0 and 1.
    aclTensor* flags = tensor({2}, ACL_BOOL, up(std::vector<uint8_t>{0, 1}));
    EXPECT_EQ(scalarOp(aclnnEqScalarGetWorkspaceSize, aclnnEqScalar, flags, {2}, scalar(int64_t{1}, ACL_INT64)), (I{0, 1}));
    EXPECT_EQ(scalarOp(aclnnLeScalarGetWorkspaceSize, aclnnLeScalar, flags, {2}, scalar(uint8_t{0}, ACL_BOOL)), (I{1, 0}));
}

TEST_F(AclnnCompare, TensorComparisonsBroadcastAndPromote) {
    // INT32 [2, 3] against INT64 [3]: promoted to INT64, broadcast along rows.
    aclTensor* a = tensor({2, 3}, ACL_INT32, up(std::vector<int32_t>{1, 5, 9, -2, 5, 10}));
    aclTensor* b = tensor({3}, ACL_INT64, up(std::vector<int64_t>{1, 4, 10}));
    EXPECT_EQ(tensorOp(aclnnEqTensorGetWorkspaceSize, aclnnEqTensor, a, b, {2, 3}), (I{1, 0, 0, 0, 0, 1}));
    EXPECT_EQ(tensorOp(aclnnNeTensorGetWorkspaceSize, aclnnNeTensor, a, b, {2, 3}), (I{0, 1, 1, 1, 1, 0}));
    EXPECT_EQ(tensorOp(aclnnGtTensorGetWorkspaceSize, aclnnGtTensor, a, b, {2, 3}), (I{0, 1, 0, 0, 1, 0}));
    EXPECT_EQ(tensorOp(aclnnGeTensorGetWorkspaceSize, aclnnGeTensor, a, b, {2, 3}), (I{1, 1, 0, 0, 1, 1}));
    EXPECT_EQ(tensorOp(aclnnLtTensorGetWorkspaceSize, aclnnLtTensor, a, b, {2, 3}), (I{0, 0, 1, 1, 0, 0}));
    EXPECT_EQ(tensorOp(aclnnLeTensorGetWorkspaceSize, aclnnLeTensor, a, b, {2, 3}, ACL_INT64), (I{1, 0, 1, 1, 0, 1}));
    // INT32 against FLOAT: compared in FLOAT (2 < 2.5); NaN is unequal to everything.
    aclTensor* f = tensor({3, 1}, ACL_FLOAT, up(std::vector<float>{2.5f, kNaN, 1.0f}));
    aclTensor* i = tensor({2}, ACL_INT32, up(std::vector<int32_t>{2, 1}));
    EXPECT_EQ(tensorOp(aclnnLtTensorGetWorkspaceSize, aclnnLtTensor, i, f, {3, 2}), (I{1, 1, 0, 0, 0, 0}));
    EXPECT_EQ(tensorOp(aclnnNeTensorGetWorkspaceSize, aclnnNeTensor, i, f, {3, 2}), (I{1, 1, 1, 1, 1, 0}));
    // A strided view (every other element) against a 0-dim tensor.
    aclTensor* strided = tensor({3}, ACL_FLOAT, up(std::vector<float>{1, -1, 2, -1, 3}), {2});
    aclTensor* zeroDim = tensor({}, ACL_FLOAT, up(std::vector<float>{2}));
    EXPECT_EQ(tensorOp(aclnnGeTensorGetWorkspaceSize, aclnnGeTensor, strided, zeroDim, {3}), (I{0, 1, 1}));
}

TEST_F(AclnnCompare, InplaceFormsWriteTheResultIntoSelfRef) {
    void* xp = up(std::vector<float>{1.0f, 2.0f, 3.0f});
    aclTensor* x = tensor({3}, ACL_FLOAT, xp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnInplaceGtScalarGetWorkspaceSize(x, scalar(1.5f, ACL_FLOAT), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnInplaceGtScalar, ws, ex);
    EXPECT_EQ(down<float>(xp, 3), (std::vector<float>{0.0f, 1.0f, 1.0f}));
    // selfRef [2, 2] against other [2] broadcast to it.
    void* yp = up(std::vector<int64_t>{4, 5, 6, 7});
    aclTensor* y = tensor({2, 2}, ACL_INT64, yp);
    ASSERT_EQ(aclnnInplaceEqTensorGetWorkspaceSize(y, tensor({2}, ACL_INT32, up(std::vector<int32_t>{4, 7})), &ws, &ex),
              ACLNN_SUCCESS)
        << last_error();
    run(aclnnInplaceEqTensor, ws, ex);
    EXPECT_EQ(down<int64_t>(yp, 4), (std::vector<int64_t>{1, 0, 0, 1}));
    // Each in-place scalar form of the six operators (Eq's and Lt's take a const selfRef, as CANN declares them).
    const int64_t v = 3;
    const std::pair<LaunchFn, int64_t> expected[] = {{aclnnInplaceEqScalar, 1}, {aclnnInplaceNeScalar, 0},
                                                     {aclnnInplaceGtScalar, 0}, {aclnnInplaceGeScalar, 1},
                                                     {aclnnInplaceLtScalar, 0}, {aclnnInplaceLeScalar, 1}};
    aclnnStatus (*const phases[])(aclTensor*, const aclScalar*, uint64_t*, aclOpExecutor**) = {
        [](aclTensor* t, const aclScalar* s, uint64_t* w, aclOpExecutor** e) { return aclnnInplaceEqScalarGetWorkspaceSize(t, s, w, e); },
        aclnnInplaceNeScalarGetWorkspaceSize, aclnnInplaceGtScalarGetWorkspaceSize, aclnnInplaceGeScalarGetWorkspaceSize,
        [](aclTensor* t, const aclScalar* s, uint64_t* w, aclOpExecutor** e) { return aclnnInplaceLtScalarGetWorkspaceSize(t, s, w, e); },
        aclnnInplaceLeScalarGetWorkspaceSize};
    for (size_t i = 0; i < 6; ++i) {
        void* p = up(std::vector<int32_t>{static_cast<int32_t>(v)});
        ASSERT_EQ(phases[i](tensor({1}, ACL_INT32, p), scalar(v, ACL_INT64), &ws, &ex), ACLNN_SUCCESS) << i << last_error();
        run(expected[i].first, ws, ex);
        EXPECT_EQ(down<int32_t>(p, 1)[0], expected[i].second) << i;
    }
}

TEST_F(AclnnCompare, LogicalOperators) {
    aclTensor* a = tensor({4}, ACL_FLOAT, up(std::vector<float>{0.0f, -2.0f, kNaN, 0.0f}));
    aclTensor* b = tensor({4}, ACL_INT32, up(std::vector<int32_t>{0, 0, 3, 5}));
    EXPECT_EQ(tensorOp(aclnnLogicalAndGetWorkspaceSize, aclnnLogicalAnd, a, b, {4}), (I{0, 0, 1, 0}));
    EXPECT_EQ(tensorOp(aclnnLogicalOrGetWorkspaceSize, aclnnLogicalOr, a, b, {4}, ACL_INT64), (I{0, 1, 1, 1}));
    // Broadcasting: [2, 1] with [3].
    aclTensor* c = tensor({2, 1}, ACL_BOOL, up(std::vector<uint8_t>{1, 0}));
    aclTensor* d = tensor({3}, ACL_INT64, up(std::vector<int64_t>{0, 7, -1}));
    EXPECT_EQ(tensorOp(aclnnLogicalAndGetWorkspaceSize, aclnnLogicalAnd, c, d, {2, 3}), (I{0, 1, 1, 0, 0, 0}));
    EXPECT_EQ(tensorOp(aclnnLogicalOrGetWorkspaceSize, aclnnLogicalOr, c, d, {2, 3}, ACL_FLOAT), (I{1, 1, 1, 0, 1, 1}));
    // Not, into INT64 and in place.
    void* np = dev(32);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnLogicalNotGetWorkspaceSize(a, tensor({4}, ACL_INT64, np), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnLogicalNot, ws, ex);
    EXPECT_EQ(down<int64_t>(np, 4), (std::vector<int64_t>{1, 0, 0, 1}));
    void* sp = up(std::vector<int32_t>{0, 4, -1});
    ASSERT_EQ(aclnnInplaceLogicalNotGetWorkspaceSize(tensor({3}, ACL_INT32, sp), &ws, &ex), ACLNN_SUCCESS) << last_error();
    run(aclnnInplaceLogicalNot, ws, ex);
    EXPECT_EQ(down<int32_t>(sp, 3), (std::vector<int32_t>{1, 0, 0}));
    void* ap = up(std::vector<uint8_t>{1, 1, 0});
    aclTensor* selfRef = tensor({3}, ACL_BOOL, ap);
    ASSERT_EQ(aclnnInplaceLogicalAndGetWorkspaceSize(selfRef, tensor({}, ACL_INT32, up(std::vector<int32_t>{2})), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnInplaceLogicalAnd, ws, ex);
    EXPECT_EQ(down<uint8_t>(ap, 3), (std::vector<uint8_t>{1, 1, 0}));
    ASSERT_EQ(aclnnInplaceLogicalOrGetWorkspaceSize(selfRef, tensor({3}, ACL_FLOAT, up(std::vector<float>{0, 0, 0.5f})), &ws, &ex),
              ACLNN_SUCCESS);
    run(aclnnInplaceLogicalOr, ws, ex);
    EXPECT_EQ(down<uint8_t>(ap, 3), (std::vector<uint8_t>{1, 1, 1}));
}

TEST_F(AclnnCompare, EmptyTensorsGiveEmptyResults) {
    aclTensor* e = tensor({0, 3}, ACL_FLOAT, dev(4));
    aclTensor* row = tensor({3}, ACL_FLOAT, up(std::vector<float>{1, 2, 3}));
    EXPECT_TRUE(tensorOp(aclnnEqTensorGetWorkspaceSize, aclnnEqTensor, e, row, {0, 3}).empty());
    EXPECT_TRUE(scalarOp(aclnnLtScalarGetWorkspaceSize, aclnnLtScalar, e, {0, 3}, scalar(1.0f, ACL_FLOAT)).empty());
}

TEST_F(AclnnCompare, RefusalsNameTheArgumentAndTheRule) {
    aclTensor* x = tensor({3}, ACL_FLOAT, up(std::vector<float>{1, 2, 3}));
    aclTensor* out = tensor({3}, ACL_BOOL, dev(3));
    aclScalar* one = scalar(1.0f, ACL_FLOAT);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    EXPECT_EQ(aclnnEqScalarGetWorkspaceSize(nullptr, one, out, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "aclnnEqScalarGetWorkspaceSize: self is a null pointer")) << last_error();
    EXPECT_EQ(aclnnEqScalarGetWorkspaceSize(x, nullptr, out, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_EQ(aclnnGtTensorGetWorkspaceSize(x, x, nullptr, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "out is a null pointer")) << last_error();
    EXPECT_EQ(aclnnInplaceLtTensorGetWorkspaceSize(nullptr, x, &ws, &ex), ACLNN_ERR_PARAM_NULLPTR);
    EXPECT_TRUE(contains(last_error(), "selfRef is a null pointer")) << last_error();
    EXPECT_EQ(aclnnLogicalNotGetWorkspaceSize(x, out, nullptr, &ex), ACLNN_ERR_PARAM_NULLPTR);
    // A dtype the simulator does not store (CANN takes UINT32 on other products only).
    aclTensor* u32 = tensor({3}, ACL_UINT32, dev(12));
    EXPECT_EQ(aclnnNeTensorGetWorkspaceSize(x, u32, out, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "other dtype UINT32 is not supported")) << last_error();
    EXPECT_EQ(aclnnLogicalAndGetWorkspaceSize(x, x, u32, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out dtype UINT32")) << last_error();
    EXPECT_EQ(aclnnGeScalarGetWorkspaceSize(x, scalar(uint32_t{1}, ACL_UINT32), out, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "other dtype UINT32")) << last_error();
    // Shapes: out of another shape, operands that do not broadcast, in place an other that would grow selfRef.
    EXPECT_EQ(aclnnLeScalarGetWorkspaceSize(x, one, tensor({4}, ACL_BOOL, dev(4)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "out shape [4] must be [3]")) << last_error();
    EXPECT_EQ(aclnnEqTensorGetWorkspaceSize(x, tensor({2}, ACL_FLOAT, dev(8)), out, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "self shape [3] and other shape [2] cannot broadcast")) << last_error();
    aclTensor* col = tensor({2, 1}, ACL_FLOAT, dev(8));
    EXPECT_EQ(aclnnInplaceGeTensorGetWorkspaceSize(x, col, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "other shape [2,1] does not broadcast to selfRef shape [3]")) << last_error();
    EXPECT_EQ(aclnnLogicalNotGetWorkspaceSize(x, tensor({1}, ACL_BOOL, dev(1)), &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    // Host memory is not device memory.
    std::vector<float> host(3);
    aclTensor* onHost = tensor({3}, ACL_FLOAT, host.data());
    EXPECT_EQ(aclnnLtTensorGetWorkspaceSize(x, onHost, out, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "other data")) << last_error();
    EXPECT_EQ(counter(ACLSIM_LIVE_EXECUTORS), baseExecutors);
    // An executor runs only under its own launch: an EqScalar executor is not an InplaceEqScalar one.
    ASSERT_EQ(aclnnEqScalarGetWorkspaceSize(x, one, out, &ws, &ex), ACLNN_SUCCESS);
    EXPECT_EQ(aclnnInplaceEqScalar(nullptr, 0, ex, stream), ACLNN_ERR_PARAM_INVALID);
    EXPECT_TRUE(contains(last_error(), "was created by aclnnEqScalarGetWorkspaceSize")) << last_error();
    EXPECT_EQ(aclDestroyAclOpExecutor(ex), ACLNN_SUCCESS);
}

// The condition word of a graph's WHILE node: a comparison of a device counter, captured once, recomputed from
// the counter's value at every replay.
TEST_F(AclnnCompare, CapturedComparisonReadsTheCounterAtEachReplay) {
    void* counterp = up(std::vector<int64_t>{0});
    void* wordp = up(std::vector<int64_t>{-1});
    aclTensor* counterT = tensor({1}, ACL_INT64, counterp);
    aclTensor* word = tensor({1}, ACL_INT64, wordp);
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    ASSERT_EQ(aclnnLtScalarGetWorkspaceSize(counterT, scalar(int64_t{3}, ACL_INT64), word, &ws, &ex), ACLNN_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclnnLtScalar(nullptr, ws, ex, stream), ACLNN_SUCCESS) << last_error();
    aclmdlRI model = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream, &model), ACL_SUCCESS);
    EXPECT_EQ(down<int64_t>(wordp, 1)[0], -1) << "captured, not run";
    for (int64_t c = 0; c < 5; ++c) {
        ASSERT_EQ(aclrtMemcpy(counterp, 8, &c, 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIExecuteAsync(model, stream), ACL_SUCCESS);
        EXPECT_EQ(down<int64_t>(wordp, 1)[0], c < 3 ? 1 : 0) << c;
    }
    EXPECT_EQ(aclmdlRIDestroy(model), ACL_SUCCESS);
}

}  // namespace
