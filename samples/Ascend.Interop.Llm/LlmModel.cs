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
/// and a task-group update address the same memory, and a batch smaller than its bucket fills padding rows;</item>
/// <item>so that a captured step need not be updated every step, it can attend through a device attention mask
/// (<see cref="AttentionMask"/>, 1 = not attended) over lengths rounded up to a window: every step unmasks the
/// position it writes with a device-indexed write (<see cref="MaskSlots"/>), as it writes the KV cache, so the
/// captured lengths stay right until a sequence crosses a window boundary (the engine's window mode).</item>
/// </list>
/// What allocation-free host code asked of it (issue 17: 0 B per decode step on the calling thread): an eager step
/// computes its intermediates into views of preallocated scratch buffers made once per row set, so it creates no
/// tensor objects; while capturing, the same code takes its intermediates from the graph's pool as ordinary code
/// would, so a captured step's graph memory is unchanged.
/// The KV cache, the attention's query and its output are float16 (CANN's incremental attention has no float32
/// form); the rest of the model is float32.
/// </summary>
public sealed partial class LlmModel : IDisposable
{
    private readonly List<NpuTensor> _owned = new();
    private readonly NpuTensor _embedding, _cos, _sin, _finalNorm, _lmHead;
    private readonly LayerTensors[] _layers;
    private readonly Dictionary<(int Start, int Rows), RowViews> _views = new();
    private readonly IncreFlashAttentionOptions _attention;
    private readonly NpuCommunicator? _communicator;
    private readonly int _localHeads, _localHidden, _localIntermediate;
    private readonly ScratchBuffers _scratch = null!;
    private readonly NpuTensor _maskCells, _maskZeros;

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
            StepInputBlock = Own(NpuTensor.Zeros(stream, new TensorShape(6L * b), NpuDataType.Int64));
            StepInputs = Own(StepInputBlock.Slice(0, 0, 3L * b));
            StepAdvance = Own(StepInputBlock.Slice(0, 3L * b, 3L * b));
            PositionsAndSlots = Own(StepInputs.Slice(0, 0, 2L * b));
            MaskSlots = Own(StepInputs.Slice(0, 2L * b, b));
            // Every position starts masked; a step unmasks the one it writes. The KV cache above starts zeroed, so a
            // masked position never holds a NaN or infinity a kernel could multiply by zero weight.
            var masked = new byte[(long)b * config.Context];
            Array.Fill(masked, (byte)1);
            AttentionMask = Own(NpuTensor.FromArray(stream, masked, new TensorShape(b, config.Context)));
            _maskCells = Own(AttentionMask.Reshape((long)b * config.Context));
            _maskZeros = Own(NpuTensor.Zeros(stream, new TensorShape(b), NpuDataType.UInt8));
            Query = Own(NpuTensor.Zeros(stream, new TensorShape(b, hl), NpuDataType.Float16));
            AttentionOut = Own(NpuTensor.Zeros(stream, new TensorShape(b, hl), NpuDataType.Float16));
            Logits = Own(NpuTensor.Zeros(stream, new TensorShape(b, config.Vocab), NpuDataType.Float32));
            NpuTensor F32(long cols) => Own(NpuTensor.Empty(stream, new TensorShape(b, cols), NpuDataType.Float32));
            _scratch = new ScratchBuffers
            {
                X0 = F32(h), X1 = F32(h), Cos = F32(config.HeadDim), Sin = F32(config.HeadDim), Normed = F32(h), Rstd = F32(1),
                Q = F32(hl), K = F32(hl), V = F32(hl), QRot = F32(hl), KRot = F32(hl),
                KHalf = Own(NpuTensor.Empty(stream, new TensorShape(b, hl), NpuDataType.Float16)),
                VHalf = Own(NpuTensor.Empty(stream, new TensorShape(b, hl), NpuDataType.Float16)),
                Attention = F32(hl), O = F32(h), Attended = F32(h), Gate = F32(ml), Up = F32(ml), Act = F32(ml), Product = F32(ml), Down = F32(h),
            };
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

