namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary><paramref name="output"/> = max(<paramref name="self"/>, 0).</summary>
    public static void Relu(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Relu.Run(stream, [self, output]);

    /// <summary>A new tensor holding max(<paramref name="self"/>, 0).</summary>
    public static NpuTensor Relu(NpuStream stream, NpuTensor self) => Operators.Relu.Create(stream, [self]);

    /// <summary><paramref name="output"/> = <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static void Silu(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Silu.Run(stream, [self, output]);

    /// <summary>A new tensor holding <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static NpuTensor Silu(NpuStream stream, NpuTensor self) => Operators.Silu.Create(stream, [self]);

    /// <summary><paramref name="output"/> = softmax of <paramref name="self"/> along <paramref name="dim"/> (negative counts from the end).</summary>
    public static void Softmax(NpuStream stream, NpuTensor self, long dim, NpuTensor output) => Operators.Softmax.Run(stream, [self, output], [dim]);

    /// <summary>A new tensor holding the softmax of <paramref name="self"/> along <paramref name="dim"/>.</summary>
    public static NpuTensor Softmax(NpuStream stream, NpuTensor self, long dim) => Operators.Softmax.Create(stream, [self], [dim]);

    /// <summary><paramref name="output"/> = tanh(<paramref name="self"/>) (integer or bool inputs give float32).</summary>
    public static void Tanh(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Tanh.Run(stream, [self, output]);

    /// <summary>A new tensor holding tanh(<paramref name="self"/>) (float32 for integer or bool inputs).</summary>
    public static NpuTensor Tanh(NpuStream stream, NpuTensor self) => Operators.Tanh.Create(stream, [self]);

    /// <summary>
    /// <paramref name="output"/> = GELU(<paramref name="self"/>) in the tanh approximation aclnnGelu documents:
    /// 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))). float32, float16, bfloat16.
    /// </summary>
    public static void Gelu(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Gelu.Run(stream, [self, output]);

    /// <summary>A new tensor holding GELU(<paramref name="self"/>) (tanh approximation).</summary>
    public static NpuTensor Gelu(NpuStream stream, NpuTensor self) => Operators.Gelu.Create(stream, [self]);

    /// <summary><paramref name="output"/> = 1 / (1 + e^-<paramref name="self"/>). float32, float16, bfloat16.</summary>
    public static void Sigmoid(NpuStream stream, NpuTensor self, NpuTensor output) => Operators.Sigmoid.Run(stream, [self, output]);

    /// <summary>A new tensor holding 1 / (1 + e^-<paramref name="self"/>).</summary>
    public static NpuTensor Sigmoid(NpuStream stream, NpuTensor self) => Operators.Sigmoid.Create(stream, [self]);

    /// <summary>
    /// SwiGLU: <paramref name="x"/> split along <paramref name="dim"/> into halves A and B;
    /// <paramref name="output"/> = silu(A) x B, of x's shape with that dimension halved. float32, float16, bfloat16;
    /// x and output must be contiguous (as aclnnSwiGlu requires).
    /// </summary>
    public static void SwiGlu(NpuStream stream, NpuTensor x, long dim, NpuTensor output) => Operators.SwiGlu.Run(stream, [x, output], [dim]);

    /// <summary>A new tensor holding silu(A) x B for the halves A, B of <paramref name="x"/> along <paramref name="dim"/> (default: the last).</summary>
    public static NpuTensor SwiGlu(NpuStream stream, NpuTensor x, long dim = -1) => Operators.SwiGlu.Create(stream, [x], [dim]);
}
