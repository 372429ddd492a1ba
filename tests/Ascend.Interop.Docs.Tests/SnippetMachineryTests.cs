namespace Ascend.Interop.Docs.Tests;

/// <summary>The snippet test's own parts, on made-up blocks: each failure it exists to catch is caught and located.</summary>
[Collection("Snippets")]
public sealed class SnippetMachineryTests
{
    private static MarkdownCodeBlock Only(string markdown) => Assert.Single(MarkdownCodeBlock.Parse("docs/example.md", markdown));

    [Fact]
    public void Fences_are_parsed_with_their_line_language_markers_and_list_indentation()
    {
        var blocks = MarkdownCodeBlock.Parse("docs/example.md",
            "text\n\n```csharp prelude=stream\nvar a = 1;\n```\n\n- item:\n\n  ~~~sh\n  echo hi\n  ~~~\n```\nplain\n```\n").ToList();
        Assert.Equal(3, blocks.Count);
        Assert.Equal(("docs/example.md:3", "csharp", "prelude=stream", "var a = 1;\n", 0),
            (blocks[0].Id, blocks[0].Language, blocks[0].Markers, blocks[0].Code, blocks[0].Indent));
        Assert.True(blocks[0].IsCSharp);
        Assert.Equal(("sh", "echo hi\n", 2), (blocks[1].Language, blocks[1].Code, blocks[1].Indent));
        Assert.Equal(("docs/example.md:12", ""), (blocks[2].Id, blocks[2].Language));
    }

    [Theory]
    [InlineData("prelude=nope", "unknown prelude 'nope'")]
    [InlineData("prelude=stream prelude=device", "two prelude=")]
    [InlineData("no-run", "needs a reason")]
    [InlineData("not-compiled:", "needs a reason")]
    [InlineData("prelude=stream not-compiled: because", "cannot be combined")]
    [InlineData("excerpt=src/x.cs prelude=stream", "takes no prelude=")]
    [InlineData("run", "unknown marker 'run'")]
    public void Bad_markers_are_refused_with_what_is_wrong(string markers, string message)
    {
        var e = Assert.Throws<FormatException>(() => SnippetMarkers.Parse(markers));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Markers_are_parsed()
    {
        var m = SnippetMarkers.Parse("prelude=stream no-run: needs two devices");
        Assert.Equal(("stream", "needs two devices"), (m.Prelude!.Name, m.NoRunReason));
        Assert.Equal("a sketch", SnippetMarkers.Parse("not-compiled: a sketch").NotCompiledReason);
        Assert.Equal("src/a.cs", SnippetMarkers.Parse("excerpt=src/a.cs").Excerpt);
        Assert.Equal(new SnippetMarkers(null, null, null, null), SnippetMarkers.Parse(""));
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_at_the_docs_file_line_and_column()
    {
        // The error is on the file's line 8, column 9 of the unindented code; the list indentation (2) counts too.
        var block = Only("# t\n\n- a:\n\n  ```csharp prelude=stream\n  using System.Text;\n  var a = 1;\n  var b = missing + a;\n  ```\n");
        var compiled = SnippetCompiler.Compile(block, SnippetMarkers.Parse(block.Markers).Prelude);
        var error = Assert.Single(compiled.Errors);
        Assert.StartsWith("docs/example.md(8,11): error CS0103: The name 'missing' does not exist", error);
        Assert.Null(compiled.Image);
    }

    [Fact]
    public void Warnings_fail_a_block_except_unused_locals()
    {
        var block = Only("```csharp\nint unused = 3;\nstring s = null;\nConsole.WriteLine(s);\n```\n");
        var compiled = SnippetCompiler.Compile(block, null);
        var warning = Assert.Single(compiled.Errors);
        Assert.Contains("docs/example.md(3,12): warning CS8600", warning);
    }

    [Fact]
    public void A_block_of_types_only_compiles_as_a_library_and_is_not_a_program()
    {
        var compiled = SnippetCompiler.Compile(Only("```csharp\npublic sealed class Layer { public int Width => 3; }\n```\n"), null);
        Assert.Empty(compiled.Errors);
        Assert.False(compiled.HasStatements);
    }

    [Fact]
    public void A_run_block_that_throws_fails_with_its_exception_and_output()
    {
        var compiled = SnippetCompiler.Compile(Only("```csharp\nConsole.WriteLine(\"before\");\nthrow new InvalidOperationException(\"boom\");\n```\n"), null);
        Assert.Empty(compiled.Errors);
        var e = Assert.Throws<SnippetRunException>(() => SnippetRunner.Run(compiled.Image!, "docs/example.md:1"));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("boom", e.Message);
        Assert.Contains("before", e.Message);
    }

    [Fact]
    public void A_run_block_runs_on_the_simulator_with_its_prelude_and_its_output_is_checked()
    {
        var block = Only("```csharp prelude=stream\nusing var x = NpuTensor.FromArray(stream, new float[] { -1, 2 });\n"
            + "using var y = Ops.Relu(stream, x);\nConsole.WriteLine(string.Join(\", \", y.ToArray<float>(stream)));   // prints: 0, 2\n```\n");
        var compiled = SnippetCompiler.Compile(block, SnippetMarkers.Parse(block.Markers).Prelude);
        Assert.Empty(compiled.Errors);
        string printed = SnippetRunner.Run(compiled.Image!, block.Id);
        Assert.Equal("0, 2", printed.Trim());
        Assert.Null(DocSnippetTests.PrintsMismatch(block, printed));
        var wrong = block with { Code = block.Code.Replace("prints: 0, 2", "prints: 0, 3") };
        Assert.Contains("docs/example.md(4): the block says it prints '0, 3'", DocSnippetTests.PrintsMismatch(wrong, printed));
    }

    [Fact]
    public void An_excerpt_must_match_its_file_in_order_comments_and_layout_aside()
    {
        const string file = "samples/Ascend.Interop.FrameworkSample/DenseLayer.cs";
        var good = Only("```csharp excerpt=x\nprivate void Issue()\n{   // a comment of the doc's own\n"
            + "    using var product = Ops.MatMul(_stream, _input, _weights);\n// ...\n    Ops.Relu(_stream, shifted, _output);\n}\n```\n");
        Assert.Null(SnippetExcerpt.Check(good, file));

        var changed = good with { Code = good.Code.Replace("Ops.Relu", "Ops.Silu") };
        Assert.Contains("docs/example.md(6,9): the quote of " + file, SnippetExcerpt.Check(changed, file));
        Assert.Contains("'Silu'", SnippetExcerpt.Check(changed, file));

        var reordered = Only("```csharp excerpt=x\nOps.Relu(_stream, shifted, _output);\n// ...\nusing var product = Ops.MatMul(_stream, _input, _weights);\n```\n");
        Assert.NotNull(SnippetExcerpt.Check(reordered, file));
        Assert.Contains("names no file", SnippetExcerpt.Check(good, "src/nothing.cs"));
    }
}
