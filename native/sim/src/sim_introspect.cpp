// Ascend.Interop simulator: introspection of graphs (CANN 9.1: aclmdlRIGetStreams, GetTasksByStream,
// TaskGetType, TaskGetSeqId, TaskGetParams, KernelTaskGetAttribute). The streams of a captured graph
// are internal handles, one per stream that took part in the capture, in order of first use; a built
// graph's are its bound streams, head first. A task handle is the address of the graph's task record.
#include <algorithm>
#include <cstring>
#include <set>

#include "sim_graph.h"

namespace sim {

int find_task_locked(const char* fn, aclmdlRITask task, Model** model, ModelTask** out) {
    if (!task) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "task is NULL");
    auto look = [&](Model* m) {
        for (auto& mt : m->tasks)
            if (&mt == task) {
                *model = m;
                *out = &mt;
                return true;
            }
        return false;
    };
    for (auto& kv : g().models)
        if (look(kv.first)) return ACL_SUCCESS;
    for (auto& c : g().captures)
        if (look(c->model.get())) return ACL_SUCCESS;
    // CANN does not validate task handles (a stale one is undefined behaviour); the simulator refuses it.
    return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%p is not a task of a live graph (aclmdlRIGetTasksByStream)", task);
}

int task_type(const ModelTask& mt) {
    const Task& t = *mt.task;
    if (t.info.type) return t.info.type;
    return t.kind == "kernel" ? ACL_MODEL_RI_TASK_KERNEL : ACL_MODEL_RI_TASK_DEFAULT;
}

void* kernel_func_handle(const Task& t) {
    static std::set<std::string>* names = new std::set<std::string>();
    return const_cast<std::string*>(&*names->insert(t.name).first);
}

}  // namespace sim

using namespace sim;

namespace {

// The count / partial-fill convention of GetStreams and GetTasksByStream.
template <class T>
int fill_array(const char* fn, const std::vector<T>& all, T* out, uint32_t* n) {
    const size_t total = all.size();
    if (!out) {
        *n = static_cast<uint32_t>(total);
        return ACL_SUCCESS;
    }
    if (*n == 0)
        return fail(ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY, fn, "the array has capacity 0 (%zu needed)", total);
    const uint32_t cap = *n;
    const size_t k = std::min<size_t>(cap, total);
    for (size_t i = 0; i < cap; ++i) out[i] = i < k ? all[i] : nullptr;
    *n = static_cast<uint32_t>(k);
    if (cap < total)
        return fail(ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY, fn, "the array holds %u of %zu; the first %u were written", cap,
                    total, cap);
    return ACL_SUCCESS;
}

// The internal stream handles of a captured graph, made at the first call.
std::vector<aclrtStream> graph_streams_locked(Model& m) {
    std::vector<aclrtStream> out;
    if (m.kind == ModelKind::Built) {
        for (Stream* s : m.bound) out.push_back(s);
        return out;
    }
    if (m.internalStreams.empty()) {
        std::vector<uint64_t> order;
        for (auto& mt : m.tasks)
            if (std::find(order.begin(), order.end(), mt.streamId) == order.end()) order.push_back(mt.streamId);
        for (uint64_t id : m.streamIds)
            if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
        for (uint64_t id : order) {
            auto ms = std::make_unique<ModelStream>();
            ms->model = &m;
            ms->streamId = id;
            g().modelStreams[ms.get()] = &m;
            m.internalStreams.push_back(std::move(ms));
        }
    }
    for (auto& ms : m.internalStreams) out.push_back(ms.get());
    return out;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclmdlRIGetStreams(aclmdlRI modelRI, aclrtStream* streams, uint32_t* numStreams) {
    const char* fn = "aclmdlRIGetStreams";
    ApiCall call = enter_locked(fn, [&] { return need_version(fn, kCann910); });
    if (call.rc) return call.rc;
    if (!modelRI || !numStreams)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is NULL", modelRI ? "numStreams" : "modelRI");
    std::shared_ptr<Model> m;
    if (int rc = find_model_locked(fn, modelRI, &m)) return rc;
    if (int rc = refuse_child_locked(fn, *m)) return rc;
    std::lock_guard<std::mutex> ml(m->m);
    return fill_array(fn, graph_streams_locked(*m), streams, numStreams);
}

ACL_FUNC_VISIBILITY aclError aclmdlRIGetTasksByStream(aclrtStream stream, aclmdlRITask* tasks, uint32_t* numTasks) {
    const char* fn = "aclmdlRIGetTasksByStream";
    ApiCall call = enter_locked(fn, [&] { return need_version(fn, kCann910); });
    if (call.rc) return call.rc;
    if (!stream || !numTasks) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "%s is NULL", stream ? "numTasks" : "stream");
    State& st = g();
    Model* m = nullptr;
    uint64_t streamId = 0;
    auto ms = st.modelStreams.find(static_cast<ModelStream*>(stream));
    if (ms != st.modelStreams.end()) {
        m = ms->second;
        streamId = ms->first->streamId;
    } else {
        auto us = st.streams.find(static_cast<Stream*>(stream));
        if (us != st.streams.end() && us->second->boundTo) {
            m = us->second->boundTo;
            streamId = us->second->id;
        }
    }
    if (!m)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn,
                    "%p is not a stream of a graph (take the streams of a graph from aclmdlRIGetStreams)", stream);
    std::lock_guard<std::mutex> ml(m->m);
    std::vector<aclmdlRITask> all;
    for (auto& mt : m->tasks)
        if (mt.streamId == streamId) all.push_back(&mt);
    return fill_array(fn, all, tasks, numTasks);
}

