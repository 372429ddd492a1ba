using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>A captured model (<c>aclmdlRI</c>); released with <c>aclmdlRIDestroy</c>.</summary>
internal sealed class ModelHandle(nint native, ContextHandle context) : ContextBoundHandle(native, context)
{
    /// <summary>What <c>aclmdlRIDestroy</c> returned (0 until the model was released): the graph reports a failure.</summary>
    public int ReleaseCode { get; private set; }

    /// <summary>The runtime's message for a failed release, read on the releasing thread.</summary>
    public string? ReleaseMessage { get; private set; }

    protected override bool ReleaseInContext()
    {
        int code = aclmdlRIDestroy(NativeHandle.Model(handle));
        if (code != 0)
        {
            ReleaseMessage = AclCheck.RecentMessage();
            ReleaseCode = code;
            NpuLogging.ReleaseFailed(NpuLogging.Logger, nameof(aclmdlRIDestroy), code, AclErrorCodes.NameOf(code));
        }
        return code == 0;
    }
}
