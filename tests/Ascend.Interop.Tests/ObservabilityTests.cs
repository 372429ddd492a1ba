using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Ascend.Interop.Tests;

[Collection("Npu")]
public sealed class ObservabilityTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        public readonly Dictionary<string, long> Totals = new();
        public readonly Dictionary<string, long> Observed = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NpuMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                lock (_lock)
                {
                    if (instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal))
                        Observed[instrument.Name] = Observed.GetValueOrDefault(instrument.Name) + value;
                    else
                        Totals[instrument.Name] = Totals.GetValueOrDefault(instrument.Name) + value;
                }
            });
            _listener.Start();
        }

        public long Total(string name) { lock (_lock) return Totals.GetValueOrDefault(name); }

        public long Observe(string name)
        {
            lock (_lock) Observed.Clear();
            _listener.RecordObservableInstruments();
            lock (_lock) return Observed.GetValueOrDefault(name);
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public void Captures_replays_cache_and_pool_bytes_are_measured()
    {
        using var recorder = new Recorder();
        using var stream = Fixture.Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, -2, 3 });
        using var y = NpuTensor.Empty(stream, new TensorShape(3), NpuDataType.Float32);
        long graphsBefore = recorder.Observe("ascend.graphs.live");

        using (var cache = new NpuGraphCache<int>(capacity: 1))
        {
            var graph = cache.GetOrCapture(stream, 3, s => Ops.Relu(s, x, y), warmup: 0);
            Assert.Same(graph, cache.GetOrCapture(stream, 3, s => Ops.Relu(s, x, y), warmup: 0));
            for (int i = 0; i < 5; i++) graph.Replay();
            stream.Synchronize();
            Assert.Equal(graphsBefore + 1, recorder.Observe("ascend.graphs.live"));
            cache.GetOrCapture(stream, 4, s => Ops.Relu(s, y, y), warmup: 0); // evicts key 3
        }

        Assert.Equal(2, recorder.Total("ascend.graph.captures"));
        Assert.Equal(5, recorder.Total("ascend.graph.replays"));
        Assert.Equal(1, recorder.Total("ascend.graph_cache.hits"));
        Assert.Equal(2, recorder.Total("ascend.graph_cache.misses"));
        Assert.Equal(1, recorder.Total("ascend.graph_cache.evictions"));
        Assert.Equal(graphsBefore, recorder.Observe("ascend.graphs.live"));
        Assert.True(recorder.Observe("ascend.pool.reserved") >= Fixture.Device.MemoryPool.ReservedBytes);
        Assert.True(recorder.Observe("ascend.pool.in_use") > 0); // x and y are rented from the device pool
    }

    [Fact]
    public void Capture_failures_are_counted_and_logged()
    {
        using var recorder = new Recorder();
        var log = new ListLogger();
        var previous = NpuLogging.LoggerFactory;
        NpuLogging.LoggerFactory = new ListLoggerFactory(log);
        try
        {
            using var origin = Fixture.Device.CreateStream();
            using var side = Fixture.Device.CreateStream();
            using var fork = Fixture.Device.CreateEvent(timing: false);
            using var graph = origin.BeginCapture();
            fork.Record(origin);
            side.Wait(fork);                       // side joins and never joins back
            Assert.Throws<NpuCaptureException>(graph.EndCapture);
        }
        finally
        {
            NpuLogging.LoggerFactory = previous;
        }
        Assert.True(recorder.Total("ascend.graph.capture_failures") >= 1);
        Assert.Contains(log.Lines, line => line.StartsWith("Warning:", StringComparison.Ordinal) && line.Contains("107025"));
    }

    private sealed class ListLogger : ILogger
    {
        public readonly List<string> Lines = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }

    private sealed class ListLoggerFactory(ListLogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) { }
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }
}
