using System.Diagnostics;

namespace Ascend.Interop.Demo.Tests;

public sealed class DemoOptionsTests
{
    private static DemoOptions Parse(params string[] args) => DemoOptions.Parse(args, _ => null);

    [Fact]
    public void NoArguments_GivesTheDefaults()
    {
        var options = Parse();
        Assert.Equal(DemoBackend.Auto, options.Backend);
        Assert.Equal(200, options.Iterations);
        Assert.Equal([1, 2, 4, 8, 16, 32], options.BatchSizes);
        Assert.Equal(Path.Combine("artifacts", "demo"), options.OutputDirectory);
        Assert.False(options.ShowHelp);
    }

    [Fact]
    public void EveryOption_InBothSpellings()
    {
        var options = Parse("--backend", "sim", "--iterations=7", "--batch-sizes", "3, 1,64", "--out=results/x");
        Assert.Equal(DemoBackend.Sim, options.Backend);
        Assert.Equal(7, options.Iterations);
        Assert.Equal([3, 1, 64], options.BatchSizes);
        Assert.Equal("results/x", options.OutputDirectory);
        Assert.Equal("--backend sim --iterations=7 --batch-sizes 3, 1,64 --out=results/x", options.CommandLine);
        Assert.Equal(DemoBackend.Cann, Parse("--backend=CANN").Backend);
        Assert.True(Parse("--help").ShowHelp);
        Assert.True(Parse("-h").ShowHelp);
    }

    [Fact]
    public void BackendFromTheEnvironment_IsTheDefault_AndTheOptionWins()
    {
        Assert.Equal(DemoBackend.Sim, DemoOptions.Parse([], v => v == "ASCEND_INTEROP_BACKEND" ? "sim" : null).Backend);
        Assert.Equal(DemoBackend.Cann, DemoOptions.Parse(["--backend", "cann"], v => v == "ASCEND_INTEROP_BACKEND" ? "sim" : null).Backend);
    }

    [Fact]
    public void InvalidBackendInTheEnvironment_IsRefusedUnlessTheOptionOverridesIt()
    {
        Func<string, string?> env = v => v == "ASCEND_INTEROP_BACKEND" ? "gpu" : null;
        var error = Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse([], env));
        Assert.Contains("ASCEND_INTEROP_BACKEND='gpu' is not valid", error.Message);
        Assert.Equal(DemoBackend.Sim, DemoOptions.Parse(["--backend", "sim"], env).Backend);
        Assert.True(DemoOptions.Parse(["--help"], env).ShowHelp);
    }

    [Theory]
    [InlineData("--iterations 0", "--iterations '0' is not valid")]
    [InlineData("--iterations -3", "--iterations '-3' is not valid")]
    [InlineData("--iterations abc", "--iterations 'abc' is not valid")]
    [InlineData("--iterations 1000001", "from 1 to 1000000")]
    [InlineData("--batch-sizes 1,,2", "'' is not a batch size")]
    [InlineData("--batch-sizes 1,2,1", "1 is given twice")]
    [InlineData("--batch-sizes 0", "'0' is not a batch size from 1 to 4096")]
    [InlineData("--batch-sizes 5000", "'5000' is not a batch size")]
    [InlineData("--backend gpu", "--backend 'gpu' is not valid: use sim, cann or auto")]
    [InlineData("--backend", "--backend needs a value")]
    [InlineData("--out", "--out needs a value")]
    [InlineData("--out=", "--out needs a folder name")]
    [InlineData("--width 3", "Unknown option '--width'")]
    [InlineData("--iterations 2 --iterations 3", "--iterations was given more than once")]
    [InlineData("extra", "Unexpected argument 'extra'")]
    public void BadOptions_SayWhatWasWrong(string commandLine, string expected)
    {
        var error = Assert.Throws<DemoOptionsException>(() => Parse(commandLine.Split(' ')));
        Assert.Contains(expected, error.Message);
    }

    private static (int Exit, string Out, string Err) RunDemo(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Ascend.Interop.Demo.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the demo did not exit within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Process_BadOption_ExitsWithTwoAndAMessage()
    {
        var (exit, _, err) = RunDemo("--batch-sizes", "4,x");
        Assert.Equal(2, exit);
        Assert.Contains("error: --batch-sizes '4,x': 'x' is not a batch size", err);
        Assert.Contains("--help", err);
    }

    [Fact]
    public void Process_CannWithoutCann_ExitsWithThreeAndSaysWhatWasTried()
    {
        if (Directory.Exists("/usr/local/Ascend") || Environment.GetEnvironmentVariable("ASCEND_TOOLKIT_HOME") is not null
            || Environment.GetEnvironmentVariable("ASCEND_HOME_PATH") is not null)
            Assert.Skip("CANN is installed here: --backend cann would run the demo on it.");
        var (exit, _, err) = RunDemo("--backend", "cann", "--iterations", "1", "--batch-sizes", "1",
            "--out", Path.Combine(Path.GetTempPath(), "ascend-demo-cann-" + Guid.NewGuid().ToString("N")));
        Assert.Equal(3, exit);
        Assert.Contains("error: the cann backend could not be loaded", err);
        Assert.Contains("libascendcl.so", err);
    }

    [Fact]
    public void Process_OutputFolderThatCannotBeMade_ExitsWithFour()
    {
        string file = Path.GetTempFileName(); // a file where the folder's parent should be
        try
        {
            var (exit, _, err) = RunDemo("--backend", "sim", "--iterations", "1", "--batch-sizes", "1", "--out", Path.Combine(file, "demo"));
            Assert.Equal(4, exit);
            Assert.Contains("could not be written", err);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Process_Help_PrintsUsageAndExitsWithZero()
    {
        var (exit, output, _) = RunDemo("--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage: Ascend.Interop.Demo [options]", output);
        foreach (var option in new[] { "--backend", "--iterations", "--batch-sizes", "--out", "--help" })
            Assert.Contains(option, output);
    }
}
