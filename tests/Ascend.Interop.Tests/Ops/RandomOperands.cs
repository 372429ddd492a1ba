using CsCheck;

namespace Ascend.Interop.Tests;

/// <summary>
/// Random operands of the operator property tests (element-wise, reduction, matrix-product families): tensors of a
/// logical shape holding random values, stored contiguous or as a strided view (<see cref="OperandView"/>). Each family
/// sets its value distribution and which axes its views stride; the reference then reads the values back
/// (<see cref="TensorValues.Download"/>), so it sees exactly what the operator sees.
/// </summary>
internal sealed class RandomOperands
{
    /// <summary>Shapes of rank 0 to 4 with dimensions 1 to 4.</summary>
    public static readonly Gen<long[]> ShapeGen = Gen.Int[1, 4].Array[0, 4].Select(d => d.Select(v => (long)v).ToArray());

    /// <summary>A value of a floating tensor (rounded to the tensor's type by the upload).</summary>
    public required Func<Random, double> FloatValue { get; init; }

    /// <summary>A value of an int32 tensor.</summary>
    public Func<Random, int> IntValue { get; init; } = random => random.Next(-50, 51);

    /// <summary>The two axes a <see cref="OperandView.Transposed"/> view swaps (negative: from the end); default the last two.</summary>
    public (int First, int Second) TransposedAxes { get; init; } = (-2, -1);

    /// <summary>The axis a <see cref="OperandView.Sliced"/> view cuts (negative: from the end); default the first.</summary>
    public int SlicedAxis { get; init; }

    /// <summary>Where the slice starts; the storage is longer by this plus one, so the slice has margins on both sides.</summary>
    public long SliceStart { get; init; } = 1;

    public static long Count(long[] shape) => shape.Aggregate(1L, (x, y) => x * y);

    /// <summary>A contiguous tensor of <paramref name="shape"/> with random values, added to <paramref name="owned"/>.</summary>
    public NpuTensor Upload(NpuStream stream, NpuDataType type, long[] shape, Random random, List<NpuTensor> owned)
    {
        int n = (int)Count(shape);
        var dims = new TensorShape(shape);
        double Next() => FloatValue(random);
        NpuTensor tensor = type switch
        {
            NpuDataType.Float32 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (float)Next()).ToArray(), dims),
            NpuDataType.Float16 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (Half)Next()).ToArray(), dims),
            NpuDataType.BFloat16 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => (NpuBFloat16)(float)Next()).ToArray(), dims),
            NpuDataType.Int32 => NpuTensor.FromArray(stream, Enumerable.Range(0, n).Select(_ => IntValue(random)).ToArray(), dims),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        owned.Add(tensor);
        return tensor;
    }

    /// <summary>A tensor of logical shape <paramref name="shape"/> holding random values, as the requested kind of view; it and its storage are added to <paramref name="owned"/>.</summary>
    public NpuTensor Operand(NpuStream stream, NpuDataType type, long[] shape, OperandView view, Random random, List<NpuTensor> owned)
    {
        int rank = shape.Length;
        NpuTensor result;
        switch (view)
        {
            case OperandView.Transposed when rank >= 2:
                int first = Axis(TransposedAxes.First, rank), second = Axis(TransposedAxes.Second, rank);
                var swapped = shape.ToArray();
                (swapped[first], swapped[second]) = (swapped[second], swapped[first]);
                result = Upload(stream, type, swapped, random, owned).Transpose(first, second);
                break;
            case OperandView.Sliced when rank >= 1:
                int axis = Axis(SlicedAxis, rank);
                var longer = shape.ToArray();
                longer[axis] += SliceStart + 1;
                result = Upload(stream, type, longer, random, owned).Slice(axis, SliceStart, shape[axis]);
                break;
            case OperandView.Expanded when Array.FindIndex(shape, d => d > 1) is var d and >= 0:
                var single = shape.ToArray();
                single[d] = 1;
                result = Upload(stream, type, single, random, owned).Expand(new TensorShape(shape));
                break;
            default:
                return Upload(stream, type, shape, random, owned);
        }
        owned.Add(result);
        return result;
    }

    private static int Axis(int axis, int rank) => axis < 0 ? axis + rank : axis;
}
