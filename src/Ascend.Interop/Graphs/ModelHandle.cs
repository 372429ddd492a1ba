using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>A captured model (<c>aclmdlRI</c>); released with <c>aclmdlRIDestroy</c>.</summary>
internal sealed class ModelHandle : NpuSafeHandle
{
    public ModelHandle(nint native, ContextHandle context) : base(native, context) { }

    protected override bool ReleaseNative()
    {
        var context = (ContextHandle)Parent!;
        context.MakeCurrentForRelease();
        return aclmdlRIDestroy(NativeHandle.Model(handle)) == 0;
    }
}
