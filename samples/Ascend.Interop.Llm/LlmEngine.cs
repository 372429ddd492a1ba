using System.Diagnostics;

namespace Ascend.Interop.Llm;

/// <summary>
/// Runs <see cref="LlmModel"/>: eager prefill (the prompt fed one token per step, each sequence in its own KV-cache
/// row), then decode steps for the whole batch, eagerly or by replaying the step captured for the batch's bucket
/// (<see cref="NpuGraphBuckets"/>, one shared <see cref="NpuGraphPool"/> by default, created for the model's stream:
/// replays there are ordered by the stream, with no event). Before each replay the host
/// writes positions and cache slots into the static inputs and updates every layer's attention task group with
/// the step's sequence lengths, on a side stream ordered with events (<see cref="NpuGraph.Update"/>); the
/// greedy tokens stay on the device and feed the next step. In <see cref="DecodeMode.Window"/> the steps replay a
/// second set of captures (<see cref="WindowBuckets"/>, the same pool) whose attention reads the device mask over
/// lengths rounded up to <see cref="AttentionWindow"/>: the groups are updated only when those lengths change; those
/// graphs also advance the live rows' positions and slots on the device (<see cref="LlmModel.AdvanceInputs"/>) and copy
/// the tokens to the host themselves, so a step that follows the previous one submits the replay alone. In
/// <see cref="DecodeMode.Loop"/> one launch of a third set of captures (<see cref="LoopBuckets"/>) runs up to
/// <see cref="LoopSteps"/> steps inside a WHILE node, with no update at all (see <see cref="DecodeLoop"/>).
/// </summary>
public sealed partial class LlmEngine : IDisposable
{
    /// <summary>The batch buckets LLM servers capture by default for small models.</summary>
    public static readonly int[] DefaultBuckets = [1, 2, 4, 8, 16, 32];

    private readonly LlmModel _model;
    private readonly NpuGraphPool? _pool;     // shared by the three sets of buckets; replayed on the model's stream only
    private readonly PinnedBuffer<long> _inputs;
    private readonly PinnedBuffer<long> _tokens;
    private readonly PinnedBuffer<float> _logits;
    private readonly NpuTensor _tokenBackup;
    private readonly long[] _lengths;
    private readonly long[] _captureLengths;
    private readonly long[] _windowCaptureLengths;
    private readonly Action<NpuStream, int> _captureBody;
    private readonly Action<NpuStream, int> _windowCaptureBody;
    private readonly Dictionary<int, CapturedStep> _steps = new();
    private readonly Dictionary<int, CapturedStep> _windowSteps = new();
    private readonly DecodeLoop _loop;
    private readonly PinnedBuffer<long> _loopControl;
    private readonly PinnedBuffer<long> _loopOutput;
    private readonly Action<NpuStream, int> _loopCaptureBody;
    private readonly long[] _windowHeldPositions;
    private int _windowHeldRows;

    /// <summary>A captured step, its attention task groups (one per layer) and the lengths they hold now.</summary>
    private sealed class CapturedStep
    {
        public required NpuGraph Graph;
        public required NpuTaskGroup[] Groups;
        public required long[] HeldLengths;
    }

    /// <summary>What a task-group update re-issues: layer <see cref="Layer"/>'s attention for <see cref="Rows"/> rows (passed as state: no closure).</summary>
    private readonly record struct Reissue(LlmEngine Engine, int Layer, int Rows, bool Masked);

    private static readonly Action<NpuStream, Reissue> s_reissue =
        static (stream, r) => r.Engine._model.ReissueAttention(stream, r.Layer, 0, r.Rows, r.Engine._lengths.AsSpan(0, r.Rows), r.Masked);

