using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>
/// The HCCL library is loaded at the first HCCL call (libhccl.so on CANN; on the simulator libascend_sim_hccl.so,
/// which needs Gloo). The calls that start HCCL work check it first, so a missing library is an
/// <see cref="HcclException"/> naming the library and the package that provides it, not a loader error.
/// </summary>
internal static class HcclLibrary
{
    public static void Require(string function, string context)
    {
        try
        {
            _ = NativeLibraryResolver.GetExport("hccl", function);
        }
        catch (NativeLibraryNotFoundException e)
        {
            throw HcclException.LibraryMissing(function, context, e);
        }
    }
}
