using CsCheck;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.Graphs;

/// <summary>
/// Random programs of nested conditional nodes (IF, IF/ELSE, WHILE, SWITCH, up to three deep) over a small model:
/// three vectors of 4 floats and two scalars. Every condition is computed on the device from the model's data in the
/// same replay (a comparison of a scalar, copied into the condition word just before its node), and every WHILE counts
/// its own iterations on the device. The program is run eagerly by the same operators, its decisions taken on the host
/// from the values read back, and captured once and replayed twice from the same start: each replay must leave every
/// tensor bit for bit as the eager run did.
/// </summary>
[Collection("Npu")]
public sealed class ConditionalGraphPropertyTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    private const int Vectors = 3, Width = 4, MaxDepth = 3;

    private abstract record Node;

    /// <summary>Kind 0: V[d] = V[a] + V[b]; 1: V[d] = -V[a]; 2: V[d] = relu(V[a]); 3: V[d] = V[a] * 0.5; 4: C[s] += 2;
    /// 5: C[s] -= 1.5; 6: C[s] = -C[1-s]; 7: C[s] += C[1-s].</summary>
    private sealed record Op(int Kind, int D, int A, int B, int S) : Node
    {
        public override string ToString() => Kind switch
        {
            0 => $"v{D}=v{A}+v{B}",
            1 => $"v{D}=-v{A}",
            2 => $"v{D}=relu(v{A})",
            3 => $"v{D}=v{A}*0.5",
            4 => $"c{S}+=2",
            5 => $"c{S}-=1.5",
            6 => $"c{S}=-c{1 - S}",
            _ => $"c{S}+=c{1 - S}",
        };
    }

    /// <summary>IF (else when <see cref="Else"/> is not null) on C[S] &gt; 0.</summary>
    private sealed record If(int S, Node[] Then, Node[]? Else) : Node
    {
        public override string ToString() => $"if(c{S}>0){{{Text(Then)}}}" + (Else is null ? "" : $"else{{{Text(Else)}}}");
    }

    /// <summary>SWITCH of <see cref="Branches"/>.Length branches on (C0 &gt; 0) + (C1 &gt; 0): 0, 1 or 2 (2 runs nothing with 2 branches).</summary>
    private sealed record Switch(Node[][] Branches) : Node
    {
        public override string ToString() => $"switch[{Branches.Length}]{{{string.Join(" | ", Branches.Select(Text))}}}";
    }

    /// <summary>WHILE that runs its body <see cref="Count"/> times (its counter and flag computed on the device).</summary>
    private sealed record While(int Count, Node[] Body) : Node
    {
        public override string ToString() => $"while*{Count}{{{Text(Body)}}}";
    }

    private static string Text(Node[] nodes) => string.Join("; ", nodes.Select(n => n.ToString()));

    private static readonly Gen<Node> OpGen =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, Vectors - 1], Gen.Int[0, Vectors - 1], Gen.Int[0, Vectors - 1], Gen.Int[0, 1],
            (kind, d, a, b, s) => (Node)new Op(kind, d, kind is 1 or 2 or 3 && a == d ? (a + 1) % Vectors : a, b, s));

    private static Gen<Node[]> Block(int depth) =>
        (depth >= MaxDepth ? OpGen : Gen.Frequency((6, OpGen), (3, NodeGen(depth + 1)))).Array[1, depth == 0 ? 5 : 3];

    private static Gen<Node> NodeGen(int depth) =>
        Gen.Int[0, 3].SelectMany(kind => kind switch
        {
            0 => Gen.Select(Gen.Int[0, 1], Block(depth), (s, then) => (Node)new If(s, then, null)),
            1 => Gen.Select(Gen.Int[0, 1], Block(depth), Block(depth), (s, then, otherwise) => (Node)new If(s, then, otherwise)),
            2 => Gen.Int[2, 3].SelectMany(n => Block(depth).Array[n, n]).Select(branches => (Node)new Switch(branches)),
            _ => Gen.Select(Gen.Int[1, 3], Block(depth), (count, body) => (Node)new While(count, body)),
        });

    private static readonly Gen<(Node[] Program, float[] Start)> ProgramGen =
        Gen.Select(Block(0), Gen.Int[-8, 8].Array[Vectors * Width + 2], (program, start) => (program, start.Select(v => v * 0.75f).ToArray()));

    private NpuDevice Device => Fixture.Device;

    [Fact]
    public void Replays_of_random_nested_conditionals_equal_the_eager_run_bit_for_bit()
    {
        Assert.SkipUnless(Fixture.Runtime.Features.ConditionalNodes,
            "conditional nodes need CANN 9.1.0; the loaded library is " + Fixture.Runtime.Features);
        ProgramGen.Sample(sample =>
        {
            using var model = new Model(Device, sample.Start);
            model.Reset();
            model.RunEagerly(sample.Program);
            var eager = model.Read();
            using var graph = model.Capture(sample.Program);
            for (int replay = 0; replay < 2; replay++)
            {
                model.Reset();
                graph.ReplayAndWait(model.Stream);
                var replayed = model.Read();
                for (int t = 0; t < eager.Length; t++)
                    Assert.True(BitsEqual(eager[t], replayed[t]),
                        $"replay {replay}: tensor {t} is [{string.Join(", ", replayed[t])}], the eager run gave [{string.Join(", ", eager[t])}]");
            }
        }, iter: 40, threads: 1, print: sample => Text(sample.Program) + " from [" + string.Join(", ", sample.Start) + "]");
    }

    private static bool BitsEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));

    /// <summary>The model's tensors, its constants, and the per-node scratch the graph's conditions are computed in.</summary>
    private sealed class Model : IDisposable
    {
        private readonly float[] _start;
        private readonly NpuTensor[] _v = new NpuTensor[Vectors];
        private readonly NpuTensor[] _c = new NpuTensor[2];
        private readonly NpuTensor _two, _minusOneHalf, _one, _zero;
        private readonly List<NpuTensor> _flags = new(), _counters = new();
        private int _nextFlag, _nextCounter;

        public Model(NpuDevice device, float[] start)
        {
            _start = start;
            Stream = device.CreateStream();
            for (int i = 0; i < Vectors; i++) _v[i] = NpuTensor.Empty(Stream, [Width], NpuDataType.Float32);
            for (int i = 0; i < 2; i++) _c[i] = NpuTensor.Empty(Stream, [1], NpuDataType.Float32);
            _two = NpuTensor.FromArray(Stream, new float[] { 2 });
            _minusOneHalf = NpuTensor.FromArray(Stream, new float[] { -1.5f });
            _one = NpuTensor.FromArray(Stream, new float[] { 1 });
            _zero = NpuTensor.FromArray(Stream, new float[] { 0 });
        }

        public NpuStream Stream { get; }

        public void Reset()
        {
            for (int i = 0; i < Vectors; i++) _v[i].CopyFrom<float>(Stream, _start.AsSpan(i * Width, Width));
            for (int i = 0; i < 2; i++) _c[i].CopyFrom<float>(Stream, _start.AsSpan(Vectors * Width + i, 1));
            Stream.Synchronize();
        }

        public float[][] Read() => [.. _v.Select(v => v.ToArray<float>(Stream)), .. _c.Select(c => c.ToArray<float>(Stream))];

        private void Apply(NpuStream s, Op op)
        {
            switch (op.Kind)
            {
                case 0: Ops.Add(s, _v[op.A], _v[op.B], _v[op.D]); break;
                case 1: Ops.Neg(s, _v[op.A], _v[op.D]); break;
                case 2: Ops.Relu(s, _v[op.A], _v[op.D]); break;
                case 3: Ops.Muls(s, _v[op.A], 0.5, _v[op.D]); break;
                case 4: Ops.Add(s, _c[op.S], _two, _c[op.S]); break;
                case 5: Ops.Add(s, _c[op.S], _minusOneHalf, _c[op.S]); break;
                case 6: Ops.Neg(s, _c[1 - op.S], _c[op.S]); break;
                default: Ops.Add(s, _c[op.S], _c[1 - op.S], _c[op.S]); break;
            }
        }

        // ---- eager: the same operators, decisions on the host ----

        private bool Positive(int s) => _c[s].ToArray<float>(Stream)[0] > 0;

        public void RunEagerly(Node[] nodes)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case Op op: Apply(Stream, op); break;
                    case If branch:
                        if (Positive(branch.S)) RunEagerly(branch.Then);
                        else if (branch.Else is not null) RunEagerly(branch.Else);
                        break;
                    case Switch sw:
                        int value = (Positive(0) ? 1 : 0) + (Positive(1) ? 1 : 0);
                        if (value < sw.Branches.Length) RunEagerly(sw.Branches[value]);
                        break;
                    case While loop:
                        for (int i = 0; i < loop.Count; i++) RunEagerly(loop.Body);
                        break;
                }
            }
            Stream.Synchronize();
        }

        // ---- the graph: conditions computed on the device, in the replay ----

        public NpuGraph Capture(Node[] nodes)
        {
            // Scratch for the conditions is allocated before the capture: at most two flags and one counter per node.
            int count = CountNodes(nodes);
            for (int i = 0; i < 3 * count; i++) _flags.Add(NpuTensor.Zeros(Stream, [1], NpuDataType.Int64));
            for (int i = 0; i < count; i++) _counters.Add(NpuTensor.Zeros(Stream, [1], NpuDataType.Float32));
            Stream.Synchronize();
            var graph = Stream.BeginCapture();
            try
            {
                Record(graph, Stream, nodes);
                graph.EndCapture();
                return graph;
            }
            catch
            {
                graph.Dispose();
                throw;
            }
        }

        private static int CountNodes(Node[] nodes) => nodes.Sum(node => node switch
        {
            If branch => 1 + CountNodes(branch.Then) + (branch.Else is null ? 0 : CountNodes(branch.Else)),
            Switch sw => 1 + sw.Branches.Sum(CountNodes),
            While loop => 1 + CountNodes(loop.Body),
            _ => 0,
        });

        private NpuTensor NextFlag() => _flags[_nextFlag++];

        /// <summary>(C[s] &gt; 0) as an int64, in <paramref name="stream"/>'s order.</summary>
        private NpuTensor Flag(NpuStream stream, int s)
        {
            var flag = NextFlag();
            Ops.Gt(stream, _c[s], 0.0, flag);
            return flag;
        }

        private static unsafe void CopyInto(NpuStream stream, NpuTensor flag, NpuGraphCondition condition)
        {
            // A device-to-device copy of the 8-byte flag into the condition word, recorded in the graph.
            int code = Acl.aclrtMemcpyAsync((void*)condition.DevicePointer, sizeof(long), (void*)flag.DataPointer, sizeof(long),
                aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_DEVICE, (aclrtStream)stream.Handle);
            Assert.Equal(0, code);
        }

        private void Record(NpuGraph graph, NpuStream stream, Node[] nodes)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case Op op:
                        Apply(stream, op);
                        break;
                    case If branch:
                    {
                        var condition = graph.CreateCondition(resetAtLaunch: false);
                        CopyInto(stream, Flag(stream, branch.S), condition);
                        if (branch.Else is null)
                        {
                            using var then = graph.BeginIf(condition);
                            Record(graph, then.Stream, branch.Then);
                        }
                        else
                        {
                            var ifElse = graph.AddIfElse(condition);
                            using (var then = ifElse.BeginBranch(0)) Record(graph, then.Stream, branch.Then);
                            using (var otherwise = ifElse.BeginBranch(1)) Record(graph, otherwise.Stream, branch.Else);
                        }
                        break;
                    }
                    case Switch sw:
                    {
                        var condition = graph.CreateCondition(resetAtLaunch: false);
                        var value = NextFlag();
                        Ops.Add(stream, Flag(stream, 0), Flag(stream, 1), value);
                        CopyInto(stream, value, condition);
                        var node2 = graph.AddSwitch(condition, sw.Branches.Length);
                        for (int i = 0; i < sw.Branches.Length; i++)
                        {
                            using var arm = node2.BeginBranch(i);
                            Record(graph, arm.Stream, sw.Branches[i]);
                        }
                        break;
                    }
                    case While loop:
                    {
                        // counter = 0, word = 1 before the node (a nested loop runs again at each outer iteration);
                        // the body ends with counter += 1, word = counter < Count.
                        var counter = _counters[_nextCounter++];
                        var flag = NextFlag();
                        var condition = graph.CreateCondition(resetAtLaunch: false);
                        Ops.Mul(stream, _zero, _zero, counter);
                        condition.Write(stream, 1);
                        using (var body = graph.BeginWhile(condition))
                        {
                            Record(graph, body.Stream, loop.Body);
                            Ops.Add(body.Stream, counter, _one, counter);
                            Ops.Lt(body.Stream, counter, (double)loop.Count, flag);
                            CopyInto(body.Stream, flag, condition);
                        }
                        break;
                    }
                }
            }
        }

        public void Dispose()
        {
            Stream.Synchronize();
            foreach (var t in _flags.Concat(_counters)) t.Dispose();
            foreach (var t in _v.Concat(_c).Append(_two).Append(_minusOneHalf).Append(_one).Append(_zero)) t.Dispose();
            Stream.Dispose();
        }
    }
}