    /// <summary>Creates the engine for <paramref name="model"/> (which it does not own).</summary>
    /// <param name="model">The model.</param>
    /// <param name="buckets">Batch buckets (default <see cref="DefaultBuckets"/>, capped at the model's MaxBatch).</param>
    /// <param name="sharePool">One graph pool for every bucket (default) or a private pool each.</param>
    /// <param name="warmup">Eager runs before each capture.</param>
    /// <param name="captureMode">How captures treat other threads (ThreadLocal when several ranks capture at once, one thread each).</param>
    /// <param name="attentionWindow">
    /// <see cref="DecodeMode.Window"/>: attention lengths are rounded up to a multiple of this (capped at the context),
    /// so the attention task groups are updated once per window a sequence enters instead of every step.
    /// </param>
    /// <param name="loopSteps"><see cref="DecodeMode.Loop"/>: the most decode steps one launch runs (K).</param>
    public LlmEngine(LlmModel model, IEnumerable<int>? buckets = null, bool sharePool = true, int warmup = 1, CaptureMode captureMode = CaptureMode.Global,
        int attentionWindow = DefaultAttentionWindow, int loopSteps = DefaultLoopSteps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(attentionWindow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(loopSteps, 1);
        _model = model;
        var config = model.Config;
        var sizes = (buckets ?? DefaultBuckets).ToArray();
        foreach (int size in sizes)
            if (size > config.MaxBatch)
                throw new ArgumentOutOfRangeException(nameof(buckets), size, $"A bucket cannot exceed the model's MaxBatch ({config.MaxBatch}).");
        var device = model.Stream.Device;
        // Every replay runs on the model's stream: a pool for that one stream needs no ordering event per replay.
        _pool = sharePool ? new NpuGraphPool(model.Stream) : null;
        Buckets = new NpuGraphBuckets(device, sizes, warmup, captureMode, sharePool: sharePool, pool: _pool);
        WindowBuckets = new NpuGraphBuckets(device, sizes, warmup, captureMode, sharePool: sharePool, pool: _pool);
        LoopBuckets = new NpuGraphBuckets(device, sizes, warmup, captureMode, sharePool: sharePool, pool: _pool);
        AttentionWindow = attentionWindow;
        LoopSteps = loopSteps;
        UpdateStream = device.CreateStream();
        _inputs = PinnedBuffer<long>.Allocate(device, 6L * config.MaxBatch);
        _tokens = PinnedBuffer<long>.Allocate(device, config.MaxBatch);
        _logits = PinnedBuffer<float>.Allocate(device, (long)config.MaxBatch * config.Vocab);
        _tokenBackup = NpuTensor.Empty(model.Stream, new TensorShape(config.MaxBatch), NpuDataType.Int64);
        _lengths = new long[config.MaxBatch];
        _captureLengths = new long[config.MaxBatch];
        Array.Fill(_captureLengths, 1);
        _windowCaptureLengths = new long[config.MaxBatch];
        Array.Fill(_windowCaptureLengths, Math.Min(attentionWindow, config.Context));
        _captureBody = (s, size) => _model.Step(s, 0, size, _captureLengths.AsSpan(0, size));
        _windowCaptureBody = CaptureWindowStep;
        _windowHeldPositions = new long[config.MaxBatch];
        _loop = new DecodeLoop(model, loopSteps);
        _loopControl = PinnedBuffer<long>.Allocate(device, _loop.ControlLength);
        _loopOutput = PinnedBuffer<long>.Allocate(device, _loop.OutputLength);
        _loopCaptureBody = _loop.Capture;
    }

    /// <summary>The default <see cref="LoopSteps"/>.</summary>
    public const int DefaultLoopSteps = 16;

    /// <summary><see cref="DecodeMode.Loop"/>: the most decode steps one launch runs (K).</summary>
    public int LoopSteps { get; }

    /// <summary>The steps captured for <see cref="DecodeMode.Loop"/> per bucket (a WHILE node around the step), in the pool of <see cref="Buckets"/>.</summary>
    public NpuGraphBuckets LoopBuckets { get; }

    /// <summary>The model.</summary>
    public LlmModel Model => _model;

    /// <summary>The stream steps run on.</summary>
    public NpuStream Stream => _model.Stream;

    /// <summary>The side stream the attention task groups are updated on.</summary>
    public NpuStream UpdateStream { get; }

    /// <summary>The captured steps per bucket, their pool and statistics.</summary>
    public NpuGraphBuckets Buckets { get; }

    /// <summary>The attention lengths a step is captured with (every row 1): what a replay without an update uses.</summary>
    public ReadOnlySpan<long> CaptureLengths => _captureLengths;

    /// <summary>
    /// Generates <paramref name="newTokens"/> tokens for each prompt: eager prefill, then up to
    /// <paramref name="newTokens"/> - 1 decode steps in <paramref name="mode"/> (loop mode: launches of up to
    /// <see cref="LoopSteps"/> steps each). With <paramref name="endToken"/>, a sequence stops after emitting it and
    /// decoding stops when every sequence has.
    /// </summary>
    /// <param name="prompts">Token ids per sequence (at most MaxBatch sequences, each at least one token).</param>
    /// <param name="newTokens">Tokens to generate per sequence.</param>
    /// <param name="mode">How decode steps run.</param>
    /// <param name="keepLogits">Also return every step's logits (not in loop mode: its steps keep no logits on the host).</param>
    /// <param name="updateAttention">Graph and window modes: false skips the task-group updates (to show that a replay then uses the capture-time lengths).</param>
    /// <param name="endToken">The end-of-sequence token id, if any.</param>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, int newTokens, DecodeMode mode, bool keepLogits = false, bool updateAttention = true,
        int? endToken = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(newTokens, 1);
        var config = _model.Config;
        int n = prompts.Count;
        if (n < 1 || n > config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(prompts), n, $"1 to {config.MaxBatch} prompts.");
        if (mode is not (DecodeMode.Eager or DecodeMode.Graph or DecodeMode.Window or DecodeMode.Loop))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a DecodeMode.");
        if (keepLogits && mode == DecodeMode.Loop)
            throw new ArgumentException("The loop mode keeps no per-step logits on the host (its steps run inside one launch); use another mode to read logits.", nameof(keepLogits));
        if (endToken is { } end && (end < 0 || end >= config.Vocab))
            throw new ArgumentOutOfRangeException(nameof(endToken), end, $"Token ids are 0..{config.Vocab - 1}.");
        foreach (var p in prompts)
        {
            if (p is null || p.Length == 0) throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
            if (p.Length + newTokens - 1 > config.Context)
                throw new ArgumentException($"A prompt of {p.Length} tokens plus {newTokens} new ones exceeds the context ({config.Context}).", nameof(prompts));
            foreach (int t in p)
                if (t < 0 || t >= config.Vocab) throw new ArgumentOutOfRangeException(nameof(prompts), t, $"Token ids are 0..{config.Vocab - 1}.");
        }

        var generated = new int[n][];
        for (int i = 0; i < n; i++) generated[i] = new int[newTokens];
        var counts = new int[n];
        var logits = keepLogits ? new List<float[]>() : null;
        var clock = Stopwatch.StartNew();
        _model.ResetMask(Stream, 0, n);     // the rows' earlier sequences' positions are not these sequences'
        Prefill(prompts, generated, logits);
        var prefill = clock.Elapsed;

        var positions = new long[n];
        var ended = new bool[n];
        int live = n;
        for (int i = 0; i < n; i++)
        {
            positions[i] = prompts[i].Length;
            counts[i] = 1;
            if (generated[i][0] == endToken) { ended[i] = true; live--; }
        }
        var steps = new List<DecodeStepTiming>(newTokens);
        int k = 1;
        while (k < newTokens && live > 0)
        {
            if (mode == DecodeMode.Loop)
            {
                var timing = DecodeLoop(positions, newTokens - k, ended, endToken);
                steps.Add(timing);
                var output = _loopOutput.Span;
                int width = config.MaxBatch;
                for (int step = 0; step < timing.Steps; step++)
                    for (int i = 0; i < n; i++)
                        if (!ended[i]) Append(i, (int)output[1 + step * width + i]);
                for (int i = 0; i < n; i++) positions[i] += timing.Steps;
                k += timing.Steps;
                continue;
            }
            steps.Add(DecodeStep(positions, mode, updateAttention));
            var tokens = _tokens.Span;
            for (int i = 0; i < n; i++)
            {
                if (!ended[i]) Append(i, (int)tokens[i]);
                positions[i]++;
            }
            if (logits is not null) logits.Add(ReadLogits(n));
            k++;
        }
        for (int i = 0; i < n; i++)
            if (counts[i] < newTokens) generated[i] = generated[i][..counts[i]];
        return new GenerationResult { Mode = mode, Tokens = generated, Logits = logits, Steps = steps, PrefillTime = prefill };

        void Append(int row, int token)
        {
            generated[row][counts[row]++] = token;
            if (token == endToken) { ended[row] = true; live--; }
        }
    }

