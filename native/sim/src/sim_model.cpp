// Ascend.Interop simulator: captured models (aclmdlRI) after capture: replay (Execute, ExecuteAsync),
// destroy, names and the debug dumps.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sim_graph.h"

namespace sim {

int find_model_locked(const char* fn, aclmdlRI modelRI, std::shared_ptr<Model>* out) {
    if (!modelRI) return fail(ACL_ERROR_INVALID_PARAM, fn, "modelRI is NULL");
    if (capture_of_model_locked(modelRI))
        return fail(ACL_ERROR_RT_MODEL_CAPTURED, fn, "model %p is still being captured; end the capture first", modelRI);
    auto it = g().models.find(static_cast<Model*>(modelRI));
    if (it == g().models.end())
        return fail(stale_handle_code(), fn, "invalid model handle %p (not a live graph)", modelRI);
    *out = it->second;
    return ACL_SUCCESS;
}

std::string model_label(const Model& m) {
    char buf[64];
    snprintf(buf, sizeof buf, "model %p", static_cast<const void*>(&m));
    return m.name.empty() ? std::string(buf) : std::string(buf) + " '" + m.name + "'";
}

int run_graph(Model* m, std::string& msg) {
    std::vector<std::shared_ptr<const Task>> tasks;
    {
        std::lock_guard<std::mutex> ml(m->m);
        tasks.reserve(m->tasks.size());
        for (auto& mt : m->tasks) tasks.push_back(mt.disabled ? nullptr : mt.task);
    }
    const Model* root = root_of(m);
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (!tasks[i]) continue;
        if (root->abort.load()) {
            msg = "replay of " + model_label(*m) + " was aborted (aclmdlRIAbort)";
            return kErrModelExecute;
        }
        int rc = run_task(*tasks[i], msg);
        if (rc != ACL_SUCCESS) {
            msg = "replay of " + model_label(*m) + ", task " + std::to_string(i) + ": " + msg;
            return rc;
        }
    }
    return ACL_SUCCESS;
}

}  // namespace sim

using namespace sim;

namespace {

// Host-side check at launch: every tracked buffer of the model is still allocated.
// Skipped while nothing was freed and no task replaced since the last check that passed (the result
// cannot have changed), so a replay's launch does not look up every buffer of every task.
int check_tasks_memory_locked(const char* fn, Model& m) {
    for (size_t i = 0; i < m.tasks.size(); ++i) {
        const Task& t = *m.tasks[i].task;
        for (const TaskBuffer& b : t.buffers) {
            if (b.allocationId && !allocation_live_locked(b.allocationId))
                return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                            "%s task %zu '%s' (%s) uses buffer %p (%zu bytes) that was freed after capture "
                            "(memory used by a captured model must stay allocated until the model is destroyed)",
                            model_label(m).c_str(), i, t.name.c_str(), t.kind.c_str(), b.ptr, b.bytes);
        }
    }
    for (auto& k : m.children) {
        std::lock_guard<std::mutex> kl(k->m);
        if (int rc = check_tasks_memory_locked(fn, *k)) return rc;
    }
    return ACL_SUCCESS;
}

int check_model_memory_locked(const char* fn, Model& m) {
    std::lock_guard<std::mutex> ml(m.m);
    const uint64_t epoch = g().freeEpoch;
    if (m.memoryCheckedAt == epoch) return ACL_SUCCESS;
    if (int rc = check_tasks_memory_locked(fn, m)) return rc;
    m.memoryCheckedAt = epoch;
    return ACL_SUCCESS;
}

// What every launch checks: a root graph (207000 for a child), READY (507011 while UPDATING or FAULT),
// its memory still allocated.
int check_launch_locked(const char* fn, Model& m) {
    if (int rc = refuse_child_locked(fn, m)) return rc;
    if (m.kind == ModelKind::Built) {
        bool ended = m.buildEnded;
        for (Stream* b : m.bound) ended = ended && m.ended.count(b);
        if (!ended)
            return fail(kErrModelExecute, fn,
                        "%s is not finished: call aclmdlRIEndTask on each bound stream, then aclmdlRIBuildEnd",
                        model_label(m).c_str());
    }
    if (m.state != ModelState::Ready)
        return fail(kErrModelExecute, fn, "%s is %s; %s", model_label(m).c_str(),
                    m.state == ModelState::Updating ? "UPDATING" : "FAULT",
                    m.state == ModelState::Updating ? "apply the edits with aclmdlRIUpdate first"
                                                    : "an edit failed; destroy it and capture again");
    return check_model_memory_locked(fn, m);
}

