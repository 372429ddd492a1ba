// Ascend.Interop simulator: aclnn executors (the registry of live ones, repeatable executors and their
// address updates) and the launch half shared by every operator.
#include <mutex>
#include <new>
#include <unordered_set>

#include "aclnn_op_common.h"

struct aclOpExecutor {
    std::string op;
    std::vector<aclnn::TensorDesc> in, out;
    uint64_t workspaceSize = 0;
    aclnn::Kernel kernel;
    bool repeatable = false;
};

namespace aclnn {

namespace {
std::mutex g_execMutex;
std::unordered_set<aclOpExecutor*>& executors() {
    static auto* s = new std::unordered_set<aclOpExecutor*>();  // never destroyed: safe at exit
    return *s;
}

void destroy_executor_locked(aclOpExecutor* e) {
    executors().erase(e);
    delete e;
    sim::adjust_counter(ACLSIM_LIVE_EXECUTORS, -1);
}
}  // namespace

aclnnStatus check_tensor(const char* fn, const char* what, const aclTensor* t) {
    if (t == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "%s is a null pointer", what);
    if (numel_of(t->dims) == 0) return ACLNN_SUCCESS;
    size_t bytes = static_cast<size_t>(t->storageElems) * dtype_size(t->dtype);
    if (t->data == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "%s has a null data pointer", what);
    if (!sim::range_in(t->data, bytes, sim::MemClass::Device)) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "%s data %p (storage of %zu bytes) is not inside one live device allocation", what,
                         t->data, bytes);
    }
    return ACLNN_SUCCESS;
}

aclOpExecutor* make_executor(const char* op, std::vector<TensorDesc> in, std::vector<TensorDesc> out,
                             uint64_t workspaceSize, Kernel kernel) {
    auto* e = new (std::nothrow) aclOpExecutor();
    if (e == nullptr) return nullptr;
    e->op = op;
    e->in = std::move(in);
    e->out = std::move(out);
    e->workspaceSize = workspaceSize;
    e->kernel = std::move(kernel);
    {
        std::lock_guard<std::mutex> lock(g_execMutex);
        executors().insert(e);
    }
    sim::adjust_counter(ACLSIM_LIVE_EXECUTORS, 1);
    return e;
}

aclnnStatus launch(const char* fn, void* workspace, uint64_t workspaceSize, aclOpExecutor* executor,
                   aclrtStream stream) {
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) {
        // A launch refused at entry (an injected fault) is a failed launch like any other: it
        // consumes a valid single-use executor, so callers have one rule to follow.
        std::lock_guard<std::mutex> lock(g_execMutex);
        if (executor != nullptr && executors().count(executor) != 0 && executor->op == fn && !executor->repeatable)
            destroy_executor_locked(executor);
        return rc;
    }
    if (executor == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "executor is a null pointer");

    std::unique_lock<std::mutex> lock(g_execMutex);
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "executor %p is unknown: destroyed, or already used by a launch and not repeatable",
                         static_cast<void*>(executor));
    }
    if (executor->op != fn) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p was created by %sGetWorkspaceSize, not %sGetWorkspaceSize",
                         static_cast<void*>(executor), executor->op.c_str(), fn);
    }
    // From here on a single-use executor is consumed whatever the outcome (strict reading).
    aclOpExecutor* ex = executor;
    auto consume = [&]() {
        if (!ex->repeatable) destroy_executor_locked(ex);
    };
    const uint64_t need = ex->workspaceSize;
    if (workspaceSize < need) {
        consume();
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "workspaceSize %llu is smaller than the required %llu bytes",
                         static_cast<unsigned long long>(workspaceSize), static_cast<unsigned long long>(need));
    }
    sim::MemRegion wsRegion;
    if (need > 0) {
        if (workspace == nullptr) {
            consume();
            return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "workspace is a null pointer but %llu bytes are required",
                             static_cast<unsigned long long>(need));
        }
        if (!sim::range_in(workspace, need, sim::MemClass::Device, &wsRegion)) {
            consume();
            return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                             "workspace %p (%llu bytes) is not inside one live device allocation", workspace,
                             static_cast<unsigned long long>(need));
        }
    }
    // An invalid stream (dev < 0) skips the device checks: sim::submit refuses it with the
    // runtime's own code and message.
    const int32_t dev = sim::stream_device(fn, stream);
    if (dev >= 0 && need > 0 && wsRegion.device != dev) {
        consume();
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "workspace is on device %d but the stream is on device %d",
                         wsRegion.device, dev);
    }

    sim::Task task;
    task.kind = "kernel";
    task.name = fn;
    auto addBuffers = [&](const std::vector<TensorDesc>& ts, bool write, const char* role) -> int {
        for (size_t i = 0; i < ts.size(); ++i) {
            const TensorDesc& t = ts[i];
            if (t.numel() == 0) continue;
            sim::MemRegion r;
            if (!sim::range_in(t.data, t.storageBytes(), sim::MemClass::Device, &r)) {
                return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                                 "%s tensor %zu: data %p (%zu bytes) is not inside one live device allocation", role,
                                 i, static_cast<void*>(t.data), t.storageBytes());
            }
            if (dev >= 0 && r.device != dev) {
                return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                                 "%s tensor %zu is on device %d but the stream is on device %d", role, i, r.device,
                                 dev);
            }
            task.buffers.push_back({t.data, t.storageBytes(), r.allocationId, write});
        }
        return ACLNN_SUCCESS;
    };
    if ((rc = addBuffers(ex->in, false, "input")) != ACLNN_SUCCESS ||
        (rc = addBuffers(ex->out, true, "output")) != ACLNN_SUCCESS) {
        consume();
        return rc;
    }
    if (need > 0) task.buffers.push_back({workspace, need, wsRegion.allocationId, true});

    // The task owns copies: it may replay long after the executor is gone.
    task.run = [in = ex->in, out = ex->out, kernel = ex->kernel, ws = static_cast<char*>(workspace), need]() {
        return kernel(in, out, ws, need);
    };
    consume();
    lock.unlock();
    return sim::submit(fn, stream, std::move(task));
}

}  // namespace aclnn

