// Ascend.Interop simulator: graph capture and replay (aclmdlRI), task groups and task update.
//
// A capture records every task submitted to its streams (the origin stream and the streams that
// joined through events) into one model, in host submission order. Cross-stream dependencies can
// only point backwards in that order (an event must be recorded before it is waited on), so the
// submission order is a topological order that respects each stream's FIFO order and every event
// edge; replay runs the tasks in that order on the replay stream's worker.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sim_state.h"

namespace sim {

bool unsafe_call_refused_locked(Context* ctx) {
    Tls& t = tls();
    if (t.mode == ACL_MODEL_RI_CAPTURE_MODE_RELAXED) return false;
    auto me = std::this_thread::get_id();
    for (auto& c : g().captures) {
        if (c->mode == ACL_MODEL_RI_CAPTURE_MODE_RELAXED) continue;
        if (c->thread == me) return true;
        if (c->mode == ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && t.mode == ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && ctx &&
            c->model->device == ctx->device)
            return true;
    }
    return false;
}

void invalidate_locked(Capture* c, const std::string& why) {
    if (!c || c->status == ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED) return;
    c->status = ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED;
    c->invalidReason = why;
}

void end_capture_streams_locked(Capture* c) {
    for (Stream* s : c->streams) {
        s->cap = nullptr;
        s->capPos = 0;
        s->known.clear();
        s->openGroup = nullptr;
    }
    c->streams.clear();
    for (auto& e : g().events) {
        if (e.second->capturedBy == c) {
            e.second->capturedBy = nullptr;
            e.second->capStream = nullptr;
            e.second->capKnown.clear();
        }
    }
}

}  // namespace sim

using namespace sim;