std::string describe_replay(const void* model) {
    return "aclmdlRIExecuteAsync (" + model_label(*static_cast<const Model*>(model)) + ")";
}

// One replay on the stream's worker: the tasks in order, with the launch's values (NULL: none).
int run_replay(Model* m, const LaunchValues* launch, std::string& msg) {
    struct Done {
        Model* m;
        ~Done() { m->pending.fetch_sub(1); }
    } done{m};
    bump(ACLSIM_COUNT_MODEL_EXECUTIONS, 1);
    struct Root {
        ~Root() {
            tls().replayRoot = nullptr;
            tls().launch = nullptr;
        }
    } rootScope;
    tls().replayRoot = m;
    tls().launch = launch;
    assign_defaults(m);
    return run_graph(m, msg);
}

Item replay_item(const std::shared_ptr<Model>& m, std::shared_ptr<LaunchValues> launch) {
    Item it;
    it.subject = m;  // keeps the model alive while queued; the worker holds the item while fn runs
    it.describe = describe_replay;
    m->pending.fetch_add(1);
    Model* raw = m.get();
    if (!launch) {
        // A plain pointer: std::function stores it without a heap block (no allocation per replay, and
        // none freed on the worker).
        it.fn = [m = raw](std::string& msg) { return run_replay(m, nullptr, msg); };
    } else {
        it.fn = [m = raw, launch = std::move(launch)](std::string& msg) { return run_replay(m, launch.get(), msg); };
    }
    return it;
}

void json_str(FILE* f, const std::string& s) {
    fputc('"', f);
    for (unsigned char ch : s) {
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

// The end of every launch of a graph on `s`: same device (`where` words the stream's device in the message), a
// launchable graph, its launch values, then the replay queued.
int enqueue_replay_locked(const char* fn, const std::shared_ptr<Model>& m, Stream* s, const char* where) {
    if (s->device != m->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "%s was captured on device %d but %s %d", model_label(*m).c_str(),
                    m->device, where, s->device);
    if (int rc = check_launch_locked(fn, *m)) return rc;
    std::shared_ptr<LaunchValues> launch;
    if (int rc = prepare_launch_locked(fn, *m, &launch)) return rc;
    enqueue(s, replay_item(m, std::move(launch)));
    return ACL_SUCCESS;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRIExecuteAsync(aclmdlRI modelRI, aclrtStream stream) {
    const char* fn = "aclmdlRIExecuteAsync";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m);
    if (call.rc) return call.rc;
    resolve_stream(fn, stream, call);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; a model cannot be executed on it",
                    stream_name(s).c_str());
    if (s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is in a task update; end it before executing a model",
                    stream_name(s).c_str());
    if (s->boundTo)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is bound to a built graph; execute on another stream",
                    stream_name(s).c_str());
    return enqueue_replay_locked(fn, m, s, "the stream is on device");
}

