using System.Text;
using Ascend.Interop.Native;

namespace Ascend.Interop.Docs.Tests;

/// <summary>
/// Every fenced C# block of the repository's Markdown files (README.md, docs/, ...) compiles against the SDK, and the
/// complete programs among them run on the simulator: one test case per block, named by file and line.
/// The markers are described in docs/CONTRIBUTING.md, "Code blocks in the docs".
/// </summary>
[Collection("Snippets")]
public sealed class DocSnippetTests(SnippetRuntimeFixture fixture)
{
    /// <summary>Every C# block, by <c>file:line</c>.</summary>
    public static IEnumerable<TheoryDataRow<string>> CSharpBlocks =>
        DocFiles.Blocks.Where(b => b.IsCSharp).Select(b => new TheoryDataRow<string>(b.Id) { TestDisplayName = b.Id });

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Block(string id)
    {
        var block = DocFiles.Block(id);
        SnippetMarkers markers;
        try
        {
            markers = SnippetMarkers.Parse(block.Markers);
        }
        catch (FormatException e)
        {
            Assert.Fail($"{block.File}({block.Line}): bad markers '{block.Markers}': {e.Message}");
            return;
        }
        if (markers.NotCompiledReason is { } reason)
        {
            Assert.Skip($"not compiled: {reason}");
        }
        if (markers.Excerpt is { } excerpt)
        {
            if (SnippetExcerpt.Check(block, excerpt) is { } difference) Assert.Fail(difference);
            return;
        }

        var compiled = SnippetCompiler.Compile(block, markers.Prelude);
        if (compiled.Errors.Count > 0)
            Assert.Fail($"{block.Id} does not compile{(markers.Prelude is { } p ? $" (after prelude={p.Name})" : "")}:\n"
                + string.Join("\n", compiled.Errors) + "\n\nCompiled as:\n" + Numbered(compiled.Source));

        bool runnable = compiled.HasStatements && markers.NoRunReason is null && (markers.Prelude?.Runnable ?? true);
        if (!runnable)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{block.Id}: compiled; not run ({markers.NoRunReason ?? (compiled.HasStatements ? $"prelude={markers.Prelude!.Name} cannot run here" : "no top-level statements")}).");
            return;
        }
        Assert.True(fixture.Device.Id == 0);
        var before = LiveObjects.Read();
        string printed = SnippetRunner.Run(compiled.Image!, block.Id);
        TestContext.Current.TestOutputHelper?.WriteLine(printed);
        var after = LiveObjects.Read();
        Assert.True(before == after, $"{block.Id} left native objects alive: before {before}, after {after}. It printed:\n{printed}");
        if (PrintsMismatch(block, printed) is { } mismatch) Assert.Fail(mismatch);
    }

    private static readonly System.Text.RegularExpressions.Regex Prints = new(@"//\s*prints:\s*(?<text>.+?)\s*$");

    /// <summary>
    /// A run block's <c>// prints: TEXT</c> comments are what it must print: each TEXT a whole line of its output, in
    /// the block's order. Null when they all are.
    /// </summary>
    public static string? PrintsMismatch(MarkdownCodeBlock block, string printed)
    {
        var lines = printed.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).ToList();
        int from = 0, line = block.FirstCodeLine;
        foreach (var codeLine in block.Code.Split('\n'))
        {
            var match = Prints.Match(codeLine);
            if (match.Success)
            {
                string expected = match.Groups["text"].Value;
                int at = lines.FindIndex(from, l => l == expected);
                if (at < 0)
                    return $"{block.File}({line}): the block says it prints '{expected}', but it printed{(from > 0 ? " after the previous expected line" : "")}:\n{printed}";
                from = at + 1;
            }
            line++;
        }
        return null;
    }

    [Fact]
    public void The_docs_have_csharp_blocks_in_the_readme_and_in_docs()
    {
        Assert.Contains(DocFiles.Blocks, b => b.IsCSharp && b.File == "README.md");
        Assert.True(DocFiles.Blocks.Count(b => b.IsCSharp && b.File.StartsWith("docs/", StringComparison.Ordinal)) >= 10,
            string.Join(", ", DocFiles.Blocks.Where(b => b.IsCSharp).Select(b => b.Id)));
        Assert.Contains("docs/CONTRIBUTING.md", DocFiles.MarkdownFiles);
    }

    [Fact]
    public void Every_fenced_block_names_its_language()
    {
        // An untagged block could hide C# from this test: say what it is (csharp, sh, text, ...).
        var untagged = DocFiles.Blocks.Where(b => b.Language.Length == 0).Select(b => b.Id).ToList();
        Assert.True(untagged.Count == 0, "Fenced blocks without a language: " + string.Join(", ", untagged));
    }

    [Fact]
    public void Markers_of_other_languages_are_not_csharp_markers()
    {
        // prelude=/excerpt= on a sh or text block would do nothing: a sign the language tag is wrong.
        var misplaced = DocFiles.Blocks.Where(b => !b.IsCSharp && (b.Markers.Contains("prelude=") || b.Markers.Contains("excerpt=")))
            .Select(b => b.Id).ToList();
        Assert.True(misplaced.Count == 0, "C# markers on blocks of another language: " + string.Join(", ", misplaced));
    }

    private static string Numbered(string source)
    {
        var text = new StringBuilder();
        int n = 1;
        foreach (var line in source.Split('\n')) text.Append($"{n++,4}| {line}\n");
        return text.ToString();
    }
}

/// <summary>
/// Keeps one runtime reference and device 0 open while the blocks run, so each block's own
/// <c>NpuRuntime.Initialize()</c> takes another reference instead of initializing and finalizing AscendCL again.
/// </summary>
public sealed class SnippetRuntimeFixture : IDisposable
{
    private readonly NpuRuntime _runtime = NpuRuntime.Initialize();
    private readonly NpuDevice _device;

    public SnippetRuntimeFixture() => _device = NpuDevice.Open(0);

    /// <summary>Device 0, open for the whole run.</summary>
    public NpuDevice Device => _device;

    public void Dispose()
    {
        _device.Dispose();
        _runtime.Dispose();
    }
}

[CollectionDefinition("Snippets")]
public sealed class SnippetCollection : ICollectionFixture<SnippetRuntimeFixture>;

/// <summary>Native objects alive on the simulator (all zero on CANN, where the counters do not exist).</summary>
public readonly record struct LiveObjects(ulong Streams, ulong Events, ulong Models, ulong Tensors)
{
    public static unsafe LiveObjects Read()
    {
        if (!NpuRuntime.IsSimulator) return default;
        static ulong Get(aclsimCounter counter)
        {
            ulong value;
            int code = AclSim.aclsimGetCounter(counter, &value);
            if (code != 0) throw new InvalidOperationException($"aclsimGetCounter({counter}) failed with {code}");
            return value;
        }
        return new LiveObjects(Get(aclsimCounter.ACLSIM_LIVE_STREAMS), Get(aclsimCounter.ACLSIM_LIVE_EVENTS),
            Get(aclsimCounter.ACLSIM_LIVE_MODELS), Get(aclsimCounter.ACLSIM_LIVE_TENSORS));
    }
}