namespace {

Capture* capture_of_model_locked(const void* m) {
    for (auto& c : g().captures)
        if (c->model.get() == m) return c.get();
    return nullptr;
}

// Removes a capture; its model is discarded unless `keep`.
void drop_capture_locked(Capture* c, bool keep) {
    State& st = g();
    end_capture_streams_locked(c);
    if (!keep && c->model->holdsBudget) {
        st.devices[c->model->device].streams--;
        c->model->holdsBudget = false;
        c->model->live = false;
    }
    for (auto it = st.captures.begin(); it != st.captures.end(); ++it) {
        if (it->get() == c) {
            st.captures.erase(it);
            break;
        }
    }
}

int find_model_locked(const char* fn, aclmdlRI modelRI, std::shared_ptr<Model>* out) {
    if (!modelRI) return fail(ACL_ERROR_INVALID_PARAM, fn, "modelRI is NULL");
    auto it = g().models.find(static_cast<Model*>(modelRI));
    if (it == g().models.end()) {
        if (capture_of_model_locked(modelRI))
            return fail(ACL_ERROR_RT_MODEL_CAPTURED, fn, "model %p is still being captured; end the capture first",
                        modelRI);
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid model handle %p (not a live captured model)", modelRI);
    }
    *out = it->second;
    return ACL_SUCCESS;
}

std::string model_label(const Model& m) {
    char buf[64];
    snprintf(buf, sizeof buf, "model %p", static_cast<const void*>(&m));
    return m.name.empty() ? std::string(buf) : std::string(buf) + " '" + m.name + "'";
}

// Host-side check at launch: every tracked buffer of the model is still allocated.
// Skipped while nothing was freed and no task replaced since the last check that passed (the result
// cannot have changed), so a replay's launch does not look up every buffer of every task.
int check_model_memory_locked(const char* fn, Model& m) {
    std::lock_guard<std::mutex> ml(m.m);
    const uint64_t epoch = g().freeEpoch;
    if (m.memoryCheckedAt == epoch) return ACL_SUCCESS;
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
    m.memoryCheckedAt = epoch;
    return ACL_SUCCESS;
}

std::string describe_replay(const void* model) {
    return "aclmdlRIExecuteAsync (" + model_label(*static_cast<const Model*>(model)) + ")";
}

Item replay_item(const std::shared_ptr<Model>& m) {
    Item it;
    it.subject = m;  // keeps the model alive while queued; the worker holds the item while fn runs
    it.describe = describe_replay;
    m->pending.fetch_add(1);
    Model* raw = m.get();  // a plain pointer: std::function stores it without a heap block
    it.fn = [m = raw](std::string& msg) {
        struct Done {
            Model* m;
            ~Done() { m->pending.fetch_sub(1); }
        } done{m};
        std::vector<std::shared_ptr<const Task>> tasks;
        {
            std::lock_guard<std::mutex> ml(m->m);
            tasks.reserve(m->tasks.size());
            for (auto& mt : m->tasks) tasks.push_back(mt.task);
        }
        bump(ACLSIM_COUNT_MODEL_EXECUTIONS, 1);
        for (size_t i = 0; i < tasks.size(); ++i) {
            int rc = run_task(*tasks[i], msg);
            if (rc != ACL_SUCCESS) {
                msg = "replay of " + model_label(*m) + ", task " + std::to_string(i) + ": " + msg;
                return rc;
            }
        }
        return ACL_SUCCESS;
    };
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

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureBegin(aclrtStream stream, aclmdlRICaptureMode mode) {
    const char* fn = "aclmdlRICaptureBegin";
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    if (mode != ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && mode != ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL &&
        mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid capture mode %d", static_cast<int>(mode));
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (s->isDefault)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "the default (NULL) stream cannot be captured; create a stream with aclrtCreateStream");
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %p is already capturing", stream);
    if (s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "stream %p is in a task update (aclmdlRICaptureTaskUpdateBegin)",
                    stream);
    Device& d = st.devices[s->device];
    if (d.streams >= st.streamLimit)
        return fail(ACL_ERROR_RT_NO_STREAM_RESOURCE, fn,
                    "device %d has no stream left for a new model (%u of %u in use: default streams, user streams "
                    "and live models); destroy models you no longer need",
                    s->device, d.streams, st.streamLimit);
    auto c = std::make_unique<Capture>();
    c->model = std::make_shared<Model>();
    c->model->id = st.nextId++;
    c->model->device = s->device;
    c->model->ctx = s->ctx;
    c->model->holdsBudget = true;
    d.streams++;
    c->origin = s;
    c->mode = mode;
    c->thread = std::this_thread::get_id();
    c->streams.insert(s);
    s->cap = c.get();
    s->capPos = 0;
    s->known.clear();
    st.captures.push_back(std::move(c));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureGetInfo(aclrtStream stream, aclmdlRICaptureStatus* status,
                                                    aclmdlRI* modelRI) {
    const char* fn = "aclmdlRICaptureGetInfo";
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    if (!status && !modelRI) return fail(ACL_ERROR_INVALID_PARAM, fn, "status and modelRI are both NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (!s->cap) {
        if (status) *status = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
        if (modelRI) *modelRI = nullptr;
        return ACL_SUCCESS;
    }
    if (status) *status = s->cap->status;
    if (modelRI) *modelRI = s->cap->model.get();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureEnd(aclrtStream stream, aclmdlRI* modelRI) {
    const char* fn = "aclmdlRICaptureEnd";
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    if (!modelRI) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "modelRI is NULL");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    Capture* c = s->cap;
    if (!c) return fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn, "%s is not capturing", stream_name(s).c_str());
    if (c->origin != s)
        return fail(kErrCaptureUnmatched, fn,
                    "%s joined a capture begun on %s; end the capture on the stream that began it",
                    stream_name(s).c_str(), stream_name(c->origin).c_str());
    *modelRI = nullptr;
    if (c->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED && c->thread != std::this_thread::get_id()) {
        // CANN leaves capture on this error: the stream exits capture and the model is discarded.
        drop_capture_locked(c, false);
        return fail(ACL_ERROR_RT_CAPTURE_WRONG_THREAD, fn,
                    "the capture on %s was begun by another thread; in GLOBAL and THREAD_LOCAL modes it must be "
                    "ended by the thread that began it (the capture has been discarded)",
                    stream_name(s).c_str());
    }
    if (c->status == ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED) {
        std::string why = c->invalidReason;
        drop_capture_locked(c, false);
        return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn,
                    "the capture was invalidated and has been discarded; cause: %s", why.c_str());
    }
    for (Stream* j : c->streams) {
        if (j->openGroup) {
            drop_capture_locked(c, false);
            return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn,
                        "a task group begun on %s was not ended (aclmdlRICaptureTaskGrpEnd); the capture has been "
                        "discarded",
                        stream_name(j).c_str());
        }
    }
    for (Stream* j : c->streams) {
        if (j == s) continue;
        auto k = s->known.find(j);
        if (k == s->known.end() || k->second < j->capPos) {
            std::string name = stream_name(j);
            drop_capture_locked(c, false);
            return fail(ACL_ERROR_RT_STREAM_UNJOINED, fn,
                        "%s joined the capture but its work was not joined back into the origin stream (record an "
                        "event on it and make the origin stream wait on it before ending); the capture has been "
                        "discarded",
                        name.c_str());
        }
    }
    std::shared_ptr<Model> m = c->model;
    drop_capture_locked(c, true);
    st.models.emplace(m.get(), m);
    for (auto& grp : m->groups) st.groups[grp.get()] = m;
    bump(ACLSIM_LIVE_MODELS, 1);
    *modelRI = m.get();
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIExecuteAsync(aclmdlRI modelRI, aclrtStream stream) {
    const char* fn = "aclmdlRIExecuteAsync";
    if (int rc = enter(fn)) return rc;
    std::lock_guard<std::mutex> l(g().mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "%s is capturing; a model cannot be executed on it",
                    stream_name(s).c_str());
    if (s->update)
        return fail(ACL_ERROR_RT_TASK_GROUP_STATUS, fn, "%s is in a task update; end it before executing a model",
                    stream_name(s).c_str());
    if (s->device != m->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "%s was captured on device %d but the stream is on device %d",
                    model_label(*m).c_str(), m->device, s->device);
    if (int rc = check_model_memory_locked(fn, *m)) return rc;
    enqueue(s, replay_item(m));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIExecute(aclmdlRI modelRI, int32_t timeout) {
    const char* fn = "aclmdlRIExecute";
    if (int rc = enter(fn)) return rc;
    if (timeout < -1 || timeout == 0)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "timeout %d invalid (-1 = forever, or > 0 ms)", timeout);
    std::shared_ptr<Stream> keep;
    {
        std::lock_guard<std::mutex> l(g().mu);
        std::shared_ptr<Model> m;
        if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
        Stream* s = nullptr;
        if (int rc = resolve_stream_locked(fn, nullptr, &s)) return rc;
        if (s->device != m->device)
            return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn, "%s was captured on device %d but the current device is %d",
                        model_label(*m).c_str(), m->device, s->device);
        if (int rc = check_model_memory_locked(fn, *m)) return rc;
        keep = s->ctx->defaultStream;
        enqueue(s, replay_item(m));
    }
    return wait_stream(fn, keep.get(), timeout, ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDestroy(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIDestroy";
    if (int rc = enter(fn)) return rc;
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
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
    bump(ACLSIM_LIVE_MODELS, -1);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDebugPrint(aclmdlRI modelRI) {
    const char* fn = "aclmdlRIDebugPrint";
    if (int rc = enter(fn)) return rc;
    std::lock_guard<std::mutex> l(g().mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
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
    if (int rc = enter(fn)) return rc;
    if (!path || !*path) return fail(ACL_ERROR_INVALID_PARAM, fn, "path is NULL or empty");
    std::lock_guard<std::mutex> l(g().mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
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

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureThreadExchangeMode(aclmdlRICaptureMode* mode) {
    const char* fn = "aclmdlRICaptureThreadExchangeMode";
    if (int rc = enter(fn)) return rc;
    if (!mode) return fail(ACL_ERROR_INVALID_PARAM, fn, "mode is NULL");
    if (*mode != ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && *mode != ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL &&
        *mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid capture mode %d", static_cast<int>(*mode));
    aclmdlRICaptureMode prev = tls().mode;
    tls().mode = *mode;
    *mode = prev;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureTaskGrpBegin(aclrtStream stream) {
    const char* fn = "aclmdlRICaptureTaskGrpBegin";
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
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
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    if (!handle) return fail(ACL_ERROR_INVALID_PARAM, fn, "handle is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
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
    if (int rc = enter(fn)) return rc;
    if (!handle) return fail(ACL_ERROR_INVALID_PARAM, fn, "handle is NULL");
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    State& st = g();
    std::lock_guard<std::mutex> l(st.mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
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
    if (int rc = enter(fn)) return rc;
    if (!stream)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    if (int rc = resolve_stream_locked(fn, stream, &s)) return rc;
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

ACL_FUNC_VISIBILITY aclError aclmdlRISetName(aclmdlRI modelRI, const char* name) {
    const char* fn = "aclmdlRISetName";
    if (int rc = enter(fn)) return rc;
    if (!name) return fail(ACL_ERROR_INVALID_PARAM, fn, "name is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    std::lock_guard<std::mutex> ml(m->m);
    m->name = name;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetName(aclmdlRI modelRI, uint32_t maxLen, char* name) {
    const char* fn = "aclmdlRIGetName";
    if (int rc = enter(fn)) return rc;
    if (!name) return fail(ACL_ERROR_INVALID_PARAM, fn, "name is NULL");
    std::lock_guard<std::mutex> l(g().mu);
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    std::lock_guard<std::mutex> ml(m->m);
    if (static_cast<size_t>(maxLen) < m->name.size() + 1)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "maxLen %u is too small for the name (%zu bytes plus NUL)", maxLen,
                    m->name.size());
    memcpy(name, m->name.c_str(), m->name.size() + 1);
    return ACL_SUCCESS;
}

}  // extern "C"
