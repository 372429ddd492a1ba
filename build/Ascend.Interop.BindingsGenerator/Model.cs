namespace Ascend.Interop.BindingsGenerator;

// What the generator reads out of the headers; every entry remembers its header (relative path).

internal sealed record EnumConstant(string Name, long Value, ulong UnsignedValue);

internal sealed record EnumDef(string Name, string Header, string CSharpUnderlying, long Size, bool Signed, List<EnumConstant> Constants);

internal sealed record FieldDef(string Name, string CSharpType, string CType, long OffsetBits, long ArrayLength);

/// <summary>A struct or union. <c>Explicit</c>: fields overlap (a union, or a struct with an anonymous union member,
/// whose fields are listed in place at their offsets), so the C# struct has an explicit layout.</summary>
internal sealed record StructDef(string Name, string Header, long Size, long Align, List<FieldDef> Fields, bool Opaque, bool Explicit = false);

internal sealed record HandleDef(string Name, string Header, long Size);

/// <summary>A typedef that the C# side inlines (aclError -> int); kept for its size test.</summary>
internal sealed record AliasDef(string Name, string Header, string CSharpType, long Size);

internal sealed record ParamDef(string Name, string CSharpType, string CType);

internal sealed record FunctionDef(string Name, string Header, string ReturnCSharp, string ReturnC, List<ParamDef> Params, string Prototype);

internal sealed record MacroDef(string Name, string Header, string CSharpType, string Value, string Text);

internal sealed class HeaderModel
{
    public List<EnumDef> Enums { get; } = [];
    public List<StructDef> Structs { get; } = [];
    public List<HandleDef> Handles { get; } = [];
    public List<AliasDef> Aliases { get; } = [];
    public List<FunctionDef> Functions { get; } = [];
    public List<MacroDef> Macros { get; } = [];
}
