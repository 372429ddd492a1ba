namespace Ascend.Interop;

/// <summary>The output shapes a <see cref="ShapeRule"/> states: per output a shape, or "unchecked" (any shape, never inferred).</summary>
internal ref struct OutputShapes
{
    private readonly Span<long> _dims;
    private readonly Span<int> _ranks;

    internal OutputShapes(Span<long> dims, Span<int> ranks)
    {
        _dims = dims;
        _ranks = ranks;
        ranks.Fill(-1);
    }

    public readonly int Count => _ranks.Length;

    /// <summary>Output <paramref name="output"/> has shape <paramref name="shape"/>.</summary>
    public readonly void Set(int output, scoped ReadOnlySpan<long> shape)
    {
        shape.CopyTo(Scratch(output));
        _ranks[output] = shape.Length;
    }

    /// <summary>Every output has shape <paramref name="shape"/>.</summary>
    public readonly void SetAll(scoped ReadOnlySpan<long> shape)
    {
        for (int o = 0; o < _ranks.Length; o++) Set(o, shape);
    }

    /// <summary>Room to build output <paramref name="output"/>'s shape in place (then <see cref="SetRank"/>).</summary>
    public readonly Span<long> Scratch(int output) => _dims.Slice(output * AclnnOperator.ShapeStride, AclnnOperator.ShapeStride);

    public readonly void SetRank(int output, int rank) => _ranks[output] = rank;

    /// <summary>Any shape is accepted for output <paramref name="output"/> (it cannot be inferred).</summary>
    public readonly void Unchecked(int output) => _ranks[output] = -1;

    internal readonly bool IsChecked(int output) => _ranks[output] >= 0;

    internal readonly ReadOnlySpan<long> Get(int output) => _dims.Slice(output * AclnnOperator.ShapeStride, _ranks[output]);
}
