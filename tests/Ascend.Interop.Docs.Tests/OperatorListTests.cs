using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Ascend.Interop.Docs.Tests;

/// <summary>docs/operators.md lists exactly the operators that return a tuple, with the tuple's element names.</summary>
public sealed class OperatorListTests
{
    private static readonly Regex Entry = new(@"^- `(?<name>\w+)` → `\((?<elements>[\w, ]+)\)`$", RegexOptions.Multiline);

    [Fact]
    public void Operators_md_lists_every_operator_that_returns_a_tuple()
    {
        var expected = typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            .Select(m => $"{m.Name} → ({string.Join(", ", m.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames ?? [])})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("RmsNorm → (Y, Rstd)", expected);

        string text = File.ReadAllText(Path.Combine(DocFiles.RepoRoot, "docs", "operators.md")).Replace("\r\n", "\n");
        var listed = Entry.Matches(text).Select(m => $"{m.Groups["name"].Value} → ({m.Groups["elements"].Value})")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, listed);
    }
}
