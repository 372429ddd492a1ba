using System.Collections.Concurrent;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// XML doc comments for the generated members, taken from the C comments in the headers. libclang gives each
/// declaration's position (<see cref="Clang.Location"/>); the comment is read from the header's text, because
/// libclang attaches no comments to macros and only doc-style comments (<c>/** */</c>) to declarations, while our
/// headers use plain <c>/* */</c> and <c>//</c>. A declaration's comment is the comment block that ends on the line
/// directly above it, or else a comment after it on its own line; a <c>#define</c> in a run of defines shares the
/// comment above the run. Declarations without a comment get a summary that names the C declaration and its header,
/// so every public member has documentation (CS1591) whatever the headers say. Thread-safe: operator headers are
/// read in parallel.
/// </summary>
internal static class DocComments
{
    private static readonly ConcurrentDictionary<string, string> s_comments = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string[]> s_files = new(StringComparer.Ordinal);

    /// <summary>Remembers the header comment of the declaration at <paramref name="cursor"/> under <paramref name="key"/>.</summary>
    public static void Note(string key, CXCursor cursor, bool macro = false)
    {
        var (file, line) = Clang.Location(cursor);
        if (file.Length == 0 || line == 0)
        {
            return;
        }
        string? text = Read(file, (int)line - 1, macro);
        if (text is not null)
        {
            s_comments[key] = text;
        }
    }

    /// <summary>The comment recorded under <paramref name="key"/>, or null.</summary>
    public static string? Of(string key) => s_comments.TryGetValue(key, out string? text) ? text : null;

    /// <summary>A <c>/// &lt;summary&gt;</c> line: the header comment when there is one, else <paramref name="fallback"/> (already XML).</summary>
    public static string Summary(string key, string fallback, string indent) =>
        $"{indent}/// <summary>{(Of(key) is { } text ? Escape(text) : fallback)}</summary>\n";

    /// <summary>XML-escapes text for a doc comment.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string? Read(string file, int index, bool macro)
    {
        string[] lines = s_files.GetOrAdd(file, f => File.Exists(f) ? File.ReadAllLines(f) : []);
        if (index < 0 || index >= lines.Length)
        {
            return null;
        }
        string? leading = Leading(lines, index);
        if (leading is null && macro)
        {
            // A run of #defines under one comment: walk up over the run.
            int i = index - 1;
            while (i >= 0 && lines[i].TrimStart().StartsWith("#define", StringComparison.Ordinal) && Trailing(lines[i]) is null)
            {
                leading = Leading(lines, i);
                if (leading is not null)
                {
                    break;
                }
                i--;
            }
        }
        return leading ?? Trailing(lines[index]);
    }

    /// <summary>The comment block that ends on the line above <paramref name="index"/>.</summary>
    private static string? Leading(string[] lines, int index)
    {
        int end = index - 1;
        if (end < 0)
        {
            return null;
        }
        string last = lines[end].Trim();
        var block = new List<string>();
        if (last.StartsWith("//", StringComparison.Ordinal))
        {
            int i = end;
            while (i >= 0 && lines[i].Trim().StartsWith("//", StringComparison.Ordinal))
            {
                block.Insert(0, lines[i].Trim().TrimStart('/'));
                i--;
            }
            return Clean(block);
        }
        if (!last.EndsWith("*/", StringComparison.Ordinal))
        {
            return null;
        }
        int start = end;
        while (start >= 0 && !lines[start].Contains("/*", StringComparison.Ordinal))
        {
            start--;
        }
        if (start < 0)
        {
            return null;
        }
        // Only a comment that starts its line (not the tail of a declaration with a trailing comment).
        if (!lines[start].TrimStart().StartsWith("/*", StringComparison.Ordinal))
        {
            return null;
        }
        for (int i = start; i <= end; i++)
        {
            block.Add(lines[i]);
        }
        string joined = string.Join("\n", block).Trim();
        joined = joined[2..^2]; // drop /* and */
        return Clean(joined.Split('\n').Select(l => l.Trim().TrimStart('*')));
    }

    /// <summary>A comment after the declaration on its own line (<c>X = 1, /* ... */</c> or <c>// ...</c>).</summary>
    private static string? Trailing(string line)
    {
        int block = line.IndexOf("/*", StringComparison.Ordinal);
        int slash = line.IndexOf("//", StringComparison.Ordinal);
        if (block > 0 && !line.TrimStart().StartsWith("/*", StringComparison.Ordinal))
        {
            int close = line.IndexOf("*/", block + 2, StringComparison.Ordinal);
            if (close > block)
            {
                return Clean([line[(block + 2)..close].Trim().TrimStart('*', '<')]);
            }
        }
        if (slash > 0 && !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
        {
            return Clean([line[(slash + 2)..].TrimStart('/', '<')]);
        }
        return null;
    }

    private static string? Clean(IEnumerable<string> parts)
    {
        var sb = new StringBuilder();
        foreach (string part in parts)
        {
            string p = part.Trim();
            if (p.Length == 0)
            {
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(p);
        }
        string text = sb.ToString().Trim();
        return text.Length == 0 ? null : text;
    }
}
