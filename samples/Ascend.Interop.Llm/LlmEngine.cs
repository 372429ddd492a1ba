using System.Diagnostics;

namespace Ascend.Interop.Llm;

/// <summary>How decode steps run.</summary>
public enum DecodeMode
{
    /// <summary>Every step submits its operators one by one.</summary>
    Eager,
    /// <summary>Every step replays the captured graph of its batch bucket, after updating the attention lengths.</summary>
    Graph,
}

/// <summary>One decode step's figures.</summary>
/// <param name="Batch">Sequences in the step.</param>
/// <param name="Bucket">Rows computed: the bucket in graph mode (padding included), the batch when eager.</param>
/// <param name="SubmitTicks">Host time (Stopwatch ticks) to queue the step: input copies, task-group updates and the replay, or the eager operators; no waiting.</param>
/// <param name="WaitTicks">Host time then spent waiting for the device (Synchronize).</param>
/// <param name="Captured">The step captured its bucket's graph first (its capture time is not in SubmitTicks).</param>
/// <param name="UpdateTicks">The part of SubmitTicks spent updating the attention task groups (graph mode).</param>
public readonly record struct DecodeStepTiming(int Batch, int Bucket, long SubmitTicks, long WaitTicks, bool Captured, long UpdateTicks = 0)
{
    /// <summary>Task-group update time in microseconds.</summary>
    public double UpdateMicroseconds => UpdateTicks * 1e6 / Stopwatch.Frequency;

    /// <summary>Submission time in microseconds.</summary>
    public double SubmitMicroseconds => SubmitTicks * 1e6 / Stopwatch.Frequency;

    /// <summary>Submission plus wait in microseconds.</summary>
    public double TotalMicroseconds => (SubmitTicks + WaitTicks) * 1e6 / Stopwatch.Frequency;
}

/// <summary>What <see cref="LlmEngine.Generate"/> produced.</summary>
public sealed class GenerationResult
{
    /// <summary>How the decode steps ran.</summary>
    public required DecodeMode Mode { get; init; }

    /// <summary>Generated tokens per sequence (the first comes from the prefill).</summary>
    public required int[][] Tokens { get; init; }

    /// <summary>Per generated token, the logits of every sequence [batch x vocab], when asked for.</summary>
    public IReadOnlyList<float[]>? Logits { get; init; }

    /// <summary>The decode steps (after the prefill).</summary>
    public required IReadOnlyList<DecodeStepTiming> Steps { get; init; }

    /// <summary>Wall time of the eager prefill.</summary>
    public TimeSpan PrefillTime { get; init; }
}

/// <summary>
/// Runs <see cref="LlmModel"/>: eager prefill (the prompt fed one token per step, each sequence in its own KV-cache
/// row), then decode steps for the whole batch, eagerly or by replaying the step captured for the batch's bucket
/// (<see cref="NpuGraphBuckets"/>, one shared <see cref="NpuGraphPool"/> by default). Before each replay the host
/// writes positions and cache slots into the static inputs and updates every layer's attention task group with
/// the step's sequence lengths, on a side stream ordered with events (<see cref="NpuGraph.Update"/>); the
/// greedy tokens stay on the device and feed the next step.
/// </summary>
public sealed class LlmEngine : IDisposable
{
    /// <summary>The batch buckets LLM servers capture by default for small models.</summary>
    public static readonly int[] DefaultBuckets = [1, 2, 4, 8, 16, 32];

    private readonly LlmModel _model;
    private readonly PinnedBuffer<long> _positionsAndSlots;
    private readonly PinnedBuffer<long> _tokens;
    private readonly PinnedBuffer<float> _logits;
    private readonly NpuTensor _tokenBackup;
    private readonly long[] _lengths;
    private readonly long[] _captureLengths;
    private readonly Action<NpuStream, int> _captureBody;
    private readonly Dictionary<int, CapturedStep> _steps = new();

    /// <summary>A captured step and its attention task groups (one per layer).</summary>
    private sealed class CapturedStep
    {
        public required NpuGraph Graph;
        public required NpuTaskGroup[] Groups;
    }

    /// <summary>What a task-group update re-issues: layer <see cref="Layer"/>'s attention for <see cref="Rows"/> rows (passed as state: no closure).</summary>
    private readonly record struct Reissue(LlmEngine Engine, int Layer, int Rows);

    private static readonly Action<NpuStream, Reissue> s_reissue =
        static (stream, r) => r.Engine._model.ReissueAttention(stream, r.Layer, 0, r.Rows, r.Engine._lengths.AsSpan(0, r.Rows));

