// Ascend.Interop simulator: internal interface of the graph part (capture, models, replay) shared
// by the sim_capture*.cpp and sim_model*.cpp files. Callers hold State::mu unless noted.
#pragma once

#include <memory>
#include <string>

#include "sim_state.h"

namespace sim {

// The acl layer's check of a capture call's stream: NULL (the default stream) is 100000.
int capture_stream_arg(const char* fn, aclrtStream stream);
// A capture mode argument: GLOBAL, THREAD_LOCAL or RELAXED, else 107000.
int capture_mode_arg(const char* fn, aclmdlRICaptureMode mode);

// The live capture whose model is `m`, or NULL.
Capture* capture_of_model_locked(const void* m);
// Removes a capture; its model is discarded unless `keep`.
void drop_capture_locked(Capture* c, bool keep);

// A live (ended, not destroyed) model: 100000 for NULL, 107026 while it is still being captured,
// 107000 for anything else.
int find_model_locked(const char* fn, aclmdlRI modelRI, std::shared_ptr<Model>* out);
// enter(fn), the argument checks, State::mu, then the live model.
template <class Args = int (*)()>
ApiCall enter_model(const char* fn, aclmdlRI modelRI, std::shared_ptr<Model>* m, Args args = no_args) {
    ApiCall call = enter_locked(fn, args);
    if (call.rc == ACL_SUCCESS) call.rc = find_model_locked(fn, modelRI, m);
    return call;
}
// "model 0x... 'name'" for messages.
std::string model_label(const Model& m);

}  // namespace sim
