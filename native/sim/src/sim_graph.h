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
int capture_mode_arg(const char* fn, int mode);

// aclmdlRICaptureEnd of a child graph's capture (sim_capture.cpp).
int end_child_capture_locked(const char* fn, Capture* c, aclmdlRI* modelRI);
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

namespace sim {

// Tasks the graph API can also create by editing (aclmdlRITaskSetParams converts a task into either).
// The word must be 8-byte aligned device memory (checked by the callers). State::mu held.
Task make_value_write_task(const char* fn, void* addr, uint64_t value);
Task make_value_wait_task(const char* fn, void* addr, uint64_t value, uint32_t flag);
// The device-memory check of a value word: 8-byte aligned, inside a live device allocation (107000).
int check_value_word_locked(const char* fn, const void* addr);
// A replay stops at its next task once the root graph was aborted or the runtime is shutting down.
bool replay_stopped(const Model* root);

}  // namespace sim

namespace sim {

// The root of a graph tree (the graph itself for a root).
inline Model* root_of(Model* m) { return m->root ? m->root : m; }
// 207000 for a child graph of a conditional task (the calls that only work on a root), naming fn.
int refuse_child_locked(const char* fn, const Model& m);
// Releases what a root graph owns besides its tasks: its child graphs (removed from the registry,
// their open captures dropped), its condition words and its internal stream handles.
void release_tree_locked(Model* root);
// True while a capture of a child graph below `m` (at any depth) is open.
Capture* open_child_capture_locked(const Model* m);
// Runs graph `m` (a root or a child) on the calling worker thread: its enabled tasks in order.
// A failure returns the code with `msg` naming the task.
int run_graph(Model* m, std::string& msg);
// Writes every ASSIGN_DEFAULT condition word of the tree of `root` (at the start of each replay).
void assign_defaults(Model* root);

}  // namespace sim

namespace sim {

// The graph and task record of a task handle (107000 for anything else; CANN does not validate them).
int find_task_locked(const char* fn, aclmdlRITask task, Model** model, ModelTask** out);
// The preamble of the CANN 9.1 task calls (aclmdlRITask*): enter_locked with the version check, then `args`, then
// the task's graph and record (find_task_locked). On success `lock` holds the runtime state's mutex.
template <class Args = int (*)()>
ApiCall enter_task(const char* fn, aclmdlRITask task, Model** model, ModelTask** out, Args args = no_args) {
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        return args();
    });
    if (call.rc == ACL_SUCCESS) call.rc = find_task_locked(fn, task, model, out);
    return call;
}
// The aclmdlRITaskType of a task.
int task_type(const ModelTask& mt);
// The simulator's "function handle" of a kernel task: one stable address per operator name.
void* kernel_func_handle(const Task& t);

}  // namespace sim
