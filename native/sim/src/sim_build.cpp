// Ascend.Interop simulator: graphs built on persistent streams (aclmdlRIBuildBegin, BindStream,
// EndTask, BuildEnd, UnbindStream), the synchronous run and abort (aclmdlRIExecute's built-graph
// path is in sim_model.cpp; aclmdlRIAbort here), graph ids and destroy callbacks.
//
// Work launched on a bound stream joins the graph instead of running, in submission order across its
// streams (as a capture records it); event records and waits between bound streams are ordering only.
#include <algorithm>
#include <thread>

#include "sim_graph.h"

namespace sim {

int append_built_task_locked(const char* fn, Stream* s, Task&& t) {
    Model* m = s->boundTo;
    if (m->buildEnded || m->ended.count(s))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%s is bound to %s whose tasks were closed (%s); launching more would break its runs",
                    stream_name(s).c_str(), model_label(*m).c_str(),
                    m->buildEnded ? "aclmdlRIBuildEnd" : "aclmdlRIEndTask on this stream");
    ModelTask mt;
    mt.streamId = s->id;
    mt.seq = static_cast<uint32_t>(m->tasks.size());
    mt.task = std::make_shared<const Task>(std::move(t));
    std::lock_guard<std::mutex> ml(m->m);
    if (mt.task->info.key) m->launchValues = true;
    m->tasks.push_back(std::move(mt));
    m->streamIds.insert(s->id);
    return ACL_SUCCESS;
}

}  // namespace sim

using namespace sim;

namespace {

// The built graph a call names (refusing captured graphs with 107000) and, when asked, the stream.
int find_built_locked(const char* fn, aclmdlRI modelRI, std::shared_ptr<Model>* m) {
    if (int rc = find_model_locked(fn, modelRI, m)) return rc;
    if ((*m)->kind != ModelKind::Built)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is a captured graph; %s works on graphs from aclmdlRIBuildBegin",
                    model_label(**m).c_str(), fn);
    return ACL_SUCCESS;
}

// EndTask and UnbindStream: enter, the built graph, then a stream bound to it.
ApiCall enter_bound_stream(const char* fn, aclmdlRI modelRI, aclrtStream stream, std::shared_ptr<Model>* m) {
    ApiCall call = enter_locked(fn);
    if (call.rc) return call;
    if ((call.rc = find_built_locked(fn, modelRI, m))) return call;
    resolve_stream(fn, stream, call);
    if (call.rc == ACL_SUCCESS && call.stream->boundTo != m->get())
        call.rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is not bound to %s", stream_name(call.stream).c_str(),
                       model_label(**m).c_str());
    return call;
}

