namespace Ascend.Interop.Llm;

// The decoder's per-row-set views and scratch buffers: the layer tensors, the views of a row set (made once and
// cached), and the scratch an eager step computes its intermediates into (see LlmModel.cs).
public sealed partial class LlmModel
{
    private sealed class LayerTensors
    {
        public required NpuTensor AttentionNorm, Wq, Wk, Wv, Wo, MlpNorm, WGate, WUp, WDown;
        public required NpuTensor Keys, Values;          // float16 [MaxBatch * Context, Hidden]: row-major by (row, position)
        public required NpuTensor Keys3, Values3;        // the same memory as [MaxBatch, Context, Hidden]
    }

    /// <summary>Views of the static buffers and caches for the rows [Start, Start + Rows), made once and reused.</summary>
    private sealed class RowViews
    {
        public required NpuTensor Tokens, Positions, Slots, MaskSlots, MaskZeros, Mask, Query2, Query4, Query3, AttentionOut2, AttentionOut3, Logits;
        public required NpuTensor[] Keys, Values;
        public required StepScratch Scratch;
        public required List<NpuTensor> All;
    }

    /// <summary>
    /// The intermediates of a step for <c>rows</c> rows: views of the model's scratch buffers (<see cref="ScratchBuffers"/>),
    /// made once per row set. Eager steps compute into them, so a steady-state eager step creates no tensor objects
    /// (no managed allocation); every buffer is used in stream order, so one set serves every row set and layer.
    /// </summary>
    private sealed class StepScratch
    {
        public required NpuTensor X0, X1, Cos, Sin, Cos4, Sin4, Normed, Rstd, Q, K, V, Q4, K4, QRot, KRot, KRot2, KHalf, VHalf,
            Attention, O, Attended, Gate, Up, Act, Product, Down;
    }

    /// <summary>The model's scratch buffers, MaxBatch rows each (allocated with the model).</summary>
    private sealed class ScratchBuffers
    {
        public required NpuTensor X0, X1, Cos, Sin, Normed, Rstd, Q, K, V, QRot, KRot, KHalf, VHalf, Attention, O, Attended, Gate, Up, Act, Product, Down;
    }

    /// <summary>
    /// An intermediate of a step. In an eager step it is a preallocated view (<see cref="StepScratch"/>, not owned);
    /// while capturing it is a new tensor from the graph's pool, owned and disposed at the end of its scope, so a
    /// captured step's graph memory is what ordinary eager code would use (its pool reuses freed intermediates).
    /// </summary>
    private readonly ref struct Temp(NpuTensor tensor, bool owned)
    {
        public readonly NpuTensor Tensor = tensor;

        public void Dispose()
        {
            if (owned) Tensor.Dispose();
        }

        public static implicit operator NpuTensor(Temp temp) => temp.Tensor;
    }

    /// <summary>A new tensor shaped like <paramref name="scratch"/> while capturing, else <paramref name="scratch"/> itself.</summary>
    private static Temp Scratch(NpuStream stream, NpuTensor scratch, bool capturing) =>
        capturing ? new Temp(NpuTensor.Empty(stream, scratch.Shape, scratch.DataType), true) : new Temp(scratch, false);

    /// <summary><paramref name="source"/> reshaped like <paramref name="view"/> while capturing, else the preallocated <paramref name="view"/>.</summary>
    private static Temp View(NpuTensor source, NpuTensor view, bool capturing) =>
        capturing ? new Temp(source.Reshape(view.Shape), true) : new Temp(view, false);

    private RowViews Views(int rowStart, int rows)
    {
        if (rowStart < 0 || rows < 1 || rowStart + rows > Config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(rows), $"LlmModel: rows [{rowStart}, {rowStart + rows}) are outside [0, {Config.MaxBatch}).");
        lock (_views)
        {
            return _views.TryGetValue((rowStart, rows), out var cached) ? cached : CreateViews(rowStart, rows);
        }
    }

    /// <summary>Makes the views of a row set (kept apart from <see cref="Views"/>: its lambdas would allocate their closure on every call).</summary>
    private RowViews CreateViews(int rowStart, int rows)
    {
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
            MaskSlots = Keep(MaskSlots.Slice(0, rowStart, rows)),
            MaskZeros = Keep(_maskZeros.Slice(0, 0, rows)),
            Mask = Keep(AttentionMask.Slice(0, rowStart, rows)),
            Query2 = query2,
            Query4 = Keep(query2.Reshape(rows, 1, _localHeads, Config.HeadDim)),
            Query3 = Keep(query2.Reshape(rows, 1, h)),
            AttentionOut2 = out2,
            AttentionOut3 = Keep(out2.Reshape(rows, 1, h)),
            Logits = Keep(Logits.Slice(0, 0, rows)),
            Keys = _layers.Select(l => Keep(l.Keys3.Slice(0, rowStart, rows))).ToArray(),
            Values = _layers.Select(l => Keep(l.Values3.Slice(0, rowStart, rows))).ToArray(),
            Scratch = ScratchViews(rows, Keep),
            All = all, // initializers run in order: every view above is in the list by now
        };
        _views[(rowStart, rows)] = views;
        return views;
    }

    /// <summary>The first <paramref name="rows"/> rows of every scratch buffer, and the reshaped views a step uses.</summary>
    private StepScratch ScratchViews(int rows, Func<NpuTensor, NpuTensor> keep)
    {
        var b = _scratch;
        int d = Config.HeadDim, heads = _localHeads, hl = _localHidden;
        NpuTensor Rows(NpuTensor t) => keep(t.Slice(0, 0, rows));
        NpuTensor cos = Rows(b.Cos), sin = Rows(b.Sin), q = Rows(b.Q), k = Rows(b.K);
        NpuTensor kRot = keep(Rows(b.KRot).Reshape(rows, 1, heads, d));
        return new StepScratch
        {
            X0 = Rows(b.X0), X1 = Rows(b.X1),
            Cos = cos, Sin = sin,
            Cos4 = keep(cos.Reshape(rows, 1, 1, d)), Sin4 = keep(sin.Reshape(rows, 1, 1, d)),
            Normed = Rows(b.Normed), Rstd = Rows(b.Rstd),
            Q = q, K = k, V = Rows(b.V),
            Q4 = keep(q.Reshape(rows, 1, heads, d)), K4 = keep(k.Reshape(rows, 1, heads, d)),
            QRot = keep(Rows(b.QRot).Reshape(rows, 1, heads, d)),
            KRot = kRot,
            KRot2 = keep(kRot.Reshape(rows, hl)),
            KHalf = Rows(b.KHalf), VHalf = Rows(b.VHalf),
            Attention = Rows(b.Attention), O = Rows(b.O), Attended = Rows(b.Attended),
            Gate = Rows(b.Gate), Up = Rows(b.Up), Act = Rows(b.Act), Product = Rows(b.Product), Down = Rows(b.Down),
        };
    }
}
