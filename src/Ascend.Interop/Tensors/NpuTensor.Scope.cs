namespace Ascend.Interop;

// Dispose scopes (NpuDisposeScope): which scope disposes this tensor, and the tensor-side moves.
public sealed partial class NpuTensor
{
    /// <summary>The scope that disposes this tensor at its end, or null.</summary>
    internal NpuDisposeScope? Scope { get; set; }

    /// <summary>The dispose scope this tensor belongs to (it disposes the tensor at its end), or null.</summary>
    public NpuDisposeScope? DisposeScope => Scope;

    /// <summary>
    /// Moves the tensor out of its dispose scope into the enclosing one (or out of every scope). Returns this tensor.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor belongs to no scope.</exception>
    public NpuTensor MoveToOuterDisposeScope()
    {
        var scope = Scope ?? throw new InvalidOperationException($"NpuTensor.MoveToOuterDisposeScope: {this} belongs to no dispose scope.");
        return scope.MoveToOuter(this);
    }

    /// <summary>Takes the tensor out of every dispose scope: the caller disposes it. Returns this tensor.</summary>
    public NpuTensor DetachFromDisposeScope()
    {
        if (Scope is { } scope) scope.Detach(this);
        return this;
    }
}
