using static Ascend.Interop.OperatorChecks;

namespace Ascend.Interop;

/// <summary>The operator engine's declarations (one per operator; see <see cref="AclnnOperator"/>), by family.</summary>
internal static unsafe partial class Operators
{
    internal static readonly AclnnOperator RotaryPositionEmbedding = new("Ops.RotaryPositionEmbedding", AclnnFunctions.RotaryPositionEmbedding)
    {
        Inputs = ["x", "cos", "sin"],
        Attributes = [OperatorAttribute.Enum<RotaryMode>("mode", 0, 3)],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor x = c.Input(0)!, cos = c.Input(1)!, sin = c.Input(2)!;
            if (x.Rank != 3 && x.Rank != 4)
                throw new ArgumentException($"{c.Name}: 'x' {x.Shape} must be 3-D or 4-D ([T, N, D] or [B, N, S, D] / [B, S, N, D] / [S, B, N, D]).", nameof(x));
            if (!cos.Shape.Dims.SequenceEqual(sin.Shape.Dims))
                throw new ArgumentException($"{c.Name}: 'cos' {cos.Shape} and 'sin' {sin.Shape} must have one shape.", nameof(sin));
            var xs = x.Shape.Dims;
            var cs = cos.Shape.Dims;
            if (cs.Length != xs.Length || cs[^1] != xs[^1])
                throw new ArgumentException($"{c.Name}: 'cos' {cos.Shape} must have the rank and the last dimension of 'x' {x.Shape}.", nameof(cos));
            for (int i = 0; i < xs.Length - 1; i++)
                if (cs[i] != 1 && cs[i] != xs[i])
                    throw new ArgumentException($"{c.Name}: 'cos' {cos.Shape} does not broadcast to 'x' {x.Shape} (dimension {i}).", nameof(cos));
            if (xs[^1] % 2 != 0)
                throw new ArgumentException($"{c.Name}: the last dimension of 'x' {x.Shape} must be even.", nameof(x));
            shapes.Set(0, xs);
        },
    };


    internal static readonly AclnnOperator IncreFlashAttention = new("Ops.IncreFlashAttention", AclnnFunctions.IncreFlashAttentionV4)
    {
        Inputs = ["query", "attenMask?"],
        Outputs = [OperatorOutput.SameAs("attentionOut", 0)],
        TensorLists = ["key", "value"],
        IntArrays = ["actualSeqLengths?"],
        Fixed = [("blockSize", 0)],   // no paged cache
        IntArrayValuesChecked = true,   // AttentionShapes: one length per batch, each within that batch's cache
        Attributes =
        [
            OperatorAttribute.Value("numHeads", static (in OperatorCall c, int i, string name) =>
            {
                if (c.Long(i) is < 1 or > 256) throw new ArgumentOutOfRangeException(name, c.Long(i), $"{c.Name}: {name} must be in 1..256.");
            }),
            OperatorAttribute.Value("scaleValue", static (in OperatorCall c, int i, string name) =>
            {
                if (!double.IsFinite(c.Double(i))) throw new ArgumentOutOfRangeException(name, c.Double(i), $"{c.Name}: {name} must be finite.");
            }),
            OperatorAttribute.String("inputLayout"),
            OperatorAttribute.Value("numKeyValueHeads", static (in OperatorCall c, int i, string name) =>
            {
                long kv = c.Long(i), heads = c.Long(0);
                if (kv < 0 || (kv > 0 && heads % kv != 0))
                    throw new ArgumentOutOfRangeException(name, kv, $"{c.Name}: {name} must be 0 (= numHeads) or a divisor of numHeads {heads}.");
            }),
            OperatorAttribute.Value("innerPrecise", static (in OperatorCall c, int i, string name) =>
            {
                if (c.Long(i) is not (0 or 1)) throw new ArgumentOutOfRangeException(name, c.Long(i), $"{c.Name}: {name} must be 0 (high precision) or 1 (high performance).");
            }),
        ],
        Types = static (in OperatorCall c) =>
        {
            var query = c.Input(0)!;
            if (!DataTypeSet.AttentionTypes.Contains(query.DataType))
                throw new ArgumentException($"{c.Name}: argument 'query' holds {query.DataType} but must hold {DataTypeSet.AttentionTypes.Description} (CANN's incremental attention has no float32 form).", "query");
            for (int l = 0; l < 2; l++)
                foreach (var t in c.List(l))
                    CheckSameType(c.Name, l == 0 ? "key" : "value", t, "query", query);
            if (c.Input(1) is { } mask && !DataTypeSet.MaskTypes.Contains(mask.DataType))
                throw new ArgumentException($"{c.Name}: argument 'attenMask' holds {mask.DataType} but must hold {DataTypeSet.MaskTypes.Description}.", "attenMask");
        },
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) => AttentionShapes(in c, ref shapes),
    };

    private static void AttentionShapes(in OperatorCall c, ref OutputShapes shapes)
    {
        var query = c.Input(0)!;
        string layout = c.Value(2).Text ?? "";
        bool bsh = layout == "BSH", bnsd = layout == "BNSD";
        int rank = bsh ? 3 : 4;
        long heads = c.Long(0), kvHeads = c.Long(3) == 0 ? c.Long(0) : c.Long(3);
        var q = query.Shape.Dims;
        if (q.Length != rank)
            throw new ArgumentException($"{c.Name}: 'query' {query.Shape} must be {rank}-D for layout {layout}.", "query");
        long batch = q[0], seq = bnsd ? q[2] : q[1];
        if (seq != 1)
            throw new ArgumentException($"{c.Name}: 'query' {query.Shape} must have sequence length 1 (incremental decoding).", "query");
        long headDim;
        if (bsh)
        {
            if (q[2] % heads != 0)
                throw new ArgumentException($"{c.Name}: 'query' hidden size {q[2]} is not a multiple of numHeads {heads}.", "query");
            headDim = q[2] / heads;
        }
        else
        {
            long n = bnsd ? q[1] : q[2];
            if (n != heads)
                throw new ArgumentException($"{c.Name}: 'query' {query.Shape} has {n} heads but numHeads is {heads}.", "query");
            headDim = q[3];
        }
        ReadOnlySpan<NpuTensor> key = c.List(0), value = c.List(1);
        if (key.Length != value.Length || (key.Length != 1 && key.Length != batch))
            throw new ArgumentException($"{c.Name}: 'key' and 'value' must hold the same number of tensors, 1 (batch {batch}) or {batch} (batch 1 each); got {key.Length} and {value.Length}.", "key");
        for (int i = 0; i < key.Length; i++)
        {
            var k = key[i].Shape.Dims;
            long b = key.Length == 1 ? batch : 1;
            bool ok = k.Length == rank && k[0] == b && value[i].Shape.Dims.SequenceEqual(k) &&
                (bsh ? k[2] == kvHeads * headDim : bnsd ? k[1] == kvHeads && k[3] == headDim : k[2] == kvHeads && k[3] == headDim);
            if (!ok)
                throw new ArgumentException($"{c.Name}: 'key'[{i}] {key[i].Shape} and 'value'[{i}] {value[i].Shape} must both be the {layout} cache of batch {b}, {kvHeads} key/value heads of size {headDim}.", "key");
        }
        var lengths = c.Ints(0);
        if (!lengths.IsEmpty && lengths.Length != batch)
            throw new ArgumentException($"{c.Name}: 'actualSeqLengths' holds {lengths.Length} values but the batch is {batch}.", "actualSeqLengths");
        for (int b = 0; b < lengths.Length; b++)
        {
            long cacheLength = key[key.Length == 1 ? 0 : b].Shape[bnsd ? 2 : 1];
            if (lengths[b] < 0 || lengths[b] > cacheLength)
                throw new ArgumentOutOfRangeException("actualSeqLengths", lengths[b], $"{c.Name}: actualSeqLengths[{b}] must be in 0..{cacheLength} (the cache length).");
        }
        shapes.Set(0, q);
    }

    internal static string LayoutText(AttentionLayout layout) => layout switch
    {
        AttentionLayout.Bsh => "BSH",
        AttentionLayout.Bsnd => "BSND",
        AttentionLayout.Bnsd => "BNSD",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Ops.IncreFlashAttention: not an AttentionLayout."),
    };
}
