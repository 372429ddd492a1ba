namespace Ascend.Interop;

/// <summary>How a piece of stream work touches a buffer.</summary>
[Flags]
internal enum BufferAccess : byte
{
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}
