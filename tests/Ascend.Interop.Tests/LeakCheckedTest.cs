using Ascend.Interop.Tests.Reliability;

namespace Ascend.Interop.Tests;

/// <summary>
/// Base of the NPU test classes: on the simulator, every test must leave the native live-object
/// counts (streams, events, allocations, pinned blocks, models, tensors, executors) and device bytes
/// as it found them (xunit makes one instance per test). Both counts are taken by <see cref="NativeBaseline"/>:
/// after a full GC with pending finalizers run (so blocks an earlier test's forgotten objects return land
/// before the baseline, not inside the measured window), the device synchronized and its pool trimmed.
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
        GC.SuppressFinalize(this);
        if (_check) CheckLeaks();
    }

    /// <summary>Asserts the counts are back (on the simulator only); a derived class may clean up first or assert more.</summary>
    protected virtual void CheckLeaks() => _baseline.AssertUnchanged();
}