    /// <summary>Creates the engine for <paramref name="model"/> (which it does not own).</summary>
    /// <param name="model">The model.</param>
    /// <param name="buckets">Batch buckets (default <see cref="DefaultBuckets"/>, capped at the model's MaxBatch).</param>
    /// <param name="sharePool">One graph pool for every bucket (default) or a private pool each.</param>
    /// <param name="warmup">Eager runs before each capture.</param>
    /// <param name="captureMode">How captures treat other threads (ThreadLocal when several ranks capture at once, one thread each).</param>
    public LlmEngine(LlmModel model, IEnumerable<int>? buckets = null, bool sharePool = true, int warmup = 1, CaptureMode captureMode = CaptureMode.Global)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        var config = model.Config;
        var sizes = (buckets ?? DefaultBuckets).ToArray();
        foreach (int size in sizes)
            if (size > config.MaxBatch)
                throw new ArgumentOutOfRangeException(nameof(buckets), size, $"A bucket cannot exceed the model's MaxBatch ({config.MaxBatch}).");
        var device = model.Stream.Device;
        Buckets = new NpuGraphBuckets(device, sizes, warmup, captureMode, sharePool: sharePool);
        UpdateStream = device.CreateStream();
        _positionsAndSlots = PinnedBuffer<long>.Allocate(device, 2L * config.MaxBatch);
        _tokens = PinnedBuffer<long>.Allocate(device, config.MaxBatch);
        _logits = PinnedBuffer<float>.Allocate(device, (long)config.MaxBatch * config.Vocab);
        _tokenBackup = NpuTensor.Empty(model.Stream, new TensorShape(config.MaxBatch), NpuDataType.Int64);
        _lengths = new long[config.MaxBatch];
        _captureLengths = new long[config.MaxBatch];
        Array.Fill(_captureLengths, 1);
        _captureBody = (s, size) => _model.Step(s, 0, size, _captureLengths.AsSpan(0, size));
    }

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
    /// Generates <paramref name="newTokens"/> tokens for each prompt: eager prefill, then
    /// <paramref name="newTokens"/> - 1 decode steps in <paramref name="mode"/>.
    /// </summary>
    /// <param name="prompts">Token ids per sequence (at most MaxBatch sequences, each at least one token).</param>
    /// <param name="newTokens">Tokens to generate per sequence.</param>
    /// <param name="mode">How decode steps run.</param>
    /// <param name="keepLogits">Also return every step's logits.</param>
    /// <param name="updateAttention">Graph mode only: false skips the task-group updates (to show that a replay then uses the capture-time lengths).</param>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, int newTokens, DecodeMode mode, bool keepLogits = false, bool updateAttention = true)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(newTokens, 1);
        var config = _model.Config;
        int n = prompts.Count;
        if (n < 1 || n > config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(prompts), n, $"1 to {config.MaxBatch} prompts.");
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
        var logits = keepLogits ? new List<float[]>() : null;
        var clock = Stopwatch.StartNew();
        Prefill(prompts, generated, logits);
        var prefill = clock.Elapsed;

        var positions = new long[n];
        for (int i = 0; i < n; i++) positions[i] = prompts[i].Length;
        var steps = new List<DecodeStepTiming>(newTokens);
        for (int k = 1; k < newTokens; k++)
        {
            steps.Add(DecodeStep(positions, mode, updateAttention));
            var tokens = _tokens.Span;
            for (int i = 0; i < n; i++)
            {
                generated[i][k] = (int)tokens[i];
                positions[i]++;
            }
            if (logits is not null) logits.Add(ReadLogits(n));
        }
        return new GenerationResult { Mode = mode, Tokens = generated, Logits = logits, Steps = steps, PrefillTime = prefill };
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
                token.CopyFrom<long>(one, stream);
                WriteInputs(row, [t], 1);
                one[0] = t + 1;
                _model.Step(stream, row, 1, one);
            }
            token.CopyTo<long>(one, stream);
            generated[row][0] = (int)one[0];
            if (firstLogits is not null)
            {
                using var rowLogits = _model.Logits.Slice(0, 0, 1);
                rowLogits.CopyTo<float>(firstLogits.AsSpan(row * _model.Config.Vocab, _model.Config.Vocab), stream);
            }
        }
        if (firstLogits is not null) logits!.Add(firstLogits);
    }

    /// <summary>
    /// Queues one decode step for the rows 0..positions.Length-1 at <paramref name="positions"/> (their tokens are in
    /// <see cref="LlmModel.Tokens"/>), waits for it, and leaves the next tokens in the engine's pinned buffer
    /// (<see cref="LastTokens"/>). In graph mode a batch larger than the largest bucket runs eagerly.
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
    /// again (another step) before the stream finished if the inputs differ.
    /// </summary>
    public DecodeStepTiming SubmitDecodeStep(ReadOnlySpan<long> positions, DecodeMode mode, bool updateAttention = true)
    {
        int n = positions.Length;
        if (n < 1 || n > _model.Config.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(positions), n, $"A decode step has 1 to {_model.Config.MaxBatch} rows.");
        var stream = Stream;
        if (mode == DecodeMode.Eager || !Buckets.TrySelect(n, out var bucket))
        {
            long t0 = Stopwatch.GetTimestamp();
            WriteInputs(0, positions, n);
            for (int i = 0; i < n; i++) _lengths[i] = positions[i] + 1;
            _model.Step(stream, 0, n, _lengths.AsSpan(0, n));
            _model.Tokens.CopyToAsync(_tokens, stream);
            return new DecodeStepTiming(n, n, Stopwatch.GetTimestamp() - t0, 0, false);
        }

        bool captured = false;
        if (!Buckets.TryGet(n, out _))
        {
            CaptureBucket(bucket.Size);
            captured = true;
        }
        long start = Stopwatch.GetTimestamp();
        var graph = Buckets.GetOrCapture(n, stream, _captureBody, out _);
        var step = Captured(bucket.Size, graph);
        WriteInputs(0, positions, bucket.Size);
        for (int i = 0; i < n; i++) _lengths[i] = positions[i] + 1;
        for (int i = n; i < bucket.Size; i++) _lengths[i] = 1;     // padding rows attend to their one written position
        long updateStart = Stopwatch.GetTimestamp();
        if (updateAttention)
            for (int l = 0; l < step.Groups.Length; l++) graph.Update(step.Groups[l], UpdateStream, new Reissue(this, l, bucket.Size), s_reissue);
        long updated = Stopwatch.GetTimestamp();
        graph.Replay(stream);
        _model.Tokens.CopyToAsync(_tokens, stream);
        return new DecodeStepTiming(n, bucket.Size, Stopwatch.GetTimestamp() - start, 0, captured, updated - updateStart);
    }

    /// <summary>Queues only the replay of the step captured for <paramref name="rows"/> rows (no input copies, no updates): the floor of a graph step's host cost.</summary>
    public void SubmitReplayOnly(int rows)
    {
        if (!Buckets.TryGet(rows, out var graph))
            throw new InvalidOperationException($"No decode step is captured for {rows} rows yet.");
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
        view.CopyTo<float>(result, Stream);
        return result;
    }

    /// <summary>
    /// Captures bucket <paramref name="size"/> now, without disturbing a generation in progress: the warm-up run
    /// writes its keys and values at the last cache position of each row (read by no sequence before it is
    /// written again) and its greedy tokens over the static token buffer, which is restored afterwards.
    /// </summary>
    public void CaptureBucket(int size)
    {
        var stream = Stream;
        if (Buckets.TryGet(size, out _)) return;
        var config = _model.Config;
        Ops.Copy(stream, _tokenBackup, _model.Tokens);
        var inputs = _positionsAndSlots.Span;
        for (int row = 0; row < config.MaxBatch; row++)
        {
            inputs[row] = 0;
            inputs[config.MaxBatch + row] = _model.Slot(row, config.Context - 1);
        }
        _model.PositionsAndSlots.CopyFromAsync(_positionsAndSlots, stream);
        var graph = Buckets.GetOrCapture(size, stream, _captureBody, out _);
        graph.Name = $"decode-b{size}";
        Ops.Copy(stream, _model.Tokens, _tokenBackup);
        stream.Synchronize();
        Captured(size, graph);
    }

    /// <summary>Captures every bucket not captured yet, largest first.</summary>
    public void CaptureAll()
    {
        for (int i = Buckets.Sizes.Count - 1; i >= 0; i--) CaptureBucket(Buckets.Sizes[i]);
    }

    private CapturedStep Captured(int size, NpuGraph graph)
    {
        if (_steps.TryGetValue(size, out var known) && ReferenceEquals(known.Graph, graph)) return known;
        int layers = _model.Config.Layers;
        var groups = new NpuTaskGroup[layers];
        var all = graph.TaskGroups;
        for (int l = 0; l < layers; l++)
        {
            string name = LlmModel.AttentionGroupName(l);
            groups[l] = all.FirstOrDefault(g => g.Name == name)
                ?? throw new InvalidOperationException($"The captured step of bucket {size} has no task group '{name}'.");
        }
        var step = new CapturedStep { Graph = graph, Groups = groups };
        _steps[size] = step;
        return step;
    }

    /// <summary>Writes positions and cache slots of rows rowStart.. (padding rows up to <paramref name="rows"/>) and queues the copy.</summary>
    private void WriteInputs(int rowStart, ReadOnlySpan<long> positions, int rows)
    {
        var config = _model.Config;
        var inputs = _positionsAndSlots.Span;
        for (int i = 0; i < rows; i++)
        {
            int row = rowStart + i;
            bool padding = i >= positions.Length;
            inputs[row] = padding ? 0 : positions[i];
            inputs[config.MaxBatch + row] = padding ? _model.Slot(row, config.Context - 1) : _model.Slot(row, positions[i]);
        }
        _model.PositionsAndSlots.CopyFromAsync(_positionsAndSlots, Stream);
    }

    /// <summary>Disposes the graphs, the side stream and the engine's buffers (not the model).</summary>
    public void Dispose()
    {
        try { Stream.Synchronize(); } catch (AclException) { }
        Buckets.Dispose();
        _tokenBackup.Dispose();
        _positionsAndSlots.Dispose();
        _tokens.Dispose();
        _logits.Dispose();
        UpdateStream.Dispose();
    }
}
