using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// Random sequences of allocations, uses on another stream (with the other stream held back by a blocking host
/// callback while the tensor is disposed and its memory asked for again), captures into private and shared pools,
/// replays, disposals and reads, against a model of what every buffer holds. Every buffer is uniform (one value), so
/// the model is one number per buffer; allocations get distinct values, and canaries are never used by any work. A
/// read must return the model's value, or, only for a graph output in a shared pool that an earlier graph of the pool
/// may have overwritten since its graph last replayed, be refused as overwritten. Public API only: runs on CANN too.
/// </summary>
[Collection("Npu")]
public sealed class BufferLifetimePropertyTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private const int N = 256;   // one size for every tensor: the pool's best chance to hand a block out again

    /// <summary>One step: <see cref="Kind"/> picks the action (by range), A/B/C pick streams, tensors and graphs.</summary>
    public readonly record struct Step(int Kind, int A, int B, int C, int Value, bool Flag)
    {
        public override string ToString() => Kind switch
        {
            < 22 => $"alloc(s{A % 2}, {Value}{(Flag ? ", canary" : "")})",
            < 34 => $"use-on-other-stream(t{A}{(Flag ? ", dispose in the window" : "")})",
            < 46 => $"capture(s{A % 2}, x t{B}, t{C}{(Flag ? $", y t{Value}" : "")}, {((Value & 1) == 0 ? "shared" : "private")} pool)",
            < 68 => $"replay(g{A})",
            < 76 => $"dispose(t{A}) and allocate a canary on its stream",
            < 82 => $"dispose(g{A})",
            _ => $"read(t{A})",
        };
    }

    private static readonly Gen<Step> StepGen =
        Gen.Select(Gen.Int[0, 99], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[1, 63], Gen.Bool,
            (kind, a, b, c, value, flag) => new Step(kind, a, b, c, value, flag));

    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Random_sequences_of_allocation_cross_stream_use_capture_replay_and_dispose_never_overwrite_live_memory() =>
        StepGen.Array[4, 28].Sample(steps =>
        {
            using var world = new World(Device);
            foreach (var step in steps)
            {
                world.Do(step);
                world.Settle();
            }
            world.CheckEverything();
        }, iter: 100, threads: 1, print: steps => string.Join("; ", steps));

    private sealed class Buffer
    {
        public float Value;
    }

    private sealed class Tensor(NpuTensor handle, Buffer buffer, NpuStream home, bool canary, Graph? outputOf)
    {
        public readonly NpuTensor Handle = handle;
        public readonly Buffer Buffer = buffer;
        public readonly NpuStream Home = home;
        public readonly bool Canary = canary;
        public readonly Graph? OutputOf = outputOf;
        public bool Disposed;
    }

    private sealed class Graph(int order, NpuStream stream, bool shared)
    {
        public readonly int Order = order;
        public readonly NpuStream Stream = stream;
        public readonly bool Shared = shared;
        public NpuGraph Handle = null!;
        public Buffer X1 = null!, X2 = null!, Out = null!;
        public Buffer? Y;
        public long LastReplay = -1;
        public bool Disposed;
    }

    private sealed class World : IDisposable
    {
        private readonly NpuStream[] _streams;
        private readonly NpuGraphPool _shared;
        private readonly NpuTensor _one;
        private readonly List<Tensor> _tensors = new();
        private readonly List<Graph> _graphs = new();
        private int _allocations;
        private long _clock;

        public World(NpuDevice device)
        {
            _streams = [device.CreateStream(), device.CreateStream()];
            _shared = new NpuGraphPool(device);
            _one = NpuTensor.FromArray(_streams[0], Filled(1));
        }

        private static float[] Filled(float value)
        {
            var values = new float[N];
            Array.Fill(values, value);
            return values;
        }

        private List<Tensor> Plain => _tensors.Where(t => !t.Disposed && !t.Canary && t.OutputOf is null).ToList();

        public void Do(Step step)
        {
            switch (step.Kind)
            {
                case < 22: Allocate(_streams[step.A % 2], step.Value, step.Flag); break;
                case < 34: UseOnOtherStream(step); break;
                case < 46: Capture(step); break;
                case < 68: Replay(step.A); break;
                case < 76: DisposeTensor(step.A, step.Value); break;
                case < 82: DisposeGraph(step.A); break;
                default: Read(step.A); break;
            }
        }

        /// <summary>Between steps every stream drains, so the model needs no ordering of its own.</summary>
        public void Settle()
        {
            foreach (var stream in _streams) stream.Synchronize();
        }

        private Tensor Allocate(NpuStream stream, int value, bool canary)
        {
            float filled = ++_allocations * 64 + value;
            var tensor = new Tensor(NpuTensor.FromArray(stream, Filled(filled)), new Buffer { Value = filled }, stream, canary, null);
            _tensors.Add(tensor);
            return tensor;
        }

        /// <summary>
        /// Work on the other stream writes the tensor while that stream is held back; with <see cref="Step.Flag"/> the
        /// tensor is disposed and a canary allocated on its home stream inside that window.
        /// </summary>
        private void UseOnOtherStream(Step step)
        {
            var plain = Plain;
            if (plain.Count == 0) return;
            var tensor = plain[step.A % plain.Count];
            var other = _streams[ReferenceEquals(tensor.Home, _streams[0]) ? 1 : 0];
            using var ready = tensor.Home.Device.CreateEvent(timing: false);
            ready.Record(tensor.Home);
            other.Wait(ready);
            var gate = new ManualResetEventSlim(false);   // not disposed here: the callback may still be about to run
            other.LaunchHostCallback(() => gate.Wait(TimeSpan.FromSeconds(30)), blocking: true);
            try
            {
                Ops.Add(other, tensor.Handle, _one, tensor.Handle);
                tensor.Buffer.Value += 1;
                if (step.Flag)
                {
                    tensor.Handle.Dispose();
                    tensor.Disposed = true;
                    Allocate(tensor.Home, step.Value, canary: true);
                }
            }
            finally
            {
                gate.Set();
            }
        }

        /// <summary>h = x1 + x2 (scratch), y = h + x1 (a static output, when asked), out = h + x2 (an output the graph allocates).</summary>
        private void Capture(Step step)
        {
            var plain = Plain;
            if (plain.Count == 0) return;
            var x1 = plain[step.B % plain.Count];
            var x2 = plain[step.C % plain.Count];
            var candidates = plain.Where(t => t != x1 && t != x2).ToList();
            var y = step.Flag && candidates.Count > 0 ? candidates[step.Value % candidates.Count] : null;
            bool shared = (step.Value & 1) == 0;
            var graph = new Graph(_graphs.Count, _streams[step.A % 2], shared) { X1 = x1.Buffer, X2 = x2.Buffer, Y = y?.Buffer };
            NpuTensor output = null!;
            graph.Handle = NpuGraph.Capture(graph.Stream, s =>
            {
                using var h = Ops.Add(s, x1.Handle, x2.Handle);
                if (y is not null) Ops.Add(s, h, x1.Handle, y.Handle);
                output = Ops.Add(s, h, x2.Handle);
            }, warmup: 0, pool: shared ? _shared : null);
            graph.Out = new Buffer { Value = float.NaN };   // nothing written before the first replay
            _graphs.Add(graph);
            _tensors.Add(new Tensor(output, graph.Out, graph.Stream, canary: false, outputOf: graph));
        }

        private void Replay(int index)
        {
            var live = _graphs.Where(g => !g.Disposed).ToList();
            if (live.Count == 0) return;
            var graph = live[index % live.Count];
            graph.Handle.Replay();
            float h = graph.X1.Value + graph.X2.Value;
            if (graph.Y is { } y) y.Value = h + graph.X1.Value;
            graph.Out.Value = h + graph.X2.Value;
            graph.LastReplay = ++_clock;
        }

        /// <summary>Disposes a tensor and asks for memory of its size on its stream at once: the moment a block in use would be handed out.</summary>
        private void DisposeTensor(int index, int value)
        {
            var live = _tensors.Where(t => !t.Disposed && !t.Canary).ToList();
            if (live.Count == 0) return;
            var tensor = live[index % live.Count];
            tensor.Handle.Dispose();
            tensor.Disposed = true;
            Allocate(tensor.Home, value, canary: true);
        }

        private void DisposeGraph(int index)
        {
            var live = _graphs.Where(g => !g.Disposed).ToList();
            if (live.Count == 0) return;
            var graph = live[index % live.Count];
            graph.Handle.Dispose();
            graph.Disposed = true;
        }

        private void Read(int index)
        {
            var live = _tensors.Where(t => !t.Disposed).ToList();
            if (live.Count > 0) Check(live[index % live.Count]);
        }

        public void CheckEverything()
        {
            foreach (var tensor in _tensors.Where(t => !t.Disposed)) Check(tensor);
            Assert.Equal(Filled(1), _one.ToArray<float>(_streams[0]));
        }

        private void Check(Tensor tensor)
        {
            if (tensor.OutputOf is { LastReplay: < 0 }) return;   // an output before its graph's first replay holds nothing yet
            float[] values;
            try
            {
                values = tensor.Handle.ToArray<float>(tensor.Home);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("overwritten") && MayBeOverwritten(tensor))
            {
                return;
            }
            Assert.Equal(Filled(tensor.Buffer.Value), values);
        }

        /// <summary>
        /// An output in the shared pool may lie in the scratch of a graph captured into the pool before its own: after
        /// a replay of that graph, and before its own graph replays again, the SDK refuses to read it.
        /// </summary>
        private bool MayBeOverwritten(Tensor tensor) =>
            tensor.OutputOf is { Shared: true } owner &&
            _graphs.Any(g => g.Shared && g.Order < owner.Order && g.LastReplay > owner.LastReplay);

        public void Dispose()
        {
            foreach (var stream in _streams) stream.Synchronize();
            foreach (var graph in _graphs.Where(g => !g.Disposed)) graph.Handle.Dispose();
            foreach (var tensor in _tensors.Where(t => !t.Disposed)) tensor.Handle.Dispose();
            _one.Dispose();
            _shared.Dispose();
            foreach (var stream in _streams) stream.Dispose();
        }
    }
}
