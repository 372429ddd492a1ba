using System.Runtime.InteropServices;

namespace Ascend.Interop.Native.Tests;

/// <summary>The native runtime is process-global (aclInit/aclFinalize are reference counted): native tests share one
/// initialization and never run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCollection : ICollectionFixture<NativeRuntimeFixture>
{
    public const string Name = "Native runtime";
}

public sealed unsafe class NativeRuntimeFixture : IDisposable
{
    public const int DeviceId = 0;
    private readonly bool _initialized;

    public NativeRuntimeFixture()
    {
        int rc = Acl.aclInit(null);
        Assert.True(rc is Acl.ACL_SUCCESS or Acl.ACL_ERROR_REPEAT_INITIALIZE, Native.Describe("aclInit", rc));
        _initialized = rc == Acl.ACL_SUCCESS;
        Native.Check(Acl.aclrtSetDevice(DeviceId), "aclrtSetDevice");
    }

    public void Dispose()
    {
        Acl.aclrtResetDevice(DeviceId);
        if (_initialized)
        {
            Acl.aclFinalize();
        }
    }
}

internal static unsafe class Native
{
    public static string Describe(string call, int rc)
    {
        sbyte* message = Acl.aclGetRecentErrMsg();
        return $"{call} returned {rc}: {(message == null ? "(no message)" : Marshal.PtrToStringUTF8((nint)message))}";
    }

    public static void Check(int rc, string call) => Assert.True(rc == 0, Describe(call, rc));
}
