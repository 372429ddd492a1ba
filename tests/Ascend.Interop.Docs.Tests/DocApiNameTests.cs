using System.Reflection;
using System.Text.RegularExpressions;

namespace Ascend.Interop.Docs.Tests;

/// <summary>
/// Prose names the API too: an inline code span such as <c>`NpuGraph.OwnMemoryBytes`</c> or <c>`Ops.RmsNorm(...)`</c>
/// whose first name is a public type of the SDK must name a member of that type (public, or internal where a doc
/// describes the internals) or an extension method on it, so a rename or a removal cannot leave the docs' prose
/// behind (the code blocks are compiled by <see cref="DocSnippetTests"/>).
/// </summary>
public sealed class DocApiNameTests
{
    private static readonly Regex InlineCode = new("`([^`\n]+)`", RegexOptions.Compiled);
    private static readonly Regex TypeDotMember = new(@"^(?:new\s+)?(?<type>[A-Z]\w*)(?:<[^>]*>)?\.(?<member>[A-Za-z_]\w*)", RegexOptions.Compiled);
    private static readonly Regex FileName = new(@"^[\w.]+\.(cs|md|h|cpp|json|txt|csproj|props|targets|sh|so)$", RegexOptions.Compiled);

    /// <summary>The public types of the shipped managed assemblies, by simple name (generic arity dropped).</summary>
    private static readonly Assembly[] Assemblies =
    [
        typeof(NpuRuntime).Assembly, typeof(Ascend.Interop.Native.Acl).Assembly,
        typeof(Ascend.Interop.Testing.NpuFactAttribute).Assembly, typeof(Ascend.Interop.TorchSharp.TorchBridge).Assembly,
    ];

    private static readonly ILookup<string, Type> PublicTypes =
        Assemblies.SelectMany(a => a.GetExportedTypes()).ToLookup(t => t.Name.Split('`')[0], StringComparer.Ordinal);

    /// <summary>Extension methods of the SDK by the type they extend (its first parameter).</summary>
    private static readonly ILookup<Type, string> Extensions = Assemblies
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => t.IsAbstract && t.IsSealed)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)))
        .ToLookup(m => m.GetParameters()[0].ParameterType, m => m.Name);

    [Fact]
    public void Inline_code_that_names_an_sdk_type_and_member_names_one_that_exists()
    {
        var unknown = new List<string>();
        int checkedSpans = 0;
        foreach (var file in DocFiles.MarkdownFiles)
        {
            var fenced = DocFiles.Blocks.Where(b => b.File == file).ToList();
            var lines = File.ReadAllText(Path.Combine(DocFiles.RepoRoot, file)).Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                int lineNumber = i + 1;
                if (fenced.Any(b => lineNumber >= b.Line && lineNumber <= b.Line + b.Code.Count(c => c == '\n') + 1)) continue;
                foreach (Match span in InlineCode.Matches(lines[i]))
                {
                    string code = span.Groups[1].Value.Trim();
                    var name = TypeDotMember.Match(code);
                    if (!name.Success || FileName.IsMatch(code)) continue;
                    var types = PublicTypes[name.Groups["type"].Value].ToList();
                    if (types.Count == 0) continue;
                    checkedSpans++;
                    string member = name.Groups["member"].Value;
                    if (!types.Any(t => HasMember(t, member)))
                        unknown.Add($"{file}({lineNumber}): `{span.Groups[1].Value}`: {string.Join(" or ", types.Select(t => t.FullName))} has no member or extension method '{member}'");
                }
            }
        }
        Assert.True(checkedSpans > 50, $"only {checkedSpans} inline API names found: is the scan broken?");
        Assert.True(unknown.Count == 0, "Inline code names members that do not exist:\n" + string.Join("\n", unknown));
    }

    private static bool HasMember(Type type, string member) =>
        type.GetMember(member, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy).Length > 0
        || Extensions[type].Contains(member)
        || (type.IsInterface && type.GetInterfaces().Any(i => HasMember(i, member)));
}
