namespace Ascend.Interop.Tests;

/// <summary>
/// Base of the pool, tensor and operator tests: <see cref="LeakCheckedTest"/>, and after each test the simulator's
/// injected faults and task delay are cleared first, and the device pool must hold no segment afterwards.
/// </summary>
public abstract class NpuLeakCheckedTest(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    protected NpuDevice Device => Fixture.Device;

    protected override void CheckLeaks()
    {
        SimControl.ClearFaults();
        SimControl.SetTaskDelay(0);
        base.CheckLeaks();
        Assert.Equal(0, Device.MemoryPool.SegmentCount);
    }
}
