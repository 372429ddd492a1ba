using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// An immutable tensor shape (sizes of each dimension, outermost first). A rank-0 shape is a
/// scalar with one element. At most <see cref="MaxRank"/> dimensions (CANN's aclTensor limit).
/// </summary>
[CollectionBuilder(typeof(TensorShape), nameof(Create))]
public readonly struct TensorShape : IEquatable<TensorShape>
{
    /// <summary>The most dimensions an aclnn tensor may have.</summary>
    public const int MaxRank = 8;

    private readonly long[]? _dims;
    private readonly long _count;

    /// <summary>Creates a shape from its dimension sizes (each at least 0).</summary>
    public TensorShape(params ReadOnlySpan<long> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"A tensor has at most {MaxRank} dimensions; got {dims.Length}.", nameof(dims));
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(dims), $"Dimension {i} of shape {Format(dims)} is negative.");
            try
            {
                count = checked(count * dims[i]);
            }
            catch (OverflowException)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), $"Shape {Format(dims)} has more than long.MaxValue elements.");
            }
        }
        _dims = dims.Length == 0 ? null : dims.ToArray();
        _count = count;
    }

    /// <summary>Creates a shape from <see cref="int"/> sizes.</summary>
    public TensorShape(params ReadOnlySpan<int> dims) : this(Widen(dims)) { }

    /// <summary>Collection-expression builder: <c>TensorShape s = [2, 3];</c>.</summary>
    public static TensorShape Create(ReadOnlySpan<long> dims) => new(dims);

    /// <summary>The scalar (rank-0) shape.</summary>
    public static TensorShape Scalar => default;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount => _dims is null ? 1 : _count;

    /// <summary>Size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public long this[int dim] => _dims![NormalizeDim(dim, Rank, nameof(dim))];

    /// <summary>The sizes as a span.</summary>
    public ReadOnlySpan<long> Dims => _dims;

    /// <summary>Enumerates the sizes.</summary>
    public ReadOnlySpan<long>.Enumerator GetEnumerator() => Dims.GetEnumerator();

    /// <summary>The sizes as a new array.</summary>
    public long[] ToArray() => Dims.ToArray();

    /// <summary>Row-major (contiguous) strides in elements.</summary>
    public long[] ContiguousStrides()
    {
        var strides = new long[Rank];
        long stride = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            strides[i] = stride;
            long size = Math.Max(_dims![i], 1);
            if (i > 0 && stride > long.MaxValue / size)
                throw new ArgumentOutOfRangeException("shape", $"The row-major strides of shape {this} overflow a 64-bit stride (it has no elements, but its other dimensions multiply past {long.MaxValue}).");
            stride *= size;
        }
        return strides;
    }

    /// <inheritdoc />
    public bool Equals(TensorShape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (long d in Dims) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>Same sizes.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Different sizes.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>Shape from an array of sizes.</summary>
    public static implicit operator TensorShape(long[] dims) => new(dims);

    /// <summary>Shape from an array of sizes.</summary>
    public static implicit operator TensorShape(int[] dims) => new(dims);

    /// <summary>"[2, 3]" style text.</summary>
    public override string ToString() => Format(Dims);

    internal static string Format(ReadOnlySpan<long> dims)
    {
        var text = new System.Text.StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(dims[i]);
        }
        return text.Append(']').ToString();
    }

    /// <summary>Maps a possibly negative dimension index into 0..rank-1, or throws naming <paramref name="paramName"/>.</summary>
    internal static int NormalizeDim(int dim, int rank, string paramName)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new ArgumentOutOfRangeException(paramName, dim, $"Dimension {dim} is out of range for a tensor of rank {rank} (valid: {-rank}..{rank - 1}).");
        return d;
    }

    private static long[] Widen(ReadOnlySpan<int> dims)
    {
        var result = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++) result[i] = dims[i];
        return result;
    }
}
