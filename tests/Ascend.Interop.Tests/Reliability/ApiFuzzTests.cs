using System.Numerics;
using CsCheck;

namespace Ascend.Interop.Tests.Reliability;

/// <summary>
/// Issue 24 item 5: a fuzzer of the public API. CsCheck generates random sequences of calls (new tensors and bad
/// shapes, FromBuffer views with random and overflowing shapes, strides and offsets, slices in and out of range,
/// transposes, broadcast views, element-wise operators into inferred or given outputs that may be broadcast,
/// self-overlapping or overlap their inputs, host copies into any view, disposals and uses after them, reads). A model
/// predicts each call's outcome: which exception type it must throw, or which values every storage holds after it.
/// Canaries (a pooled tensor and a device buffer next to the fuzzed one) are never named by any call and must keep
/// their values. Bounded by <see cref="Seconds"/> (default 60; <c>ASCEND_FUZZ_SECONDS</c> for longer runs).
/// </summary>
[Collection("Npu")]
public sealed class ApiFuzzTests(NpuFixture fixture) : LeakCheckedTest(fixture)
{
    /// <summary>The fuzzer's time budget in seconds (<c>ASCEND_FUZZ_SECONDS</c>, default 60).</summary>
    internal static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("ASCEND_FUZZ_SECONDS"), out int s) && s > 0 ? s : 60;

    /// <summary>Totals of the last run (docs/reliability.md quotes them).</summary>
    internal static long Sequences, Calls, Refusals;

    public readonly record struct Call(int Kind, int A, int B, int C, int D, int E)
    {
        public override string ToString() => Kind switch
        {
            < 12 => $"new([{1 + A % 4}{(B % 3 == 0 ? "" : $", {1 + B % 4}")}])",
            < 15 => $"bad-shape({A % 3})",
            < 25 => $"from-buffer(shape {A % 5}x{B % 4}, strides {C % 8}, offset {D % 9})",
            < 33 => $"slice(t{A}, dim {B % 3}, start {C % 6 - 1}, length {D % 6 - 1})",
            < 37 => $"transpose(t{A})",
            < 40 => $"expand(t{A})",
            < 58 => $"add(t{A}, t{B}, {(C % 3 == 0 ? "inferred" : $"into t{D}")})",
            < 64 => $"muls(t{A}, into t{D})",
            < 72 => $"dispose(t{A})",
            < 82 => $"read(t{A})",
            _ => $"copy-from-host(t{A})",
        };
    }

    private static readonly Gen<Call> CallGen =
        Gen.Select(Gen.Int[0, 91], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[0, 999],
            (k, a, b, c, d, e) => new Call(k, a, b, c, d, e));

    [Fact]
    [Trait("Category", "SimulatorOnly")]
    public void Random_call_sequences_match_the_model_and_never_touch_a_canary()
    {
        Sequences = Calls = Refusals = 0;
        CallGen.Array[4, 40].Sample(calls =>
        {
            using var world = new World(Fixture.Device);
            foreach (var call in calls) world.Do(call);
            world.CheckEverything();
            Interlocked.Increment(ref Sequences);
            Interlocked.Add(ref Calls, calls.Length);
            Interlocked.Add(ref Refusals, world.Refusals);
        }, time: Seconds, threads: 1, print: calls => string.Join("; ", calls));
        Assert.True(Sequences > 0);
        string summary = $"fuzz: {Sequences} sequences, {Calls} calls, {Refusals} expected refusals in {Seconds} s";
        TestContext.Current.SendDiagnosticMessage(summary);
        if (Environment.GetEnvironmentVariable("ASCEND_FUZZ_REPORT") is { Length: > 0 } report) File.AppendAllText(report, summary + Environment.NewLine);
    }

    // ---- the model -----------------------------------------------------------------------------

    private sealed class Storage(int elements)
    {
        public readonly float[] Data = new float[elements];
    }

    private sealed class View(NpuTensor handle, Storage storage, long[] shape, long[] strides, long offset)
    {
        public readonly NpuTensor Handle = handle;
        public readonly Storage Storage = storage;
        public readonly long[] Shape = shape;
        public readonly long[] Strides = strides;
        public readonly long Offset = offset;
        public bool Disposed;

        public long Count => Shape.Aggregate(1L, (a, b) => a * b);

        /// <summary>Element offsets into the storage, row-major.</summary>
        public long[] Offsets()
        {
            var result = new long[Count];
            var index = new long[Shape.Length];
            for (long e = 0; e < result.Length; e++)
            {
                long o = Offset;
                for (int i = 0; i < Shape.Length; i++) o += index[i] * Strides[i];
                result[e] = o;
                for (int i = Shape.Length - 1; i >= 0; i--)
                {
                    if (++index[i] < Shape[i]) break;
                    index[i] = 0;
                }
            }
            return result;
        }

        public float[] Values() => Offsets().Select(o => Storage.Data[o]).ToArray();

        public bool SameViewAs(View other) =>
            ReferenceEquals(Storage, other.Storage) && Offset == other.Offset && Shape.SequenceEqual(other.Shape) && Strides.SequenceEqual(other.Strides);
    }

    private sealed class World : IDisposable
    {
        private const int BufferElements = 64;
        private readonly NpuDevice _device;
        private readonly NpuStream _stream;
        private readonly DeviceBuffer _buffer;
        private readonly Storage _bufferStorage = new(BufferElements);
        private readonly DeviceBuffer _canaryBuffer;
        private readonly NpuTensor _canary;
        private readonly List<View> _views = new();
        private float _next = 1;
        public long Refusals;

        public World(NpuDevice device)
        {
            _device = device;
            _stream = device.CreateStream();
            _buffer = DeviceBuffer.Allocate(device, BufferElements * 4);
            _buffer.Fill(0);
            _canaryBuffer = DeviceBuffer.Allocate(device, BufferElements * 4);
            _canaryBuffer.CopyFrom<float>(Enumerable.Range(0, BufferElements).Select(i => -1000f - i).ToArray());
            _canary = NpuTensor.FromArray(_stream, Enumerable.Range(0, 32).Select(i => -2000f - i).ToArray());
        }

        private View? Pick(int index) => _views.Count == 0 ? null : _views[index % _views.Count];

        private float[] Fresh(long count)
        {
            var values = new float[count];
            for (int i = 0; i < values.Length; i++) values[i] = _next++ % 97;
            return values;
        }

        /// <summary>Runs <paramref name="action"/>: it must throw <paramref name="expected"/> exactly, or succeed when that is null.</summary>
        private void Expect(Type? expected, Action action, Call call)
        {
            Exception? thrown = null;
            try
            {
                action();
            }
            catch (Exception e)
            {
                thrown = e;
            }
            if (expected is null)
            {
                if (thrown is not null) throw new Xunit.Sdk.XunitException($"{call}: expected success, got {thrown.GetType().Name}: {thrown.Message}");
                return;
            }
            if (thrown is null) throw new Xunit.Sdk.XunitException($"{call}: expected {expected.Name}, the call succeeded");
            if (thrown.GetType() != expected)
                throw new Xunit.Sdk.XunitException($"{call}: expected {expected.Name}, got {thrown.GetType().Name}: {thrown.Message}");
            Refusals++;
        }

        public void Do(Call call)
        {
            switch (call.Kind)
            {
                case < 12: NewTensor(call); break;
                case < 15: BadShape(call); break;
                case < 25: FromBuffer(call); break;
                case < 33: Slice(call); break;
                case < 37: Transpose(call); break;
                case < 40: Expand(call); break;
                case < 58: Add(call); break;
                case < 64: Muls(call); break;
                case < 72: Dispose(call); break;
                case < 82: Read(call); break;
                default: CopyFromHost(call); break;
            }
        }

        private void NewTensor(Call call)
        {
            long[] shape = call.B % 3 == 0 ? [1 + call.A % 4] : [1 + call.A % 4, 1 + call.B % 4];
            var values = Fresh(shape.Aggregate(1L, (a, b) => a * b));
            var handle = NpuTensor.FromArray(_stream, values, new TensorShape(shape));
            var storage = new Storage(values.Length);
            values.CopyTo(storage.Data, 0);
            _views.Add(new View(handle, storage, shape, new TensorShape(shape).ContiguousStrides(), 0));
        }

        private void BadShape(Call call)
        {
            switch (call.A % 3)
            {
                case 0: Expect(typeof(ArgumentOutOfRangeException), () => _ = new TensorShape(2, -1 - call.B % 5), call); break;
                case 1: Expect(typeof(ArgumentOutOfRangeException), () => NpuTensor.Empty(_stream, new TensorShape(1L << 40, 1L << 30), NpuDataType.Float32).Dispose(), call); break;
                default: Expect(typeof(ArgumentOutOfRangeException), () => _ = new TensorShape(1L << 40, 1L << 40, 1L << 40), call); break;
            }
        }

        private static readonly long[] StrideChoices = [0, 1, 2, 3, 5, 16, 1L << 62, -1];
        private static readonly long[] OffsetChoices = [0, 1, 3, 7, 31, 60, 63, 64, long.MaxValue - 2];

        private void FromBuffer(Call call)
        {
            long[] shape = call.B % 4 == 0 ? [call.A % 5] : [call.A % 5, call.B % 4];
            long offset = OffsetChoices[call.D % OffsetChoices.Length];
            bool contiguous = call.C % 8 == 7;
            long[] strides = contiguous ? new TensorShape(shape).ContiguousStrides()
                : shape.Select((_, i) => StrideChoices[(call.C / (i + 1) + call.E * i) % StrideChoices.Length]).ToArray();
            // The model's verdict, in unbounded arithmetic.
            bool valid = offset >= 0 && strides.All(s => s >= 0);
            if (valid && shape.All(d => d > 0))
            {
                BigInteger reach = offset;
                for (int i = 0; i < shape.Length; i++) reach += (BigInteger)(shape[i] - 1) * strides[i];
                valid = reach < BufferElements;
            }
            if (!valid)
            {
                Expect(typeof(ArgumentOutOfRangeException), () => NpuTensor.FromBuffer(_buffer, new TensorShape(shape), NpuDataType.Float32, offset, strides).Dispose(), call);
                return;
            }
            var handle = NpuTensor.FromBuffer(_buffer, new TensorShape(shape), NpuDataType.Float32, offset, contiguous ? default : strides);
            _views.Add(new View(handle, _bufferStorage, shape, strides, offset));
        }

        private void Slice(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            int dim = call.B % 3;
            long start = call.C % 6 - 1, length = call.D % 6 - 1;
            if (v.Disposed)
            {
                Expect(typeof(ObjectDisposedException), () => v.Handle.Slice(0, 0, 0).Dispose(), call);
                return;
            }
            if (dim >= v.Shape.Length)
            {
                Expect(typeof(ArgumentOutOfRangeException), () => v.Handle.Slice(dim, 0, 0).Dispose(), call);
                return;
            }
            long size = v.Shape[dim];
            if (start < 0 || length < 0 || start > size || length > size - start)
            {
                Expect(typeof(ArgumentOutOfRangeException), () => v.Handle.Slice(dim, start, length).Dispose(), call);
                return;
            }
            var handle = v.Handle.Slice(dim, start, length);
            var shape = (long[])v.Shape.Clone();
            shape[dim] = length;
            bool empty = shape.Any(s => s == 0);
            _views.Add(new View(handle, v.Storage, shape, (long[])v.Strides.Clone(), empty ? v.Offset : v.Offset + start * v.Strides[dim]));
        }

        private void Transpose(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            if (v.Disposed)
            {
                Expect(typeof(ObjectDisposedException), () => v.Handle.Transpose(0, 0).Dispose(), call);
                return;
            }
            int last = v.Shape.Length - 1;
            var handle = v.Handle.Transpose(0, last);
            var shape = (long[])v.Shape.Clone();
            var strides = (long[])v.Strides.Clone();
            (shape[0], shape[last]) = (shape[last], shape[0]);
            (strides[0], strides[last]) = (strides[last], strides[0]);
            _views.Add(new View(handle, v.Storage, shape, strides, v.Offset));
        }

        private void Expand(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            if (v.Disposed || v.Shape.Length >= TensorShape.MaxRank - 1)
            {
                if (v.Disposed) Expect(typeof(ObjectDisposedException), () => v.Handle.Expand(new TensorShape([2, .. v.Shape])).Dispose(), call);
                return;
            }
            long[] shape = [2, .. v.Shape];
            var handle = v.Handle.Expand(new TensorShape(shape));
            _views.Add(new View(handle, v.Storage, shape, [0, .. v.Strides], v.Offset));
        }

        /// <summary>numpy broadcast of two shapes, or null.</summary>
        private static long[]? Broadcast(long[] a, long[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var result = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                long x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
                long y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
                if (x == y) result[i] = x;
                else if (x == 1) result[i] = y;
                else if (y == 1) result[i] = x;
                else return null;
            }
            return result;
        }

        /// <summary>Values of <paramref name="v"/> broadcast to <paramref name="shape"/>, row-major.</summary>
        private static float[] BroadcastValues(View v, long[] shape)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var result = new float[count];
            var index = new long[shape.Length];
            int shift = shape.Length - v.Shape.Length;
            for (long e = 0; e < count; e++)
            {
                long o = v.Offset;
                for (int i = 0; i < v.Shape.Length; i++) o += (v.Shape[i] == 1 ? 0 : index[i + shift]) * v.Strides[i];
                result[e] = v.Storage.Data[o];
                for (int i = shape.Length - 1; i >= 0; i--)
                {
                    if (++index[i] < shape[i]) break;
                    index[i] = 0;
                }
            }
            return result;
        }

        /// <summary>Would writing <paramref name="output"/> from <paramref name="inputs"/> be refused (element-wise rules)?</summary>
        private static bool OutputRefused(View output, params View[] inputs)
        {
            var offsets = output.Offsets();
            if (offsets.Distinct().Count() != offsets.Length) return true;   // broadcast or self-overlap
            var set = offsets.ToHashSet();
            foreach (var input in inputs)
            {
                if (!ReferenceEquals(input.Storage, output.Storage) || input.SameViewAs(output)) continue;
                if (input.Offsets().Any(set.Contains)) return true;
            }
            return false;
        }

        private void Write(View output, float[] values)
        {
            var offsets = output.Offsets();
            for (int i = 0; i < offsets.Length; i++) output.Storage.Data[offsets[i]] = values[i];
        }

        private void Add(Call call)
        {
            if (Pick(call.A) is not { } a || Pick(call.B) is not { } b) return;
            bool inferred = call.C % 3 == 0;
            var output = inferred ? null : Pick(call.D)!;
            if (a.Disposed || b.Disposed || (output?.Disposed ?? false))
            {
                Expect(typeof(ObjectDisposedException), () =>
                {
                    if (output is null) Ops.Add(_stream, a.Handle, b.Handle).Dispose();
                    else Ops.Add(_stream, a.Handle, b.Handle, output.Handle);
                }, call);
                return;
            }
            var shape = Broadcast(a.Shape, b.Shape);
            if (shape is null || (output is not null && (!output.Shape.SequenceEqual(shape) || OutputRefused(output, a, b))))
            {
                Expect(typeof(ArgumentException), () =>
                {
                    if (output is null) Ops.Add(_stream, a.Handle, b.Handle).Dispose();
                    else Ops.Add(_stream, a.Handle, b.Handle, output.Handle);
                }, call);
                return;
            }
            var x = BroadcastValues(a, shape);
            var y = BroadcastValues(b, shape);
            var sum = x.Zip(y, (p, q) => p + q).ToArray();
            if (output is null)
            {
                var handle = Ops.Add(_stream, a.Handle, b.Handle);
                var storage = new Storage(sum.Length);
                sum.CopyTo(storage.Data, 0);
                _views.Add(new View(handle, storage, shape, new TensorShape(shape).ContiguousStrides(), 0));
                return;
            }
            Ops.Add(_stream, a.Handle, b.Handle, output.Handle);
            Write(output, sum);
        }

        private void Muls(Call call)
        {
            if (Pick(call.A) is not { } a || Pick(call.D) is not { } output) return;
            if (a.Disposed || output.Disposed)
            {
                Expect(typeof(ObjectDisposedException), () => Ops.Muls(_stream, a.Handle, 2, output.Handle), call);
                return;
            }
            if (!output.Shape.SequenceEqual(a.Shape) || OutputRefused(output, a))
            {
                Expect(typeof(ArgumentException), () => Ops.Muls(_stream, a.Handle, 2, output.Handle), call);
                return;
            }
            var values = a.Values().Select(v => v * 2).ToArray();
            Ops.Muls(_stream, a.Handle, 2, output.Handle);
            Write(output, values);
        }

        private void Dispose(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            v.Handle.Dispose();   // twice is a no-op
            v.Disposed = true;
        }

        private void Read(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            if (v.Disposed)
            {
                Expect(typeof(ObjectDisposedException), () => v.Handle.ToArray<float>(_stream), call);
                return;
            }
            var actual = v.Handle.ToArray<float>(_stream);
            var expected = v.Values();
            if (!actual.SequenceEqual(expected))
                throw new Xunit.Sdk.XunitException($"{call}: {v.Handle} holds [{string.Join(", ", actual)}], the model [{string.Join(", ", expected)}]");
        }

        private void CopyFromHost(Call call)
        {
            if (Pick(call.A) is not { } v) return;
            var values = Fresh(v.Count);
            if (v.Disposed)
            {
                Expect(typeof(ObjectDisposedException), () => v.Handle.CopyFrom<float>(_stream, values), call);
                return;
            }
            // A strided view is written through a contiguous temporary and Ops.Copy: the output rules apply.
            if (!v.Handle.IsContiguous && OutputRefused(v))
            {
                Expect(typeof(ArgumentException), () => v.Handle.CopyFrom<float>(_stream, values), call);
                return;
            }
            v.Handle.CopyFrom<float>(_stream, values);
            Write(v, values);
        }

        public void CheckEverything()
        {
            foreach (var v in _views)
            {
                if (v.Disposed) continue;
                var actual = v.Handle.ToArray<float>(_stream);
                if (!actual.SequenceEqual(v.Values()))
                    throw new Xunit.Sdk.XunitException($"final read: {v.Handle} holds [{string.Join(", ", actual)}], the model [{string.Join(", ", v.Values())}]");
            }
            Assert.Equal(Enumerable.Range(0, 32).Select(i => -2000f - i), _canary.ToArray<float>(_stream));
            Assert.Equal(Enumerable.Range(0, BufferElements).Select(i => -1000f - i), _canaryBuffer.ToArray<float>());
            var raw = _buffer.ToArray<float>();
            Assert.Equal(_bufferStorage.Data, raw);
        }

        public void Dispose()
        {
            foreach (var v in _views) v.Handle.Dispose();
            _canary.Dispose();
            _stream.Synchronize();
            _stream.Dispose();
            _buffer.Dispose();
            _canaryBuffer.Dispose();
        }
    }
}
