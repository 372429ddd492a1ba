namespace Ascend.Interop;

/// <summary>A tensor one <see cref="AclnnCall"/> reads or writes, with its C parameter's name (for the output checks' messages).</summary>
internal readonly struct CallBuffer(BufferUse use, string name)
{
    public readonly BufferUse Use = use;
    public readonly string Name = name;
}
