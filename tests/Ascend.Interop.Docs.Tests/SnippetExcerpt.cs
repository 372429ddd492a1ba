using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Ascend.Interop.Docs.Tests;

/// <summary>
/// Checks an <c>excerpt=PATH</c> block: a quote of a repository file that the build compiles. Comments and layout
/// aside, the block's code must appear in the file; a line <c>// ...</c> in the block skips code of the file, so each
/// part between such lines must appear whole, in the block's order.
/// </summary>
public static class SnippetExcerpt
{
    /// <summary>Null when the block quotes the file, otherwise what differs.</summary>
    public static string? Check(MarkdownCodeBlock block, string relativePath)
    {
        string path = Path.Combine(DocFiles.RepoRoot, relativePath);
        if (!File.Exists(path)) return $"{block.Id}: excerpt={relativePath} names no file of the repository.";
        var fileTokens = Tokens(File.ReadAllText(path));

        var parts = new List<(int Line, string Text)>();
        var current = new System.Text.StringBuilder();
        int partLine = block.FirstCodeLine, line = block.FirstCodeLine;
        foreach (string raw in block.Code.Split('\n'))
        {
            if (raw.Trim() is "// ..." or "//...")
            {
                parts.Add((partLine, current.ToString()));
                current.Clear();
                partLine = line + 1;
            }
            else
            {
                current.Append(raw).Append('\n');
            }
            line++;
        }
        parts.Add((partLine, current.ToString()));

        int from = 0;
        foreach (var (partStart, text) in parts)
        {
            var tokens = Tokens(text);
            if (tokens.Count == 0) continue;
            int at = IndexOf(fileTokens, tokens, from);
            if (at < 0)
            {
                // Say where the quote stops matching: the longest prefix of the part found in the file.
                int best = 0;
                for (int i = from; i < fileTokens.Count; i++)
                {
                    int n = 0;
                    while (n < tokens.Count && i + n < fileTokens.Count && fileTokens[i + n].Text == tokens[n].Text) n++;
                    best = Math.Max(best, n);
                }
                var wrong = tokens[Math.Min(best, tokens.Count - 1)];
                int wrongLine = partStart + wrong.Line;
                return $"{block.File}({wrongLine},{wrong.Column + 1 + block.Indent}): the quote of {relativePath} (part from line {partStart}) differs from the file at '{wrong.Text}' "
                    + $"(the first {best} of its {tokens.Count} tokens match {relativePath}{(from > 0 ? " after the previous part" : "")}).";
            }
            from = at + tokens.Count;
        }
        return null;
    }

    private readonly record struct Token(string Text, int Line, int Column);

    private static List<Token> Tokens(string text)
    {
        var list = new List<Token>();
        var lines = SourceText.From(text).Lines;
        foreach (var token in SyntaxFactory.ParseTokens(text))
        {
            if (token.IsKind(SyntaxKind.EndOfFileToken)) break;
            var position = lines.GetLinePosition(token.SpanStart);
            list.Add(new Token(token.Text, position.Line, position.Character));
        }
        return list;
    }

    private static int IndexOf(List<Token> haystack, List<Token> needle, int from)
    {
        for (int i = from; i + needle.Count <= haystack.Count; i++)
        {
            int n = 0;
            while (n < needle.Count && haystack[i + n].Text == needle[n].Text) n++;
            if (n == needle.Count) return i;
        }
        return -1;
    }
}