// The destroy-callback calls: no acl-layer NULL check (107000), then a live root graph.
ApiCall enter_callbacks(const char* fn, aclmdlRI modelRI, aclrtCallback func, std::shared_ptr<Model>* m) {
    ApiCall call = enter_locked(fn);
    if (call.rc) return call;
    if (!modelRI || !func)
        call.rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is NULL", modelRI ? "func" : "modelRI");
    else if ((call.rc = find_model_locked(fn, modelRI, m)) == ACL_SUCCESS)
        call.rc = refuse_child_locked(fn, **m);
    return call;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRIBuildBegin(aclmdlRI* modelRI, uint32_t flag) {
    const char* fn = "aclmdlRIBuildBegin";
    ApiCall call = enter_context(fn, [&] {
        if (int rc = need_arg(fn, modelRI, "modelRI")) return rc;
        return flag ? fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flag %u is not 0", flag) : ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    State& st = g();
    Device& d = st.devices[call.device];
    if (d.streams >= st.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn, "device %d has no stream left for a new model (%u of %u in use)",
                    call.device, d.streams, st.streamLimit);
    auto m = std::make_shared<Model>();
    m->id = st.nextId++;
    m->device = call.device;
    m->ctx = call.ctx;
    m->kind = ModelKind::Built;
    m->holdsBudget = true;
    d.streams++;
    *modelRI = m.get();
    st.models.emplace(m.get(), std::move(m));
    bump(ACLSIM_LIVE_MODELS, 1);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIBindStream(aclmdlRI modelRI, aclrtStream stream, uint32_t flag) {
    const char* fn = "aclmdlRIBindStream";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m, [&] {
        return flag == 0 || flag == 0x7FFFFFFFu
                   ? ACL_SUCCESS
                   : fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flag 0x%x is not 0 (head stream) or 0x7FFFFFFF", flag);
    });
    if (call.rc) return call.rc;
    resolve_stream(fn, stream, call);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (m->kind != ModelKind::Built)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is a captured graph; streams bind to graphs from aclmdlRIBuildBegin",
                    model_label(*m).c_str());
    if (s->cap) return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing", stream_name(s).c_str());
    if (s->boundTo) return fail(kErrStreamModel, fn, "%s is already bound to %s", stream_name(s).c_str(),
                                model_label(*s->boundTo).c_str());
    if (!(s->flags & ACL_STREAM_PERSISTENT))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%s was not created with ACL_STREAM_PERSISTENT (aclrtCreateStreamWithConfig)", stream_name(s).c_str());
    if (s->flags & ACL_STREAM_FAST_LAUNCH)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "%s is an ACL_STREAM_FAST_LAUNCH stream", stream_name(s).c_str());
    if (m->buildEnded)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s was already closed by aclmdlRIBuildEnd", model_label(*m).c_str());
    if (s->device != m->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "%s is on device %d but the graph on device %d",
                    stream_name(s).c_str(), s->device, m->device);
    s->boundTo = m.get();
    if (flag == 0) m->bound.insert(m->bound.begin(), s);
    else m->bound.push_back(s);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIEndTask(aclmdlRI modelRI, aclrtStream stream) {
    const char* fn = "aclmdlRIEndTask";
    std::shared_ptr<Model> m;
    ApiCall call = enter_bound_stream(fn, modelRI, stream, &m);
    if (call.rc) return call.rc;
    m->ended.insert(call.stream);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIBuildEnd(aclmdlRI modelRI, void* reserve) {
    const char* fn = "aclmdlRIBuildEnd";
    std::shared_ptr<Model> m;
    ApiCall call = enter_locked(fn, [&] {
        return reserve ? fail(ACL_ERROR_INVALID_PARAM, fn, "reserve is not NULL") : ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    if (int rc = find_built_locked(fn, modelRI, &m)) return rc;
    m->buildEnded = true;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIUnbindStream(aclmdlRI modelRI, aclrtStream stream) {
    const char* fn = "aclmdlRIUnbindStream";
    std::shared_ptr<Model> m;
    ApiCall call = enter_bound_stream(fn, modelRI, stream, &m);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    s->boundTo = nullptr;
    m->bound.erase(std::find(m->bound.begin(), m->bound.end(), s));
    m->ended.erase(s);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIAbort(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIAbort";
    std::shared_ptr<Model> m;
    ApiCall call = enter_locked(fn);
    if (call.rc) return call.rc;
    if (!modelRI) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "modelRI is NULL");
    if ((call.rc = find_model_locked(fn, modelRI, &m))) return call.rc;
    if (int rc = refuse_child_locked(fn, *m)) return rc;
    Context* cur = cur_ctx_locked();
    if (cur != m->ctx)
        return fail(kErrModelContext, fn, "%s belongs to another context than the calling thread's", model_label(*m).c_str());
    // Synchronous: running and queued replays of the graph end at their next task, then the graph runs again.
    m->abort.store(true);
    call.lock.unlock();
    while (m->pending.load() > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    m->abort.store(false);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetId(aclmdlRI modelRI, uint32_t* modelRIId) {
    const char* fn = "aclmdlRIGetId";
    std::shared_ptr<Model> m;
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        if (int rc = need_arg(fn, modelRI, "modelRI")) return rc;
        return need_arg(fn, modelRIId, "modelRIId");
    });
    if (call.rc) return call.rc;
    // A graph still being captured has its id already (torch_npu reads it right after aclmdlRICaptureBegin).
    Capture* c = capture_of_model_locked(modelRI);
    if (c) {
        *modelRIId = static_cast<uint32_t>(c->model->id);
        return ACL_SUCCESS;
    }
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    *modelRIId = static_cast<uint32_t>(m->id);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDestroyRegisterCallback(aclmdlRI modelRI, aclrtCallback func, void* userData) {
    const char* fn = "aclmdlRIDestroyRegisterCallback";
    std::shared_ptr<Model> m;
    ApiCall call = enter_callbacks(fn, modelRI, func, &m);
    if (call.rc) return call.rc;
    auto key = reinterpret_cast<uintptr_t>(func);
    if (m->destroyCallbacks.count(key))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "function %p is already registered on %s (one registration per function)",
                    reinterpret_cast<void*>(key), model_label(*m).c_str());
    m->destroyCallbacks[key] = userData;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDestroyUnregisterCallback(aclmdlRI modelRI, aclrtCallback func) {
    const char* fn = "aclmdlRIDestroyUnregisterCallback";
    std::shared_ptr<Model> m;
    ApiCall call = enter_callbacks(fn, modelRI, func, &m);
    if (call.rc) return call.rc;
    if (!m->destroyCallbacks.erase(reinterpret_cast<uintptr_t>(func)))
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "function %p is not registered on %s",
                    reinterpret_cast<void*>(func), model_label(*m).c_str());
    return ACL_SUCCESS;
}

}  // extern "C"
