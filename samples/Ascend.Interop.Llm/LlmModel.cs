using Ascend.Interop.Distributed;

namespace Ascend.Interop.Llm;

/// <summary>
/// The decoder on the device: weights, the preallocated KV cache and the static step buffers, and
/// <see cref="Step"/>, one decode step for a range of rows (sequences), written as ordinary eager code that also
/// captures as it is. What graph mode asked of it:
/// <list type="bullet">
/// <item>per-step inputs (token ids, positions, cache slots) are read from static device tensors that the host
/// writes before each step, never passed as host values;</item>
/// <item>the attention's actual sequence lengths are host values (CANN reads them at launch and a graph keeps
/// the captured ones), so each attention call sits in its own task group and is re-issued with the step's
/// lengths (<see cref="ReissueAttention"/>);</item>
/// <item>the attention's query and output, the logits and the next tokens live in static buffers, so a replay
/// and a task-group update address the same memory, and a batch smaller than its bucket fills padding rows.</item>
/// </list>
/// The KV cache, the attention's query and its output are float16 (CANN's incremental attention has no float32
/// form); the rest of the model is float32.
/// </summary>
public sealed class LlmModel : IDisposable
{
    private readonly List<NpuTensor> _owned = new();
    private readonly NpuTensor _embedding, _cos, _sin, _finalNorm, _lmHead;
    private readonly LayerTensors[] _layers;
    private readonly Dictionary<(int Start, int Rows), RowViews> _views = new();
    private readonly IncreFlashAttentionOptions _attention;
    private readonly NpuCommunicator? _communicator;
    private readonly int _localHeads, _localHidden, _localIntermediate;

    private sealed class LayerTensors
    {
        public required NpuTensor AttentionNorm, Wq, Wk, Wv, Wo, MlpNorm, WGate, WUp, WDown;
        public required NpuTensor Keys, Values;          // float16 [MaxBatch * Context, Hidden]: row-major by (row, position)
        public required NpuTensor Keys3, Values3;        // the same memory as [MaxBatch, Context, Hidden]
    }

    /// <summary>Views of the static buffers and caches for the rows [Start, Start + Rows), made once and reused.</summary>
    private sealed class RowViews
    {
        public required NpuTensor Tokens, Positions, Slots, Query2, Query4, Query3, AttentionOut2, AttentionOut3, Logits;
        public required NpuTensor[] Keys, Values;
        public required List<NpuTensor> All;
    }

    /// <summary>Loads <paramref name="weights"/> to the device and allocates the KV cache and static buffers.</summary>
    public LlmModel(NpuStream stream, LlmConfig config, LlmWeights weights)
        : this(stream, config, weights, null)
    {
    }

