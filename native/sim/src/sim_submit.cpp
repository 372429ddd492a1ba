// Ascend.Interop simulator runtime core: the entry of exported calls (stream and context
// resolution) and task submission (capture recording, task-group updates, the stream queue).
#include "sim_state.h"

namespace sim {

int resolve_stream_locked(const char* fn, aclrtStream stream, Stream** out) {
    State& st = g();
    Context* c = cur_ctx_locked();
    if (!stream) {
        if (!c)
            return fail(ACL_ERROR_RT_CONTEXT_NULL, fn,
                        "the NULL (default) stream needs a current device; call aclrtSetDevice first");
        *out = c->defaultStream.get();
        return ACL_SUCCESS;
    }
    auto it = st.streams.find(static_cast<Stream*>(stream));
    if (it == st.streams.end())
        return fail(stale_handle_code(), fn, "invalid stream handle %p (not a live stream)", stream);
    Stream* s = it->second.get();
    if (!c) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
    if (c->device != s->device)
        return fail(ACL_ERROR_RT_STREAM_CONTEXT, fn,
                    "stream %p belongs to device %d but the current context is on device %d", stream, s->device,
                    c->device);
    *out = s;
    return ACL_SUCCESS;
}

int32_t stream_device(const char* fn, aclrtStream stream) {
    ApiCall call;
    lock_state(call);
    resolve_stream(fn, stream, call);
    return call.rc == ACL_SUCCESS ? call.device : -1;
}

void lock_state(ApiCall& call) { call.lock = std::unique_lock<std::mutex>(g().mu); }

void resolve_stream(const char* fn, aclrtStream stream, ApiCall& call) {
    if ((call.rc = resolve_stream_locked(fn, stream, &call.stream)) != ACL_SUCCESS) return;
    call.ctx = call.stream->ctx;
    call.device = call.stream->device;
}

void resolve_context(const char* fn, ApiCall& call) {
    if ((call.rc = need_ctx_locked(fn, &call.ctx)) != ACL_SUCCESS) return;
    call.device = call.ctx->device;
}

int need_ctx_locked(const char* fn, Context** out) {
    *out = cur_ctx_locked();
    if (!*out) return fail(ACL_ERROR_RT_CONTEXT_NULL, fn, "no current context on this thread; call aclrtSetDevice first");
    return ACL_SUCCESS;
}

static std::string describe_task(const void* task) {
    const Task& t = *static_cast<const Task*>(task);
    return t.name + " (" + t.kind + ")";
}

std::string item_what(const Item& it) { return it.describe ? it.describe(it.subject.get()) : it.what; }

int submit_locked(const char* fn, Stream* s, Task&& t) {
    State& st = g();
    if (!t.run) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "internal: task '%s' has no work", t.name.c_str());
    for (const TaskBuffer& b : t.buffers) {
        if (b.allocationId && !allocation_live_locked(b.allocationId)) {
            int rc = fail(ACL_ERROR_RT_PARAM_INVALID, fn, "buffer %p (%zu bytes) of task '%s' was already freed",
                          b.ptr, b.bytes, t.name.c_str());
            if (s->cap) invalidate_locked(s->cap, tls().err);
            return rc;
        }
    }
    if (s->cap) {
        Capture* c = s->cap;
        if (c->status != ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE)
            return fail(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, fn,
                        "the capture on %s was invalidated (%s); end it with aclmdlRICaptureEnd",
                        stream_name(s).c_str(), c->invalidReason.c_str());
        ModelTask mt;
        mt.streamId = s->id;
        mt.task = std::make_shared<const Task>(std::move(t));
        std::lock_guard<std::mutex> ml(c->model->m);
        size_t idx = c->model->tasks.size();
        mt.seq = static_cast<uint32_t>(idx);
        if (s->openGroup) {
            mt.group = s->openGroup->index;
            s->openGroup->tasks.push_back(idx);
        }
        if (mt.task->info.key) c->model->launchValues = true;
        c->model->tasks.push_back(std::move(mt));
        c->model->streamIds.insert(s->id);
        s->capPos++;
        return ACL_SUCCESS;
    }
    if (s->boundTo) return append_built_task_locked(fn, s, std::move(t));
    if (s->update) {
        Update* u = s->update;
        size_t i = u->tasks.size();
        if (u->failed)
            return fail(kErrTaskGroupUpdate, fn, "the task update on %s already failed: %s",
                        stream_name(s).c_str(), u->failMsg.c_str());
        std::lock_guard<std::mutex> ml(u->model->m);
        if (i >= u->group->tasks.size()) {
            u->failed = true;
            u->failMsg = "more tasks issued than the group holds (" + std::to_string(u->group->tasks.size()) + ")";
            return fail(kErrTaskGroupUpdate, fn, "task update: %s", u->failMsg.c_str());
        }
        const Task& old = *u->model->tasks[u->group->tasks[i]].task;
        if (old.kind != t.kind || old.name != t.name) {
            u->failed = true;
            u->failMsg = "task " + std::to_string(i) + " of the group is '" + old.name + "' (" + old.kind +
                         ") but '" + t.name + "' (" + t.kind + ") was issued";
            return fail(kErrTaskGroupUpdate, fn, "task update: %s", u->failMsg.c_str());
        }
        if (t.info.key) u->model->launchValues = true;
        u->tasks.push_back(std::make_shared<const Task>(std::move(t)));
        return ACL_SUCCESS;
    }
    (void)st;
    auto tp = std::make_shared<const Task>(std::move(t));
    Item it;
    const Task* raw = tp.get();  // kept alive by it.subject; a plain pointer fits std::function's inline storage
    it.subject = std::move(tp);
    it.describe = describe_task;
    it.fn = [raw](std::string& msg) { return run_task(*raw, msg); };
    enqueue(s, std::move(it));
    return ACL_SUCCESS;
}

int submit(const char* fn, aclrtStream stream, Task&& t) {
    ApiCall call;
    lock_state(call);
    resolve_stream(fn, stream, call);
    if (call.rc) return call.rc;
    return submit_locked(fn, call.stream, std::move(t));
}

void invalidate_capture(aclrtStream stream, const char* reason) {
    std::lock_guard<std::mutex> l(g().mu);
    Stream* s = nullptr;
    Tls saved = tls();
    if (resolve_stream_locked("invalidate_capture", stream, &s) == ACL_SUCCESS && s->cap)
        invalidate_locked(s->cap, reason ? reason : "a submission failed");
    tls() = saved;  // resolution errors here must not overwrite the caller's message
}

}  // namespace sim
