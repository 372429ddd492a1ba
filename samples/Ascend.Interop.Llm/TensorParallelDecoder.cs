using Ascend.Interop.Distributed;

namespace Ascend.Interop.Llm;

/// <summary>
/// The decoder run tensor-parallel over the devices of this process, one rank per device and one host thread per
/// rank: each rank has its own device, stream, <see cref="NpuCommunicator"/> (all made at once,
/// <see cref="NpuCommunicator.CreateForDevices"/>), model shard (<see cref="LlmModel(NpuStream, LlmConfig, LlmWeights, NpuCommunicator)"/>)
/// and <see cref="LlmEngine"/>. <see cref="Generate"/> runs every rank's engine on its own thread (eager prefill, then
/// eager steps or replays of the step captured per bucket, the two all-reduces of every layer inside the graph);
/// the replicated head makes every rank choose the same tokens, which <see cref="Generate"/> checks.
/// Captures use <see cref="CaptureMode.ThreadLocal"/>, since the ranks capture at the same time on different threads.
/// </summary>
public sealed class TensorParallelDecoder : IDisposable
{
    private readonly NpuDevice[] _devices;
    private readonly NpuStream[] _streams;
    private readonly NpuCommunicator[] _comms;
    private readonly LlmModel[] _models;
    private readonly LlmEngine[] _engines;

    /// <summary>Opens devices 0..<paramref name="ranks"/>-1 and loads each rank's shard of <paramref name="weights"/>.</summary>
    public TensorParallelDecoder(LlmConfig config, LlmWeights weights, int ranks = 2, IEnumerable<int>? buckets = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        if (NpuDevice.Count < ranks)
            throw new ArgumentOutOfRangeException(nameof(ranks), ranks, $"TensorParallelDecoder: {ranks} ranks need {ranks} devices; this machine has {NpuDevice.Count}.");
        var sizes = (buckets ?? LlmEngine.DefaultBuckets).ToArray();
        _devices = new NpuDevice[ranks];
        _streams = new NpuStream[ranks];
        _models = new LlmModel[ranks];
        _engines = new LlmEngine[ranks];
        _comms = [];
        try
        {
            for (int r = 0; r < ranks; r++)
            {
                _devices[r] = NpuDevice.Open(r);
                _streams[r] = _devices[r].CreateStream();
            }
            _comms = NpuCommunicator.CreateForDevices(_devices);
            for (int r = 0; r < ranks; r++)
            {
                _models[r] = new LlmModel(_streams[r], config, weights, _comms[r]);
                _engines[r] = new LlmEngine(_models[r], sizes, captureMode: CaptureMode.ThreadLocal);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Ranks (devices).</summary>
    public int Ranks => _devices.Length;

    /// <summary>Rank <paramref name="rank"/>'s engine (its model, stream and captured steps).</summary>
    public LlmEngine Engine(int rank) => _engines[rank];

    /// <summary>
    /// Generates on every rank at once, one thread each, and returns rank 0's result after checking every rank chose
    /// the same tokens (they must: the all-reduced activations and the replicated head are the same on every rank).
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, int newTokens, DecodeMode mode, bool keepLogits = false)
    {
        var results = new GenerationResult[Ranks];
        var failures = new Exception?[Ranks];
        var threads = new Thread[Ranks];
        for (int r = 0; r < Ranks; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                try { results[rank] = _engines[rank].Generate(prompts, newTokens, mode, keepLogits); }
                catch (Exception e) { failures[rank] = e; }
            }) { Name = $"tp-rank{r}", IsBackground = true };
            threads[r].Start();
        }
        foreach (var t in threads) t.Join();
        var errors = failures.Where(e => e is not null).Cast<Exception>().ToArray();
        if (errors.Length > 0) throw new AggregateException("TensorParallelDecoder.Generate: a rank failed.", errors);
        for (int r = 1; r < Ranks; r++)
            for (int i = 0; i < prompts.Count; i++)
                if (!results[r].Tokens[i].AsSpan().SequenceEqual(results[0].Tokens[i]))
                    throw new InvalidOperationException($"TensorParallelDecoder: rank {r} generated other tokens than rank 0 for sequence {i}.");
        return results[0];
    }

    /// <summary>Disposes engines, models, communicators, streams and devices, in that order.</summary>
    public void Dispose()
    {
        foreach (var e in _engines) e?.Dispose();
        foreach (var m in _models) m?.Dispose();
        foreach (var c in _comms) c?.Dispose();
        foreach (var s in _streams) s?.Dispose();
        foreach (var d in _devices) d?.Dispose();
    }
}