    /// <summary>
    /// Eager prefill: each prompt token by token in its own cache row (row i for prompt i); afterwards
    /// <see cref="LlmModel.Tokens"/>[i] holds sequence i's first generated token, also stored in <paramref name="generated"/>[i][0].
    /// </summary>
    private void Prefill(IReadOnlyList<int[]> prompts, int[][] generated, List<float[]>? logits)
    {
        var stream = Stream;
        Span<long> one = stackalloc long[1];
        var firstLogits = logits is null ? null : new float[prompts.Count * _model.Config.Vocab];
        for (int row = 0; row < prompts.Count; row++)
        {
            var prompt = prompts[row];
            using var token = _model.Tokens.Slice(0, row, 1);
            for (int t = 0; t < prompt.Length; t++)
            {
                one[0] = prompt[t];
                token.CopyFrom<long>(stream, one);
                WriteInputs(row, [t], 1);
                one[0] = t + 1;
                _model.Step(stream, row, 1, one);
            }
            token.CopyTo<long>(stream, one);
            generated[row][0] = (int)one[0];
            if (firstLogits is not null)
            {
                using var rowLogits = _model.Logits.Slice(0, 0, 1);
                rowLogits.CopyTo<float>(stream, firstLogits.AsSpan(row * _model.Config.Vocab, _model.Config.Vocab));
            }
        }
        if (firstLogits is not null) logits!.Add(firstLogits);
    }

