namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary><paramref name="output"/> = <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Add(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        Operators.Add.Run(stream, [self, other, output], [alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Add(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1) =>
        Operators.Add.Create(stream, [self, other], [alpha]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Sub(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        Operators.Sub.Run(stream, [self, other, output], [alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Sub(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1) =>
        Operators.Sub.Create(stream, [self, other], [alpha]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> x <paramref name="other"/> (element-wise), with broadcasting.</summary>
    public static void Mul(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) =>
        Operators.Mul.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding <paramref name="self"/> x <paramref name="other"/> (element-wise).</summary>
    public static NpuTensor Mul(NpuStream stream, NpuTensor self, NpuTensor other) =>
        Operators.Mul.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> converted to <paramref name="output"/>'s type.</summary>
    public static void Cast(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Cast.Run(stream, [self, output]);

    /// <summary>A new tensor holding <paramref name="self"/> converted to <paramref name="dataType"/>.</summary>
    public static NpuTensor Cast(NpuStream stream, NpuTensor self, NpuDataType dataType) => Operators.Cast.Create(stream, [self], [dataType]);

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (aclnn InplaceCopy): the source
    /// broadcasts to the destination's shape and is converted to its type; either may be strided.
    /// </summary>
    public static void Copy(NpuStream stream, NpuTensor source, NpuTensor destination) => Operators.Copy.Run(stream, [source, destination]);

    /// <summary>New tensors holding RmsNorm's output and reciprocal RMS (see the output overload).</summary>
    public static (NpuTensor Y, NpuTensor Rstd) RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon = 1e-6)
    {
        var results = new TensorSlots();
        Operators.RmsNorm.Create(stream, [x, gamma], ((Span<NpuTensor?>)results)[..2], [epsilon]);
        return (results[0]!, results[1]!);
    }

    /// <summary><paramref name="output"/> = -<paramref name="self"/> (integers wrap: -int.MinValue is int.MinValue).</summary>
    public static void Neg(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Neg.Run(stream, [self, output]);

    /// <summary>A new tensor holding -<paramref name="self"/>.</summary>
    public static NpuTensor Neg(NpuStream stream, NpuTensor self) => Operators.Neg.Create(stream, [self]);

    /// <summary>
    /// <paramref name="output"/> = e^<paramref name="self"/>. A floating <paramref name="self"/> gives its own type; an int64 or
    /// bool one gives float32 (as torch.exp).
    /// </summary>
    public static void Exp(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Exp.Run(stream, [self, output]);

    /// <summary>A new tensor holding e^<paramref name="self"/> (float32 for an int64 or bool input).</summary>
    public static NpuTensor Exp(NpuStream stream, NpuTensor self) => Operators.Exp.Create(stream, [self]);

    /// <summary><paramref name="output"/> = sqrt(<paramref name="self"/>) (NaN for negative inputs; integer or bool inputs give float32).</summary>
    public static void Sqrt(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Sqrt.Run(stream, [self, output]);

    /// <summary>A new tensor holding sqrt(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Sqrt(NpuStream stream, NpuTensor self) => Operators.Sqrt.Create(stream, [self]);

    /// <summary><paramref name="output"/> = 1 / sqrt(<paramref name="self"/>) (+inf at 0; integer or bool inputs give float32).</summary>
    public static void Rsqrt(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Rsqrt.Run(stream, [self, output]);

    /// <summary>A new tensor holding 1 / sqrt(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Rsqrt(NpuStream stream, NpuTensor self) => Operators.Rsqrt.Create(stream, [self]);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> / <paramref name="other"/> (true division), with broadcasting.
    /// Floating inputs give their type; integer or bool inputs give float32 (as torch.div).
    /// </summary>
    public static void Div(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) =>
        Operators.Div.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding <paramref name="self"/> / <paramref name="other"/> (float32 for integer inputs).</summary>
    public static NpuTensor Div(NpuStream stream, NpuTensor self, NpuTensor other) =>
        Operators.Div.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = max(<paramref name="self"/>, <paramref name="other"/>) element-wise, with broadcasting; NaN propagates.</summary>
    public static void Maximum(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Maximum.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding max(<paramref name="self"/>, <paramref name="other"/>) element-wise.</summary>
    public static NpuTensor Maximum(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Maximum.Create(stream, [self, other]);

    /// <summary><paramref name="output"/> = min(<paramref name="self"/>, <paramref name="other"/>) element-wise, with broadcasting; NaN propagates.</summary>
    public static void Minimum(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output) => Operators.Minimum.Run(stream, [self, other, output]);

    /// <summary>A new tensor holding min(<paramref name="self"/>, <paramref name="other"/>) element-wise.</summary>
    public static NpuTensor Minimum(NpuStream stream, NpuTensor self, NpuTensor other) => Operators.Minimum.Create(stream, [self, other]);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/> for a scalar
    /// <paramref name="other"/>, in <paramref name="self"/>'s type (integer tensors need integral scalars; no promotion).
    /// </summary>
    public static void Adds(NpuStream stream, NpuTensor self, double other, NpuTensor output, double alpha = 1) =>
        Operators.Adds.Run(stream, [self, output], [other, alpha]);

    /// <summary>A new tensor holding <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/> (scalar other).</summary>
    public static NpuTensor Adds(NpuStream stream, NpuTensor self, double other, double alpha = 1) =>
        Operators.Adds.Create(stream, [self], [other, alpha]);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> x <paramref name="other"/> for a scalar <paramref name="other"/>, in
    /// <paramref name="self"/>'s type (integer tensors need an integral scalar; no promotion).
    /// </summary>
    public static void Muls(NpuStream stream, NpuTensor self, double other, NpuTensor output) => Operators.Muls.Run(stream, [self, output], [other]);

    /// <summary>A new tensor holding <paramref name="self"/> x <paramref name="other"/> (scalar other).</summary>
    public static NpuTensor Muls(NpuStream stream, NpuTensor self, double other) => Operators.Muls.Create(stream, [self], [other]);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="condition"/> ? <paramref name="self"/> : <paramref name="other"/>, all three
    /// broadcast together (aclnnSWhere). condition is bool or uint8; self and other share a type.
    /// </summary>
    public static void Where(NpuStream stream, NpuTensor condition, NpuTensor self, NpuTensor other, NpuTensor output) =>
        Operators.Where.Run(stream, [condition, self, other, output]);

    /// <summary>A new tensor holding <paramref name="condition"/> ? <paramref name="self"/> : <paramref name="other"/>.</summary>
    public static NpuTensor Where(NpuStream stream, NpuTensor condition, NpuTensor self, NpuTensor other) =>
        Operators.Where.Create(stream, [condition, self, other]);

    /// <summary>
    /// In place: every element of <paramref name="selfRef"/> where <paramref name="mask"/> (bool, broadcast to self's shape) is
    /// true becomes <paramref name="value"/> (aclnnInplaceMaskedFillScalar, CANN's only form; use <see cref="Where(NpuStream, NpuTensor, NpuTensor, NpuTensor)"/>
    /// for a new tensor). float32, float16, bfloat16, int8, int32, int64; integer tensors need an integral value.
    /// </summary>
    public static void InplaceMaskedFill(NpuStream stream, NpuTensor selfRef, NpuTensor mask, double value) =>
        Operators.InplaceMaskedFill.Run(stream, [selfRef, mask, selfRef], [value]);
}