    /// <summary>
    /// Loads this rank's shard of <paramref name="weights"/> when <paramref name="communicator"/> is given (tensor
    /// parallelism, Megatron-style): the Q/K/V and gate/up projections split by columns (rank r holds heads
    /// [r Heads/Size, (r+1) Heads/Size) and the same block of the MLP width), the output and down projections split by
    /// rows, each followed by an all-reduce (sum) of the partial products on the step's stream, which a capture
    /// records into the graph. The KV cache, the query and the attention output hold only the rank's heads. The
    /// embedding, norms and LM head are replicated, so every rank computes the same logits and tokens.
    /// Without a communicator this is the single-device model.
    /// </summary>
    public LlmModel(NpuStream stream, LlmConfig config, LlmWeights weights, NpuCommunicator? communicator)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        config.Validate();
        int size = communicator?.Size ?? 1, rank = communicator?.Rank ?? 0;
        if (communicator is not null)
        {
            if (communicator.Device.Id != stream.Device.Id)
                throw new ArgumentException($"LlmModel: the communicator is on NPU device {communicator.Device.Id} but the stream on device {stream.Device.Id}.", nameof(communicator));
            if (config.Heads % size != 0 || config.Intermediate % size != 0)
                throw new ArgumentException($"LlmModel: Heads ({config.Heads}) and Intermediate ({config.Intermediate}) must be multiples of the ranks ({size}).", nameof(communicator));
        }
        Config = config;
        Stream = stream;
        _communicator = communicator;
        _localHeads = config.Heads / size;
        _localHidden = _localHeads * config.HeadDim;
        _localIntermediate = config.Intermediate / size;
        _attention = new IncreFlashAttentionOptions { NumHeads = _localHeads, ScaleValue = config.Scale, Layout = AttentionLayout.Bsh };
        int h = config.Hidden, m = config.Intermediate, b = config.MaxBatch;
        int hl = _localHidden, ml = _localIntermediate;
        try
        {
            _embedding = Load(weights.Embedding, config.Vocab, h);
            var (cos, sin) = LlmWeights.RotaryTables(config);
            _cos = Load(cos, config.Context, config.HeadDim);
            _sin = Load(sin, config.Context, config.HeadDim);
            _finalNorm = Load(weights.FinalNorm, h);
            _lmHead = Load(weights.LmHead, h, config.Vocab);
            _layers = new LayerTensors[config.Layers];
            for (int l = 0; l < config.Layers; l++)
            {
                var w = weights.Layers[l];
                var keys = Own(NpuTensor.Zeros(stream, new TensorShape((long)b * config.Context, hl), NpuDataType.Float16));
                var values = Own(NpuTensor.Zeros(stream, new TensorShape((long)b * config.Context, hl), NpuDataType.Float16));
                _layers[l] = new LayerTensors
                {
                    AttentionNorm = Load(w.AttentionNorm, h),
                    Wq = Load(Columns(w.Wq, h, h, rank * hl, hl), h, hl),
                    Wk = Load(Columns(w.Wk, h, h, rank * hl, hl), h, hl),
                    Wv = Load(Columns(w.Wv, h, h, rank * hl, hl), h, hl),
                    Wo = Load(Rows(w.Wo, h, rank * hl, hl), hl, h),
                    MlpNorm = Load(w.MlpNorm, h),
                    WGate = Load(Columns(w.WGate, h, m, rank * ml, ml), h, ml),
                    WUp = Load(Columns(w.WUp, h, m, rank * ml, ml), h, ml),
                    WDown = Load(Rows(w.WDown, h, rank * ml, ml), ml, h),
                    Keys = keys,
                    Values = values,
                    Keys3 = Own(keys.Reshape(b, config.Context, hl)),
                    Values3 = Own(values.Reshape(b, config.Context, hl)),
                };
            }
            Tokens = Own(NpuTensor.Zeros(stream, new TensorShape(b), NpuDataType.Int64));
            PositionsAndSlots = Own(NpuTensor.Zeros(stream, new TensorShape(2L * b), NpuDataType.Int64));
            Query = Own(NpuTensor.Zeros(stream, new TensorShape(b, hl), NpuDataType.Float16));
            AttentionOut = Own(NpuTensor.Zeros(stream, new TensorShape(b, hl), NpuDataType.Float16));
            Logits = Own(NpuTensor.Zeros(stream, new TensorShape(b, config.Vocab), NpuDataType.Float32));
            stream.Synchronize();
        }
        catch
        {
            Dispose();
            throw;
        }

