using Ascend.Interop.Handles;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Introspection (CANN 9.1.0): the runtime's id, streams and tasks of a captured graph, joined with the SDK's own
// operation records so a kernel task says which operator it came from.
public sealed partial class NpuGraph
{
    private NpuGraphStream[]? _graphStreams;
    private NpuGraphTask[]? _graphTasks;

    /// <summary>The runtime's id of the graph (<c>aclmdlRIGetId</c>; torch_npu's capture id). Needs CANN 9.1.0.</summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    public unsafe uint Id
    {
        get
        {
            NpuFeatures.Current.Require(nameof(aclmdlRIGetId), "NpuGraph.Id");
            ThrowIfNotReady("Id");
            using var lease = _stream.Enter();
            using var model = new HandleLease(_model!, this);
            uint id;
            AclCheck.Check(aclmdlRIGetId(NativeHandle.Model(model.Value), &id), nameof(aclmdlRIGetId), $"reading the id of {this}");
            return id;
        }
    }

    /// <summary>
    /// The graph's streams as the runtime reports them (<c>aclmdlRIGetStreams</c>), each with its tasks. Read once per
    /// graph. Needs CANN 9.1.0.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    public IReadOnlyList<NpuGraphStream> Streams
    {
        get
        {
            LoadTasks();
            lock (_lock) return _graphStreams!;
        }
    }

    /// <summary>
    /// Every task of the graph, stream by stream in the runtime's order, with its type, sequence id, kernel parameters
    /// and the SDK operation it came from (<see cref="NpuGraphTask.Operation"/>). Needs CANN 9.1.0.
    /// </summary>
    /// <remarks>
    /// The join: kernel tasks are matched, in order, to the operator calls (aclnn*) the SDK recorded on the stream the
    /// runtime's stream stands for. When a stream's kernel tasks and recorded operators are not one to one (an operator
    /// that launches several kernels on a real NPU), that stream's tasks keep <see cref="NpuGraphTask.Operation"/> null
    /// rather than guess.
    /// </remarks>
    /// <exception cref="NotSupportedException">The loaded CANN is older than 9.1.0.</exception>
    public IReadOnlyList<NpuGraphTask> Tasks
    {
        get
        {
            LoadTasks();
            lock (_lock) return _graphTasks!;
        }
    }

    private void LoadTasks()
    {
        lock (_lock)
        {
            if (_graphTasks is not null && _state == State.Captured) return;
        }
        NpuFeatures.Current.Require(nameof(aclmdlRIGetStreams), "NpuGraph.Tasks");
        ThrowIfNotReady("Tasks");
        var (streams, tasks) = ReadTasks();
        lock (_lock)
        {
            _graphStreams = streams;
            _graphTasks = tasks;
        }
    }

    private unsafe (NpuGraphStream[] Streams, NpuGraphTask[] Tasks) ReadTasks()
    {
        using var lease = _stream.Enter();
        using var modelLease = new HandleLease(_model!, this);
        var model = NativeHandle.Model(modelLease.Value);
        uint count = 0;
        AclCheck.Check(aclmdlRIGetStreams(model, null, &count), nameof(aclmdlRIGetStreams), $"counting the streams of {this}");
        var handles = new aclrtStream[count];
        if (count > 0)
            fixed (aclrtStream* p = handles)
                AclCheck.Check(aclmdlRIGetStreams(model, p, &count), nameof(aclmdlRIGetStreams), $"listing the streams of {this}");
        var streams = new NpuGraphStream[count];
        var all = new List<NpuGraphTask>();
        for (int s = 0; s < count; s++)
        {
            var stream = new NpuGraphStream(s, (nint)handles[s]);
            uint n = 0;
            AclCheck.Check(aclmdlRIGetTasksByStream(handles[s], null, &n), nameof(aclmdlRIGetTasksByStream), $"counting the tasks of {stream}");
            var taskHandles = new aclmdlRITask[n];
            if (n > 0)
                fixed (aclmdlRITask* p = taskHandles)
                    AclCheck.Check(aclmdlRIGetTasksByStream(handles[s], p, &n), nameof(aclmdlRIGetTasksByStream), $"listing the tasks of {stream}");
            var tasks = new NpuGraphTask[n];
            for (int i = 0; i < n; i++) tasks[i] = ReadTask(taskHandles[i], s, i);
            stream.Tasks = tasks;
            streams[s] = stream;
            all.AddRange(tasks);
        }
        JoinOperations(streams);
        // What the SDK staged or applied before a re-read (the runtime does not report it).
        lock (_lock)
        {
            if (_graphTasks is not null)
            {
                var old = _graphTasks.ToDictionary(t => t.Handle);
                foreach (var task in all)
                    if (old.TryGetValue(task.Handle, out var before))
                    {
                        task.IsDisabled = before.IsDisabled;
                        task.IsDisablePending = before.IsDisablePending;
                    }
            }
        }
        return (streams, all.ToArray());
    }

