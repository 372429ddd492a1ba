using Ascend.Interop.Native;

namespace Ascend.Interop;

public static unsafe partial class Ops
{
    // ---- BatchMatMul ------------------------------------------------------------------------

    private static readonly AclnnOperator BatchMatMulOperator = new("Ops.BatchMatMul", nameof(AclnnOps.aclnnBatchMatMul), &AclnnOps.aclnnBatchMatMul,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnBatchMatMulGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.SByte(0), w, e))
    {
        Inputs = ["self", "mat2"],
        Attributes = [OperatorAttribute.Enum<CubeMathType>("mathType", 0, 3)],
        Types = InputTypes.Same(DataTypeSet.FloatingPoint),
        Shapes = static (in OperatorCall c, ref OutputShapes shapes) =>
        {
            NpuTensor self = c.Input(0)!, mat2 = c.Input(1)!;
            if (self.Rank != 3 || mat2.Rank != 3)
                throw new ArgumentException($"{c.Name}: both operands must be 3-D [batch, rows, columns]; got 'self' {self.Shape} and 'mat2' {mat2.Shape} (use Ops.MatMul for other ranks).", self.Rank != 3 ? nameof(self) : nameof(mat2));
            var a = self.Shape.Dims;
            var b = mat2.Shape.Dims;
            if (a[2] != b[1])
                throw new ArgumentException($"{c.Name}: inner dimensions differ: 'self' {self.Shape} has {a[2]} columns, 'mat2' {mat2.Shape} has {b[1]} rows.", nameof(mat2));
            if (a[0] != b[0] && a[0] != 1 && b[0] != 1)
                throw new ArgumentException($"{c.Name}: batch sizes {a[0]} ('self') and {b[0]} ('mat2') differ and neither is 1.", nameof(mat2));
            shapes.Set(0, [Math.Max(a[0], b[0]), a[1], b[2]]);
        },
    };

    /// <summary>
    /// <paramref name="output"/>[i] = <paramref name="self"/>[i] @ <paramref name="mat2"/>[i] for 3-D operands
    /// [B, M, K] and [B, K, N] (aclnnBatchMatMul); a batch of 1 on either side is broadcast.
    /// </summary>
    public static void BatchMatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        BatchMatMulOperator.Run(stream, [self, mat2, output], [mathType]);

    /// <summary>A new [B, M, N] tensor holding the batched product of <paramref name="self"/> and <paramref name="mat2"/>.</summary>
    public static NpuTensor BatchMatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype) =>
        BatchMatMulOperator.Create(stream, [self, mat2], [mathType]);

    // ---- RotaryPositionEmbedding ------------------------------------------------------------

    private static readonly AclnnOperator RotaryOperator = new("Ops.RotaryPositionEmbedding", nameof(AclnnOps.aclnnRotaryPositionEmbedding), &AclnnOps.aclnnRotaryPositionEmbedding,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnRotaryPositionEmbeddingGetWorkspaceSize(c.Tensor(0), c.Tensor(1), c.Tensor(2), c.Long(0), c.Tensor(3), w, e))
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

    /// <summary>
    /// <paramref name="output"/> = <paramref name="x"/> x <paramref name="cos"/> + rotate(<paramref name="x"/>) x <paramref name="sin"/>
    /// over the last dimension (aclnnRotaryPositionEmbedding). <paramref name="cos"/> and <paramref name="sin"/> have one shape of
    /// <paramref name="x"/>'s rank that broadcasts to it (e.g. [1, S, 1, D] for x [B, S, N, D]); gather their rows for the current
    /// positions on the device (Ops.IndexSelect) so a captured graph follows the position.
    /// </summary>
    public static void RotaryPositionEmbedding(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, RotaryMode mode, NpuTensor output) =>
        RotaryOperator.Run(stream, [x, cos, sin, output], [OperatorValue.Enum(mode)]);

    /// <summary>A new tensor holding the rotary position embedding of <paramref name="x"/> (see the output overload).</summary>
    public static NpuTensor RotaryPositionEmbedding(NpuStream stream, NpuTensor x, NpuTensor cos, NpuTensor sin, RotaryMode mode = RotaryMode.Half) =>
        RotaryOperator.Create(stream, [x, cos, sin], [OperatorValue.Enum(mode)]);

    // ---- IndexCopy / InplaceIndexCopy -------------------------------------------------------

    private static readonly ShapeRule IndexCopyShapes = static (in OperatorCall c, ref OutputShapes shapes) =>
    {
        // Tensors: [self (IndexCopy only)], index, source, then the destination.
        bool inplace = c.Operator.InputCount == 2;
        NpuTensor self = inplace ? c.Output(0)! : c.Input(0)!;
        NpuTensor index = c.Input(inplace ? 0 : 1)!, source = c.Input(inplace ? 1 : 2)!;
        string selfName = inplace ? "selfRef" : "self";
        long dim = c.Long(0);
        int rank = Math.Max(self.Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException("dim", dim, $"{c.Name}: dim {dim} is out of range for '{selfName}' of rank {self.Rank} (valid: {-rank}..{rank - 1}).");
        int d = (int)(dim < 0 ? dim + rank : dim);
        if (index.Rank > 1)
            throw new ArgumentException($"{c.Name}: 'index' {index.Shape} must be 0-D or 1-D.", nameof(index));
        if (source.DataType != self.DataType)
            throw new ArgumentException($"{c.Name}: argument 'source' holds {source.DataType} but '{selfName}' holds {self.DataType}; the SDK does not promote mixed types (use Ops.Cast).", nameof(source));
        if (self.Rank == 0 || source.Rank == 0)
        {
            if (self.Rank != source.Rank || index.ElementCount != 1)
                throw new ArgumentException($"{c.Name}: a 0-D '{selfName}' needs a 0-D 'source' and one index; got {source.Shape} and {index.ElementCount} indices.", nameof(source));
        }
        else
        {
            var ss = self.Shape.Dims;
            var rs = source.Shape.Dims;
            bool ok = rs.Length == ss.Length && rs[d] == index.ElementCount;
            for (int i = 0; ok && i < ss.Length; i++) ok = i == d || rs[i] == ss[i];
            if (!ok)
                throw new ArgumentException($"{c.Name}: 'source' {source.Shape} must equal '{selfName}' {self.Shape} except dimension {d}, which must be the index count {index.ElementCount}.", nameof(source));
        }
        shapes.Set(0, self.Shape.Dims);
    };

    private static readonly AclnnOperator InplaceIndexCopyOperator = new("Ops.InplaceIndexCopy", nameof(AclnnOps.aclnnInplaceIndexCopy), &AclnnOps.aclnnInplaceIndexCopy,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnInplaceIndexCopyGetWorkspaceSize(c.OutputTensor(0), c.Long(0), c.Tensor(0), c.Tensor(1), w, e))
    {
        Inputs = ["index", "source"],
        Outputs = [OperatorOutput.AnyType("selfRef")],
        Attributes = [OperatorAttribute.Value("dim")],
        Types = InputTypes.PerInput(DataTypeSet.Index),
        Shapes = IndexCopyShapes,
    };

    private static readonly AclnnOperator IndexCopyOperator = new("Ops.IndexCopy", nameof(AclnnOps.aclnnIndexCopy), &AclnnOps.aclnnIndexCopy,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) =>
            AclnnOps.aclnnIndexCopyGetWorkspaceSize(c.Tensor(0), c.Long(0), c.Tensor(1), c.Tensor(2), c.Tensor(3), w, e))
    {
        Inputs = ["self", "index", "source"],
        Outputs = [OperatorOutput.SameAs("output", 0)],
        Attributes = [OperatorAttribute.Value("dim")],
        Types = InputTypes.PerInput(null, DataTypeSet.Index),
        Shapes = IndexCopyShapes,
    };

    /// <summary>
    /// Writes slice i of <paramref name="source"/> along <paramref name="dim"/> into slice <paramref name="index"/>[i] of
    /// <paramref name="selfRef"/>, in place (aclnnInplaceIndexCopy). <paramref name="index"/> is a 0-D or 1-D int32/int64
    /// device tensor read when the kernel runs, so a captured KV-cache write follows the position stored in it on every
    /// replay. An index outside [0, size) fails the stream's work (the next synchronize throws) and writes nothing.
    /// </summary>
    public static void InplaceIndexCopy(NpuStream stream, NpuTensor selfRef, long dim, NpuTensor index, NpuTensor source) =>
        InplaceIndexCopyOperator.Run(stream, [index, source, selfRef], [dim]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> with the slices of <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/> (aclnnIndexCopy).</summary>
    public static void IndexCopy(NpuStream stream, NpuTensor self, long dim, NpuTensor index, NpuTensor source, NpuTensor output) =>
        IndexCopyOperator.Run(stream, [self, index, source, output], [dim]);

    /// <summary>A new tensor holding <paramref name="self"/> with the slices of <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public static NpuTensor IndexCopy(NpuStream stream, NpuTensor self, long dim, NpuTensor index, NpuTensor source) =>
        IndexCopyOperator.Create(stream, [self, index, source], [dim]);

    // ---- IncreFlashAttention ----------------------------------------------------------------

    private static readonly DataTypeSet AttentionTypes = DataTypeSet.Of(NpuDataType.Float16, NpuDataType.BFloat16);
    private static readonly DataTypeSet MaskTypes = DataTypeSet.Of(NpuDataType.Bool, NpuDataType.Int8, NpuDataType.UInt8);

    private static readonly AclnnOperator IncreFlashAttentionOperator = new("Ops.IncreFlashAttention", nameof(AclnnOps.aclnnIncreFlashAttentionV4), &AclnnOps.aclnnIncreFlashAttentionV4,
        static (in OperatorCall c, ulong* w, aclOpExecutor** e) => AclnnOps.aclnnIncreFlashAttentionV4GetWorkspaceSize(
            c.Tensor(0), c.TensorList(0), c.TensorList(1), null, c.Tensor(1), c.IntArray(0),
            null, null, null, null, null, null, null, null, null,
            c.Long(0), c.Double(1), (sbyte*)c.String(2), c.Long(3), 0, c.Long(4), c.Tensor(2), w, e))
    {
        Inputs = ["query", "attenMask?"],
        Outputs = [OperatorOutput.SameAs("attentionOut", 0)],
        TensorLists = ["key", "value"],
        IntArrays = ["actualSeqLengths?"],
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
            if (!AttentionTypes.Contains(query.DataType))
                throw new ArgumentException($"{c.Name}: argument 'query' holds {query.DataType} but must hold {AttentionTypes.Description} (CANN's incremental attention has no float32 form).", "query");
            for (int l = 0; l < 2; l++)
                foreach (var t in c.List(l))
                    CheckSameType(c.Name, l == 0 ? "key" : "value", t, "query", query);
            if (c.Input(1) is { } mask && !MaskTypes.Contains(mask.DataType))
                throw new ArgumentException($"{c.Name}: argument 'attenMask' holds {mask.DataType} but must hold {MaskTypes.Description}.", "attenMask");
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

    private static string LayoutText(AttentionLayout layout) => layout switch
    {
        AttentionLayout.Bsh => "BSH",
        AttentionLayout.Bsnd => "BSND",
        AttentionLayout.Bnsd => "BNSD",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Ops.IncreFlashAttention: not an AttentionLayout."),
    };

    /// <summary>
    /// Incremental (decode) attention of a one-token <paramref name="query"/> over a padded key/value cache
    /// (aclnnIncreFlashAttentionV4): per head, softmax(scale x q·kᵀ) over the first <paramref name="actualSeqLengths"/>[b]
    /// cache positions of batch b (positions where <paramref name="attenMask"/> is 1 excluded), times v.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="query">[B, 1, H] (BSH), [B, 1, N, D] (BSND) or [B, N, 1, D] (BNSD); float16 or bfloat16 (CANN has no float32 form).</param>
    /// <param name="key">The key cache: one tensor of batch B, or B tensors of batch 1, in the query's layout with the key/value head count.</param>
    /// <param name="value">The value cache, shaped as <paramref name="key"/>.</param>
    /// <param name="attenMask">Optional bool/int8/uint8 mask [B, S], [B, 1, S] or [B, 1, 1, S]: 1 = not attended.</param>
    /// <param name="actualSeqLengths">
    /// Per batch, how many cache positions are valid (empty: all). These are HOST values, copied when the launch is
    /// recorded: a captured graph keeps them on every replay. Re-issue the launch in a task group
    /// (<c>NpuGraph.Update</c>) to change them, or mask with a device tensor instead (docs/graph-mode.md).
    /// </param>
    /// <param name="options">Head counts, scale, layout and precision mode.</param>
    /// <param name="output">The result, shaped and typed as <paramref name="query"/>.</param>
    public static void IncreFlashAttention(NpuStream stream, NpuTensor query, ReadOnlySpan<NpuTensor> key, ReadOnlySpan<NpuTensor> value,
        NpuTensor? attenMask, ReadOnlySpan<long> actualSeqLengths, in IncreFlashAttentionOptions options, NpuTensor output) =>
        IncreFlashAttentionOperator.Run(stream, [query, attenMask, output],
            [options.NumHeads, options.ScaleValue, LayoutText(options.Layout), options.NumKeyValueHeads, options.InnerPrecise],
            ints: actualSeqLengths, list: key, list2: value);

    /// <summary>A new tensor holding the incremental attention of <paramref name="query"/> (see the output overload).</summary>
    public static NpuTensor IncreFlashAttention(NpuStream stream, NpuTensor query, ReadOnlySpan<NpuTensor> key, ReadOnlySpan<NpuTensor> value,
        NpuTensor? attenMask, ReadOnlySpan<long> actualSeqLengths, in IncreFlashAttentionOptions options) =>
        IncreFlashAttentionOperator.Create(stream, [query, attenMask],
            [options.NumHeads, options.ScaleValue, LayoutText(options.Layout), options.NumKeyValueHeads, options.InnerPrecise],
            ints: actualSeqLengths, list: key, list2: value);
}
