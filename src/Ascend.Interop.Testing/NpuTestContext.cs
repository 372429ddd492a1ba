namespace Ascend.Interop.Testing;

/// <summary>
/// One test's NPU: the runtime, a device and a fresh stream, opened when the test starts. <see cref="Dispose"/>
/// disposes the stream and then fails the test with <see cref="NpuLeakException"/> when streams, events, graphs,
/// device memory (or, on the simulator, pinned blocks and aclnn objects) are alive that were not alive at the start.
/// The backend and device are written to the test output.
/// </summary>
/// <example>
/// <code>
/// public sealed class MyTests : IDisposable
/// {
///     private readonly NpuTestContext _npu = NpuTestContext.Open();
///     public void Dispose() => _npu.Dispose();
///
///     [NpuFact(Backend = NpuBackendRequirement.Cann)]
///     public void Adds() { using var a = ...; ... _npu.Stream ... }
/// }
/// </code>
/// </example>
public sealed class NpuTestContext : IDisposable
{
    private readonly ITestOutputHelper? _output;
    private readonly NpuLeakCheckOptions _options;
    private readonly string _testName;
    private readonly NpuResourceSnapshot _baselineWithStream;
    private int _disposed;

    private NpuTestContext(int deviceId, ITestOutputHelper? output, NpuLeakCheckOptions options)
    {
        _output = output ?? TestContext.Current.TestOutputHelper;
        _options = options;
        _testName = TestContext.Current.Test?.TestDisplayName ?? "The test";
        Environment = NpuTestEnvironment.Current;
        Runtime = NpuRuntime.Initialize();
        try
        {
            Device = NpuDevice.Open(deviceId);
            Baseline = NpuResourceSnapshot.Take(Device);
            Stream = Device.CreateStream();
            _baselineWithStream = NpuResourceSnapshot.Take(Device);
        }
        catch
        {
            Stream?.Dispose();
            Device?.Dispose();
            Runtime.Dispose();
            throw;
        }
        _output?.WriteLine(Environment.ToString());
        _output?.WriteLine($"Test device: {deviceId}; resources at start: {Baseline}");
    }

    /// <summary>Opens the runtime, device <paramref name="deviceId"/> and a stream, and records the resources alive now.</summary>
    /// <param name="deviceId">The device to open.</param>
    /// <param name="output">Where to write the environment; default: the current test's output.</param>
    /// <param name="options">Leak check settings; default <see cref="NpuLeakCheckOptions.Default"/>.</param>
    public static NpuTestContext Open(int deviceId = 0, ITestOutputHelper? output = null, NpuLeakCheckOptions? options = null) =>
        new(deviceId, output, options ?? NpuLeakCheckOptions.Default);

    /// <summary>The backend, device count, runtime version and SoC of this process.</summary>
    public NpuEnvironmentInfo Environment { get; }

    /// <summary>The runtime reference held for the test.</summary>
    public NpuRuntime Runtime { get; }

    /// <summary>The device opened for the test.</summary>
    public NpuDevice Device { get; }

    /// <summary>A stream created for the test (disposed by <see cref="Dispose"/>).</summary>
    public NpuStream Stream { get; }

    /// <summary>The resources alive when the test started (before <see cref="Stream"/> was created).</summary>
    public NpuResourceSnapshot Baseline { get; }

    /// <summary>What the test has left alive so far (the context's own stream excluded); empty when nothing.</summary>
    public IReadOnlyList<string> FindLeaks()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Stream.Synchronize();
        return NpuResourceSnapshot.Take(Device).GrowthSince(_baselineWithStream, _options.CannDeviceMemoryToleranceBytes);
    }

    /// <summary>Disposes the stream, checks for leaks, and releases the device and the runtime; throws <see cref="NpuLeakException"/> on a leak.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        IReadOnlyList<string> leaks;
        try
        {
            Stream.Synchronize();
            Stream.Dispose();
            NpuResourceSnapshot end = NpuResourceSnapshot.Take(Device);
            leaks = end.GrowthSince(Baseline, _options.CannDeviceMemoryToleranceBytes);
            _output?.WriteLine($"Resources at end: {end}");
        }
        finally
        {
            Device.Dispose();
            Runtime.Dispose();
        }
        if (leaks.Count > 0)
        {
            throw new NpuLeakException(_testName, leaks);
        }
    }
}
