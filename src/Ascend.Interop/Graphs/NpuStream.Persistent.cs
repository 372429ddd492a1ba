using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// Persistent streams: the streams a built graph (NpuBuiltGraph) binds. Work launched on them joins the graph instead
// of running; the graph creates, binds, unbinds and destroys them.
public sealed partial class NpuStream
{
    /// <summary>Creates a stream with <c>ACL_STREAM_PERSISTENT</c> (<c>aclrtCreateStreamWithConfig</c>), the kind <c>aclmdlRIBindStream</c> takes.</summary>
    internal static unsafe NpuStream CreatePersistent(NpuDevice device)
    {
        using var lease = device.Enter();
        Native.aclrtStream native;
        AclCheck.Check(aclrtCreateStreamWithConfig(&native, 0, ACL_STREAM_PERSISTENT), nameof(aclrtCreateStreamWithConfig),
            $"creating a persistent stream for a built graph on device {device.Id}");
        return new NpuStream(device, new StreamHandle((nint)native, device.Context, device.State));
    }
}
