using Ascend.Interop.Tests.Reliability;

namespace Ascend.Interop.Tests;

/// <summary>
/// Base of the NPU test classes: on the simulator, every test must leave the native live-object
/// counts (streams, events, allocations, pinned blocks, models, tensors, executors) and device bytes
/// as it found them, after synchronizing and trimming the pool (xunit makes one instance per test).
/// </summary>
public abstract class LeakCheckedTest : IDisposable
{
    private readonly NativeBaseline _baseline;
    private readonly bool _check;

    protected LeakCheckedTest(NpuFixture fixture)
    {
        Fixture = fixture;
        _check = NpuFixture.OnSimulator;
        if (_check) _baseline = NativeBaseline.Take(fixture.Device);
    }

    /// <summary>The shared runtime and device 0.</summary>
    protected NpuFixture Fixture { get; }

    public void Dispose()
    {
        if (_check) _baseline.AssertUnchanged();
        GC.SuppressFinalize(this);
    }
}
