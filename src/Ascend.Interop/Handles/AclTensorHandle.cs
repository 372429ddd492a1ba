using Ascend.Interop.Native;

namespace Ascend.Interop.Handles;

/// <summary>An <c>aclTensor</c> descriptor (<c>aclCreateTensor</c> / <c>aclDestroyTensor</c>); holds the runtime.</summary>
internal sealed unsafe class AclTensorHandle : NpuSafeHandle
{
    public AclTensorHandle(nint native) : base(native, parent: null) { }

    public aclTensor* Value => (aclTensor*)handle;

    protected override bool ReleaseNative() => AclNN.aclDestroyTensor((aclTensor*)handle) == 0;
}
