// Ascend.Interop simulator: conditional nodes and child graphs (CANN 9.1): condition handles
// (aclmdlRICondHandleCreate / GetCondPtr), conditional tasks (aclmdlRIAddCondTask: IF with an
// optional else, WHILE, SWITCH) and the capture of their child graphs (aclmdlRICaptureToModelRIBegin
// ... aclmdlRICaptureEnd). The condition is read when the replay reaches the task, on the stream
// worker, so earlier tasks of the same replay decide it.
#include <algorithm>

#include "sim_graph.h"

namespace sim {

namespace {

const char* cond_type_name(int type) {
    switch (type) {
        case ACL_MODEL_RI_COND_TYPE_IF: return "IF";
        case ACL_MODEL_RI_COND_TYPE_WHILE: return "WHILE";
        default: return "SWITCH";
    }
}

int run_child(Model* child, const char* what, std::string& msg) {
    int rc = run_graph(child, msg);
    if (rc != ACL_SUCCESS) fail(rc, "aclmdlRIExecuteAsync", "%s branch: %s", what, msg.c_str());
    return rc;
}

// The work of a conditional task at replay.
int run_cond(const CondHandle* h, int type, const std::vector<Model*>& kids) {
    std::string msg;
    const uint64_t v = __atomic_load_n(h->word, __ATOMIC_ACQUIRE);
    if (type == ACL_MODEL_RI_COND_TYPE_IF) {
        if (v != 0) return run_child(kids[0], "IF (then)", msg);
        return kids.size() == 2 ? run_child(kids[1], "IF (else)", msg) : ACL_SUCCESS;
    }
    if (type == ACL_MODEL_RI_COND_TYPE_SWITCH) {
        if (static_cast<int64_t>(v) < 0)
            return fail(kErrModelExecute, "aclmdlRIExecuteAsync",
                        "SWITCH condition 0x%llx has bit 63 set (CANN compares it as a signed value; the simulator "
                        "refuses it)", static_cast<unsigned long long>(v));
        if (v >= kids.size()) return ACL_SUCCESS;
        return run_child(kids[static_cast<size_t>(v)], "SWITCH", msg);
    }
    const Model* root = tls().replayRoot;
    for (uint64_t w = v; w != 0; w = __atomic_load_n(h->word, __ATOMIC_ACQUIRE)) {
        if (replay_stopped(root))
            return fail(kErrModelExecute, "aclmdlRIExecuteAsync", "the WHILE loop was ended by aclmdlRIAbort or aclFinalize");
        if (int rc = run_child(kids[0], "WHILE (body)", msg)) return rc;
    }
    return ACL_SUCCESS;
}

// A live condition handle (107017 from CANN 9.1 for anything else, 107000 before).
int find_cond_locked(const char* fn, aclmdlRICondHandle handle, CondHandle** out) {
    auto it = g().conds.find(static_cast<CondHandle*>(handle));
    if (it == g().conds.end())
        return fail(stale_handle_code(), fn, "invalid condition handle %p (destroyed with its graph, or never created)",
                    handle);
    *out = it->first;
    return ACL_SUCCESS;
}

}  // namespace

int refuse_child_locked(const char* fn, const Model& m) {
    if (m.kind != ModelKind::Child) return ACL_SUCCESS;
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                "%s is a child graph of a conditional task; %s works on its root graph only", model_label(m).c_str(), fn);
}

Capture* open_child_capture_locked(const Model* m) {
    for (auto& c : g().captures) {
        if (!c->child) continue;
        for (const Model* p = c->model->parent; p; p = p->parent)
            if (p == m) return c.get();
    }
    return nullptr;
}

// The argument blocks aclmdlRITaskGetParams handed out for a graph's kernel tasks (device memory the runtime owns).
static void free_task_args_locked(Model* m) {
    for (ModelTask& mt : m->tasks)
        if (mt.args) {
            device_word_free_locked(mt.args);
            mt.args = nullptr;
            mt.argCount = 0;
        }
}