    private unsafe NpuGraphTask ReadTask(aclmdlRITask handle, int streamIndex, int index)
    {
        aclmdlRITaskType nativeType;
        AclCheck.Check(aclmdlRITaskGetType(handle, &nativeType), nameof(aclmdlRITaskGetType), $"reading the type of task {streamIndex}.{index} of {this}");
        var type = (NpuGraphTaskType)(int)nativeType;
        uint seq;
        uint? sequenceId = aclmdlRITaskGetSeqId(handle, &seq) == 0 ? seq : null;
        NpuKernelTaskParameters? kernel = null;
        if (type == NpuGraphTaskType.Kernel)
        {
            aclmdlRITaskParams p;
            AclCheck.Check(aclmdlRITaskGetParams(handle, &p), nameof(aclmdlRITaskGetParams), $"reading the parameters of kernel task {streamIndex}.{index} of {this}");
            ref var k = ref p.kernelTaskParams;
            byte[] args = new byte[checked((int)k.argsSize)];
            if (args.Length > 0 && k.args != null)
            {
                fixed (byte* dst = args)
                {
                    // Host arguments: a plain copy; the runtime's device copy of the arguments (isHostArgs 0, what CANN
                    // and the simulator return) comes back with a synchronous device-to-host copy.
                    if (k.isHostArgs != 0)
                        Buffer.MemoryCopy(k.args, dst, args.Length, args.Length);
                    else
                        AclCheck.Check(aclrtMemcpy(dst, (nuint)args.Length, k.args, (nuint)args.Length, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST),
                            nameof(aclrtMemcpy), $"copying the argument block of kernel task {streamIndex}.{index}");
                }
            }
            aclrtLaunchKernelAttrValue schem, ubuf, timeout;
            byte scheduleMode = aclmdlRIKernelTaskGetAttribute(handle, aclrtLaunchKernelAttrId.ACL_RT_LAUNCH_KERNEL_ATTR_SCHEM_MODE, &schem) == 0 ? schem.schemMode : (byte)0;
            uint ub = aclmdlRIKernelTaskGetAttribute(handle, aclrtLaunchKernelAttrId.ACL_RT_LAUNCH_KERNEL_ATTR_DYN_UBUF_SIZE, &ubuf) == 0 ? ubuf.dynUBufSize : 0;
            uint seconds = aclmdlRIKernelTaskGetAttribute(handle, aclrtLaunchKernelAttrId.ACL_RT_LAUNCH_KERNEL_ATTR_TIMEOUT, &timeout) == 0 ? timeout.timeout : 0u;
            kernel = new NpuKernelTaskParameters(k.funcHandle, args, k.numBlocks, !p.taskGrp.IsNull, (long)p.opInfoSize,
                scheduleMode, ub, seconds);
        }
        return new NpuGraphTask(this, (nint)handle, streamIndex, index, type, sequenceId, kernel);
    }

    /// <summary>Matches each runtime stream's kernel tasks to the operator calls the SDK recorded on one SDK stream.</summary>
    private void JoinOperations(NpuGraphStream[] streams)
    {
        NpuGraphOperation[] operations;
        lock (_lock) operations = _operations.ToArray();
        // SDK streams in order of first use, with their operator calls (the runtime's kernel tasks) in order.
        var order = new List<string>();
        var kernels = new Dictionary<string, List<NpuGraphOperation>>();
        foreach (var op in operations)
        {
            if (!kernels.TryGetValue(op.Stream, out var list))
            {
                kernels[op.Stream] = list = [];
                order.Add(op.Stream);
            }
            if (IsKernelOperation(op)) list.Add(op);
        }
        var unpaired = new List<string>(order);
        for (int s = 0; s < streams.Length; s++)
        {
            var kernelTasks = streams[s].Tasks.Where(t => t.Type == NpuGraphTaskType.Kernel).ToList();
            if (kernelTasks.Count == 0) continue;
            // The SDK stream at the same position of first use, else the only one with as many operator calls.
            string? match = s < order.Count && unpaired.Contains(order[s]) && kernels[order[s]].Count == kernelTasks.Count ? order[s] : null;
            if (match is null)
            {
                var candidates = unpaired.Where(name => kernels[name].Count == kernelTasks.Count).ToList();
                if (candidates.Count == 1) match = candidates[0];
            }
            if (match is null) continue;
            unpaired.Remove(match);
            streams[s].SdkStream = match;
            for (int i = 0; i < kernelTasks.Count; i++) kernelTasks[i].Operation = kernels[match][i];
        }
    }

