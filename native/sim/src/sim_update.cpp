// Ascend.Interop simulator: editing a captured graph in place (CANN 9.1: aclmdlRITaskSetParams,
// aclmdlRITaskDisable, aclmdlRIUpdate). An edit is staged on the task and puts the graph in UPDATING
// (it cannot run, 507011); aclmdlRIUpdate applies every staged edit and makes it READY again; an edit
// refused after its preconditions puts the graph in FAULT, which is terminal.
#include "sim_graph.h"

namespace sim {

namespace {

// What SetParams and Disable check of the task's graph (enter_task found it): a live, ended root captured graph, READY or
// UPDATING and not running (107040).
int editable_locked(const char* fn, Model& g) {
    if (capture_of_model_locked(&g))
        return fail(ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, "%s is still being captured", model_label(g).c_str());
    if (g.kind != ModelKind::Captured)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "%s is %s; only root captured graphs can be edited",
                    model_label(g).c_str(), g.kind == ModelKind::Built ? "a built graph" : "a child graph");
    if (g.state == ModelState::Fault)
        return fail(ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, "%s is FAULT (an earlier edit failed)", model_label(g).c_str());
    if (g.pending.load() > 0)
        return fail(ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, "%s is running (%d replay(s) queued or running)",
                    model_label(g).c_str(), g.pending.load());
    return ACL_SUCCESS;
}

// A refused edit: the graph becomes FAULT.
int fault(Model& m, int code, const char* fn, const std::string& why) {
    m.state = ModelState::Fault;
    return fail(code, fn, "%s; %s is now FAULT (destroy it and capture again)", why.c_str(), model_label(m).c_str());
}

int set_kernel(const char* fn, Model& m, ModelTask& mt, const aclmdlRITaskParams& p) {
    const aclmdlRIKernelTaskParams& k = p.kernelTaskParams;
    if (task_type(mt) != ACL_MODEL_RI_TASK_KERNEL) return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "the task is not a kernel task");
    if (p.taskGrp) return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "params->taskGrp must be NULL (clear what GetParams filled)");
    if (!k.funcHandle || !k.args || k.argsSize == 0)
        return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "funcHandle and args must be non-NULL and argsSize > 0");
    // Simulated kernels are host closures over their buffers: the simulator can re-issue a kernel with
    // its own function and argument block (shape information may change), not run another binary.
    const size_t n = mt.task->buffers.size() ? mt.task->buffers.size() : 1;
    bool same = k.funcHandle == kernel_func_handle(*mt.task) && k.argsSize == n * sizeof(uint64_t);
    for (size_t i = 0; same && i < mt.task->buffers.size(); ++i)
        same = static_cast<const uint64_t*>(k.args)[i] == reinterpret_cast<uintptr_t>(mt.task->buffers[i].ptr);
    if (!same)
        return fault(m, ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                     "the simulator cannot run a different kernel function or argument block (only the task's own, "
                     "as aclmdlRITaskGetParams returned it)");
    mt.pendingTask = mt.task;
    return ACL_SUCCESS;
}

int set_value(const char* fn, Model& m, ModelTask& mt, const aclmdlRITaskParams& p) {
    const bool write = p.type == ACL_MODEL_RI_TASK_VALUE_WRITE;
    if (task_type(mt) == ACL_MODEL_RI_TASK_DEFAULT)
        return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "a DEFAULT task cannot become a value task");
    if (p.taskGrp || p.opInfoPtr || p.opInfoSize)
        return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "taskGrp and opInfoPtr must be NULL and opInfoSize 0");
    void* addr = write ? p.valueWriteTaskParams.devAddr : p.valueWaitTaskParams.devAddr;
    const uint32_t flag = write ? 0 : p.valueWaitTaskParams.flag;
    if (!write && flag > ACL_STREAM_WAIT_VALUE_NOR)
        return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "flag " + std::to_string(flag) + " is not an ACL_STREAM_WAIT_VALUE_*");
    if (!addr || check_value_word_locked(fn, addr))
        return fault(m, ACL_ERROR_RT_PARAM_INVALID, fn, "devAddr is not an 8-byte aligned word of device memory");
    Task t = write ? make_value_write_task("aclrtValueWrite", addr, p.valueWriteTaskParams.value)
                   : make_value_wait_task("aclrtValueWait", addr, p.valueWaitTaskParams.value, flag);
    mt.pendingTask = std::make_shared<const Task>(std::move(t));
    return ACL_SUCCESS;
}

}  // namespace

}  // namespace sim

using namespace sim;

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRITaskSetParams(aclmdlRITask task, aclmdlRITaskParams* params) {
    const char* fn = "aclmdlRITaskSetParams";
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt);
    if (call.rc) return call.rc;
    if (int rc = editable_locked(fn, *m)) return rc;
    if (!params) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "params is NULL");
    std::lock_guard<std::mutex> ml(m->m);
    int rc;
    switch (static_cast<int>(params->type)) {
        case ACL_MODEL_RI_TASK_KERNEL: rc = set_kernel(fn, *m, *mt, *params); break;
        case ACL_MODEL_RI_TASK_VALUE_WRITE:
        case ACL_MODEL_RI_TASK_VALUE_WAIT: rc = set_value(fn, *m, *mt, *params); break;
        default:
            rc = fault(*m, ACL_ERROR_RT_PARAM_INVALID, fn,
                       "parameters of type " + std::to_string(static_cast<int>(params->type)) +
                           " cannot be set (KERNEL, VALUE_WRITE or VALUE_WAIT)");
    }
    if (rc == ACL_SUCCESS) m->state = ModelState::Updating;
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRITaskDisable(aclmdlRITask task) {
    const char* fn = "aclmdlRITaskDisable";
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt);
    if (call.rc) return call.rc;
    if (int rc = editable_locked(fn, *m)) return rc;
    if (task_type(*mt) == ACL_MODEL_RI_TASK_DEFAULT)
        return fault(*m, ACL_ERROR_RT_PARAM_INVALID, fn,
                     "task '" + mt->task->name + "' (" + mt->task->kind + ") is a DEFAULT task and cannot be disabled");
    std::lock_guard<std::mutex> ml(m->m);
    mt->disablePending = true;
    m->state = ModelState::Updating;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIUpdate(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIUpdate";
    ApiCall call = enter_locked(fn, [&] { return need_version(fn, kCann910); });
    if (call.rc) return call.rc;
    if (!modelRI) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "modelRI is NULL");
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    if (m->kind != ModelKind::Captured)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "%s is not a root captured graph", model_label(*m).c_str());
    if (m->state == ModelState::Ready) return ACL_SUCCESS;
    if (m->state != ModelState::Updating)
        return fail(ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, "%s is FAULT (an edit failed); it cannot be updated",
                    model_label(*m).c_str());
    if (m->pending.load() > 0) return fault(*m, ACL_ERROR_RT_MODEL_UPDATE_FAILED, fn, "the graph is running");
    std::lock_guard<std::mutex> ml(m->m);
    for (auto& mt : m->tasks) {
        if (mt.pendingTask) mt.task = std::move(mt.pendingTask);
        mt.pendingTask.reset();
        if (mt.disablePending) mt.disabled = true;
        mt.disablePending = false;
    }
    m->memoryCheckedAt = 0;
    m->state = ModelState::Ready;
    return ACL_SUCCESS;
}

}  // extern "C"