void release_tree_locked(Model* root) {
    State& st = g();
    free_task_args_locked(root);
    for (auto& h : root->conds) {
        st.conds.erase(h.get());
        device_word_free_locked(h->word);
    }
    root->conds.clear();
    for (auto& ms : root->internalStreams) st.modelStreams.erase(ms.get());
    root->internalStreams.clear();
    std::vector<Model*> stack{root};
    while (!stack.empty()) {
        Model* m = stack.back();
        stack.pop_back();
        for (auto& k : m->children) {
            while (Capture* c = capture_of_model_locked(k.get())) drop_capture_locked(c, true);
            free_task_args_locked(k.get());
            for (auto& ms : k->internalStreams) st.modelStreams.erase(ms.get());
            k->internalStreams.clear();
            st.models.erase(k.get());
            k->live = false;
            stack.push_back(k.get());
        }
    }
}

void assign_defaults(Model* root) {
    for (auto& h : root->conds)
        if (h->assignDefault) __atomic_store_n(h->word, uint64_t{h->defaultValue}, __ATOMIC_RELEASE);
}

}  // namespace sim

using namespace sim;

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRICondHandleCreate(aclmdlRI modelRI, uint32_t defaultLaunchValue,
                                                      aclmdlRICondHandleFlag flag, aclmdlRICondHandle* handle) {
    const char* fn = "aclmdlRICondHandleCreate";
    const uint32_t flagValue = static_cast<uint32_t>(flag);
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        if (int rc = need_arg(fn, modelRI, "modelRI")) return rc;
        if (int rc = need_arg(fn, handle, "handle")) return rc;
        return flagValue > ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT
                   ? fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flag %u is not 0 or ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT", flagValue)
                   : ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    State& st = g();
    Capture* c = capture_of_model_locked(modelRI);
    if (!c) {
        auto it = st.models.find(static_cast<Model*>(modelRI));
        if (it == st.models.end())
            return fail(stale_handle_code(), fn, "invalid model handle %p", modelRI);
        if (it->second->kind == ModelKind::Built)
            return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "%s is a built graph; conditions need a captured graph",
                        model_label(*it->second).c_str());
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%s is not being captured; create condition handles during its capture (the model from "
                    "aclmdlRICaptureGetInfo)", model_label(*it->second).c_str());
    }
    if (c->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "the capture of %s was invalidated (%s)",
                    model_label(*c->model).c_str(), c->invalidReason.c_str());
    Model* root = root_of(c->model.get());
    auto h = std::make_unique<CondHandle>();
    h->model = c->model.get();
    h->word = device_word_alloc_locked(c->model->device);
    if (!h->word) return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "out of host memory for the condition word");
    h->defaultValue = defaultLaunchValue;
    h->assignDefault = flagValue == ACL_MODEL_RI_COND_HANDLE_ASSIGN_DEFAULT;
    *handle = h.get();
    st.conds[h.get()] = root;
    root->conds.push_back(std::move(h));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICondHandleGetCondPtr(aclmdlRICondHandle handle, uint64_t** ptr) {
    const char* fn = "aclmdlRICondHandleGetCondPtr";
    ApiCall call = enter_locked(fn, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        if (int rc = need_arg(fn, handle, "handle")) return rc;
        return need_arg(fn, ptr, "ptr");
    });
    if (call.rc) return call.rc;
    CondHandle* h = nullptr;
    if (int rc = find_cond_locked(fn, handle, &h)) return rc;
    *ptr = h->word;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIAddCondTask(aclmdlRICondTaskParams params, aclrtStream stream, uint32_t flags) {
    const char* fn = "aclmdlRIAddCondTask";
    const uint32_t type = static_cast<uint32_t>(params.type);
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        if (type > ACL_MODEL_RI_COND_TYPE_SWITCH) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "unknown condition type %u", type);
        if (flags != 0) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "flags %u is not 0", flags);
        if (!params.handle) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "params.handle is NULL");
        if (!params.modelRIArray) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "params.modelRIArray is NULL");
        const uint32_t n = params.size;
        const bool sizeOk = type == ACL_MODEL_RI_COND_TYPE_IF ? (n == 1 || n == 2)
                            : type == ACL_MODEL_RI_COND_TYPE_WHILE ? n == 1 : n >= 1;
        if (!sizeOk)
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "size %u is wrong for %s (IF: 1 or 2, WHILE: 1, SWITCH: 1 or more)",
                        n, cond_type_name(static_cast<int>(type)));
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    CondHandle* h = nullptr;
    if (int rc = find_cond_locked(fn, params.handle, &h)) return rc;
    Capture* c = s->cap;
    if (!c) return fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn, "%s is not capturing", stream_name(s).c_str());
    if (c->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
        return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn, "the capture on %s was invalidated (%s)",
                    stream_name(s).c_str(), c->invalidReason.c_str());
    if (c->origin != s)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn,
                    "%s joined the capture through an event; add conditional tasks on the stream that began it",
                    stream_name(s).c_str());
    if (h->model != c->model.get())
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "condition handle %p belongs to %s, but %s is capturing %s", params.handle,
                    model_label(*h->model).c_str(), stream_name(s).c_str(), model_label(*c->model).c_str());
    if (h->used)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "condition handle %p already drives a conditional task (one task per handle)", params.handle);
    Model* parent = c->model.get();
    Model* root = root_of(parent);
    std::vector<Model*> kids;
    for (uint32_t i = 0; i < params.size; ++i) {
        auto k = std::make_shared<Model>();
        k->id = g().nextId++;
        k->device = parent->device;
        k->ctx = parent->ctx;
        k->kind = ModelKind::Child;
        k->parent = parent;
        k->root = root;
        kids.push_back(k.get());
        g().models.emplace(k.get(), k);
        parent->children.push_back(std::move(k));
    }
    h->used = true;
    Task t;
    t.kind = "cond";
    t.name = fn;
    const int ty = static_cast<int>(type);
    t.run = [h, ty, kids]() { return run_cond(h, ty, kids); };
    if (int rc = submit_locked(fn, s, std::move(t))) return rc;
    std::copy(kids.begin(), kids.end(), params.modelRIArray);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureToModelRIBegin(aclrtStream stream, aclmdlRI modelRI,
                                                           aclmdlRICaptureMode mode) {
    const char* fn = "aclmdlRICaptureToModelRIBegin";
    const int modeValue = static_cast<int>(mode);
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = need_version(fn, kCann910)) return rc;
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        if (int rc = need_arg(fn, modelRI, "modelRI")) return rc;
        return capture_mode_arg(fn, modeValue);
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    auto it = st.models.find(static_cast<Model*>(modelRI));
    if (it == st.models.end() || it->second->kind != ModelKind::Child)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a child graph from aclmdlRIAddCondTask", modelRI);
    std::shared_ptr<Model> child = it->second;
    if (child->childCaptured || capture_of_model_locked(child.get()))
        return fail(ACL_ERROR_RT_MODEL_CAPTURED, fn, "%s was already captured (or is being captured)",
                    model_label(*child).c_str());
    if (s->boundTo)
        return fail(kErrStreamModel, fn, "%s is bound to a built graph", stream_name(s).c_str());
    if (s->cap) return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is already capturing", stream_name(s).c_str());
    if (s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is in a task update", stream_name(s).c_str());
    if (s->device != child->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "%s is on device %d but the graph is on device %d",
                    stream_name(s).c_str(), s->device, child->device);
    auto c = std::make_unique<Capture>();
    c->model = child;
    c->origin = s;
    c->mode = mode;
    c->thread = std::this_thread::get_id();
    c->streams.insert(s);
    c->child = true;
    s->cap = c.get();
    s->capPos = 0;
    s->known.clear();
    st.captures.push_back(std::move(c));
    return ACL_SUCCESS;
}

}  // extern "C"
