using Ascend.Interop.Native;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// The eager MLP step of <see cref="BenchmarkBodies"/> through the raw bindings, on the SDK's own tensors' memory and
/// stream: what bench/native/bench_main.cpp does, call for call (a descriptor per tensor made once, Add's alpha scalar
/// made and destroyed per call, phase 1 and the launch, one reused workspace buffer), in the same process as the SDK
/// row. <c>EagerMlpEnqueue</c> over this is the SDK's own cost per step, without the process and library differences
/// that the C++ comparison also measures.
/// </summary>
internal sealed unsafe class RawMlp : IDisposable
{
    private readonly aclrtStream _stream;
    private readonly List<nint> _descriptors = [];
    private readonly aclTensor* _x, _gamma, _normed, _rstd, _output;
    private readonly aclTensor*[] _weight, _bias, _product, _biased, _activated;
    private void* _workspace;
    private ulong _workspaceBytes;

    public RawMlp(NpuStream stream, NpuTensor x, NpuTensor gamma, NpuTensor normed, NpuTensor rstd, NpuTensor output,
        NpuTensor[] weight, NpuTensor[] bias, NpuTensor[] product, NpuTensor[] biased, NpuTensor[] activated)
    {
        _stream = (aclrtStream)stream.Handle;
        _x = Describe(x);
        _gamma = Describe(gamma);
        _normed = Describe(normed);
        _rstd = Describe(rstd);
        _output = Describe(output);
        _weight = DescribeAll(weight);
        _bias = DescribeAll(bias);
        _product = DescribeAll(product);
        _biased = DescribeAll(biased);
        _activated = DescribeAll(activated);
    }

    private aclTensor*[] DescribeAll(NpuTensor[] tensors)
    {
        var result = new aclTensor*[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) result[i] = Describe(tensors[i]);
        return result;
    }

    // A contiguous float tensor described once (storage as 1-D, as bench_main.cpp and the SDK describe it).
    private aclTensor* Describe(NpuTensor tensor)
    {
        int rank = tensor.Shape.Rank;
        long* dims = stackalloc long[rank];
        long* strides = stackalloc long[rank];
        long stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            dims[i] = tensor.Shape[i];
            strides[i] = stride;
            stride *= dims[i];
        }
        long storage = tensor.ElementCount;
        var descriptor = AclNN.aclCreateTensor(dims, (ulong)rank, aclDataType.ACL_FLOAT, strides, 0, aclFormat.ACL_FORMAT_ND,
            &storage, 1, (void*)tensor.DataPointer);
        if (descriptor == null) throw new InvalidOperationException("aclCreateTensor failed.");
        _descriptors.Add((nint)descriptor);
        return descriptor;
    }

    /// <summary>RmsNorm, 3 x (MatMul, Add bias, Silu), MatMul, Add bias, Softmax: the 13 launches, queued.</summary>
    public void Step()
    {
        RmsNorm(_x, _gamma, _normed, _rstd);
        var h = _normed;
        for (int l = 0; l < BenchmarkShapes.Layers; l++)
        {
            MatMul(h, _weight[l], _product[l]);
            Add(_product[l], _bias[l], _biased[l]);
            if (l < BenchmarkShapes.Layers - 1)
            {
                Silu(_biased[l], _activated[l]);
                h = _activated[l];
            }
        }
        Softmax(_biased[BenchmarkShapes.Layers - 1], _output);
    }

    private void RmsNorm(aclTensor* x, aclTensor* gamma, aclTensor* y, aclTensor* rstd)
    {
        ulong ws;
        aclOpExecutor* ex;
        Check(AclnnOps.aclnnRmsNormGetWorkspaceSize(x, gamma, BenchmarkShapes.RmsEpsilon, y, rstd, &ws, &ex));
        Check(AclnnOps.aclnnRmsNorm(Reserve(ws), ws, ex, _stream));
    }

    private void MatMul(aclTensor* a, aclTensor* b, aclTensor* output)
    {
        ulong ws;
        aclOpExecutor* ex;
        Check(AclnnOps.aclnnMatmulGetWorkspaceSize(a, b, output, 0, &ws, &ex));
        Check(AclnnOps.aclnnMatmul(Reserve(ws), ws, ex, _stream));
    }

    private void Add(aclTensor* a, aclTensor* b, aclTensor* output)
    {
        float one = 1f;
        var alpha = AclNN.aclCreateScalar(&one, aclDataType.ACL_FLOAT);
        if (alpha == null) throw new InvalidOperationException("aclCreateScalar failed.");
        ulong ws;
        aclOpExecutor* ex;
        Check(AclnnOps.aclnnAddGetWorkspaceSize(a, b, alpha, output, &ws, &ex));
        Check(AclnnOps.aclnnAdd(Reserve(ws), ws, ex, _stream));
        AclNN.aclDestroyScalar(alpha);
    }

    private void Silu(aclTensor* a, aclTensor* output)
    {
        ulong ws;
        aclOpExecutor* ex;
        Check(AclnnOps.aclnnSiluGetWorkspaceSize(a, output, &ws, &ex));
        Check(AclnnOps.aclnnSilu(Reserve(ws), ws, ex, _stream));
    }

    private void Softmax(aclTensor* a, aclTensor* output)
    {
        ulong ws;
        aclOpExecutor* ex;
        Check(AclnnOps.aclnnSoftmaxGetWorkspaceSize(a, -1, output, &ws, &ex));
        Check(AclnnOps.aclnnSoftmax(Reserve(ws), ws, ex, _stream));
    }

    // One buffer for every launch, grown outside the timed steady state (the first step sizes it), as in C++.
    private void* Reserve(ulong bytes)
    {
        if (bytes == 0) return null;
        if (bytes > _workspaceBytes)
        {
            if (_workspace != null)
            {
                Check(Acl.aclrtSynchronizeStream(_stream));   // queued work may still use the old one
                Check(Acl.aclrtFree(_workspace));
            }
            void* p;
            Check(Acl.aclrtMalloc(&p, (nuint)bytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST));
            _workspace = p;
            _workspaceBytes = bytes;
        }
        return _workspace;
    }

    private static void Check(int code)
    {
        if (code != 0) Fail(code);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Fail(int code)
    {
        string? message = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)Acl.aclGetRecentErrMsg());
        throw new InvalidOperationException($"raw MLP step: a call failed with {code}: {message}");
    }

    /// <summary>Waits for the stream, then destroys the descriptors and frees the workspace (the tensors stay the SDK's).</summary>
    public void Dispose()
    {
        if (_stream.Value != null) Acl.aclrtSynchronizeStream(_stream);
        foreach (var descriptor in _descriptors) AclNN.aclDestroyTensor((aclTensor*)descriptor);
        _descriptors.Clear();
        if (_workspace != null) Acl.aclrtFree(_workspace);
        _workspace = null;
    }
}
