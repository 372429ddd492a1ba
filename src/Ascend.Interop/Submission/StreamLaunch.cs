namespace Ascend.Interop;

/// <summary>What <see cref="IStreamWork.Launch"/> gets: the native stream, the calling thread's borrow slots and the workspace.</summary>
internal readonly ref struct StreamLaunch(Native.aclrtStream stream, Handles.ThreadBorrows thread, nint workspace, ulong workspaceBytes)
{
    public readonly Native.aclrtStream Stream = stream;
    public readonly Handles.ThreadBorrows Thread = thread;
    public readonly nint Workspace = workspace;
    public readonly ulong WorkspaceBytes = workspaceBytes;
}
