// Ascend.Interop simulator: the shared phase 1 and kernel of one-input element-wise operators
// (self, out of self's shape): the math functions (aclnn_elementwise_math.cpp) and the activations
// (aclnn_activation.cpp). Internal only.
#pragma once

#include <initializer_list>

#include "aclnn_op_common.h"

namespace aclnn {

// How a one-input operator types its result.
enum class UnaryTypes {
    Same,      // out of self's dtype
    Castable,  // out any arithmetic dtype self's dtype can be cast to (Neg)
    ToFloat,   // computed in self's dtype when it is floating, else in FLOAT; out floating (Exp, Sqrt, ...)
};

struct UnaryOp {
    const char* fn;                                      // "aclnnExpGetWorkspaceSize"
    const char* op;                                      // "aclnnExp"
    UnaryTypes types;
    const std::initializer_list<aclDataType>* selfTypes;
    float (*value)(float);                               // the floating result, before rounding to the dtype
    uint64_t (*intValue)(uint64_t);                      // the integer result before wrapping (null: none)
};

aclnnStatus unary_phase1(const UnaryOp& u, const aclTensor* self, const aclTensor* out, uint64_t* workspaceSize,
                         aclOpExecutor** executor);

}  // namespace aclnn

// Exports operator aclnn<Name>: its GetWorkspaceSize(self, out, ...) (`Out` is out's pointee, const in some
// of CANN's headers) running unary_phase1, and its launch.
#define ACLNN_UNARY(Name, Out, types, selfTypes, value, intValue)                                             \
    ACLNN_EXPORT aclnnStatus aclnn##Name##GetWorkspaceSize(const aclTensor* self, Out* out, uint64_t* workspaceSize, \
                                                           aclOpExecutor** executor) {                        \
        static const aclnn::UnaryOp op = {"aclnn" #Name "GetWorkspaceSize", "aclnn" #Name, types, &(selfTypes),  \
                                          value, intValue};                                                   \
        return aclnn::unary_phase1(op, self, out, workspaceSize, executor);                                  \
    }                                                                                                        \
    ACLNN_LAUNCH(Name)
