using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ascend.Interop;

/// <summary>Turns AscendCL/aclnn return codes into <see cref="AclException"/>s.</summary>
internal static class AclCheck
{
    /// <summary>Throws when <paramref name="code"/> is not success. Inlined so the success path is a compare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(int code, string function)
    {
        if (code != 0) Throw(code, function, null);
    }

    /// <summary>As <see cref="Check(int, string)"/>, with what the SDK was doing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(int code, string function, string context)
    {
        if (code != 0) Throw(code, function, context);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(int code, string function, string? context) =>
        throw Create(code, function, context);

    /// <summary>Builds the exception, reading the runtime's message on this thread now. A collective that failed on the
    /// stream (507904) is an <see cref="Distributed.HcclException"/> with its HCCL cause.</summary>
    public static AclException Create(int code, string function, string? context) =>
        code == Distributed.HcclException.CollectiveTaskFailed
            ? Distributed.HcclException.FailedOnStream(code, function, RecentMessage(), context)
            : new AclException(code, function, RecentMessage(), context);

    /// <summary>The calling thread's <c>aclGetRecentErrMsg</c>, or null.</summary>
    public static unsafe string? RecentMessage()
    {
        try
        {
            byte* text = (byte*)Native.Acl.aclGetRecentErrMsg();
            return text == null ? null : Marshal.PtrToStringUTF8((nint)text);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
