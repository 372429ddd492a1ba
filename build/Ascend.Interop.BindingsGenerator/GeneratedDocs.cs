namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// The <c>/// &lt;summary&gt;</c> of each generated declaration: its header comment (<see cref="DocComments"/>) or, where
/// the header has none, a summary naming the C declaration and its header.
/// </summary>
internal static class GeneratedDocs
{
    private static string C(string text) => "<c>" + DocComments.Escape(text) + "</c>";

    public static string ClassSummary(HeaderGroup group) =>
        "/// <summary>The constants and functions of " +
        string.Join(", ", group.Headers.Order(StringComparer.Ordinal).Select(C)) + ", with their C names.</summary>\n";

    public static string Handle(HandleDef h) =>
        DocComments.Of("type:" + h.Name) is { } text
            ? $"/// <summary>{DocComments.Escape(text)} Typed handle for {C(h.Name)}: a value of another handle type does not convert to it.</summary>\n"
            : $"/// <summary>Typed handle for {C(h.Name)} (a {C("void *")} in C, {C(h.Header)}): a value of another handle type does not convert to it.</summary>\n";

    public static string Enum(EnumDef e) =>
        DocComments.Summary("type:" + e.Name, $"C enum {C(e.Name)} ({C(e.Header)}).", "");

    public static string EnumConstant(EnumDef e, EnumConstant c) =>
        DocComments.Summary("const:" + c.Name, $"{C(c.Name)} of {C(e.Name)}.", "    ");

    public static string Struct(StructDef s) =>
        DocComments.Summary("type:" + s.Name,
            s.Opaque ? $"Opaque C type {C(s.Name)} ({C(s.Header)}): used through pointers only." : $"C struct {C(s.Name)} ({C(s.Header)}).", "");

    public static string Field(StructDef s, FieldDef f) =>
        DocComments.Summary("field:" + s.Name + "." + f.Name, $"Field {C(f.CType + " " + f.Name)} of {C(s.Name)}.", "    ");

    public static string Macro(MacroDef m) =>
        DocComments.Summary("macro:" + m.Name, $"{C(m.Text)} ({C(m.Header)}).", "    ");

    public static string Function(FunctionDef f) =>
        DocComments.Summary("function:" + f.Name, $"C function {C(f.Name)} ({C(f.Header)}).", "    ");
}
