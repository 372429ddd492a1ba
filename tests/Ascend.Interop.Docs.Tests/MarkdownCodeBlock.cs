using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Ascend.Interop.Docs.Tests;

/// <summary>
/// One fenced code block of a Markdown file: its language, the markers after the language in the fence's info
/// string (docs/CONTRIBUTING.md, "Code blocks in the docs"), and its text with the fence's indentation removed.
/// </summary>
/// <param name="File">The file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Indent">Columns of indentation removed from every line (a block inside a list item).</param>
/// <param name="Language">The first word of the info string, or empty.</param>
/// <param name="Markers">The rest of the info string.</param>
/// <param name="Code">The block's lines, without the fences.</param>
public sealed record MarkdownCodeBlock(string File, int Line, int Indent, string Language, string Markers, string Code)
{
    /// <summary>How test cases and messages name the block: <c>docs/graph-mode.md:27</c>.</summary>
    public string Id => $"{File}:{Line}";

    /// <summary>The 1-based line of the block's first code line.</summary>
    public int FirstCodeLine => Line + 1;

    /// <summary>C# by its language tag (csharp, cs, c#).</summary>
    public bool IsCSharp => Language.ToLowerInvariant() is "csharp" or "cs" or "c#";

    private static readonly Regex Fence = new(@"^(?<indent>[ ]*)(?<fence>`{3,}|~{3,})(?<info>.*)$", RegexOptions.Compiled);

    /// <summary>The fenced blocks of one Markdown text, in order.</summary>
    public static IEnumerable<MarkdownCodeBlock> Parse(string file, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence.Match(lines[i]);
            if (!open.Success) continue;
            string fence = open.Groups["fence"].Value;
            string info = open.Groups["info"].Value.Trim();
            if (fence[0] == '`' && info.Contains('`')) continue;   // inline code that starts a line, not a fence
            int indent = open.Groups["indent"].Value.Length;
            var code = new StringBuilder();
            int j = i + 1;
            for (; j < lines.Length; j++)
            {
                string trimmed = lines[j].TrimStart();
                if (trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.TrimEnd().Trim(fence[0]).Length == 0) break;
                code.Append(Unindent(lines[j], indent)).Append('\n');
            }
            int space = info.IndexOfAny([' ', '\t']);
            string language = space < 0 ? info : info[..space];
            string markers = space < 0 ? string.Empty : info[(space + 1)..].Trim();
            yield return new MarkdownCodeBlock(file, i + 1, indent, language, markers, code.ToString());
            i = j;
        }
    }

    private static string Unindent(string line, int indent)
    {
        int n = 0;
        while (n < indent && n < line.Length && line[n] == ' ') n++;
        return line[n..];
    }
}

/// <summary>The Markdown files of the repository and their blocks.</summary>
public static class DocFiles
{
    private static readonly string[] SkippedFolders = ["bin", "obj", "artifacts", "node_modules"];

    /// <summary>The repository root (recorded at build time; the blocks are read from the working tree).</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        string? recorded = typeof(DocFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Ascend.Interop.sln"))) return Path.GetFullPath(recorded);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ascend.Interop.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Cannot find the repository root (Ascend.Interop.sln) above {AppContext.BaseDirectory}.");
    }

    /// <summary>Every tracked-looking Markdown file: README.md, docs/, and the other folders (build outputs and dot-folders skipped).</summary>
    public static IReadOnlyList<string> MarkdownFiles { get; } = FindMarkdown();

    private static string[] FindMarkdown()
    {
        var files = new List<string>();
        void Walk(string dir)
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.md")) files.Add(Relative(file));
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                string name = Path.GetFileName(sub);
                if (name.StartsWith('.') || SkippedFolders.Contains(name)) continue;
                Walk(sub);
            }
        }
        Walk(RepoRoot);
        files.Sort(StringComparer.Ordinal);
        return [.. files];
    }

    /// <summary>Every fenced block of every Markdown file.</summary>
    public static IReadOnlyList<MarkdownCodeBlock> Blocks { get; } =
        [.. MarkdownFiles.SelectMany(f => MarkdownCodeBlock.Parse(f, File.ReadAllText(Path.Combine(RepoRoot, f))))];

    /// <summary>The block named <paramref name="id"/> (file:line).</summary>
    public static MarkdownCodeBlock Block(string id) =>
        Blocks.FirstOrDefault(b => b.Id == id) ?? throw new InvalidOperationException($"No code block {id} (the docs changed since discovery?).");

    private static string Relative(string path) => Path.GetRelativePath(RepoRoot, path).Replace(Path.DirectorySeparatorChar, '/');
}
