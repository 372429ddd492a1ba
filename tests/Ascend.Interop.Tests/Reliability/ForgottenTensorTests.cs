using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 4: lifetimes for the forgetful. A dispose scope disposes the tensors created inside it unless they
/// are moved out; tensors nobody disposes are reclaimed by the finalizer (block back to its pool in stream order, or
/// dropped without a driver call when the pool is gone), counted and logged.
/// </summary>
[Collection("Npu")]
public sealed class ForgottenTensorTests(NpuFixture fixture)
{
    private NpuDevice Device => fixture.Device;

    [Fact]
    public void A_dispose_scope_disposes_what_was_created_inside_unless_moved_out()
    {
        using var stream = Device.CreateStream();
        using var x = NpuTensor.FromArray(stream, new float[] { 1, -2, 3 });
        NpuTensor kept, detached, inner;
        NpuTensor created, sum, view;
        using (var scope = NpuDisposeScope.Begin())
        {
            Assert.Same(scope, NpuDisposeScope.Current);
            created = NpuTensor.FromArray(stream, new float[] { 1, 1, 1 });
            sum = Ops.Add(stream, x, created);             // an operator result
            view = x.Slice(0, 1, 2);                       // a view of a tensor from outside
            kept = scope.MoveToOuter(Ops.Relu(stream, sum));
            detached = Ops.Mul(stream, sum, sum).DetachFromDisposeScope();
            using (var nested = NpuDisposeScope.Begin())
            {
                inner = Ops.Neg(stream, x).MoveToOuterDisposeScope();   // into the enclosing scope
                Assert.Same(scope, inner.DisposeScope);
                var manual = Ops.Neg(stream, x);
                manual.Dispose();                           // disposed by hand: leaves the scope at once
                Assert.Equal(0, nested.Count);
            }
            Assert.False(inner.IsDisposed);
            Assert.Equal(4, scope.Count);                   // created, sum, view, inner
            Assert.Null(kept.DisposeScope);                 // the outermost scope moved it out of every scope
        }
        Assert.Null(NpuDisposeScope.Current);
        Assert.True(created.IsDisposed && sum.IsDisposed && view.IsDisposed && inner.IsDisposed);
        Assert.False(x.IsDisposed);
        Assert.Equal([2f, 0, 4], kept.ToArray<float>(stream));
        Assert.Equal([4f, 1, 16], detached.ToArray<float>(stream));
        kept.Dispose();
        detached.Dispose();
        Assert.Throws<ArgumentException>(() => NpuDisposeScope.Begin().Detach(x));
        NpuDisposeScope.Current!.Dispose();
        Assert.Null(NpuDisposeScope.Current);
    }

    [Fact]
    public void Disposing_an_outer_scope_ends_the_scopes_left_open_inside_it()
    {
        using var stream = Device.CreateStream();
        long inUse = Device.MemoryPool.InUseBytes;
        var outer = NpuDisposeScope.Begin();
        var a = NpuTensor.Zeros(stream, new TensorShape(64), NpuDataType.Float32);
        var inner = NpuDisposeScope.Begin();
        var b = NpuTensor.Zeros(stream, new TensorShape(64), NpuDataType.Float32);
        outer.Dispose();
        Assert.True(a.IsDisposed && b.IsDisposed && inner.IsDisposed);
        Assert.Null(NpuDisposeScope.Current);
        inner.Dispose();   // a no-op now
        stream.Synchronize();
        Assert.Equal(inUse, Device.MemoryPool.InUseBytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Forget(NpuStream stream, int count, long elements)
    {
        for (int i = 0; i < count; i++) _ = NpuTensor.Zeros(stream, new TensorShape(elements), NpuDataType.Float32);
    }

    private static void CollectGarbage()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void Tensors_nobody_disposes_go_back_to_their_pool_through_the_finalizer_counted_and_logged()
    {
        using var stream = Device.CreateStream();
        var log = new List<string>();
        var previous = NpuLogging.LoggerFactory;
        NpuLogging.LoggerFactory = new ListLoggerFactory(log);
        try
        {
            stream.Synchronize();
            long inUse = Device.MemoryPool.InUseBytes;
            long reclaimed = NpuMetrics.TensorsReclaimedByFinalizer;
            Forget(stream, 8, 1 << 18);                   // 8 MiB nobody disposes
            Assert.True(Device.MemoryPool.InUseBytes >= inUse + 8L * (1 << 20));
            CollectGarbage();
            Assert.True(NpuMetrics.TensorsReclaimedByFinalizer - reclaimed >= 8, $"reclaimed {NpuMetrics.TensorsReclaimedByFinalizer - reclaimed}");
            // The blocks are returned (in the order of their stream) by the pool's next rent, not on the finalizer thread.
            using var next = NpuTensor.Zeros(stream, new TensorShape(4), NpuDataType.Float32);
            stream.Synchronize();
            Assert.True(Device.MemoryPool.InUseBytes <= inUse + 4096, $"in use {Device.MemoryPool.InUseBytes}, before {inUse}");
            lock (log) Assert.Contains(log, line => line.Contains("A tensor was never disposed: its 1048576 bytes go back to the memory pool of NPU device 0"));
        }
        finally
        {
            NpuLogging.LoggerFactory = previous;
        }
    }

    [Fact]
    public void A_forgotten_tensor_whose_device_is_gone_is_dropped_without_a_driver_call()
    {
        long reclaimed = NpuMetrics.TensorsReclaimedByFinalizer;
        ulong freesBefore;
        using (var device = NpuDevice.Open(1))
        {
            using var stream = device.CreateStream();
            Forget(stream, 2, 1024);
            stream.Synchronize();
        }
        // Device 1's last object is gone, and its pool with it.
        freesBefore = Sim.Counter(Ascend.Interop.Native.aclsimCounter.ACLSIM_COUNT_FREE_CALLS);
        CollectGarbage();
        Assert.True(NpuMetrics.TensorsReclaimedByFinalizer - reclaimed >= 2);
        Assert.Equal(freesBefore, Sim.Counter(Ascend.Interop.Native.aclsimCounter.ACLSIM_COUNT_FREE_CALLS));
        MisuseTests.AssertUsable(Device);
    }

    private sealed class ListLoggerFactory(List<string> lines) : ILoggerFactory, ILogger
    {
        public void AddProvider(ILoggerProvider provider) { }
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines) lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
