using System.Diagnostics;

namespace Ascend.Interop.Native;

/// <summary>The C spelling of a generated member (type, parameter, return value or macro), kept so a reader can map C# back to the header.</summary>
[AttributeUsage(AttributeTargets.All, AllowMultiple = false, Inherited = true)]
[Conditional("ASCEND_INTEROP_NATIVE_TYPE_NAMES")]
public sealed class NativeTypeNameAttribute(string name) : Attribute
{
    /// <summary>The C spelling.</summary>
    public string Name { get; } = name;
}
