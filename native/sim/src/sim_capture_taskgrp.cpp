// Ascend.Interop simulator: task groups of a capture (aclmdlRICaptureTaskGrpBegin/End) and their
// update on a non-capturing stream (aclmdlRICaptureTaskUpdateBegin/End; the re-issued tasks are
// matched in sim_submit.cpp).
#include "sim_graph.h"

using namespace sim;

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureTaskGrpBegin(aclrtStream stream) {
    const char* fn = "aclmdlRICaptureTaskGrpBegin";
    ApiCall call = enter_stream(fn, stream, [&] { return capture_stream_arg(fn, stream); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (!s->cap) return fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn, "%s is not capturing", stream_name(s).c_str());
    if (s->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
        return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                    stream_name(s).c_str(), s->cap->invalidReason.c_str());
    if (s->openGroup) {
        int rc = fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "a task group is already open on %s; the capture is invalidated",
                      stream_name(s).c_str());
        invalidate_locked(s->cap, tls().err);
        return rc;
    }
    Model& m = *s->cap->model;
    auto grp = std::make_unique<Group>();
    grp->model = s->cap->model;
    grp->index = static_cast<int>(m.groups.size());
    s->openGroup = grp.get();
    m.groups.push_back(std::move(grp));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureTaskGrpEnd(aclrtStream stream, aclrtTaskGrp* handle) {
    const char* fn = "aclmdlRICaptureTaskGrpEnd";
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        return need_arg(fn, handle, "handle");
    });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (!s->cap) return fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn, "%s is not capturing", stream_name(s).c_str());
    if (!s->openGroup) {
        int rc = fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn,
                      "no task group is open on %s (aclmdlRICaptureTaskGrpBegin); the capture is invalidated",
                      stream_name(s).c_str());
        invalidate_locked(s->cap, tls().err);
        return rc;
    }
    *handle = nullptr;
    Group* grp = s->openGroup;
    if (s->cap->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE) {
        s->openGroup = nullptr;  // the group is dropped, as CANN does
        grp->tasks.clear();
        return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn,
                    "the capture on %s was invalidated (%s); the task group was dropped", stream_name(s).c_str(),
                    s->cap->invalidReason.c_str());
    }
    grp->closed = true;
    s->openGroup = nullptr;
    *handle = grp;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureTaskUpdateBegin(aclrtStream stream, aclrtTaskGrp handle) {
    const char* fn = "aclmdlRICaptureTaskUpdateBegin";
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = need_arg(fn, handle, "handle")) return rc;
        return capture_stream_arg(fn, stream);
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    auto it = st.groups.find(static_cast<Group*>(handle));
    std::shared_ptr<Model> m = it == st.groups.end() ? nullptr : it->second.lock();
    if (!m || !m->live)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "invalid task group handle %p (not from aclmdlRICaptureTaskGrpEnd of a live, ended capture)",
                    handle);
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; task updates run on a non-capturing stream",
                    stream_name(s).c_str());
    if (s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is already in a task update", stream_name(s).c_str());
    if (s->device != m->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "the group's model is on device %d but the stream is on device %d",
                    m->device, s->device);
    if (static_cast<Group*>(handle)->updating)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "task group %p is already being updated by another stream",
                    handle);
    static_cast<Group*>(handle)->updating = true;
    auto* u = new Update();
    u->group = static_cast<Group*>(handle);
    u->model = m;
    s->update = u;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureTaskUpdateEnd(aclrtStream stream) {
    const char* fn = "aclmdlRICaptureTaskUpdateEnd";
    ApiCall call = enter_stream(fn, stream, [&] { return capture_stream_arg(fn, stream); });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (!s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is not in a task update (aclmdlRICaptureTaskUpdateBegin)",
                    stream_name(s).c_str());
    std::unique_ptr<Update> u(s->update);
    s->update = nullptr;
    u->group->updating = false;
    if (u->failed)
        return fail(kErrTaskGroupUpdate, fn, "the task update failed and was discarded: %s", u->failMsg.c_str());
    if (u->tasks.size() != u->group->tasks.size())
        return fail(kErrTaskGroupUpdate, fn,
                    "the task group holds %zu task(s) but %zu were issued; the update was discarded",
                    u->group->tasks.size(), u->tasks.size());
    if (!u->model->live)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "the group's model was destroyed; the update was discarded");
    std::shared_ptr<Model> m = u->model;
    std::vector<size_t> idx = u->group->tasks;
    std::vector<std::shared_ptr<const Task>> tasks = std::move(u->tasks);
    Item it;
    it.what = "aclmdlRICaptureTaskUpdateEnd (task_update)";
    it.fn = [m, idx, tasks](std::string&) {
        std::lock_guard<std::mutex> ml(m->m);
        for (size_t i = 0; i < idx.size(); ++i) m->tasks[idx[i]].task = tasks[i];
        m->memoryCheckedAt = 0;  // new buffers: check them at the next launch
        return ACL_SUCCESS;
    };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

}  // extern "C"
