using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>How matrix operators may trade precision for speed (aclnn's <c>cubeMathType</c>).</summary>
public enum CubeMathType : sbyte
{
    /// <summary>Compute in the inputs' type (the default).</summary>
    KeepDtype = 0,
    /// <summary>float32 inputs may be computed at lower precision.</summary>
    AllowFp32DownPrecision = 1,
    /// <summary>Compute in float16.</summary>
    UseFp16 = 2,
    /// <summary>Compute in HF32.</summary>
    UseHf32 = 3,
}

/// <summary>
/// aclnn operators on <see cref="NpuTensor"/>s, queued on a stream. Each operator has an overload
/// that writes into a given output tensor and one that infers the output (shape, broadcasting,
/// type) and returns a new tensor rented on the stream. Arguments are checked in managed code first
/// (<see cref="ArgumentNullException"/>, <see cref="ObjectDisposedException"/>, <see cref="ArgumentException"/>
/// naming the operator and argument); failures of the runtime throw <see cref="AclException"/> naming the
/// C function. Inputs of one call must share a type: the SDK does not promote (use <see cref="Cast(NpuStream, NpuTensor, NpuDataType)"/>).
/// The steady-state call of an output overload allocates no managed memory.
/// </summary>
public static unsafe partial class Ops
{
    // ---- Add / Sub / Mul ------------------------------------------------------------------

    /// <summary><paramref name="output"/> = <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Add(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        AddSub("Ops.Add", stream, self, other, output, alpha, subtract: false);

    /// <summary>A new tensor holding <paramref name="self"/> + <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Add(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1)
    {
        var output = BinaryOutput("Ops.Add", stream, self, other);
        return Run(output, () => Add(stream, self, other, output, alpha));
    }

    /// <summary><paramref name="output"/> = <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>, with broadcasting.</summary>
    public static void Sub(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha = 1) =>
        AddSub("Ops.Sub", stream, self, other, output, alpha, subtract: true);

    /// <summary>A new tensor holding <paramref name="self"/> - <paramref name="alpha"/> x <paramref name="other"/>.</summary>
    public static NpuTensor Sub(NpuStream stream, NpuTensor self, NpuTensor other, double alpha = 1)
    {
        var output = BinaryOutput("Ops.Sub", stream, self, other);
        return Run(output, () => Sub(stream, self, other, output, alpha));
    }

    /// <summary><paramref name="output"/> = <paramref name="self"/> x <paramref name="other"/> (element-wise), with broadcasting.</summary>
    public static void Mul(NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output)
    {
        const string op = "Ops.Mul";
        CheckBinary(op, stream, self, other, output);
        var a = self.Descriptor(op, "self");
        var b = other.Descriptor(op, "other");
        var o = output.Descriptor(op, "output");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        int code = AclnnOps.aclnnMulGetWorkspaceSize(a, b, o, &workspace, &executor);
        if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnMulGetWorkspaceSize), op);
        Launch(stream, lease, workspace, executor, &AclnnOps.aclnnMul, nameof(AclnnOps.aclnnMul), op);
        Note(stream, nameof(AclnnOps.aclnnMul), self, other, output);
    }

    /// <summary>A new tensor holding <paramref name="self"/> x <paramref name="other"/> (element-wise).</summary>
    public static NpuTensor Mul(NpuStream stream, NpuTensor self, NpuTensor other)
    {
        var output = BinaryOutput("Ops.Mul", stream, self, other);
        return Run(output, () => Mul(stream, self, other, output));
    }

    private static void AddSub(string op, NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output, double alpha, bool subtract)
    {
        CheckBinary(op, stream, self, other, output);
        var a = self.Descriptor(op, "self");
        var b = other.Descriptor(op, "other");
        var o = output.Descriptor(op, "output");
        var scalar = CreateAlpha(op, self.DataType, alpha);
        try
        {
            using var lease = stream.Enter();
            ulong workspace;
            aclOpExecutor* executor;
            if (subtract)
            {
                int code = AclnnOps.aclnnSubGetWorkspaceSize(a, b, scalar, o, &workspace, &executor);
                if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnSubGetWorkspaceSize), op);
                Launch(stream, lease, workspace, executor, &AclnnOps.aclnnSub, nameof(AclnnOps.aclnnSub), op);
            }
            else
            {
                int code = AclnnOps.aclnnAddGetWorkspaceSize(a, b, scalar, o, &workspace, &executor);
                if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnAddGetWorkspaceSize), op);
                Launch(stream, lease, workspace, executor, &AclnnOps.aclnnAdd, nameof(AclnnOps.aclnnAdd), op);
            }
        }
        finally
        {
            AclNN.aclDestroyScalar(scalar);
        }
        Note(stream, subtract ? nameof(AclnnOps.aclnnSub) : nameof(AclnnOps.aclnnAdd), self, other, output);
    }

    private static void CheckBinary(string op, NpuStream stream, NpuTensor self, NpuTensor other, NpuTensor output)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        CheckTensor(op, nameof(other), other, stream);
        CheckTensor(op, nameof(output), output, stream);
        CheckSameType(op, nameof(other), other, nameof(self), self);
        CheckSameType(op, nameof(output), output, nameof(self), self);
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        int rank = Broadcast(op, nameof(self), self.Shape.Dims, nameof(other), other.Shape.Dims, shape);
        CheckShape(op, nameof(output), output, shape[..rank]);
    }

    private static NpuTensor BinaryOutput(string op, NpuStream stream, NpuTensor self, NpuTensor other)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        CheckTensor(op, nameof(other), other, stream);
        CheckSameType(op, nameof(other), other, nameof(self), self);
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        int rank = Broadcast(op, nameof(self), self.Shape.Dims, nameof(other), other.Shape.Dims, shape);
        return NpuTensor.Empty(stream, new TensorShape(shape[..rank]), self.DataType);
    }

    // ---- MatMul / Mm ----------------------------------------------------------------------

    /// <summary>
    /// <paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> with torch.matmul rules: 1-D
    /// operands are vectors, leading (batch) dimensions broadcast.
    /// </summary>
    public static void MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MatMulCore("Ops.MatMul", batched: true, stream, self, mat2, output, mathType);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> (torch.matmul rules).</summary>
    public static NpuTensor MatMul(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype)
    {
        var output = MatMulOutput("Ops.MatMul", batched: true, stream, self, mat2);
        return Run(output, () => MatMul(stream, self, mat2, output, mathType));
    }

    /// <summary><paramref name="output"/> = <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static void Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType = CubeMathType.KeepDtype) =>
        MatMulCore("Ops.Mm", batched: false, stream, self, mat2, output, mathType);

    /// <summary>A new tensor holding <paramref name="self"/> @ <paramref name="mat2"/> for 2-D matrices.</summary>
    public static NpuTensor Mm(NpuStream stream, NpuTensor self, NpuTensor mat2, CubeMathType mathType = CubeMathType.KeepDtype)
    {
        var output = MatMulOutput("Ops.Mm", batched: false, stream, self, mat2);
        return Run(output, () => Mm(stream, self, mat2, output, mathType));
    }

    private static void MatMulCore(string op, bool batched, NpuStream stream, NpuTensor self, NpuTensor mat2, NpuTensor output, CubeMathType mathType)
    {
        CheckMatMul(op, batched, stream, self, mat2);
        CheckTensor(op, nameof(output), output, stream);
        CheckSameType(op, nameof(output), output, nameof(self), self);
        Span<long> shape = stackalloc long[TensorShape.MaxRank + 2];
        int rank = MatMulShape(op, self.Shape.Dims, mat2.Shape.Dims, shape);
        CheckShape(op, nameof(output), output, shape[..rank]);
        if ((uint)mathType > 3) throw new ArgumentOutOfRangeException(nameof(mathType), mathType, $"{op}: not a CubeMathType.");
        var a = self.Descriptor(op, "self");
        var b = mat2.Descriptor(op, "mat2");
        var o = output.Descriptor(op, "output");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        if (batched)
        {
            int code = AclnnOps.aclnnMatmulGetWorkspaceSize(a, b, o, (sbyte)mathType, &workspace, &executor);
            if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnMatmulGetWorkspaceSize), op);
            Launch(stream, lease, workspace, executor, &AclnnOps.aclnnMatmul, nameof(AclnnOps.aclnnMatmul), op);
        }
        else
        {
            int code = AclnnOps.aclnnMmGetWorkspaceSize(a, b, o, (sbyte)mathType, &workspace, &executor);
            if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnMmGetWorkspaceSize), op);
            Launch(stream, lease, workspace, executor, &AclnnOps.aclnnMm, nameof(AclnnOps.aclnnMm), op);
        }
        Note(stream, batched ? nameof(AclnnOps.aclnnMatmul) : nameof(AclnnOps.aclnnMm), self, mat2, output);
    }

    private static void CheckMatMul(string op, bool batched, NpuStream stream, NpuTensor self, NpuTensor mat2)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        CheckTensor(op, nameof(mat2), mat2, stream);
        CheckFloatingPoint(op, nameof(self), self);
        CheckSameType(op, nameof(mat2), mat2, nameof(self), self);
        if (!batched && (self.Rank != 2 || mat2.Rank != 2))
            throw new ArgumentException($"{op}: both operands must be 2-D matrices; got 'self' {self.Shape} and 'mat2' {mat2.Shape} (use Ops.MatMul for batches and vectors).", self.Rank != 2 ? nameof(self) : nameof(mat2));
    }

    private static NpuTensor MatMulOutput(string op, bool batched, NpuStream stream, NpuTensor self, NpuTensor mat2)
    {
        CheckMatMul(op, batched, stream, self, mat2);
        Span<long> shape = stackalloc long[TensorShape.MaxRank + 2];
        int rank = MatMulShape(op, self.Shape.Dims, mat2.Shape.Dims, shape);
        return NpuTensor.Empty(stream, new TensorShape(shape[..rank]), self.DataType);
    }

    // ---- Relu / Silu ----------------------------------------------------------------------

    /// <summary><paramref name="output"/> = max(<paramref name="self"/>, 0).</summary>
    public static void Relu(NpuStream stream, NpuTensor self, NpuTensor output) => Unary("Ops.Relu", silu: false, stream, self, output);

    /// <summary>A new tensor holding max(<paramref name="self"/>, 0).</summary>
    public static NpuTensor Relu(NpuStream stream, NpuTensor self)
    {
        var output = UnaryOutput("Ops.Relu", silu: false, stream, self);
        return Run(output, () => Relu(stream, self, output));
    }

    /// <summary><paramref name="output"/> = <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static void Silu(NpuStream stream, NpuTensor self, NpuTensor output) => Unary("Ops.Silu", silu: true, stream, self, output);

    /// <summary>A new tensor holding <paramref name="self"/> x sigmoid(<paramref name="self"/>).</summary>
    public static NpuTensor Silu(NpuStream stream, NpuTensor self)
    {
        var output = UnaryOutput("Ops.Silu", silu: true, stream, self);
        return Run(output, () => Silu(stream, self, output));
    }

    private static void Unary(string op, bool silu, NpuStream stream, NpuTensor self, NpuTensor output)
    {
        CheckUnaryInput(op, silu, stream, self);
        CheckTensor(op, nameof(output), output, stream);
        CheckSameType(op, nameof(output), output, nameof(self), self);
        CheckShape(op, nameof(output), output, self.Shape.Dims);
        var a = self.Descriptor(op, "self");
        var o = output.Descriptor(op, "output");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        if (silu)
        {
            int code = AclnnOps.aclnnSiluGetWorkspaceSize(a, o, &workspace, &executor);
            if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnSiluGetWorkspaceSize), op);
            Launch(stream, lease, workspace, executor, &AclnnOps.aclnnSilu, nameof(AclnnOps.aclnnSilu), op);
        }
        else
        {
            int code = AclnnOps.aclnnReluGetWorkspaceSize(a, o, &workspace, &executor);
            if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnReluGetWorkspaceSize), op);
            Launch(stream, lease, workspace, executor, &AclnnOps.aclnnRelu, nameof(AclnnOps.aclnnRelu), op);
        }
        Note(stream, silu ? nameof(AclnnOps.aclnnSilu) : nameof(AclnnOps.aclnnRelu), self, null, output);
    }

    private static void CheckUnaryInput(string op, bool floatOnly, NpuStream stream, NpuTensor self)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        if (floatOnly) CheckFloatingPoint(op, nameof(self), self);
    }

    private static NpuTensor UnaryOutput(string op, bool silu, NpuStream stream, NpuTensor self)
    {
        CheckUnaryInput(op, silu, stream, self);
        return NpuTensor.Empty(stream, self.Shape, self.DataType);
    }

    // ---- Softmax --------------------------------------------------------------------------

    /// <summary><paramref name="output"/> = softmax of <paramref name="self"/> along <paramref name="dim"/> (negative counts from the end).</summary>
    public static void Softmax(NpuStream stream, NpuTensor self, int dim, NpuTensor output)
    {
        const string op = "Ops.Softmax";
        CheckSoftmax(op, stream, self, dim);
        CheckTensor(op, nameof(output), output, stream);
        CheckSameType(op, nameof(output), output, nameof(self), self);
        CheckShape(op, nameof(output), output, self.Shape.Dims);
        var a = self.Descriptor(op, "self");
        var o = output.Descriptor(op, "output");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        int code = AclnnOps.aclnnSoftmaxGetWorkspaceSize(a, dim, o, &workspace, &executor);
        if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnSoftmaxGetWorkspaceSize), op);
        Launch(stream, lease, workspace, executor, &AclnnOps.aclnnSoftmax, nameof(AclnnOps.aclnnSoftmax), op);
        Note(stream, nameof(AclnnOps.aclnnSoftmax), self, null, output);
    }

    /// <summary>A new tensor holding the softmax of <paramref name="self"/> along <paramref name="dim"/>.</summary>
    public static NpuTensor Softmax(NpuStream stream, NpuTensor self, int dim)
    {
        const string op = "Ops.Softmax";
        CheckSoftmax(op, stream, self, dim);
        var output = NpuTensor.Empty(stream, self.Shape, self.DataType);
        return Run(output, () => Softmax(stream, self, dim, output));
    }

    private static void CheckSoftmax(string op, NpuStream stream, NpuTensor self, int dim)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        CheckFloatingPoint(op, nameof(self), self);
        int rank = Math.Max(self.Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op}: dim {dim} is out of range for 'self' of rank {self.Rank} (valid: {-rank}..{rank - 1}).");
    }

    // ---- Cast / Copy ----------------------------------------------------------------------

    /// <summary><paramref name="output"/> = <paramref name="self"/> converted to <paramref name="output"/>'s type.</summary>
    public static void Cast(NpuStream stream, NpuTensor self, NpuTensor output)
    {
        const string op = "Ops.Cast";
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        CheckTensor(op, nameof(output), output, stream);
        CheckShape(op, nameof(output), output, self.Shape.Dims);
        var a = self.Descriptor(op, "self");
        var o = output.Descriptor(op, "output");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        int code = AclnnOps.aclnnCastGetWorkspaceSize(a, (aclDataType)(int)output.DataType, o, &workspace, &executor);
        if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnCastGetWorkspaceSize), op);
        Launch(stream, lease, workspace, executor, &AclnnOps.aclnnCast, nameof(AclnnOps.aclnnCast), op);
        Note(stream, nameof(AclnnOps.aclnnCast), self, null, output);
    }

    /// <summary>A new tensor holding <paramref name="self"/> converted to <paramref name="dataType"/>.</summary>
    public static NpuTensor Cast(NpuStream stream, NpuTensor self, NpuDataType dataType)
    {
        const string op = "Ops.Cast";
        CheckStream(op, stream);
        CheckTensor(op, nameof(self), self, stream);
        _ = dataType.ElementSize(); // rejects values outside NpuDataType
        var output = NpuTensor.Empty(stream, self.Shape, dataType);
        return Run(output, () => Cast(stream, self, output));
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (aclnn InplaceCopy): the source
    /// broadcasts to the destination's shape and is converted to its type; either may be strided.
    /// </summary>
    public static void Copy(NpuStream stream, NpuTensor destination, NpuTensor source)
    {
        const string op = "Ops.Copy";
        CheckStream(op, stream);
        CheckTensor(op, nameof(destination), destination, stream);
        CheckTensor(op, nameof(source), source, stream);
        Span<long> shape = stackalloc long[TensorShape.MaxRank];
        int rank = Broadcast(op, nameof(destination), destination.Shape.Dims, nameof(source), source.Shape.Dims, shape);
        if (!shape[..rank].SequenceEqual(destination.Shape.Dims))
            throw new ArgumentException($"{op}: 'source' shape {source.Shape} does not broadcast to 'destination' shape {destination.Shape}.", nameof(source));
        var d = destination.Descriptor(op, "destination");
        var s = source.Descriptor(op, "source");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        int code = AclnnOps.aclnnInplaceCopyGetWorkspaceSize(d, s, &workspace, &executor);
        if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnInplaceCopyGetWorkspaceSize), op);
        Launch(stream, lease, workspace, executor, &AclnnOps.aclnnInplaceCopy, nameof(AclnnOps.aclnnInplaceCopy), op);
        Note(stream, nameof(AclnnOps.aclnnInplaceCopy), source, null, destination);
    }

    // ---- RmsNorm --------------------------------------------------------------------------

    /// <summary>
    /// <paramref name="y"/> = <paramref name="x"/> / sqrt(mean(x²) + <paramref name="epsilon"/>) x <paramref name="gamma"/>,
    /// normalizing over <paramref name="gamma"/>'s (trailing) dimensions; <paramref name="rstd"/> receives the
    /// reciprocal RMS per row: float32, x's shape with the normalized dimensions set to 1.
    /// </summary>
    public static void RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon, NpuTensor y, NpuTensor rstd)
    {
        const string op = "Ops.RmsNorm";
        CheckRmsNorm(op, stream, x, gamma, epsilon);
        CheckTensor(op, nameof(y), y, stream);
        CheckTensor(op, nameof(rstd), rstd, stream);
        CheckSameType(op, nameof(y), y, nameof(x), x);
        CheckType(op, nameof(rstd), rstd, NpuDataType.Float32);
        CheckShape(op, nameof(y), y, x.Shape.Dims);
        Span<long> rstdShape = stackalloc long[x.Rank];
        RstdShape(x, gamma, rstdShape);
        CheckShape(op, nameof(rstd), rstd, rstdShape);
        var xd = x.Descriptor(op, "x");
        var gd = gamma.Descriptor(op, "gamma");
        var yd = y.Descriptor(op, "y");
        var rd = rstd.Descriptor(op, "rstd");
        using var lease = stream.Enter();
        ulong workspace;
        aclOpExecutor* executor;
        int code = AclnnOps.aclnnRmsNormGetWorkspaceSize(xd, gd, epsilon, yd, rd, &workspace, &executor);
        if (code != 0) ThrowPhase1(stream, code, nameof(AclnnOps.aclnnRmsNormGetWorkspaceSize), op);
        Launch(stream, lease, workspace, executor, &AclnnOps.aclnnRmsNorm, nameof(AclnnOps.aclnnRmsNorm), op);
        Note(stream, nameof(AclnnOps.aclnnRmsNorm), x, gamma, y, rstd);
    }

    /// <summary>New tensors holding RmsNorm's output and reciprocal RMS (see the output overload).</summary>
    public static (NpuTensor Y, NpuTensor Rstd) RmsNorm(NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon = 1e-6)
    {
        const string op = "Ops.RmsNorm";
        CheckRmsNorm(op, stream, x, gamma, epsilon);
        var rstdShape = new long[x.Rank];
        RstdShape(x, gamma, rstdShape);
        var y = NpuTensor.Empty(stream, x.Shape, x.DataType);
        NpuTensor? rstd = null;
        try
        {
            rstd = NpuTensor.Empty(stream, rstdShape, NpuDataType.Float32);
            RmsNorm(stream, x, gamma, epsilon, y, rstd);
            return (y, rstd);
        }
        catch
        {
            rstd?.Dispose();
            y.Dispose();
            throw;
        }
    }

    private static void CheckRmsNorm(string op, NpuStream stream, NpuTensor x, NpuTensor gamma, double epsilon)
    {
        CheckStream(op, stream);
        CheckTensor(op, nameof(x), x, stream);
        CheckTensor(op, nameof(gamma), gamma, stream);
        CheckFloatingPoint(op, nameof(x), x);
        CheckSameType(op, nameof(gamma), gamma, nameof(x), x);
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{op}: epsilon must be a finite non-negative number.");
        var xs = x.Shape.Dims;
        var gs = gamma.Shape.Dims;
        if (gs.Length < 1 || gs.Length > xs.Length || !xs[(xs.Length - gs.Length)..].SequenceEqual(gs))
            throw new ArgumentException($"{op}: 'gamma' shape {gamma.Shape} must equal the trailing dimensions of 'x' shape {x.Shape}.", nameof(gamma));
    }

    private static void RstdShape(NpuTensor x, NpuTensor gamma, Span<long> result)
    {
        x.Shape.Dims.CopyTo(result);
        for (int i = x.Rank - gamma.Rank; i < x.Rank; i++) result[i] = 1;
    }

    // ---- allocating overloads -------------------------------------------------------------

    /// <summary>Runs the output overload; the new tensor goes back to the pool if it throws.</summary>
    private static NpuTensor Run(NpuTensor output, Action launch)
    {
        try
        {
            launch();
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}