    /// <summary>
    /// Static input [3 MaxBatch] (int64), written by the host with one copy before a step (of <see cref="StepInputBlock"/>,
    /// which holds it) or advanced on the device (<see cref="AdvanceInputs"/>): positions, cache slots
    /// (<see cref="PositionsAndSlots"/>) and mask slots (<see cref="MaskSlots"/>).
    /// </summary>
    public NpuTensor StepInputs { get; }

    /// <summary>
    /// Static input [3 MaxBatch] (int64) laid out as <see cref="StepInputs"/>: what <see cref="AdvanceInputs"/> adds to
    /// them, 1 for a live row's position, cache slot and mask slot, 0 for a padding row (whose slots must stay put).
    /// </summary>
    public NpuTensor StepAdvance { get; }

    /// <summary>
    /// <see cref="StepInputs"/> followed by <see cref="StepAdvance"/>: one contiguous [6 MaxBatch] int64 block, so a
    /// host writes both with one copy.
    /// </summary>
    public NpuTensor StepInputBlock { get; }

    /// <summary>Static input: positions [0, MaxBatch) then cache slots [MaxBatch, 2 MaxBatch) (int64): the first two thirds of <see cref="StepInputs"/>.</summary>
    public NpuTensor PositionsAndSlots { get; }

    /// <summary>
    /// Static input [MaxBatch] (int64), the last third of <see cref="StepInputs"/>: per row, the cell of
    /// <see cref="AttentionMask"/> (row x Context + position, as <see cref="Slot"/>) the step unmasks. A live row gives
    /// its cache slot; a padding row its own position 0 (<see cref="MaskSlot"/>), so it never unmasks a position
    /// that a sequence has not written yet.
    /// </summary>
    public NpuTensor MaskSlots { get; }

    /// <summary>
    /// The attention mask [MaxBatch, Context] (uint8, 1 = not attended), kept on the device: every step writes 0 at
    /// its rows' <see cref="MaskSlots"/> before its attention. A step run with <c>masked: true</c> attends through it,
    /// so its lengths may exceed the positions written. <see cref="ResetMask"/> masks rows again for new sequences.
    /// </summary>
    public NpuTensor AttentionMask { get; }

    /// <summary>Static buffer: the rotated query of the current layer [MaxBatch, Hidden], float16 (attention's input type).</summary>
    public NpuTensor Query { get; }

    /// <summary>Static buffer: the attention output of the current layer [MaxBatch, Hidden], float16.</summary>
    public NpuTensor AttentionOut { get; }

    /// <summary>Static output: the logits of the last step [MaxBatch, Vocab].</summary>
    public NpuTensor Logits { get; }

    /// <summary>Operators one step submits (with tensor parallelism, two all-reduces per layer more).</summary>
    public int OperatorsPerStep => 4 + (OperatorsPerLayer + (_communicator is null ? 0 : 2)) * Config.Layers + 3;

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

    /// <summary>Device bytes of the static step buffers (tokens, step inputs, attention mask, query, attention output, logits).</summary>
    public long StaticBufferBytes => Tokens.ByteLength + StepInputBlock.ByteLength + AttentionMask.ByteLength + _maskZeros.ByteLength +
                                     Query.ByteLength + AttentionOut.ByteLength + Logits.ByteLength;

    /// <summary>Device bytes of the scratch buffers eager steps compute their intermediates in (captured steps use their graph's pool).</summary>
    public long ScratchBytes
    {
        get
        {
            var b = _scratch;
            long total = 0;
            foreach (var t in (NpuTensor[])[b.X0, b.X1, b.Cos, b.Sin, b.Normed, b.Rstd, b.Q, b.K, b.V, b.QRot, b.KRot, b.KHalf, b.VHalf,
                         b.Attention, b.O, b.Attended, b.Gate, b.Up, b.Act, b.Product, b.Down])
                total += t.ByteLength;
            return total;
        }
    }

