using System.Runtime.CompilerServices;

namespace Ascend.Interop.Tests;

/// <summary>
/// The leak-check bases themselves: a tensor an earlier test forgot (no Dispose) is returned by its finalizer at a
/// time of the GC's choosing. Its block must be settled before the baseline is taken, or a later test sees the pool's
/// segment freed inside its window and reports a "leak" of minus one allocation (ComparisonPropertyTests after
/// MisuseTests did).
/// </summary>
[Collection("Npu")]
public sealed class LeakCheckBaseTests(NpuFixture fixture)
{
    private sealed class OperatorTest(NpuFixture fixture) : NpuLeakCheckedTest(fixture);

    private sealed class GraphTest(NpuFixture fixture) : LeakCheckedTest(fixture);

    /// <summary>A pooled tensor nobody disposes (not inlined, so nothing keeps it reachable).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Forget(NpuStream stream) => _ = NpuTensor.Empty(stream, new TensorShape(1024), NpuDataType.Float32);

    [Fact]
    public void A_tensor_forgotten_before_the_baseline_is_not_counted_inside_the_window()
    {
        if (!NpuFixture.OnSimulator) return;   // the bases compare the simulator's live counts
        using var stream = fixture.Device.CreateStream();
        foreach (var make in new Func<IDisposable>[] { () => new OperatorTest(fixture), () => new GraphTest(fixture) })
        {
            Forget(stream);
            var test = make();                 // takes the baseline
            GC.Collect();                      // as a later allocation of the test would: the finalizer returns the block now
            GC.WaitForPendingFinalizers();
            test.Dispose();                    // the final count: must equal the baseline
        }
    }
}