ACL_FUNC_VISIBILITY aclError aclmdlRIExecute(aclmdlRI modelRI, int32_t timeout) {
    const char* fn = "aclmdlRIExecute";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m, [&] { return check_timeout(fn, timeout); });
    if (call.rc) return call.rc;
    resolve_stream(fn, nullptr, call);
    if (call.rc) return call.rc;
    Stream* s = call.stream;
    if (m->kind == ModelKind::Captured && cann_version() >= kCann910)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%s is a captured graph; from CANN 9.1 only aclmdlRIExecuteAsync runs captured graphs "
                    "(aclmdlRIExecute runs graphs built with aclmdlRIBuildBegin)", model_label(*m).c_str());
    std::shared_ptr<Stream> keep = s->ctx->defaultStream;
    if (int rc = enqueue_replay_locked(fn, m, s, "the current device is")) return rc;
    call.lock.unlock();
    return wait_stream(fn, keep.get(), timeout, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDestroy(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIDestroy";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m);
    if (call.rc) return call.rc;
    if (int rc = refuse_child_locked(fn, *m)) return rc;
    State& st = g();
    for (auto& sp : st.streams)
        if (sp.second->update && sp.second->update->model == m)
            return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is being updated on %s; end the update first",
                        model_label(*m).c_str(), stream_name(sp.second.get()).c_str());
    if (int n = m->pending.load())
        return fail(kErrModelRunning, fn, "%s still has %d replay(s) queued or running; synchronize the stream first",
                    model_label(*m).c_str(), n);
    st.models.erase(m.get());
    for (auto& grp : m->groups) st.groups.erase(grp.get());
    if (m->holdsBudget) {
        st.devices[m->device].streams--;
        m->holdsBudget = false;
    }
    m->live = false;
    release_tree_locked(m.get());
    for (Stream* b : m->bound) b->boundTo = nullptr;
    m->bound.clear();
    bump(ACLSIM_LIVE_MODELS, -1);
    // The destroy callbacks run at the end, in ascending function-address order, without the lock.
    std::map<uintptr_t, void*> callbacks = std::move(m->destroyCallbacks);
    call.lock.unlock();
    for (auto& cb : callbacks) reinterpret_cast<aclrtCallback>(cb.first)(cb.second);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDebugPrint(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIDebugPrint";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m);
    if (call.rc) return call.rc;
    std::lock_guard<std::mutex> ml(m->m);
    fprintf(stderr, "[ascend-sim] %s: device %d, %zu task(s), %zu stream(s), %zu task group(s)\n",
            model_label(*m).c_str(), m->device, m->tasks.size(), m->streamIds.size(), m->groups.size());
    for (size_t i = 0; i < m->tasks.size(); ++i)
        fprintf(stderr, "[ascend-sim]   #%zu %s %s\n", i, m->tasks[i].task->kind.c_str(),
                m->tasks[i].task->name.c_str());
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDebugJsonPrint(aclmdlRI modelRI, const char* path, uint32_t flags) {
    const char* fn = "aclmdlRIDebugJsonPrint";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m, [&] {
        return path && *path ? ACL_SUCCESS : fail(ACL_ERROR_INVALID_PARAM, fn, "path is NULL or empty");
    });
    if (call.rc) return call.rc;
    FILE* f = fopen(path, "w");
    if (!f) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "cannot open '%s' for writing: %s", path, strerror(errno));
    std::lock_guard<std::mutex> ml(m->m);
    fprintf(f, "{\n  \"model\": \"%p\",\n  \"name\": ", static_cast<void*>(m.get()));
    json_str(f, m->name);
    fprintf(f, ",\n  \"device\": %d,\n  \"flags\": %u,\n  \"task_count\": %zu,\n  \"tasks\": [", m->device, flags,
            m->tasks.size());
    for (size_t i = 0; i < m->tasks.size(); ++i) {
        const ModelTask& mt = m->tasks[i];
        fprintf(f, "%s\n    {\"index\": %zu, \"kind\": ", i ? "," : "", i);
        json_str(f, mt.task->kind);
        fprintf(f, ", \"name\": ");
        json_str(f, mt.task->name);
        fprintf(f, ", \"stream\": %llu, \"task_group\": %d, \"buffers\": [",
                static_cast<unsigned long long>(mt.streamId), mt.group);
        for (size_t b = 0; b < mt.task->buffers.size(); ++b) {
            const TaskBuffer& tb = mt.task->buffers[b];
            fprintf(f, "%s{\"address\": \"%p\", \"bytes\": %zu, \"allocation_id\": %llu, \"write\": %s}",
                    b ? ", " : "", tb.ptr, tb.bytes, static_cast<unsigned long long>(tb.allocationId),
                    tb.write ? "true" : "false");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ],\n  \"task_groups\": [");
    for (size_t gi = 0; gi < m->groups.size(); ++gi) {
        fprintf(f, "%s\n    {\"index\": %zu, \"tasks\": [", gi ? "," : "", gi);
        for (size_t k = 0; k < m->groups[gi]->tasks.size(); ++k)
            fprintf(f, "%s%zu", k ? ", " : "", m->groups[gi]->tasks[k]);
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ]\n}\n");
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "writing '%s' failed", path);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRISetName(aclmdlRI modelRI, const char* name) {
    const char* fn = "aclmdlRISetName";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m, [&] { return need_arg(fn, name, "name"); });
    if (call.rc) return call.rc;
    std::lock_guard<std::mutex> ml(m->m);
    m->name = name;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetName(aclmdlRI modelRI, uint32_t maxLen, char* name) {
    const char* fn = "aclmdlRIGetName";
    std::shared_ptr<Model> m;
    ApiCall call = enter_model(fn, modelRI, &m, [&] { return need_arg(fn, name, "name"); });
    if (call.rc) return call.rc;
    std::lock_guard<std::mutex> ml(m->m);
    if (static_cast<size_t>(maxLen) < m->name.size() + 1)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "maxLen %u is too small for the name (%zu bytes plus NUL)", maxLen,
                    m->name.size());
    memcpy(name, m->name.c_str(), m->name.size() + 1);
    return ACL_SUCCESS;
}

}  // extern "C"