    /// <summary>
    /// Queues one decode step for the rows 0..positions.Length-1 at <paramref name="positions"/> (their tokens are in
    /// <see cref="LlmModel.Tokens"/>), waits for it, and leaves the next tokens in the engine's pinned buffer
    /// (<see cref="LastTokens"/>). In graph and window modes a batch larger than the largest bucket runs eagerly.
    /// Window mode needs each row's <see cref="LlmModel.AttentionMask"/> to unmask exactly the positions its sequence
    /// wrote: <see cref="Generate"/> resets the mask of its rows before the prefill; a caller driving steps itself calls
    /// <see cref="LlmModel.ResetMask"/> when a row starts a new sequence.
    /// </summary>
    public DecodeStepTiming DecodeStep(ReadOnlySpan<long> positions, DecodeMode mode, bool updateAttention = true)
    {
        var timing = SubmitDecodeStep(positions, mode, updateAttention);
        long submitted = Stopwatch.GetTimestamp();
        Stream.Synchronize();
        return timing with { WaitTicks = Stopwatch.GetTimestamp() - submitted };
    }

    /// <summary>
    /// <see cref="DecodeStep"/> without the wait: queues the step (capturing its bucket first if needed) and returns;
    /// the tokens are in <see cref="LastTokens"/> once the stream has finished. Do not write the engine's inputs
    /// again (another step) before the stream finished if the inputs differ. A window step at the positions just after
    /// the previous window step's (every row one further, the same rows) writes nothing: its graph advanced the inputs
    /// on the device, so such steps may be queued back to back (<see cref="DecodeStepTiming.HostCopies"/> 0).
    /// </summary>
    public DecodeStepTiming SubmitDecodeStep(ReadOnlySpan<long> positions, DecodeMode mode, bool updateAttention = true)
    {
        int n = positions.Length;
        if (n < 1 || n > _model.Config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(positions), n, $"A decode step has 1 to {_model.Config.MaxBatch} rows.");
        if (mode is not (DecodeMode.Eager or DecodeMode.Graph or DecodeMode.Window))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a DecodeMode.");
        foreach (long p in positions)
            if (p < 0 || p >= _model.Config.Context)
                throw new ArgumentOutOfRangeException(nameof(positions), p, $"Positions are 0..{_model.Config.Context - 1} (the context).");
        var stream = Stream;
        var buckets = mode == DecodeMode.Window ? WindowBuckets : Buckets;
        if (mode == DecodeMode.Eager || !buckets.TrySelect(n, out var bucket))
        {
            long t0 = Stopwatch.GetTimestamp();
            WriteInputs(0, positions, n);
            for (int i = 0; i < n; i++) _lengths[i] = positions[i] + 1;
            _model.Step(stream, 0, n, _lengths.AsSpan(0, n));
            _model.Tokens.EnqueueCopyTo(stream, _tokens);
            return new DecodeStepTiming(n, n, Stopwatch.GetTimestamp() - t0, 0, false, HostCopies: 2);
        }

        bool window = mode == DecodeMode.Window;
        bool captured = false;
        if (!buckets.TryGet(n, out _))
        {
            CaptureBucket(bucket.Size, mode);
            captured = true;
        }
        long start = Stopwatch.GetTimestamp();
        var graph = buckets.GetOrCapture(stream, n, window ? _windowCaptureBody : _captureBody, out _);
        var step = Captured(bucket.Size, graph, window);
        int copies = window ? 0 : 2;
        if (!window || !HoldsWindowInputs(positions))
        {
            WriteInputs(0, positions, bucket.Size);
            if (window) copies = 1;
        }
        bool changed = false;
        for (int i = 0; i < bucket.Size; i++)
        {
            // Padding rows attend to their own row: graph mode to its position 0 (length 1); window mode keeps the
            // length the group holds (its position 0 is unmasked by the row's own mask write), so they never force an update.
            long length = i < n ? (window ? WindowLength(positions[i]) : positions[i] + 1) : window ? step.HeldLengths[i] : 1;
            _lengths[i] = length;
            changed |= length != step.HeldLengths[i];
        }
        long updateStart = Stopwatch.GetTimestamp();
        int updates = 0;
        if (updateAttention && (changed || !window))
        {
            for (int l = 0; l < step.Groups.Length; l++) graph.Update(UpdateStream, step.Groups[l], new Reissue(this, l, bucket.Size, window), s_reissue);
            _lengths.AsSpan(0, bucket.Size).CopyTo(step.HeldLengths);
            updates = step.Groups.Length;
        }
        long updated = Stopwatch.GetTimestamp();
        _windowHeldRows = 0;        // until the replay is queued
        graph.Replay(stream);
        if (window)
        {
            // The graph advanced the live rows on the device and copied the tokens out.
            for (int i = 0; i < n; i++) _windowHeldPositions[i] = positions[i] + 1;
            _windowHeldRows = n;
        }
        else
        {
            _model.Tokens.EnqueueCopyTo(stream, _tokens);
        }
        return new DecodeStepTiming(n, bucket.Size, Stopwatch.GetTimestamp() - start, 0, captured, updated - updateStart, updates, HostCopies: copies);
    }