        NpuTensor Load(float[] data, params long[] shape) => Own(NpuTensor.FromArray(stream, data, new TensorShape(shape)));
    }

    /// <summary>Columns [start, start + count) of the row-major [rows, cols] matrix (the whole matrix when it is all of it).</summary>
    private static float[] Columns(float[] matrix, int rows, int cols, int start, int count)
    {
        if (start == 0 && count == cols) return matrix;
        var part = new float[rows * count];
        for (int r = 0; r < rows; r++) Array.Copy(matrix, r * cols + start, part, r * count, count);
        return part;
    }

    /// <summary>Rows [start, start + count) of the row-major matrix with <paramref name="cols"/> columns.</summary>
    private static float[] Rows(float[] matrix, int cols, int start, int count)
    {
        if (start == 0 && count * cols == matrix.Length) return matrix;
        return matrix.AsSpan(start * cols, count * cols).ToArray();
    }

    private NpuTensor Own(NpuTensor tensor)
    {
        _owned.Add(tensor);
        return tensor;
    }

    /// <summary>The model's shape.</summary>
    public LlmConfig Config { get; }

    /// <summary>The tensor-parallel communicator (null on a single device).</summary>
    public NpuCommunicator? Communicator => _communicator;

    /// <summary>Attention heads this rank computes (all of them on a single device).</summary>
    public int LocalHeads => _localHeads;

    /// <summary>The stream the model was loaded on.</summary>
    public NpuStream Stream { get; }

    /// <summary>Static input: the token id of each row [MaxBatch] (int64). Each step writes its greedy choice back here.</summary>
    public NpuTensor Tokens { get; }

    /// <summary>Static input: positions [0, MaxBatch) then cache slots [MaxBatch, 2 MaxBatch) (int64), written by the host before each step.</summary>
    public NpuTensor PositionsAndSlots { get; }

    /// <summary>Static buffer: the rotated query of the current layer [MaxBatch, Hidden], float16 (attention's input type).</summary>
    public NpuTensor Query { get; }

    /// <summary>Static buffer: the attention output of the current layer [MaxBatch, Hidden], float16.</summary>
    public NpuTensor AttentionOut { get; }

    /// <summary>Static output: the logits of the last step [MaxBatch, Vocab].</summary>
    public NpuTensor Logits { get; }

    /// <summary>Operators one step submits (with tensor parallelism, two all-reduces per layer more).</summary>
    public int OperatorsPerStep => 3 + (OperatorsPerLayer + (_communicator is null ? 0 : 2)) * Config.Layers + 3;

    /// <summary>Operators one decoder layer submits.</summary>
    public const int OperatorsPerLayer = 22;

    /// <summary>Device bytes of the weights.</summary>
    public long WeightBytes
    {
        get
        {
            long total = _embedding.ByteLength + _cos.ByteLength + _sin.ByteLength + _finalNorm.ByteLength + _lmHead.ByteLength;
            foreach (var l in _layers)
                total += l.AttentionNorm.ByteLength + l.Wq.ByteLength + l.Wk.ByteLength + l.Wv.ByteLength + l.Wo.ByteLength +
                         l.MlpNorm.ByteLength + l.WGate.ByteLength + l.WUp.ByteLength + l.WDown.ByteLength;
            return total;
        }
    }

    /// <summary>Device bytes of the KV cache.</summary>
    public long KvCacheBytes => _layers.Sum(l => l.Keys.ByteLength + l.Values.ByteLength);

    /// <summary>Device bytes of the static step buffers (tokens, positions and slots, query, attention output, logits).</summary>
    public long StaticBufferBytes => Tokens.ByteLength + PositionsAndSlots.ByteLength + Query.ByteLength + AttentionOut.ByteLength + Logits.ByteLength;

    /// <summary>The cache slot of position <paramref name="position"/> of row <paramref name="row"/>.</summary>
    public long Slot(int row, long position) => (long)row * Config.Context + position;

    /// <summary>The name of layer <paramref name="layer"/>'s attention task group in a captured step.</summary>
    public static string AttentionGroupName(int layer) => $"attention{layer}";

    /// <summary>
    /// Queues one decode step for rows [<paramref name="rowStart"/>, <paramref name="rowStart"/> + <paramref name="rows"/>):
    /// reads each row's token, position and slot from the static inputs, writes the new keys and values into the
    /// cache, the logits into <see cref="Logits"/> rows [0, rows) and each row's greedy next token into
    /// <see cref="Tokens"/>. <paramref name="lengths"/>[i] is the number of cache positions row i attends to
    /// (its position + 1). While the stream captures, each attention call is put in a task group
    /// (<see cref="AttentionGroupName"/>) so its lengths can be updated before each replay.
    /// </summary>
    public void Step(NpuStream stream, int rowStart, int rows, ReadOnlySpan<long> lengths)
    {
        var v = Views(rowStart, rows);
        if (lengths.Length != rows) throw new ArgumentException($"LlmModel.Step: {lengths.Length} lengths for {rows} rows.", nameof(lengths));
        var graph = stream.CapturingGraph;
        int n = rows, h = Config.Hidden, d = Config.HeadDim;
        var x = NpuTensor.Empty(stream, new TensorShape(n, h), NpuDataType.Float32);
        try
        {
            DecoderKernels.Embedding(stream, _embedding, v.Tokens, x);
            using var cos = NpuTensor.Empty(stream, new TensorShape(n, d), NpuDataType.Float32);
            using var sin = NpuTensor.Empty(stream, new TensorShape(n, d), NpuDataType.Float32);
            DecoderKernels.Embedding(stream, _cos, v.Positions, cos);
            DecoderKernels.Embedding(stream, _sin, v.Positions, sin);
            using var cos4 = cos.Reshape(n, 1, 1, d);
            using var sin4 = sin.Reshape(n, 1, 1, d);
            for (int l = 0; l < _layers.Length; l++)
            {
                var next = Layer(stream, l, v, x, cos4, sin4, lengths, graph);
                x.Dispose();
                x = next;
            }
            var (normed, rstd) = Ops.RmsNorm(stream, x, _finalNorm, Config.RmsEpsilon);
            rstd.Dispose();
            using (normed) Ops.Mm(stream, normed, _lmHead, v.Logits);
            DecoderKernels.ArgMax(stream, v.Logits, v.Tokens);
        }
        finally
        {
            x.Dispose();
        }
    }

    /// <summary>One decoder layer on the rows of <paramref name="v"/>; returns the layer's output (caller disposes).</summary>
    private NpuTensor Layer(NpuStream stream, int layer, RowViews v, NpuTensor x, NpuTensor cos4, NpuTensor sin4, ReadOnlySpan<long> lengths, NpuGraph? graph)
    {
        var w = _layers[layer];
        int n = (int)x.Shape[0], heads = _localHeads, d = Config.HeadDim, hl = _localHidden;
        NpuTensor attended;
        {
            var (a, rstd) = Ops.RmsNorm(stream, x, w.AttentionNorm, Config.RmsEpsilon);
            rstd.Dispose();
            using (a)
            using (var q = Ops.Mm(stream, a, w.Wq))
            using (var k = Ops.Mm(stream, a, w.Wk))
            using (var val = Ops.Mm(stream, a, w.Wv))
            using (var q4 = q.Reshape(n, 1, heads, d))
            using (var k4 = k.Reshape(n, 1, heads, d))
            using (var qRot = NpuTensor.Empty(stream, new TensorShape(n, 1, heads, d), NpuDataType.Float32))
            using (var kRot = NpuTensor.Empty(stream, new TensorShape(n, 1, heads, d), NpuDataType.Float32))
            using (var kRot2 = kRot.Reshape(n, hl))
            using (var kHalf = NpuTensor.Empty(stream, new TensorShape(n, hl), NpuDataType.Float16))
            using (var vHalf = NpuTensor.Empty(stream, new TensorShape(n, hl), NpuDataType.Float16))
            {
                // The cache and attention are float16 (CANN's incremental attention has no float32 form).
                DecoderKernels.Rotary(stream, q4, cos4, sin4, qRot);
                DecoderKernels.Rotary(stream, k4, cos4, sin4, kRot);
                Ops.Cast(stream, qRot, v.Query4);
                Ops.Cast(stream, kRot2, kHalf);
                Ops.Cast(stream, val, vHalf);
                DecoderKernels.WriteCache(stream, w.Keys, v.Slots, kHalf);
                DecoderKernels.WriteCache(stream, w.Values, v.Slots, vHalf);
            }
            if (graph is not null)
            {
                using (graph.BeginTaskGroup(AttentionGroupName(layer)))
                    Attention(stream, layer, v, lengths);
            }
            else
            {
                Attention(stream, layer, v, lengths);
            }
            using var attention = Ops.Cast(stream, v.AttentionOut2, NpuDataType.Float32);
            using var o = Ops.Mm(stream, attention, w.Wo);
            _communicator?.AllReduce(o, o, NpuReduceOp.Sum, stream);   // row split: sum the ranks' partial products
            attended = Ops.Add(stream, x, o);
        }
        try
        {
            var (b, rstd2) = Ops.RmsNorm(stream, attended, w.MlpNorm, Config.RmsEpsilon);
            rstd2.Dispose();
            using (b)
            using (var gate = Ops.Mm(stream, b, w.WGate))
            using (var up = Ops.Mm(stream, b, w.WUp))
            using (var act = Ops.Silu(stream, gate))
            using (var product = Ops.Mul(stream, act, up))
            using (var down = Ops.Mm(stream, product, w.WDown))
            {
                _communicator?.AllReduce(down, down, NpuReduceOp.Sum, stream);
                return Ops.Add(stream, attended, down);
            }
        }
        finally
        {
            attended.Dispose();
        }
    }

    private void Attention(NpuStream stream, int layer, RowViews v, ReadOnlySpan<long> lengths) =>
        DecoderKernels.Attention(stream, v.Query3, v.Keys[layer], v.Values[layer], lengths, _attention, v.AttentionOut3);

    /// <summary>
    /// Re-issues layer <paramref name="layer"/>'s attention for rows [<paramref name="rowStart"/>, +<paramref name="rows"/>)
    /// with new <paramref name="lengths"/>: the body of a task-group update of a captured step.
    /// </summary>
    public void ReissueAttention(NpuStream stream, int layer, int rowStart, int rows, ReadOnlySpan<long> lengths)
    {
        if (lengths.Length != rows) throw new ArgumentException($"LlmModel.ReissueAttention: {lengths.Length} lengths for {rows} rows.", nameof(lengths));
        Attention(stream, layer, Views(rowStart, rows), lengths);
    }

    /// <summary>
    /// One decoder layer alone (for tests): <paramref name="x"/> [rows, Hidden] at the rows' positions and slots
    /// (already in the static inputs) and cos/sin gathered for them; returns the layer's output (caller disposes).
    /// </summary>
    public NpuTensor DecoderLayer(NpuStream stream, int layer, int rowStart, NpuTensor x, ReadOnlySpan<long> lengths)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = (int)x.Shape[0], d = Config.HeadDim;
        var v = Views(rowStart, n);
        using var cos = NpuTensor.Empty(stream, new TensorShape(n, d), NpuDataType.Float32);
        using var sin = NpuTensor.Empty(stream, new TensorShape(n, d), NpuDataType.Float32);
        DecoderKernels.Embedding(stream, _cos, v.Positions, cos);
        DecoderKernels.Embedding(stream, _sin, v.Positions, sin);
        using var cos4 = cos.Reshape(n, 1, 1, d);
        using var sin4 = sin.Reshape(n, 1, 1, d);
        return Layer(stream, layer, v, x, cos4, sin4, lengths, stream.CapturingGraph);
    }

    /// <summary>Layer <paramref name="layer"/>'s key cache as [MaxBatch, Context, Hidden], float16 (for tests and references).</summary>
    public NpuTensor KeyCache(int layer) => _layers[layer].Keys3;

    /// <summary>Layer <paramref name="layer"/>'s value cache as [MaxBatch, Context, Hidden].</summary>
    public NpuTensor ValueCache(int layer) => _layers[layer].Values3;

    private RowViews Views(int rowStart, int rows)
    {
        if (rowStart < 0 || rows < 1 || rowStart + rows > Config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(rows), $"LlmModel: rows [{rowStart}, {rowStart + rows}) are outside [0, {Config.MaxBatch}).");
        lock (_views)
        {
            if (_views.TryGetValue((rowStart, rows), out var cached)) return cached;
            int h = _localHidden, b = Config.MaxBatch;
            var all = new List<NpuTensor>();
            NpuTensor Keep(NpuTensor t)
            {
                all.Add(t);
                return t;
            }
            var query2 = Keep(Query.Slice(0, 0, rows));
            var out2 = Keep(AttentionOut.Slice(0, 0, rows));
            var views = new RowViews
            {
                Tokens = Keep(Tokens.Slice(0, rowStart, rows)),
                Positions = Keep(PositionsAndSlots.Slice(0, rowStart, rows)),
                Slots = Keep(PositionsAndSlots.Slice(0, b + rowStart, rows)),
                Query2 = query2,
                Query4 = Keep(query2.Reshape(rows, 1, _localHeads, Config.HeadDim)),
                Query3 = Keep(query2.Reshape(rows, 1, h)),
                AttentionOut2 = out2,
                AttentionOut3 = Keep(out2.Reshape(rows, 1, h)),
                Logits = Keep(Logits.Slice(0, 0, rows)),
                Keys = _layers.Select(l => Keep(l.Keys3.Slice(0, rowStart, rows))).ToArray(),
                Values = _layers.Select(l => Keep(l.Values3.Slice(0, rowStart, rows))).ToArray(),
                All = all, // initializers run in order: every view above is in the list by now
            };
            _views[(rowStart, rows)] = views;
            return views;
        }
    }

    /// <summary>Frees the weights, the cache and the static buffers.</summary>
    public void Dispose()
    {
        lock (_views)
        {
            foreach (var v in _views.Values)
                foreach (var t in v.All) t.Dispose();
            _views.Clear();
        }
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