    /// <summary>The cache slot of position <paramref name="position"/> of row <paramref name="row"/>.</summary>
    public long Slot(int row, long position) => (long)row * Config.Context + position;

    /// <summary>
    /// The <see cref="MaskSlots"/> entry of row <paramref name="row"/>: its cache slot at <paramref name="position"/>
    /// when the row is live, its position 0 when it is a padding row (or a capture's warm-up), whose key and value go
    /// to the row's last position instead: position 0 of a row is written by its prefill before any step reads it.
    /// </summary>
    public long MaskSlot(int row, long position, bool live) => live ? Slot(row, position) : Slot(row, 0);

    /// <summary>
    /// Masks every position of rows [<paramref name="rowStart"/>, +<paramref name="rows"/>) again (before new
    /// sequences are prefilled into them), in stream order on <paramref name="stream"/>.
    /// </summary>
    public void ResetMask(NpuStream stream, int rowStart, int rows)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (rowStart < 0 || rows < 1 || rowStart + rows > Config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(rows), $"LlmModel.ResetMask: rows [{rowStart}, {rowStart + rows}) are outside [0, {Config.MaxBatch}).");
        var ones = new byte[(long)rows * Config.Context];
        Array.Fill(ones, (byte)1);
        using var view = AttentionMask.Slice(0, rowStart, rows);
        view.CopyFrom<byte>(stream, ones);
    }

    /// <summary>
    /// Queues <see cref="StepInputs"/> += <see cref="StepAdvance"/> on <paramref name="stream"/> (one operator): the
    /// live rows move to their next position, cache slot and mask slot on the device, so a captured step followed by
    /// this needs no input copy for the next step.
    /// </summary>
    public void AdvanceInputs(NpuStream stream) => Ops.Add(stream, StepInputs, StepAdvance, StepInputs);

    /// <summary>The name of layer <paramref name="layer"/>'s attention task group in a captured step.</summary>
    public static string AttentionGroupName(int layer) => $"attention{layer}";

    /// <summary>
    /// Queues one decode step for rows [<paramref name="rowStart"/>, <paramref name="rowStart"/> + <paramref name="rows"/>):
    /// reads each row's token, position and slot from the static inputs, writes the new keys and values into the
    /// cache, the logits into <see cref="Logits"/> rows [0, rows) and each row's greedy next token into
    /// <see cref="Tokens"/>. <paramref name="lengths"/>[i] is the number of cache positions row i attends to
    /// (its position + 1), or with <paramref name="masked"/> any length from that up to Context: the attention then
    /// also skips the positions <see cref="AttentionMask"/> masks. Every step first unmasks its rows' <see cref="MaskSlots"/>.
    /// While the stream captures, each attention call is put in a task group (<see cref="AttentionGroupName"/>) so its
    /// lengths can be updated before a replay, unless <paramref name="attentionGroups"/> is false (a step captured
    /// into a WHILE node's body, which no update reaches: the loop mode attends through the mask at fixed lengths).
    /// </summary>
    public void Step(NpuStream stream, int rowStart, int rows, ReadOnlySpan<long> lengths, bool masked = false, bool attentionGroups = true)
    {
        var v = Views(rowStart, rows);
        if (lengths.Length != rows) throw new ArgumentException($"LlmModel.Step: {lengths.Length} lengths for {rows} rows.", nameof(lengths));
        var graph = stream.CapturingGraph;
        bool capturing = graph is not null;
        var s = v.Scratch;
        DecoderKernels.WriteCache(stream, _maskCells, v.MaskSlots, v.MaskZeros);
        using var x0 = Scratch(stream, s.X0, capturing);
        DecoderKernels.Embedding(stream, _embedding, v.Tokens, x0);
        using var x1 = Scratch(stream, s.X1, capturing);
        using (var cos = Scratch(stream, s.Cos, capturing))
        using (var sin = Scratch(stream, s.Sin, capturing))
        {
            DecoderKernels.Embedding(stream, _cos, v.Positions, cos);
            DecoderKernels.Embedding(stream, _sin, v.Positions, sin);
            using var cos4 = View(cos, s.Cos4, capturing);
            using var sin4 = View(sin, s.Sin4, capturing);
            // Layer outputs alternate between the two buffers.
            NpuTensor x = x0, next = x1;
            for (int l = 0; l < _layers.Length; l++)
            {
                Layer(stream, l, v, x, next, cos4, sin4, lengths, masked, graph, attentionGroups);
                (x, next) = (next, x);
            }
            using var normed = Scratch(stream, s.Normed, capturing);
            using (var rstd = Scratch(stream, s.Rstd, capturing)) Ops.RmsNorm(stream, x, _finalNorm, Config.RmsEpsilon, normed, rstd);
            Ops.Mm(stream, normed, _lmHead, v.Logits);
        }
        DecoderKernels.ArgMax(stream, v.Logits, v.Tokens);
    }

    /// <summary>One decoder layer on the rows of <paramref name="v"/>: <paramref name="x"/> in, the layer's output into <paramref name="output"/>.</summary>
    private void Layer(NpuStream stream, int layer, RowViews v, NpuTensor x, NpuTensor output, NpuTensor cos4, NpuTensor sin4, ReadOnlySpan<long> lengths, bool masked, NpuGraph? graph,
        bool attentionGroups = true)
    {
        var w = _layers[layer];
        var s = v.Scratch;
        bool capturing = graph is not null;
        using var attended = Scratch(stream, s.Attended, capturing);
        {
            using (var a = Scratch(stream, s.Normed, capturing))
            {
                using (var rstd = Scratch(stream, s.Rstd, capturing)) Ops.RmsNorm(stream, x, w.AttentionNorm, Config.RmsEpsilon, a, rstd);
                using var q = Scratch(stream, s.Q, capturing);
                Ops.Mm(stream, a, w.Wq, q);
                using var k = Scratch(stream, s.K, capturing);
                Ops.Mm(stream, a, w.Wk, k);
                using var val = Scratch(stream, s.V, capturing);
                Ops.Mm(stream, a, w.Wv, val);
                using var q4 = View(q, s.Q4, capturing);
                using var k4 = View(k, s.K4, capturing);
                using var qRot = Scratch(stream, s.QRot, capturing);
                using var kRot = Scratch(stream, s.KRot, capturing);
                using var kRot2 = View(kRot, s.KRot2, capturing);
                using var kHalf = Scratch(stream, s.KHalf, capturing);
                using var vHalf = Scratch(stream, s.VHalf, capturing);
                // The cache and attention are float16 (CANN's incremental attention has no float32 form).
                DecoderKernels.Rotary(stream, q4, cos4, sin4, qRot);
                DecoderKernels.Rotary(stream, k4, cos4, sin4, kRot);
                Ops.Cast(stream, qRot, v.Query4);
                Ops.Cast(stream, kRot2, kHalf);
                Ops.Cast(stream, val, vHalf);
                DecoderKernels.WriteCache(stream, w.Keys, v.Slots, kHalf);
                DecoderKernels.WriteCache(stream, w.Values, v.Slots, vHalf);
            }
            if (graph is not null && attentionGroups)
            {
                using (graph.BeginTaskGroup(AttentionGroupName(layer)))
                    Attention(stream, layer, v, lengths, masked);
            }
            else
            {
                Attention(stream, layer, v, lengths, masked);
            }
            using var attention = Scratch(stream, s.Attention, capturing);
            Ops.Cast(stream, v.AttentionOut2, attention);
            using var o = Scratch(stream, s.O, capturing);
            Ops.Mm(stream, attention, w.Wo, o);
            _communicator?.AllReduce(stream, o, NpuReduceOp.Sum, o);   // row split: sum the ranks' partial products
            Ops.Add(stream, x, o, attended);
        }
        using (var b = Scratch(stream, s.Normed, capturing))
        {
            using (var rstd = Scratch(stream, s.Rstd, capturing)) Ops.RmsNorm(stream, attended, w.MlpNorm, Config.RmsEpsilon, b, rstd);
            using var gate = Scratch(stream, s.Gate, capturing);
            Ops.Mm(stream, b, w.WGate, gate);
            using var up = Scratch(stream, s.Up, capturing);
            Ops.Mm(stream, b, w.WUp, up);
            using var act = Scratch(stream, s.Act, capturing);
            Ops.Silu(stream, gate, act);
            using var product = Scratch(stream, s.Product, capturing);
            Ops.Mul(stream, act, up, product);
            using var down = Scratch(stream, s.Down, capturing);
            Ops.Mm(stream, product, w.WDown, down);
            _communicator?.AllReduce(stream, down, NpuReduceOp.Sum, down);
            Ops.Add(stream, attended, down, output);
        }
    }

    private void Attention(NpuStream stream, int layer, RowViews v, ReadOnlySpan<long> lengths, bool masked) =>
        DecoderKernels.Attention(stream, v.Query3, v.Keys[layer], v.Values[layer], masked ? v.Mask : null, lengths, _attention, v.AttentionOut3);

    /// <summary>
    /// Re-issues layer <paramref name="layer"/>'s attention for rows [<paramref name="rowStart"/>, +<paramref name="rows"/>)
    /// with new <paramref name="lengths"/> (through the mask when <paramref name="masked"/>, as the step was captured):
    /// the body of a task-group update of a captured step.
    /// </summary>
    public void ReissueAttention(NpuStream stream, int layer, int rowStart, int rows, ReadOnlySpan<long> lengths, bool masked = false)
    {
        if (lengths.Length != rows) throw new ArgumentException($"LlmModel.ReissueAttention: {lengths.Length} lengths for {rows} rows.", nameof(lengths));
        Attention(stream, layer, Views(rowStart, rows), lengths, masked);
    }

    /// <summary>
    /// One decoder layer alone (for tests): <paramref name="x"/> [rows, Hidden] at the rows' positions and slots
    /// (already in the static inputs) and cos/sin gathered for them; returns the layer's output (caller disposes).
    /// </summary>
    public NpuTensor DecoderLayer(NpuStream stream, int layer, int rowStart, NpuTensor x, ReadOnlySpan<long> lengths)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = (int)x.Shape[0];
        var v = Views(rowStart, n);
        var graph = stream.CapturingGraph;
        bool capturing = graph is not null;
        var s = v.Scratch;
        using var cos = Scratch(stream, s.Cos, capturing);
        using var sin = Scratch(stream, s.Sin, capturing);
        DecoderKernels.Embedding(stream, _cos, v.Positions, cos);
        DecoderKernels.Embedding(stream, _sin, v.Positions, sin);
        using var cos4 = View(cos, s.Cos4, capturing);
        using var sin4 = View(sin, s.Sin4, capturing);
        var output = NpuTensor.Empty(stream, x.Shape, NpuDataType.Float32);
        try
        {
            Layer(stream, layer, v, x, output, cos4, sin4, lengths, false, graph);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Layer <paramref name="layer"/>'s key cache as [MaxBatch, Context, Hidden], float16 (for tests and references).</summary>
    public NpuTensor KeyCache(int layer) => _layers[layer].Keys3;

    /// <summary>Layer <paramref name="layer"/>'s value cache as [MaxBatch, Context, Hidden].</summary>
    public NpuTensor ValueCache(int layer) => _layers[layer].Values3;

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