    /// <summary>Queues only the replay of the step captured for <paramref name="rows"/> rows (no input copies, no updates): the floor of a graph step's host cost.</summary>
    public void SubmitReplayOnly(int rows, DecodeMode mode = DecodeMode.Graph)
    {
        if (mode == DecodeMode.Eager) throw new ArgumentException("An eager step has no graph to replay.", nameof(mode));
        if (!BucketsOf(mode).TryGet(rows, out var graph))
            throw new InvalidOperationException($"No {mode} decode step is captured for {rows} rows yet.");
        if (mode == DecodeMode.Window) _windowHeldRows = 0;     // its replay advances the inputs
        graph.Replay(Stream);
    }

    /// <summary>The greedy tokens of the last decode step, per row (valid after <see cref="DecodeStep"/>).</summary>
    public ReadOnlySpan<long> LastTokens => _tokens.Span;

    /// <summary>Copies the logits of rows 0..rows-1 of the last step to the host.</summary>
    public float[] ReadLogits(int rows)
    {
        int vocab = _model.Config.Vocab;
        using var view = _model.Logits.Slice(0, 0, rows);
        var result = new float[rows * vocab];
        view.CopyTo<float>(Stream, result);
        return result;
    }

    /// <summary>
    /// Captures bucket <paramref name="size"/> of <paramref name="mode"/> (graph, window or loop) now, without disturbing a
    /// generation in progress: the warm-up run writes its keys and values at the last cache position of each row (read
    /// by no sequence before it is written again), unmasks only position 0 of each row (written by every sequence's
    /// prefill) and writes its greedy tokens over the static token buffer, which is restored afterwards.
    /// </summary>
    public void CaptureBucket(int size, DecodeMode mode = DecodeMode.Graph)
    {
        if (mode is not (DecodeMode.Graph or DecodeMode.Window or DecodeMode.Loop))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Only graph, window and loop steps are captured.");
        var stream = Stream;
        bool window = mode == DecodeMode.Window;
        var buckets = BucketsOf(mode);
        if (buckets.TryGet(size, out _)) return;
        var config = _model.Config;
        Ops.Copy(stream, _model.Tokens, _tokenBackup);
        WriteInputs(0, default, config.MaxBatch);      // every row a padding row: nothing live, nothing advances
        if (mode == DecodeMode.Loop)
        {
            // The warm-up iteration advances nothing and ends nothing: no row is live, the limit is 0.
            WriteLoopControl(0, size, 0, default, -1);
            var loop = buckets.GetOrCapture(stream, size, _loopCaptureBody, out _);
            loop.Name = $"decode-loop{LoopSteps}-b{size}";
            Ops.Copy(stream, _tokenBackup, _model.Tokens);
            stream.Synchronize();
            return;
        }
        var graph = buckets.GetOrCapture(stream, size, window ? _windowCaptureBody : _captureBody, out _);
        graph.Name = window ? $"decode-window{AttentionWindow}-b{size}" : $"decode-b{size}";
        Ops.Copy(stream, _tokenBackup, _model.Tokens);
        stream.Synchronize();
        Captured(size, graph, window);
    }

