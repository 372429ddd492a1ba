using System.Text.RegularExpressions;

namespace Ascend.Interop.Tests;

/// <summary>
/// Calls go one way: the public facade <see cref="Ops"/> calls the operator engine (src/Ascend.Interop/Ops/Engine and
/// the typed-operator support in Ops/Typed), which calls the stream submission (Submission/, NpuStream.Submit), which
/// calls the bindings. A source scan keeps it so: no engine or submission file names the facade (comments and string
/// literals aside: messages say "Ops.Add"), and the facade holds no operator declaration (docs/architecture.md).
/// </summary>
public sealed partial class OperatorEngineLayeringTests
{
    [Fact]
    public void EngineAndSubmissionNeverNameTheOpsFacade()
    {
        var offenders = new List<string>();
        foreach (var folder in new[] { "Ops/Engine", "Ops/Typed", "Submission" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(SourceRoot(), folder), "*.cs"))
            {
                var code = StripCommentsAndStrings(File.ReadAllText(file));
                foreach (Match m in FacadeReference().Matches(code))
                    offenders.Add($"{Path.GetFileName(file)}: '{m.Value}'");
            }
        }
        Assert.Empty(offenders);
    }

    [Fact]
    public void FacadeDeclaresNoOperator()
    {
        var files = Directory.EnumerateFiles(Path.Combine(SourceRoot(), "Ops"), "Ops*.cs").ToList();
        Assert.True(files.Count >= 9, $"facade files: {files.Count}");
        foreach (var file in files)
        {
            var code = StripCommentsAndStrings(File.ReadAllText(file));
            Assert.DoesNotContain("AclnnOperator", code);
            Assert.DoesNotContain("GetWorkspaceSize", code);
        }
    }

    [Fact]
    public void TheScanSeesAFacadeReference()
    {
        // The scan itself: a reference in code is found, one in a comment or message is not.
        Assert.Single(FacadeReference().Matches(StripCommentsAndStrings("x = Ops.CheckStream(op, s); // Ops.Add\nvar m = \"Ops.Add\";")));
        Assert.Single(FacadeReference().Matches(StripCommentsAndStrings("using static Ascend.Interop.Ops;")));
    }

    private static string StripCommentsAndStrings(string code)
    {
        code = Regex.Replace(code, @"/\*.*?\*/", " ", RegexOptions.Singleline);
        code = Regex.Replace(code, @"\$?@?""(?:[^""\\]|\\.|"""")*""", "\"\"");
        return Regex.Replace(code, @"//[^\n]*", " ");
    }

    [GeneratedRegex(@"(?<![\w.])Ops\.\w+|using static Ascend\.Interop\.Ops\b")]
    private static partial Regex FacadeReference();

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ascend.Interop.sln")))
                return Path.Combine(dir.FullName, "src", "Ascend.Interop");
        }
        throw new InvalidOperationException($"No Ascend.Interop.sln above {AppContext.BaseDirectory}.");
    }
}
