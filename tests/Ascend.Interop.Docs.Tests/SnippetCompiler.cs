using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ascend.Interop.Docs.Tests;

/// <summary>A block compiled in memory: its diagnostics (mapped to the doc's file and line) and, if it compiled, its image.</summary>
/// <param name="Errors">Errors and warnings that fail the block, one per line as <c>docs/x.md(12,5): error CS0103: ...</c>.</param>
/// <param name="Image">The assembly, when it compiled.</param>
/// <param name="HasStatements">The block itself has top-level statements (it is a program that can run).</param>
/// <param name="Source">The compiled text (global usings, then the block with its prelude), for failure messages.</param>
public sealed record SnippetCompilation(IReadOnlyList<string> Errors, byte[]? Image, bool HasStatements, string Source);

/// <summary>Compiles a doc's C# block with Roslyn against the assemblies of this test process (the SDK's among them).</summary>
public static class SnippetCompiler
{
    /// <summary>What a new console project imports (ImplicitUsings), so a complete block compiles as it would there.</summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>
    /// Warnings that do not fail a block: unused locals or local functions (a snippet may declare what it only shows)
    /// and a using the prelude already made.
    /// </summary>
    private static readonly string[] AllowedWarnings = ["CS0105", "CS0168", "CS0219", "CS8321", "CS8933"];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // Everything the test host may load: the shared framework, the SDK and its dependencies (System.Numerics.Tensors,
        // logging), Ascend.Interop.Testing with xunit, the TorchSharp bridge with TorchSharp. Not this test assembly.
        string self = typeof(SnippetCompiler).Assembly.Location;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.Length > 0 && !string.Equals(p, self, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        return [.. paths.Order(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    /// <summary>Compiles <paramref name="block"/> after <paramref name="prelude"/> (if any).</summary>
    public static SnippetCompilation Compile(MarkdownCodeBlock block, SnippetPrelude? prelude)
    {
        string file = block.File;
        var globalUsings = new StringBuilder();
        foreach (var ns in ImplicitUsings.Concat(prelude?.Usings ?? [])) globalUsings.Append($"global using {ns};\n");

        // The block's usings and assembly attributes must precede every statement, so the prelude's statements go
        // between them and the rest; #line directives map every line back to the doc.
        var alone = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(block.Code, ParseOptions).GetRoot();
        bool hasStatements = alone.Members.OfType<GlobalStatementSyntax>().Any();
        int split = alone.Members.Count > 0 ? alone.Members[0].FullSpan.Start : block.Code.Length;
        split = block.Code.LastIndexOf('\n', Math.Max(0, split - 1)) + 1;  // at a line start
        string header = block.Code[..split], members = block.Code[split..];
        int headerLines = header.Count(c => c == '\n');

        var source = new StringBuilder();
        if (header.Length > 0) source.Append($"#line {block.FirstCodeLine} \"{file}\"\n").Append(header);
        if (prelude is not null) source.Append("#line hidden\n").Append(prelude.Statements);
        source.Append($"#line {block.FirstCodeLine + headerLines} \"{file}\"\n").Append(members);
        string text = source.ToString();

        bool program = hasStatements || prelude is not null;
        var options = new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, optimizationLevel: OptimizationLevel.Debug)
            .WithSpecificDiagnosticOptions(AllowedWarnings.ToDictionary(id => id, _ => ReportDiagnostic.Suppress));
        // Not named *.g.cs: Roslyn treats such files as generated code, without nullable analysis.
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(globalUsings.ToString(), ParseOptions, path: "GlobalUsings.cs", encoding: Encoding.UTF8),
            CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"{file}.cs", encoding: Encoding.UTF8),
        };
        var compilation = CSharpCompilation.Create("Snippet_" + Sanitize(block.Id), trees, References.Value, options);

        // GetDiagnostics, not Emit's: Emit leaves out the nullable analysis' warnings.
        var errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && !d.IsSuppressed))
            .OrderBy(d => d.Location.GetMappedLineSpan().StartLinePosition)
            .Select(d => Format(d, block))
            .ToList();
        byte[]? image = null;
        if (errors.Count == 0)
        {
            using var pe = new MemoryStream();
            var emitted = compilation.Emit(pe);
            if (emitted.Success) image = pe.ToArray();
            else errors.AddRange(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Format(d, block)));
        }
        return new SnippetCompilation(errors, image, hasStatements, globalUsings + text);
    }

    private static string Format(Diagnostic d, MarkdownCodeBlock block)
    {
        var span = d.Location.GetMappedLineSpan();
        string where = span.Path;
        if (span.IsValid && span.HasMappedPath && span.Path == block.File)
            where = $"{block.File}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1 + block.Indent})";
        else if (span.IsValid)
            where = $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}) [prelude]";
        string severity = d.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{where}: {severity} {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string Sanitize(string id) => new([.. id.Select(c => char.IsLetterOrDigit(c) ? c : '_')]);
}
