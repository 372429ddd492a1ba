using System.Runtime.InteropServices;
using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Destroy callbacks (aclmdlRIDestroyRegisterCallback / UnregisterCallback, CANN 9.0), the runtime's name of the graph
// (aclmdlRIGetName) and its log print (aclmdlRIDebugPrint).
public sealed partial class NpuGraph
{
    /// <summary>The callbacks of one graph; its GC handle is the user data the runtime passes back.</summary>
    private sealed class DestroyCallbackList
    {
        public readonly List<Action> Actions = new();
        public readonly List<Exception> Errors = new();
        public GCHandle Handle;
    }

    private DestroyCallbackList? _destroyCallbacks;

    /// <summary>
    /// Runs <paramref name="callback"/> when the runtime destroys the graph (<c>aclmdlRIDestroyRegisterCallback</c>): at
    /// the end of <see cref="Dispose"/>, on the disposing thread, after the graph's queued replays finished. An exception
    /// it throws is rethrown by Dispose (in an <see cref="AggregateException"/>) once everything is released. CANN 9.0+.
    /// </summary>
    /// <remarks>
    /// CANN keys registrations by function pointer: the SDK registers one native function per graph, on the first
    /// callback, and runs the callbacks in the order they were added. The same delegate added twice runs twice.
    /// </remarks>
    /// <exception cref="NotSupportedException">The loaded CANN lacks <c>aclmdlRIDestroyRegisterCallback</c>.</exception>
    /// <exception cref="InvalidOperationException">The graph has no runtime model yet (still capturing) or its capture failed.</exception>
    public unsafe void AddDestroyCallback(Action callback)
    {
        string operation = BeginCallbackChange(callback, "AddDestroyCallback", nameof(aclmdlRIDestroyRegisterCallback));
        lock (_lock)
        {
            ThrowIfNoModel("AddDestroyCallback");
            if (_destroyCallbacks is { Actions.Count: > 0 } existing)
            {
                existing.Actions.Add(callback);
                return;
            }
        }
        var list = _destroyCallbacks ?? new DestroyCallbackList();
        if (!list.Handle.IsAllocated) list.Handle = GCHandle.Alloc(list);
        SetNativeCallback(list, operation);
        lock (_lock)
        {
            list.Actions.Add(callback);
            _destroyCallbacks = list;
        }
    }

    /// <summary>
    /// Removes one registration of <paramref name="callback"/>; when none is left the SDK unregisters its native
    /// function (<c>aclmdlRIDestroyUnregisterCallback</c>). False when the callback was not registered.
    /// </summary>
    public unsafe bool RemoveDestroyCallback(Action callback)
    {
        string operation = BeginCallbackChange(callback, "RemoveDestroyCallback", nameof(aclmdlRIDestroyUnregisterCallback));
        lock (_lock)
        {
            ThrowIfNoModel("RemoveDestroyCallback");
            if (_destroyCallbacks is not { } list || !list.Actions.Remove(callback)) return false;
            if (list.Actions.Count > 0) return true;
        }
        SetNativeCallback(null, operation);
        return true;
    }

    /// <summary>The checks before a destroy-callback change: the argument, then the loaded CANN's support of <paramref name="function"/>.</summary>
    private string BeginCallbackChange(Action callback, string member, string function)
    {
        ArgumentNullException.ThrowIfNull(callback);
        string operation = $"{TypeName}.{member}";
        NpuFeatures.Current.Require(function, operation);
        return operation;
    }

    /// <summary>
    /// Registers the SDK's native destroy function for <paramref name="list"/>, or unregisters it (null), with the
    /// stream's context current; a refusal throws.
    /// </summary>
    private unsafe void SetNativeCallback(DestroyCallbackList? list, string operation)
    {
        int code;
        using (var lease = _stream.EnterForCleanup())
        using (var model = new HandleLease(_model!, this))
        {
            var native = NativeHandle.Model(model.Value);
            code = list is null
                ? aclmdlRIDestroyUnregisterCallback(native, &OnDestroyed)
                : aclmdlRIDestroyRegisterCallback(native, &OnDestroyed, (void*)GCHandle.ToIntPtr(list.Handle));
        }
        if (code != 0)
            throw new NpuCaptureException(code, list is null ? nameof(aclmdlRIDestroyUnregisterCallback) : nameof(aclmdlRIDestroyRegisterCallback),
                operation, list is null ? "the runtime refused to unregister the destroy callback." : "the runtime refused the destroy callback.",
                ExceptionMode, AclCheck.RecentMessage());
    }

    [UnmanagedCallersOnly]
    private static unsafe void OnDestroyed(void* userData)
    {
        var list = (DestroyCallbackList)GCHandle.FromIntPtr((nint)userData).Target!;
        Action[] actions;
        lock (list) actions = list.Actions.ToArray();
        foreach (var action in actions)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                lock (list) list.Errors.Add(e);
            }
        }
    }

    /// <summary>After the model was destroyed: the callbacks ran (or never will), their state can go.</summary>
    private void FreeDestroyCallbacks()
    {
        if (_destroyCallbacks is { Handle.IsAllocated: true } list) list.Handle.Free();
    }

    private void ThrowDestroyCallbackErrors()
    {
        if (_destroyCallbacks is not { Errors.Count: > 0 } list) return;
        throw new AggregateException($"{list.Errors.Count} destroy callback(s) of {this} threw; the graph was released.", list.Errors);
    }

    /// <summary>
    /// The name the runtime holds for the graph (<c>aclmdlRIGetName</c>): the <see cref="Name"/> given to it once it had
    /// a model, or what the runtime names it by default; at most 511 bytes of UTF-8.
    /// </summary>
    public unsafe string RuntimeName
    {
        get
        {
            lock (_lock) ThrowIfNoModel("RuntimeName");
            const int capacity = 512;   // CANN caps names at 512 bytes with the terminator
            byte* buffer = stackalloc byte[capacity];
            buffer[0] = 0;
            using (var lease = _stream.Enter())
            using (var model = new HandleLease(_model!, this))
            {
                AclCheck.Check(aclmdlRIGetName(NativeHandle.Model(model.Value), capacity, (sbyte*)buffer), nameof(aclmdlRIGetName),
                    $"reading the runtime's name of {this}");
            }
            return Marshal.PtrToStringUTF8((nint)buffer) ?? string.Empty;
        }
    }

    /// <summary>Has the runtime print its description of the graph to its log (<c>aclmdlRIDebugPrint</c>; on the simulator, standard error).</summary>
    public void DebugPrint()
    {
        lock (_lock) ThrowIfNoModel("DebugPrint");
        using var lease = _stream.Enter();
        using var model = new HandleLease(_model!, this);
        AclCheck.Check(aclmdlRIDebugPrint(NativeHandle.Model(model.Value)), nameof(aclmdlRIDebugPrint), $"printing {this}");
    }

    private string TypeName => _built ? nameof(NpuBuiltGraph) : nameof(NpuGraph);

    /// <summary>The graph must have a runtime model: captured (or, for a built graph, begun) and not disposed.</summary>
    private void ThrowIfNoModel(string operation)
    {
        if (_state == State.Captured || (_built && _state == State.Capturing)) return;
        ThrowIfNotState(State.Captured, operation);
    }
}