    /// <summary>Operator calls become kernel tasks; copies, fills, callbacks and collectives do not.</summary>
    private static bool IsKernelOperation(NpuGraphOperation op) => op.Name.StartsWith("aclnn", StringComparison.Ordinal);

    /// <summary>The task lines of <see cref="Describe"/> (empty when introspection is unavailable or the graph is not captured).</summary>
    private string DescribeTasks()
    {
        NpuGraphTask[]? tasks;
        lock (_lock)
        {
            if (_state != State.Captured) return string.Empty;
            tasks = _graphTasks;
        }
        if (tasks is null)
        {
            if (!NpuFeatures.Current.Introspection) return string.Empty;
            try
            {
                LoadTasks();
            }
            catch (AclException e)
            {
                return $"  tasks: not readable ({e.Message})" + Environment.NewLine;
            }
            lock (_lock) tasks = _graphTasks!;
        }
        var text = new System.Text.StringBuilder();
        text.Append($"  tasks ({tasks.Length}, runtime view, {Status}):").AppendLine();
        foreach (var task in tasks) text.Append("    ").AppendLine(task.ToString());
        return text.ToString();
    }

    /// <summary>The tasks when introspection is available and the graph is captured (read now if need be), else null.</summary>
    private NpuGraphTask[]? TasksIfAvailable()
    {
        lock (_lock)
        {
            if (_state != State.Captured) return null;
            if (_graphTasks is not null) return _graphTasks;
        }
        if (!NpuFeatures.Current.Introspection) return null;
        try
        {
            LoadTasks();
        }
        catch (AclException)
        {
            return null;
        }
        lock (_lock) return _graphTasks;
    }

    /// <summary>The kernel tasks' labels by operation index, for <see cref="ToDot"/> (empty without introspection).</summary>
    private Dictionary<int, string> TaskLabels()
    {
        var labels = new Dictionary<int, string>();
        foreach (var task in TasksIfAvailable() ?? [])
            if (task.Operation is { } op)
                labels[op.Index] = $"task {task.StreamIndex}.{task.Index}" + (task.SequenceId is { } seq ? $" seq {seq}" : "") +
                                   (task.IsDisabled ? " (disabled)" : task.IsDisablePending ? " (disable pending)" : "");
        return labels;
    }

    /// <summary>
    /// Adds the SDK's view to the runtime's JSON dump at <paramref name="path"/>: an "ascend_interop" member with every
    /// task (stream, index, sequence id, type) and the operator it came from. A dump that is not a JSON object (another
    /// runtime's format) is left as written, and the SDK's view goes to <c>path + ".tasks.json"</c>.
    /// </summary>
    private void AnnotateDump(string path)
    {
        var tasks = TasksIfAvailable();
        if (tasks is null) return;
        var view = new System.Text.Json.Nodes.JsonObject
        {
            ["state"] = Status.ToString(),
            ["tasks"] = new System.Text.Json.Nodes.JsonArray(tasks.Select(t => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["stream"] = t.StreamIndex,
                ["index"] = t.Index,
                ["sequence_id"] = t.SequenceId is { } seq ? seq : null,
                ["type"] = t.Type.ToString(),
                ["operation_index"] = t.Operation?.Index,
                ["operation"] = t.Operation?.Name,
                ["task_group"] = t.TaskGroup,
                ["disabled"] = t.IsDisabled,
            }).ToArray()),
        };
        System.Text.Json.Nodes.JsonNode? dump = null;
        try
        {
            dump = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException)
        {
        }
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        if (dump is System.Text.Json.Nodes.JsonObject root)
        {
            root["ascend_interop"] = view;
            File.WriteAllText(path, root.ToJsonString(indented));
        }
        else
        {
            File.WriteAllText(path + ".tasks.json", view.ToJsonString(indented));
        }
    }
}