ACL_FUNC_VISIBILITY aclError aclmdlRITaskGetType(aclmdlRITask task, aclmdlRITaskType* type) {
    const char* fn = "aclmdlRITaskGetType";
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt);
    if (call.rc) return call.rc;
    if (!type) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "type is NULL");
    *type = static_cast<aclmdlRITaskType>(task_type(*mt));
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRITaskGetSeqId(aclmdlRITask task, uint32_t* id) {
    const char* fn = "aclmdlRITaskGetSeqId";
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt);
    if (call.rc) return call.rc;
    if (!id) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "id is NULL");
    if (m->kind == ModelKind::Built)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "sequence ids exist for tasks of captured graphs only");
    *id = mt->seq;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRITaskGetParams(aclmdlRITask task, aclmdlRITaskParams* params) {
    const char* fn = "aclmdlRITaskGetParams";
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt);
    if (call.rc) return call.rc;
    if (!params) return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "params is NULL");
    const int type = task_type(*mt);
    if (type == ACL_MODEL_RI_TASK_DEFAULT)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "task %p ('%s', %s) is a DEFAULT task; it has no parameters", task,
                    mt->task->name.c_str(), mt->task->kind.c_str());
    if (type == ACL_MODEL_RI_TASK_KERNEL && m->kind == ModelKind::Built)
        return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "kernel parameters exist for tasks of captured graphs only");
    std::memset(params, 0, sizeof *params);
    params->type = static_cast<aclmdlRITaskType>(type);
    const TaskInfo& info = mt->task->info;
    if (type == ACL_MODEL_RI_TASK_KERNEL) {
        std::lock_guard<std::mutex> ml(m->m);
        // CANN returns a device copy of the argument block (isHostArgs 0): device memory the runtime owns until the
        // root graph is destroyed, rewritten at each call (a task-group update may have changed the buffers).
        const size_t n = std::max<size_t>(1, mt->task->buffers.size());
        if (mt->argCount != n) {
            if (mt->args) device_word_free_locked(mt->args);
            mt->args = device_words_alloc_locked(m->device, n);
            mt->argCount = mt->args ? n : 0;
            if (!mt->args) return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, fn, "out of host memory for the argument block");
        }
        for (size_t i = 0; i < n; ++i)
            mt->args[i] = i < mt->task->buffers.size() ? reinterpret_cast<uintptr_t>(mt->task->buffers[i].ptr) : 0;
        auto& k = params->kernelTaskParams;
        k.funcHandle = kernel_func_handle(*mt->task);
        k.args = mt->args;
        k.argsSize = n * sizeof(uint64_t);
        k.numBlocks = 1;
        if (mt->group >= 0) params->taskGrp = m->groups[static_cast<size_t>(mt->group)].get();
    } else if (type == ACL_MODEL_RI_TASK_VALUE_WRITE) {
        params->valueWriteTaskParams.devAddr = info.addr;
        params->valueWriteTaskParams.value = info.value;
    } else if (type == ACL_MODEL_RI_TASK_VALUE_WAIT) {
        params->valueWaitTaskParams.devAddr = info.addr;
        params->valueWaitTaskParams.value = info.value;
        params->valueWaitTaskParams.flag = info.flag;
    } else {  // event record / wait / reset share one layout
        params->eventRecordTaskParams.event = info.event;
        params->eventRecordTaskParams.eventFlag = info.eventFlags;
        params->eventRecordTaskParams.recordFlag = info.flag;
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIKernelTaskGetAttribute(aclmdlRITask task, aclrtLaunchKernelAttrId attrId,
                                                           aclrtLaunchKernelAttrValue* attrValue) {
    const char* fn = "aclmdlRIKernelTaskGetAttribute";
    const int id = static_cast<int>(attrId);
    Model* m = nullptr;
    ModelTask* mt = nullptr;
    ApiCall call = enter_task(fn, task, &m, &mt, [&] {
        if (int rc = need_arg(fn, task, "task")) return rc;
        return need_arg(fn, attrValue, "attrValue");
    });
    if (call.rc) return call.rc;
    if (task_type(*mt) != ACL_MODEL_RI_TASK_KERNEL)
        return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "task %p is not a kernel task", task);
    switch (id) {
        case ACL_RT_LAUNCH_KERNEL_ATTR_SCHEM_MODE:
        case ACL_RT_LAUNCH_KERNEL_ATTR_DYN_UBUF_SIZE:
        case ACL_RT_LAUNCH_KERNEL_ATTR_DATA_DUMP:
        case ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT:
        case ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT_US:
            std::memset(attrValue, 0, sizeof *attrValue);  // simulated kernels launch with every attribute at its default
            return ACL_SUCCESS;
        default:
            return fail(ACL_ERROR_RT_PARAM_INVALID, fn, "attribute %d cannot be read back from a task", id);
    }
}

}  // extern "C"