    private NpuGraphBuckets BucketsOf(DecodeMode mode) => mode switch
    {
        DecodeMode.Window => WindowBuckets,
        DecodeMode.Loop => LoopBuckets,
        _ => Buckets,
    };

    /// <summary>Captures every bucket of <paramref name="mode"/> (graph or window) not captured yet, largest first.</summary>
    public void CaptureAll(DecodeMode mode = DecodeMode.Graph)
    {
        var buckets = BucketsOf(mode);
        for (int i = buckets.Sizes.Count - 1; i >= 0; i--) CaptureBucket(buckets.Sizes[i], mode);
    }

    private CapturedStep Captured(int size, NpuGraph graph, bool window)
    {
        var steps = window ? _windowSteps : _steps;
        if (steps.TryGetValue(size, out var known) && ReferenceEquals(known.Graph, graph)) return known;
        int layers = _model.Config.Layers;
        var groups = new NpuTaskGroup[layers];
        var all = graph.TaskGroups;
        for (int l = 0; l < layers; l++)
        {
            string name = LlmModel.AttentionGroupName(l);
            groups[l] = all.FirstOrDefault(g => g.Name == name)
                ?? throw new InvalidOperationException($"The captured step of bucket {size} has no task group '{name}'.");
        }
        var held = (window ? _windowCaptureLengths : _captureLengths).AsSpan(0, size).ToArray();
        var step = new CapturedStep { Graph = graph, Groups = groups, HeldLengths = held };
        steps[size] = step;
        return step;
    }

    /// <summary>
    /// Writes positions, cache slots and mask slots of rows rowStart.. (padding rows up to <paramref name="rows"/>) and
    /// the advance (1 for the rows of <paramref name="positions"/>, 0 for every other row), and queues the one copy of
    /// <see cref="LlmModel.StepInputBlock"/>.
    /// </summary>
    private void WriteInputs(int rowStart, ReadOnlySpan<long> positions, int rows)
    {
        int b = _model.Config.MaxBatch;
        long last = _model.Config.Context - 1;
        var inputs = _inputs.Span;
        var advance = inputs.Slice(3 * b, 3 * b);
        advance.Clear();
        for (int i = 0; i < rows; i++)
        {
            int row = rowStart + i;
            bool padding = i >= positions.Length;
            inputs[row] = padding ? 0 : positions[i];
            inputs[b + row] = padding ? _model.Slot(row, last) : _model.Slot(row, positions[i]);
            inputs[2 * b + row] = padding ? _model.MaskSlot(row, 0, live: false) : _model.MaskSlot(row, positions[i], live: true);
            if (!padding) advance[row] = advance[b + row] = advance[2 * b + row] = 1;
        }
        _windowHeldRows = 0;
        _model.StepInputBlock.EnqueueCopyFrom(Stream, _inputs);
    }

    /// <summary>Disposes the graphs, the side stream and the engine's buffers (not the model).</summary>
    public void Dispose()
    {
        try { Stream.Synchronize(); } catch (AclException) { }
        LoopBuckets.Dispose();
        WindowBuckets.Dispose();
        Buckets.Dispose();
        _pool?.Dispose();
        _tokenBackup.Dispose();
        _inputs.Dispose();
        _tokens.Dispose();
        _logits.Dispose();
        _loopControl.Dispose();
        _loopOutput.Dispose();
        _loop.Dispose();
        UpdateStream.Dispose();
    }
}
