// Ascend.Interop simulator: graph capture (aclmdlRICaptureBegin/GetInfo/End) and the capture modes.
//
// A capture records every task submitted to its streams (the origin stream and the streams that
// joined through events) into one model, in host submission order. Cross-stream dependencies can
// only point backwards in that order (an event must be recorded before it is waited on), so the
// submission order is a topological order that respects each stream's FIFO order and every event
// edge; replay runs the tasks in that order on the replay stream's worker.
#include "sim_graph.h"

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

int capture_mode_arg(const char* fn, int mode) {
    if (mode != ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && mode != ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL &&
        mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "invalid capture mode %d", mode);
    return ACL_SUCCESS;
}

int capture_stream_arg(const char* fn, aclrtStream stream) {
    if (stream) return ACL_SUCCESS;
    return fail(ACL_ERROR_INVALID_PARAM, fn, "stream is NULL (the default stream cannot be used for graph capture)");
}

Capture* capture_of_model_locked(const void* m) {
    for (auto& c : g().captures)
        if (c->model.get() == m) return c.get();
    return nullptr;
}

// Removes a capture; its model is discarded unless `keep`.
void drop_capture_locked(Capture* c, bool keep) {
    State& st = g();
    end_capture_streams_locked(c);
    if (!keep && !c->child) release_tree_locked(c->model.get());
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


// aclmdlRICaptureEnd of a child graph's capture (aclmdlRICaptureToModelRIBegin). A failure drops the
// child's capture and invalidates the capture of its root, so the whole graph is discarded at its end.
int end_child_capture_locked(const char* fn, Capture* c, aclmdlRI* modelRI) {
    Stream* s = c->origin;
    std::shared_ptr<Model> child = c->model;
    Capture* rootCap = capture_of_model_locked(root_of(child.get()));
    auto refuse = [&](int code, const std::string& why) {
        drop_capture_locked(c, true);
        if (rootCap) invalidate_locked(rootCap, "the capture of a child graph failed: " + why);
        return fail(code, fn, "%s; the child capture was discarded and its root capture invalidated", why.c_str());
    };
    if (modelRI) *modelRI = nullptr;
    if (Capture* open = open_child_capture_locked(child.get()))
        return refuse(ACL_ERROR_RT_SUB_ACLGRAPH_IS_CAPTURING,
                      "child graph " + model_label(*open->model) + " is still being captured");
    if (c->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED && c->thread != std::this_thread::get_id())
        return refuse(ACL_ERROR_RT_CAPTURE_WRONG_THREAD, "the child capture was begun by another thread");
    if (c->status == ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED)
        return refuse(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "the child capture was invalidated: " + c->invalidReason);
    for (Stream* j : c->streams) {
        if (j->openGroup) return refuse(ACL_ERROR_RT_TASK_GROUP_STATUS, "a task group on " + stream_name(j) + " was not ended");
        if (j == s) continue;
        auto k = s->known.find(j);
        if (k == s->known.end() || k->second < j->capPos)
            return refuse(ACL_ERROR_RT_STREAM_UNJOINED, stream_name(j) + " was not joined back into " + stream_name(s));
    }
    drop_capture_locked(c, true);
    child->childCaptured = true;
    if (modelRI) *modelRI = child.get();
    return ACL_SUCCESS;
}

}  // namespace sim

using namespace sim;

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureBegin(aclrtStream stream, aclmdlRICaptureMode mode) {
    const char* fn = "aclmdlRICaptureBegin";
    // Read as an int here: a lambda reading the enum parameter through its reference is an enum load, which UBSan
    // reports for the out-of-range values the check exists to refuse.
    const int modeValue = static_cast<int>(mode);
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        return capture_mode_arg(fn, modeValue);
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    if (s->isDefault)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "the default (NULL) stream cannot be captured; create a stream with aclrtCreateStream");
    if (s->cap)
        return fail(ACL_ERROR_RT_STREAM_CAPTURED, fn, "stream %p is already capturing", stream);
    if (s->boundTo)
        return fail(kErrStreamModel, fn, "stream %p is bound to a built graph (aclmdlRIBindStream)", stream);
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
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        if (!status && !modelRI) return fail(ACL_ERROR_INVALID_PARAM, fn, "status and modelRI are both NULL");
        return ACL_SUCCESS;
    });
    if (call.rc) return call.rc;
    Stream* s = call.stream;
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
    // CANN 9.0's acl layer refuses a NULL modelRI (100000); 9.1 refuses it for a root capture only (107000).
    const bool nullOk = cann_version() >= kCann910;
    ApiCall call = enter_stream(fn, stream, [&] {
        if (int rc = capture_stream_arg(fn, stream)) return rc;
        return modelRI || nullOk ? ACL_SUCCESS : fail(ACL_ERROR_INVALID_PARAM, fn, "modelRI is NULL");
    });
    if (call.rc) return call.rc;
    State& st = g();
    Stream* s = call.stream;
    Capture* c = s->cap;
    if (!c) return fail(ACL_ERROR_RT_STREAM_NOT_CAPTURED, fn, "%s is not capturing", stream_name(s).c_str());
    if (c->origin != s)
        return fail(kErrCaptureUnmatched, fn,
                    "%s joined a capture begun on %s; end the capture on the stream that began it",
                    stream_name(s).c_str(), stream_name(c->origin).c_str());
    if (!modelRI && !c->child) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "modelRI is NULL");
    if (c->child) return end_child_capture_locked(fn, c, modelRI);
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
    if (Capture* open = open_child_capture_locked(c->model.get())) {
        std::string name = model_label(*open->model);
        drop_capture_locked(c, false);
        return fail(ACL_ERROR_RT_SUB_ACLGRAPH_IS_CAPTURING, fn,
                    "child graph %s is still being captured (end it with aclmdlRICaptureEnd on its stream first); the "
                    "whole capture has been discarded", name.c_str());
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

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureThreadExchangeMode(aclmdlRICaptureMode* mode) {
    const char* fn = "aclmdlRICaptureThreadExchangeMode";
    if (int rc = enter(fn)) return rc;
    if (int rc = need_arg(fn, mode, "mode")) return rc;
    if (int rc = capture_mode_arg(fn, *mode)) return rc;
    aclmdlRICaptureMode prev = tls().mode;
    tls().mode = *mode;
    *mode = prev;
    return ACL_SUCCESS;
}

}  // extern "C"
