using System.Runtime.InteropServices;

namespace Ascend.Interop.Native.Tests;

/// <summary>The raw bindings drive the runtime, aclnn and graph capture end to end (on the simulator, or on CANN when selected).</summary>
[Collection(NativeCollection.Name)]
public sealed unsafe class RawCaptureReplayTests(NativeRuntimeFixture fixture)
{
    private const int Count = 8;
    private const nuint Bytes = Count * sizeof(float);

    [Fact]
    public void StreamsEventsAndMemory_RoundTrip()
    {
        _ = fixture;
        aclrtStream stream;
        aclrtEvent done;
        Native.Check(Acl.aclrtCreateStream(&stream), "aclrtCreateStream");
        Native.Check(Acl.aclrtCreateEvent(&done), "aclrtCreateEvent");
        Assert.False(stream.IsNull);
        Assert.False(done.IsNull);

        float* host = stackalloc float[Count];
        float* back = stackalloc float[Count];
        for (int i = 0; i < Count; i++)
        {
            host[i] = i * 1.5f;
        }
        void* device;
        Native.Check(Acl.aclrtMalloc(&device, Bytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc");
        Native.Check(Acl.aclrtMemcpy(device, Bytes, host, Bytes, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE), "aclrtMemcpy H2D");
        Native.Check(Acl.aclrtMemsetAsync(device, Bytes, 0, Bytes / 2, stream), "aclrtMemsetAsync");
        Native.Check(Acl.aclrtRecordEvent(done, stream), "aclrtRecordEvent");
        Native.Check(Acl.aclrtSynchronizeEvent(done), "aclrtSynchronizeEvent");
        aclrtEventRecordedStatus status;
        Native.Check(Acl.aclrtQueryEventStatus(done, &status), "aclrtQueryEventStatus");
        Assert.Equal(aclrtEventRecordedStatus.ACL_EVENT_RECORDED_STATUS_COMPLETE, status);
        Native.Check(Acl.aclrtMemcpy(back, Bytes, device, Bytes, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy D2H");

        Assert.Equal([0f, 0f, 0f, 0f, 6f, 7.5f, 9f, 10.5f], new ReadOnlySpan<float>(back, Count).ToArray());

        Native.Check(Acl.aclrtFree(device), "aclrtFree");
        Native.Check(Acl.aclrtDestroyEvent(done), "aclrtDestroyEvent");
        Native.Check(Acl.aclrtDestroyStream(stream), "aclrtDestroyStream");
    }

    [Fact]
    public void AclnnAdd_CapturedOnce_RunsOnlyOnReplay_AndReadsCurrentInputsEachReplay()
    {
        aclrtStream stream;
        Native.Check(Acl.aclrtCreateStream(&stream), "aclrtCreateStream");

        float* a = stackalloc float[Count];
        float* b = stackalloc float[Count];
        float* result = stackalloc float[Count];
        for (int i = 0; i < Count; i++)
        {
            a[i] = i + 1;
            b[i] = 10 * (i + 1);
        }
        void* da, db, dout;
        Native.Check(Acl.aclrtMalloc(&da, Bytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc a");
        Native.Check(Acl.aclrtMalloc(&db, Bytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc b");
        Native.Check(Acl.aclrtMalloc(&dout, Bytes, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc out");
        Native.Check(Acl.aclrtMemcpy(da, Bytes, a, Bytes, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE), "aclrtMemcpy a");
        Native.Check(Acl.aclrtMemcpy(db, Bytes, b, Bytes, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE), "aclrtMemcpy b");
        Native.Check(Acl.aclrtMemset(dout, Bytes, 0, Bytes), "aclrtMemset out");

        long* dims = stackalloc long[] { 2, 4 };
        long* strides = stackalloc long[] { 4, 1 };
        aclTensor* ta = AclNN.aclCreateTensor(dims, 2, aclDataType.ACL_FLOAT, strides, 0, aclFormat.ACL_FORMAT_ND, dims, 2, da);
        aclTensor* tb = AclNN.aclCreateTensor(dims, 2, aclDataType.ACL_FLOAT, strides, 0, aclFormat.ACL_FORMAT_ND, dims, 2, db);
        aclTensor* tout = AclNN.aclCreateTensor(dims, 2, aclDataType.ACL_FLOAT, strides, 0, aclFormat.ACL_FORMAT_ND, dims, 2, dout);
        float alphaValue = 2f;
        aclScalar* alpha = AclNN.aclCreateScalar(&alphaValue, aclDataType.ACL_FLOAT);
        Assert.True(ta != null && tb != null && tout != null && alpha != null, "aclCreateTensor/aclCreateScalar returned NULL");

        ulong workspaceSize;
        aclOpExecutor* executor;
        Native.Check(AclnnOps.aclnnAddGetWorkspaceSize(ta, tb, alpha, tout, &workspaceSize, &executor), "aclnnAddGetWorkspaceSize");
        void* workspace = null;
        if (workspaceSize > 0)
        {
            Native.Check(Acl.aclrtMalloc(&workspace, (nuint)workspaceSize, aclrtMemMallocPolicy.ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc workspace");
        }

        Native.Check(Acl.aclmdlRICaptureBegin(stream, aclmdlRICaptureMode.ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), "aclmdlRICaptureBegin");
        aclmdlRICaptureStatus captureStatus;
        aclmdlRI during;
        Native.Check(Acl.aclmdlRICaptureGetInfo(stream, &captureStatus, &during), "aclmdlRICaptureGetInfo");
        Assert.Equal(aclmdlRICaptureStatus.ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE, captureStatus);
        Native.Check(AclnnOps.aclnnAdd(workspace, workspaceSize, executor, stream), "aclnnAdd (captured)");
        aclmdlRI model;
        Native.Check(Acl.aclmdlRICaptureEnd(stream, &model), "aclmdlRICaptureEnd");
        Assert.False(model.IsNull);

        // Captured work does not run by itself.
        Native.Check(Acl.aclrtSynchronizeStream(stream), "aclrtSynchronizeStream");
        Native.Check(Acl.aclrtMemcpy(result, Bytes, dout, Bytes, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy out");
        Assert.Equal(new float[Count], new ReadOnlySpan<float>(result, Count).ToArray());

        Native.Check(Acl.aclmdlRIExecuteAsync(model, stream), "aclmdlRIExecuteAsync");
        Native.Check(Acl.aclrtSynchronizeStream(stream), "aclrtSynchronizeStream");
        Native.Check(Acl.aclrtMemcpy(result, Bytes, dout, Bytes, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy out");
        Assert.Equal([21f, 42f, 63f, 84f, 105f, 126f, 147f, 168f], new ReadOnlySpan<float>(result, Count).ToArray());

        // A replay reads the buffers as they are now.
        for (int i = 0; i < Count; i++)
        {
            a[i] = -i;
        }
        Native.Check(Acl.aclrtMemcpy(da, Bytes, a, Bytes, aclrtMemcpyKind.ACL_MEMCPY_HOST_TO_DEVICE), "aclrtMemcpy a'");
        Native.Check(Acl.aclmdlRIExecuteAsync(model, stream), "aclmdlRIExecuteAsync (2)");
        Native.Check(Acl.aclrtSynchronizeStream(stream), "aclrtSynchronizeStream");
        Native.Check(Acl.aclrtMemcpy(result, Bytes, dout, Bytes, aclrtMemcpyKind.ACL_MEMCPY_DEVICE_TO_HOST), "aclrtMemcpy out");
        Assert.Equal([20f, 39f, 58f, 77f, 96f, 115f, 134f, 153f], new ReadOnlySpan<float>(result, Count).ToArray());

        Native.Check(Acl.aclmdlRIDestroy(model), "aclmdlRIDestroy");
        Native.Check(AclNN.aclDestroyScalar(alpha), "aclDestroyScalar");
        Native.Check(AclNN.aclDestroyTensor(ta), "aclDestroyTensor a");
        Native.Check(AclNN.aclDestroyTensor(tb), "aclDestroyTensor b");
        Native.Check(AclNN.aclDestroyTensor(tout), "aclDestroyTensor out");
        if (workspace != null)
        {
            Native.Check(Acl.aclrtFree(workspace), "aclrtFree workspace");
        }
        Native.Check(Acl.aclrtFree(da), "aclrtFree a");
        Native.Check(Acl.aclrtFree(db), "aclrtFree b");
        Native.Check(Acl.aclrtFree(dout), "aclrtFree out");
        Native.Check(Acl.aclrtDestroyStream(stream), "aclrtDestroyStream");
    }

    [Fact]
    public void ProcessResolver_ReportsTheBackendInUse()
    {
        // The fixture made native calls, so the choice is made; with ASCEND_INTEROP_BACKEND=cann it must be CANN.
        string? requested = Environment.GetEnvironmentVariable(NativeLibraryResolver.BackendVariable)?.Trim().ToLowerInvariant();
        NativeBackend expected = requested == "cann" ? NativeBackend.Cann
            : requested == "sim" || !NativeLibraryResolver.ProbedPaths.Any(p => p.Loaded && p.LogicalLibrary == "ascendcl") ? NativeBackend.Simulator
            : NativeBackend.Cann;
        Assert.Equal(expected, NativeLibraryResolver.Backend);
        Assert.NotEmpty(NativeLibraryResolver.LoadedLibraries);
        if (NativeLibraryResolver.Backend == NativeBackend.Simulator)
        {
            Assert.EndsWith("libascend_sim.so", NativeLibraryResolver.LoadedLibraries.Single());
            Assert.True(NativeLibraryResolver.TryGetExport("ascend_sim", "aclsimGetCounter", out nint counter));
            Assert.NotEqual(0, counter);
        }
        Assert.False(NativeLibraryResolver.TryGetExport("opapi", "aclnnNoSuchOperator", out _));
    }
}
