using Ascend.Interop.Native;

namespace Ascend.Interop.Handles;

/// <summary>Conversions from the SDK's stored <c>nint</c> handle values to the typed raw-binding handles.</summary>
internal static class NativeHandle
{
    public static aclrtStream Stream(nint value) => (aclrtStream)value;
    public static aclrtEvent Event(nint value) => (aclrtEvent)value;
    public static aclrtContext Context(nint value) => (aclrtContext)value;
    public static aclmdlRI Model(nint value) => (aclmdlRI)value;
    public static aclrtTaskGrp TaskGroup(nint value) => (aclrtTaskGrp)value;
}
