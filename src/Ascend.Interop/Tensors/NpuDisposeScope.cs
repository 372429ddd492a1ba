namespace Ascend.Interop;

/// <summary>
/// Disposes, at its end, the tensors created inside it on its thread (new tensors, operator results, views), unless
/// they were moved out: in the spirit of TorchSharp's <c>NewDisposeScope</c>.
/// <code>
/// using (var scope = NpuDisposeScope.Begin())
/// {
///     var h = Ops.Relu(stream, Ops.Add(stream, x, b));   // the Add result is disposed at the scope's end
///     result = scope.MoveToOuter(Ops.Mul(stream, h, h));  // survives the scope (into the enclosing one, if any)
/// }
/// </code>
/// </summary>
/// <remarks>
/// Scopes nest per thread: a tensor joins the innermost scope open on the thread that creates it (tensors created on
/// other threads, for example in an <c>await</c> continuation, join that thread's scope or none). Disposing a scope
/// also ends the scopes begun inside it and still open. A tensor disposed by hand leaves its scope at once. Tensors
/// that escape every scope and are never disposed are still reclaimed by the finalizer
/// (<see cref="NpuMetrics.TensorsReclaimedByFinalizer"/>), later and with a warning.
/// </remarks>
public sealed class NpuDisposeScope : IDisposable
{
    [ThreadStatic] private static NpuDisposeScope? t_innermost;

    private readonly NpuDisposeScope? _outer;
    private readonly HashSet<NpuTensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();
    private bool _disposed;

    private NpuDisposeScope(NpuDisposeScope? outer) => _outer = outer;

    /// <summary>Opens a scope on this thread, inside the one open now (if any).</summary>
    public static NpuDisposeScope Begin()
    {
        var scope = new NpuDisposeScope(Innermost);
        t_innermost = scope;
        return scope;
    }

    /// <summary>The innermost scope open on this thread, or null.</summary>
    public static NpuDisposeScope? Current => Innermost;

    /// <summary>The scope this one was opened in, or null.</summary>
    public NpuDisposeScope? Outer => _outer;

    /// <summary>Tensors the scope will dispose.</summary>
    public int Count
    {
        get { lock (_lock) return _tensors.Count; }
    }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed
    {
        get { lock (_lock) return _disposed; }
    }

    private static NpuDisposeScope? Innermost
    {
        get
        {
            var scope = t_innermost;
            while (scope is not null && scope.IsDisposed) scope = scope._outer;   // ended on another thread
            t_innermost = scope;
            return scope;
        }
    }

    /// <summary>Called by every new tensor: joins the innermost scope of this thread.</summary>
    internal static NpuDisposeScope? Enlist(NpuTensor tensor)
    {
        if (t_innermost is null) return null;
        var scope = Innermost;
        return scope is not null && scope.TryAdd(tensor) ? scope : null;
    }

    private bool TryAdd(NpuTensor tensor)
    {
        lock (_lock)
        {
            if (_disposed) return false;
            _tensors.Add(tensor);
            return true;
        }
    }

    /// <summary>A tensor disposed by hand (or moved) leaves the scope.</summary>
    internal void Forget(NpuTensor tensor)
    {
        lock (_lock) _tensors.Remove(tensor);
    }

    /// <summary>
    /// Moves <paramref name="tensor"/> out of this scope into the enclosing one (which disposes it at its end), or out of
    /// every scope when this is the outermost (then the caller disposes it). Returns the tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor does not belong to this scope.</exception>
    public NpuTensor MoveToOuter(NpuTensor tensor)
    {
        TakeOut(tensor, "MoveToOuter");
        var target = _outer;
        while (target is not null && !target.TryAdd(tensor)) target = target._outer;
        tensor.Scope = target;
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/> out of this scope and every other: the caller disposes it. Returns the tensor.</summary>
    /// <exception cref="ArgumentException">The tensor does not belong to this scope.</exception>
    public NpuTensor Detach(NpuTensor tensor)
    {
        TakeOut(tensor, "Detach");
        tensor.Scope = null;
        return tensor;
    }

    // Removes one of this scope's tensors from its list (MoveToOuter, Detach); a tensor it does not hold is refused.
    private void TakeOut(NpuTensor tensor, string operation)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_tensors.Remove(tensor))
                throw new ArgumentException($"NpuDisposeScope.{operation}: {tensor} does not belong to this scope (created outside it, already moved, or disposed).", nameof(tensor));
        }
    }

    /// <summary>Disposes the tensors still in the scope (and the scopes begun inside it that are still open on this thread).</summary>
    public void Dispose()
    {
        // Scopes opened inside this one on this thread and left open end first.
        for (var inner = t_innermost; inner is not null && !ReferenceEquals(inner, this); inner = inner._outer)
            if (inner.IsNested(this)) inner.DisposeTensors();
        DisposeTensors();
        if (t_innermost is not null && (ReferenceEquals(t_innermost, this) || t_innermost.IsNested(this))) t_innermost = _outer;
    }

    private bool IsNested(NpuDisposeScope outer)
    {
        for (var s = _outer; s is not null; s = s._outer)
            if (ReferenceEquals(s, outer)) return true;
        return false;
    }

    private void DisposeTensors()
    {
        NpuTensor[] tensors;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            tensors = [.. _tensors];
            _tensors.Clear();
        }
        List<Exception>? errors = null;
        foreach (var tensor in tensors)
        {
            tensor.Scope = null;
            try
            {
                tensor.Dispose();
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }
        if (errors is not null)
            throw new AggregateException($"NpuDisposeScope.Dispose: {errors.Count} of {tensors.Length} tensor(s) failed to dispose; the others were disposed.", errors);
    }
}
