// Ascend.Interop simulator: element-wise math functions: Neg, Exp, Sqrt, Rsqrt, Tanh (PyTorch semantics,
// CANN's documented dtype lists). An integer or BOOL self of Exp, Sqrt, Rsqrt and Tanh computes in FLOAT, as
// torch does; the transcendental formulas run in double and round once to float.
#include <cmath>

#include "aclnn_unary.h"
#include "aclnnop/aclnn_exp.h"
#include "aclnnop/aclnn_neg.h"
#include "aclnnop/aclnn_rsqrt.h"
#include "aclnnop/aclnn_sqrt.h"
#include "aclnnop/aclnn_tanh.h"

using namespace aclnn;

namespace {

const std::initializer_list<aclDataType> kExpSelfTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_INT64, ACL_BOOL};
const std::initializer_list<aclDataType> kToFloatSelfTypes = {ACL_FLOAT, ACL_FLOAT16, ACL_BF16,
                                                              ACL_INT32, ACL_INT64, ACL_BOOL};

float neg(float x) { return -x; }
uint64_t neg_int(uint64_t x) { return 0 - x; }
float exp_f(float x) { return static_cast<float>(std::exp(static_cast<double>(x))); }
float sqrt_f(float x) { return static_cast<float>(std::sqrt(static_cast<double>(x))); }
float rsqrt_f(float x) { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(x))); }
float tanh_f(float x) { return static_cast<float>(std::tanh(static_cast<double>(x))); }

}  // namespace

ACLNN_UNARY(Neg, aclTensor, UnaryTypes::Castable, kArithTypes, neg, neg_int)
ACLNN_UNARY(Exp, aclTensor, UnaryTypes::ToFloat, kExpSelfTypes, exp_f, nullptr)
ACLNN_UNARY(Sqrt, aclTensor, UnaryTypes::ToFloat, kToFloatSelfTypes, sqrt_f, nullptr)
ACLNN_UNARY(Rsqrt, aclTensor, UnaryTypes::ToFloat, kToFloatSelfTypes, rsqrt_f, nullptr)
ACLNN_UNARY(Tanh, aclTensor, UnaryTypes::ToFloat, kToFloatSelfTypes, tanh_f, nullptr)