using namespace aclnn;

namespace {

// The executor argument of the calls below, looked up under the registry lock: null (161001) and unknown
// (161002) are refused. A failure of these calls (an injected fault included) leaves the executor as it was:
// only a launch consumes a single-use executor.
aclnnStatus known_executor(const char* fn, aclOpExecutor* executor) {
    if (executor == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "executor is a null pointer");
    if (executors().count(executor) == 0) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "executor %p is unknown (destroyed or already used)",
                         static_cast<void*>(executor));
    }
    return ACLNN_SUCCESS;
}

aclnnStatus set_tensor_addr(const char* fn, aclOpExecutor* executor, size_t index, aclTensor* tensor, void* addr,
                            bool output) {
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) return rc;
    std::lock_guard<std::mutex> lock(g_execMutex);
    if ((rc = known_executor(fn, executor)) != ACLNN_SUCCESS) return rc;
    if (!executor->repeatable) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                         "executor %p is not repeatable (call aclSetAclOpExecutorRepeatable first)",
                         static_cast<void*>(executor));
    }
    std::vector<TensorDesc>& list = output ? executor->out : executor->in;
    if (index >= list.size()) {
        return sim::fail(ACLNN_ERR_PARAM_INVALID, fn, "index %zu is out of range: %s has %zu %s tensors", index,
                         executor->op.c_str(), list.size(), output ? "output" : "input");
    }
    TensorDesc& d = list[index];
    if (d.numel() > 0) {
        if (addr == nullptr) return sim::fail(ACLNN_ERR_PARAM_NULLPTR, fn, "addr is a null pointer");
        if (!sim::range_in(addr, d.storageBytes(), sim::MemClass::Device)) {
            return sim::fail(ACLNN_ERR_PARAM_INVALID, fn,
                             "addr %p (%zu bytes of storage) is not inside one live device allocation", addr,
                             d.storageBytes());
        }
    }
    d.data = static_cast<char*>(addr);
    if (tensor != nullptr) tensor->data = addr;
    return ACLNN_SUCCESS;
}

}  // namespace

ACLNN_EXPORT aclnnStatus aclSetAclOpExecutorRepeatable(aclOpExecutor* executor) {
    static const char* fn = "aclSetAclOpExecutorRepeatable";
    int rc = sim::enter(fn);
    if (rc != ACL_SUCCESS) return rc;
    std::lock_guard<std::mutex> lock(g_execMutex);
    if ((rc = known_executor(fn, executor)) != ACLNN_SUCCESS) return rc;
    executor->repeatable = true;
    return ACLNN_SUCCESS;
}

ACLNN_EXPORT aclnnStatus aclDestroyAclOpExecutor(aclOpExecutor* executor) {
    static const char* fn = "aclDestroyAclOpExecutor";
    if (executor == nullptr) return ACLNN_SUCCESS;
    std::lock_guard<std::mutex> lock(g_execMutex);
    const aclnnStatus rc = known_executor(fn, executor);
    if (rc != ACLNN_SUCCESS) return rc;
    destroy_executor_locked(executor);
    return ACLNN_SUCCESS;
}

ACLNN_EXPORT aclnnStatus aclSetInputTensorAddr(aclOpExecutor* executor, const size_t index, aclTensor* tensor,
                                               void* addr) {
    return set_tensor_addr("aclSetInputTensorAddr", executor, index, tensor, addr, false);
}
ACLNN_EXPORT aclnnStatus aclSetOutputTensorAddr(aclOpExecutor* executor, const size_t index, aclTensor* tensor,
                                                void* addr) {
    return set_tensor_addr("aclSetOutputTensorAddr", executor, index, tensor, addr, true);
}
