namespace Ascend.Interop;

/// <summary>
/// Device memory rented from a <see cref="DeviceMemoryPool"/>. A small value: copying it does not
/// copy the memory, and returning any copy returns the block (a second return of any copy throws).
/// </summary>
public readonly struct PoolBlock : IEquatable<PoolBlock>
{
    internal PoolBlock(DeviceMemoryPool pool, PoolBlockNode node, int generation, nint pointer, long length)
    {
        Pool = pool;
        Node = node;
        Generation = generation;
        Pointer = pointer;
        Length = length;
    }

    /// <summary>The pool the block was rented from (null for <c>default(PoolBlock)</c>).</summary>
    public DeviceMemoryPool? Pool { get; }

    internal PoolBlockNode? Node { get; }

    internal int Generation { get; }

    /// <summary>The device address of the first usable byte.</summary>
    public nint Pointer { get; }

    /// <summary>The usable length in bytes (what was requested; the pool may hold a little more).</summary>
    public long Length { get; }

    /// <summary>The device the memory lives on.</summary>
    public NpuDevice Device => Pool?.Device ?? throw new InvalidOperationException("default(PoolBlock) is not a rented block.");

    /// <summary>True for <c>default(PoolBlock)</c>.</summary>
    public bool IsEmpty => Node is null;

    /// <summary>Returns the block to its pool, stream-ordered after the work already queued on <paramref name="stream"/>.</summary>
    public void Return(NpuStream stream)
    {
        if (Pool is null) throw new InvalidOperationException("default(PoolBlock) was never rented from a DeviceMemoryPool and cannot be returned.");
        Pool.Return(stream, this);
    }

    /// <inheritdoc />
    public bool Equals(PoolBlock other) => ReferenceEquals(Node, other.Node) && Generation == other.Generation;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PoolBlock other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Node, Generation);

    /// <summary>Same block (same rental).</summary>
    public static bool operator ==(PoolBlock left, PoolBlock right) => left.Equals(right);

    /// <summary>Different blocks or rentals.</summary>
    public static bool operator !=(PoolBlock left, PoolBlock right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Node is null ? "PoolBlock(empty)" : $"PoolBlock(0x{Pointer:x}, {Length} bytes)";
}
